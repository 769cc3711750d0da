"""Compiled 1-D convolutions with short lists of taps: the beam's passes, the line spread.

A round or axis-aligned Gaussian beam is the product of two 1-D kernels, each a short
list of taps once cut below the working precision (:func:`.beam._axis_taps`); the line
spread is one along the channels (:func:`.line_spread.channel_taps`).  Applied as plain
multiply-adds over whole rows, which LLVM vectorises, each pass takes ``2 reach + 1``
operations per value, a third of the blocked matrix products they replace; the sums
are the same, in another order (float32 rounding apart).  Values beyond the edges count
as zero.  The noise's passes (:func:`lattice_pass` along any lattice line, and
:func:`kernel_pass` with a small 2-D kernel) keep only the outputs whose inputs all lie
inside their data, which carries the halo.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit
from ..kernels.reductions import max_magnitude


@njit(error_model="numpy")
def _axpy(row: np.ndarray, source: np.ndarray, weight: np.float32) -> None:
    """Add ``weight * source`` to ``row`` (1-D, equal lengths).

    A loop of its own over two 1-D arrays: LLVM vectorises it (4x faster than the same
    loop written inside the passes, over rows of 2-D arrays).
    """
    for x in range(row.shape[0]):
        row[x] += weight * source[x]


@njit(error_model="numpy")
def convolve_rows(data: np.ndarray, taps: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (2-D, like ``data``) with ``data`` convolved along its first axis.

    ``taps`` has odd length ``2 r + 1``; tap ``r + d`` weighs the row ``d`` before:
    ``out[i] = sum_d taps[r + d] * data[i - d]``.
    """
    n = data.shape[0]
    r = (taps.shape[0] - 1) // 2
    zero = out.dtype.type(0.0)
    for i in range(n):
        out[i, :] = zero
        # Only the taps that meet a row (|d| < n): a spread wider than the band costs
        # n^2 row passes, not n (2 r + 1).
        for d in range(max(-r, i - n + 1), min(r, i) + 1):
            if taps[r + d] != zero:
                _axpy(out[i], data[i - d], taps[r + d])


@njit(error_model="numpy")
def convolve_columns(data: np.ndarray, taps: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` (2-D, like ``data``) with ``data`` convolved along its second axis.

    ``out[:, j] = sum_d taps[r + d] * data[:, j - d]``, as :func:`convolve_rows`.
    """
    n = data.shape[1]
    r = (taps.shape[0] - 1) // 2
    zero = out.dtype.type(0.0)
    for i in range(data.shape[0]):
        out[i, :] = zero
        for d in range(max(-r, 1 - n), min(r, n - 1) + 1):  # |d| < n: the taps that meet
            if taps[r + d] != zero:
                low, high = max(0, d), min(n, n + d)
                _axpy(out[i, low:high], data[i, low - d : high - d], taps[r + d])


@njit(error_model="numpy")
def separable_convolve(
    planes: np.ndarray, taps_y: np.ndarray, taps_x: np.ndarray, floor: float, out: np.ndarray
) -> None:
    """Fill ``out[k]`` with plane ``k`` convolved by ``taps_y`` along y, then ``taps_x`` along x.

    ``planes`` and ``out`` are ``(n, ny, nx)`` (``out`` may be ``planes``).  Values below
    ``floor`` in magnitude are read as zero (their products with the kernel's wings
    would be subnormal, and slow).

    Each output is :func:`convolve_rows` then :func:`convolve_columns`, the same sums in
    the same order (taps in ascending ``d``), bit for bit; the edges read zeros from a
    margin instead of leaving taps out, which adds exact zeros (at most a zero's sign
    differs).  Faster: a row of the plane is convolved along y into a padded line and
    at once along x into ``out``, four taps per sweep over a row, every loop written
    out here (a call per row and tap, with its array arguments' reference counts, cost
    more than its 256 multiply-adds).
    """
    n_planes, ny, nx = planes.shape
    ry, rx = (taps_y.shape[0] - 1) // 2, (taps_x.shape[0] - 1) // 2
    dtype = out.dtype
    zero = dtype.type(0.0)
    threshold = dtype.type(floor)
    # The taps behind leading zeros, to a multiple of four: a zero tap adds an exact
    # zero to a sum that is still zero, so every sum is unchanged, and no loop for the
    # remaining taps is compiled.
    ty, tx = _in_fours(taps_y), _in_fours(taps_x)
    ey, ex = ty.shape[0] - taps_y.shape[0], tx.shape[0] - taps_x.shape[0]
    clean = np.zeros((ny + 2 * ry + ey, nx), dtype=dtype)  # the plane between zero rows
    line = np.zeros(nx + 2 * rx + ex, dtype=dtype)  # a row convolved along y, zeros aside
    body = line[rx : rx + nx]
    for k in range(n_planes):
        # The plane's box of kept values: outside it, grown by the taps' reach, every
        # output is a sum of exact zeros, so only the box is convolved (a galaxy fills
        # a third of a 125^2 field's voxels; its empty channels cost nothing).
        y0, y1, x0, x1 = ny, -1, nx, -1
        for y in range(ny):
            source, row = planes[k, y], clean[ry + y]
            for x in range(nx):
                value = source[x]
                row[x] = value if abs(value) >= threshold else zero
            first = 0
            while first < nx and row[first] == zero:
                first += 1
            if first < nx:
                last = nx - 1
                while row[last] == zero:
                    last -= 1
                y0, y1 = min(y0, y), y
                x0, x1 = min(x0, first), max(x1, last)
        if y1 < 0:  # nothing kept: the plane convolves to zeros
            for i in range(ny):
                target = out[k, i]
                for x in range(nx):
                    target[x] = zero
            continue
        for x in range(line.shape[0]):
            line[x] = zero
        low, high = max(y0 - ry, 0), min(y1 + ry, ny - 1)  # rows that get a value
        left, right = max(x0 - rx, 0), min(x1 + rx, nx - 1)  # columns that get a value
        width, span = x1 - x0 + 1, right - left + 1
        for i in range(ny):
            target = out[k, i]
            if i < low or i > high:
                for x in range(nx):
                    target[x] = zero
                continue
            # Along y: body = sum_q ty[q] clean[i + 2 ry + ey - q] (q = ey + r + d), in
            # the box's columns (the rest of the line stays zero).
            # Slices, each loop from 0: an index that could be negative would be wrapped
            # at every step, and the loop would not be vectorised.
            inner = body[x0 : x1 + 1]
            for x in range(width):
                inner[x] = zero
            for q in range(0, ty.shape[0], 4):
                top = i + 2 * ry + ey - q
                a, b = clean[top, x0 : x1 + 1], clean[top - 1, x0 : x1 + 1]
                c, d = clean[top - 2, x0 : x1 + 1], clean[top - 3, x0 : x1 + 1]
                t0, t1, t2, t3 = ty[q], ty[q + 1], ty[q + 2], ty[q + 3]
                for x in range(width):
                    inner[x] = (((inner[x] + t0 * a[x]) + t1 * b[x]) + t2 * c[x]) + t3 * d[x]
            # Along x: target[j] = sum_q tx[q] line[j + 2 rx + ex - q].
            for x in range(nx):
                target[x] = zero
            reached = target[left : right + 1]
            for q in range(0, tx.shape[0], 4):
                s = 2 * rx + ex - q + left
                a, b = line[s : s + span], line[s - 1 : s - 1 + span]
                c, d = line[s - 2 : s - 2 + span], line[s - 3 : s - 3 + span]
                t0, t1, t2, t3 = tx[q], tx[q + 1], tx[q + 2], tx[q + 3]
                for x in range(span):
                    reached[x] = (((reached[x] + t0 * a[x]) + t1 * b[x]) + t2 * c[x]) + t3 * d[x]


@njit(inline="always", error_model="numpy")
def _in_fours(taps: np.ndarray) -> np.ndarray:
    """Return ``taps`` behind the fewest leading zeros that make its length a multiple of 4."""
    padded = np.zeros(-(-taps.shape[0] // 4) * 4, dtype=taps.dtype)
    lead = padded.shape[0] - taps.shape[0]
    for q in range(taps.shape[0]):
        padded[lead + q] = taps[q]
    return padded


@njit(error_model="numpy")
def lattice_pass(data: np.ndarray, taps: np.ndarray, dy: int, dx: int, out: np.ndarray) -> None:
    """Fill ``out`` with ``data`` convolved along the lattice line ``(dy, dx)``, valid part only.

    ``taps`` (odd length ``2 r + 1``) must be symmetric, ``taps[r + d] == taps[r - d]``:
    ``out[i, j] = sum_d taps[r + d] * data[i + r |dy| - d dy, j + r |dx| - d dx]``, summed
    as ``taps[r] * (centre) + sum_{d = 1..r} taps[r + d] * (value at -d + value at +d)``
    (a third fewer operations than one tap at a time).  Every output has all its inputs
    inside ``data``, so ``out`` is ``data`` less ``r |dy|`` rows and ``r |dx|`` columns
    on each side.  Each output is summed in the same order wherever it lies in ``out``,
    so a part of a field convolved alone (with its margin) equals the same part of the
    whole, bit for bit.
    """
    r = (taps.shape[0] - 1) // 2
    ry, rx = r * abs(dy), r * abs(dx)
    width = out.shape[1]
    # The loops written out, two pairs of taps per sweep over a row: the same sums in the
    # same order as one sweep per pair, without a call per row and pair (it cost more
    # than its work: noise at 40 x 64^2 took twice as long).
    for i in range(out.shape[0]):
        row = out[i]
        centre = data[i + ry, rx : rx + width]
        middle = taps[r]
        for x in range(width):
            row[x] = middle * centre[x]
        d = 1
        while d + 1 <= r:
            e = d + 1
            b0 = data[i + ry - d * dy, rx - d * dx : rx - d * dx + width]
            a0 = data[i + ry + d * dy, rx + d * dx : rx + d * dx + width]
            b1 = data[i + ry - e * dy, rx - e * dx : rx - e * dx + width]
            a1 = data[i + ry + e * dy, rx + e * dx : rx + e * dx + width]
            w0, w1 = taps[r + d], taps[r + e]
            for x in range(width):
                row[x] = (row[x] + w0 * (b0[x] + a0[x])) + w1 * (b1[x] + a1[x])
            d += 2
        if d <= r:
            before = data[i + ry - d * dy, rx - d * dx : rx - d * dx + width]
            after = data[i + ry + d * dy, rx + d * dx : rx + d * dx + width]
            weight = taps[r + d]
            for x in range(width):
                row[x] = row[x] + weight * (before[x] + after[x])


@njit(error_model="numpy")
def kernel_pass(data: np.ndarray, kernel: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with ``data`` convolved with a 2-D ``kernel``, valid part only.

    ``kernel`` (``(2 hy + 1, 2 hx + 1)``) must be point-symmetric,
    ``kernel[hy + a, hx + b] == kernel[hy - a, hx - b]`` (a centred Gaussian): each output
    sums the centre and then the pairs of values at ``+-(a, b)``, in a fixed order, so a
    part of a field convolved alone equals the same part of the whole, bit for bit.
    ``out`` is ``data`` less ``hy`` rows and ``hx`` columns on each side.
    """
    hy, hx = (kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2
    width = out.shape[1]
    zero = out.dtype.type(0.0)
    for i in range(out.shape[0]):
        row = out[i]
        centre = data[i + hy, hx : hx + width]
        for x in range(width):
            row[x] = kernel[hy, hx] * centre[x]
        for a in range(hy + 1):
            for b in range(-hx, hx + 1):
                weight = kernel[hy + a, hx + b]
                if (a == 0 and b <= 0) or weight == zero:
                    continue
                first = data[i + hy + a, hx + b : hx + b + width]
                second = data[i + hy - a, hx - b : hx - b + width]
                for x in range(width):  # written out: a call per row and pair cost more
                    row[x] += weight * (first[x] + second[x])


@njit(error_model="numpy")
def smooth_spectra(data: np.ndarray, taps: np.ndarray, clamp: bool, out: np.ndarray) -> float:
    """Fill ``out`` with ``data`` convolved along its second axis (the channels); return max |out|.

    ``data`` and ``out`` are ``(n, n_chan, pixels)``, C-contiguous, and may be the same
    array.  Each spectrum is :func:`convolve_rows`'s, the same sums in the same order
    (only the taps that meet a channel, zero taps left out); with ``clamp`` the values
    read are first raised to 0 (as ``np.maximum(data, 0)`` before it).  Blocks of
    pixels go through a scratch copy (so ``out`` may overwrite ``data``), every loop
    written out: no block copies in NumPy, no call per channel and tap.
    """
    n_stack, n, pixels = data.shape
    r = (taps.shape[0] - 1) // 2
    zero = out.dtype.type(0.0)
    width = max(1, min(pixels, _SPECTRA_BLOCK))  # no pixels: no block, not a zero step
    block = np.empty((n, width), dtype=out.dtype)
    low = zero if clamp else out.dtype.type(-np.inf)  # values below are read as it
    peak = zero
    for s in range(n_stack):
        for start in range(0, pixels, width):
            w = min(width, pixels - start)
            for i in range(n):
                source, copy = data[s, i, start : start + w], block[i]
                for x in range(w):  # one loop for both (NaN is not below anything)
                    value = source[x]
                    copy[x] = low if value < low else value
            for i in range(n):
                row = out[s, i, start : start + w]
                for x in range(w):
                    row[x] = zero
                for d in range(max(-r, i - n + 1), min(r, i) + 1):
                    weight = taps[r + d]
                    if weight != zero:
                        source = block[i - d]
                        for x in range(w):
                            row[x] += weight * source[x]
                peak = max_magnitude(row, peak)
    return float(peak)


_SPECTRA_BLOCK = 1024  # pixels per block of smooth_spectra: n_chan x 4 KiB of scratch
