"""The compiled line-of-sight quadrature: one pass over each sight line, in float32.

It computes exactly what :mod:`GalCubeCraft.renderer.los` describes (pieces, panels,
exponential change of variable, Gauss-Legendre nodes), fused into one loop per sight
line so no full-size temporaries are made, with the float32 polynomial ``exp``/``log``
of :mod:`~GalCubeCraft.kernels.float32_math` so LLVM vectorises the node loops.

The helpers :func:`los_kernel` calls once (:func:`_scalars`, :func:`_piece_edges`,
:func:`_panel_rates`, :func:`_node_samples`) are inlined by numba: as kernels of their
own, each was optimised and compiled by LLVM twice (alone, then again inside
``los_kernel``, whose module links their code in; ~0.25 s of a first cube).  The same
loops vectorise either way.  :func:`_log_emissivities`, called five times, stays a
kernel: inlined, its loops would be compiled five times.
"""

from __future__ import annotations

import numpy as np

from ..kernels.float32_math import exp32, expm1_32, log1p32, log32
from ..kernels.jit import njit

_F32 = np.float32
_ZERO = _F32(0.0)
_ONE = _F32(1.0)
_TINY = _F32(1e-12)
_FLOOR = _F32(1e-37)  # above float32 underflow: log() of it stays finite
_LOG_FLOOR = _F32(np.log(1e-37))
_INITIAL_STEP = _F32(1e-2)  # fraction of a panel used to measure the initial e-folding rate
_N_CUTS = 6
_PANEL_CHUNK = 1024


@njit(inline="always", error_model="numpy")
def _radial_power(x: np.float32, inv_n: np.float32) -> np.float32:
    """Return ``x ** inv_n`` for ``x >= 0`` (exact for ``inv_n == 1``)."""
    if inv_n == _ONE:
        return x
    if x <= _ZERO:
        return _ZERO
    return exp32(inv_n * log32(max(x, _FLOOR)))


@njit(inline="always", error_model="numpy")
def _disk_point(
    a: np.float32, b: np.float32, s: np.float32, c: tuple
) -> tuple[np.float32, np.float32, np.float32]:
    """Return ``(radius, y_disk, z)`` of the point at depth ``s`` on sight line ``(a, b)``."""
    cos_i, sin_i = c[3], c[4]
    y = b * cos_i + s * sin_i
    z = -b * sin_i + s * cos_i
    return np.sqrt(a * a + y * y), y, z


@njit(inline="always", error_model="numpy")
def _exponent(
    a: np.float32, b: np.float32, s: np.float32, c: tuple
) -> tuple[np.float32, np.float32, np.float32]:
    """Return ``(log(emissivity / s_e), radius, y_disk)`` at depth ``s`` on sight line ``(a, b)``.

    ``c`` holds the galaxy's constants as scalars (see :func:`_scalars`): scalars, not
    array loads, so LLVM knows they do not change inside a loop (and needs no runtime
    alias checks for them).
    """
    inv_n, b_n, inv_r_e, inv_h_z = c[1], c[2], c[5], c[6]
    radius, y, z = _disk_point(a, b, s, c)
    exponent = -b_n * (_radial_power(radius * inv_r_e, inv_n) - _ONE) - abs(z) * inv_h_z
    return exponent, radius, y


@njit(inline="always")
def _scalars(c: np.ndarray) -> tuple:
    """Return the constants :func:`_exponent` needs, from the array of constants.

    The array is :func:`GalCubeCraft.renderer.los.kernel_constants`; the last scalar is
    ``log(s_e)``.
    """
    return (c[0], c[2], c[3], c[5], c[6], c[12], c[13], c[15])


@njit(error_model="numpy")
def _log_emissivities(
    a: np.ndarray, b: np.ndarray, s: np.ndarray, n: int, c: tuple, out: np.ndarray,
    height: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out[:n]`` with the log-emissivity at depths ``s`` on sight lines ``(a, b)``.

    ``log(s_e) + exponent``, floored at ``log(1e-37)`` like the emissivity it stands
    for (where float32 would underflow).  One function, called for each point the panel
    set-up needs, so the kernel compiles in a few seconds; three loops through ``out``
    and the scratch row ``height``, each value as :func:`_exponent` computes it: the
    radial power is skipped for an exponential disk (as in :func:`_node_samples`).
    """
    inv_n, b_n, inv_r_e, inv_h_z, log_s_e = c[1], c[2], c[5], c[6], c[7]
    for q in range(n):
        r, _, z = _disk_point(a[q], b[q], s[q], c)
        out[q] = r * inv_r_e
        height[q] = abs(z) * inv_h_z
    if inv_n != _ONE:
        for q in range(n):
            out[q] = _radial_power(out[q], inv_n)
    for q in range(n):
        out[q] = max(log_s_e + (-b_n * (out[q] - _ONE) - height[q]), _LOG_FLOOR)


@njit(inline="always", error_model="numpy")
def _piece_edges(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Return the ``PIECES + 1`` piece edges of each sight line, shape ``(m, 8)``.

    The span inside the truncation cylinder, cut at the midplane crossing and around
    it, and at the closest approach to the axis and around it (see ``los._pieces``).
    """
    m = a.shape[0]
    cos_i, sin_i, r_max, z_max = c[5], c[6], c[7], c[8]
    has_cos = cos_i > _TINY
    has_sin = sin_i > _TINY
    inf = _F32(np.inf)
    cuts = np.empty(_N_CUTS, dtype=np.float32)
    edges = np.empty((m, _N_CUTS + 2), dtype=np.float32)
    for i in range(m):
        ai = a[i]
        bi = b[i]
        if has_cos:
            s_lo = (bi * sin_i - z_max) / cos_i
            s_hi = (bi * sin_i + z_max) / cos_i
        elif abs(bi) <= z_max:
            s_lo, s_hi = -inf, inf
        else:
            s_lo, s_hi = _ZERO, _ZERO
        y_half = np.sqrt(max(r_max * r_max - ai * ai, _ZERO))
        if has_sin:
            r_lo = (-y_half - bi * cos_i) / sin_i
            r_hi = (y_half - bi * cos_i) / sin_i
        elif abs(bi) < y_half:
            r_lo, r_hi = -inf, inf
        else:
            r_lo, r_hi = _ZERO, _ZERO
        lo = max(s_lo, r_lo)
        hi = min(s_hi, r_hi)
        if not hi > lo:
            lo, hi = _ZERO, _ZERO
        n_cut = 0
        if has_cos:
            midplane = bi * c[9]
            cuts[0] = midplane
            cuts[1] = midplane - c[11]
            cuts[2] = midplane + c[11]
            n_cut = 3
        if has_sin:
            tangent = -bi * c[10]
            sweep = c[14] * abs(ai)
            cuts[n_cut] = tangent
            cuts[n_cut + 1] = tangent - sweep
            cuts[n_cut + 2] = tangent + sweep
            n_cut += 3
        for k in range(n_cut, _N_CUTS):
            cuts[k] = lo
        # Insertion sort: six values.
        for k in range(1, _N_CUTS):
            value = cuts[k]
            j = k - 1
            while j >= 0 and cuts[j] > value:
                cuts[j + 1] = cuts[j]
                j -= 1
            cuts[j + 1] = value
        edges[i, 0] = lo
        for k in range(_N_CUTS):
            edges[i, k + 1] = min(max(cuts[k], lo), hi)
        edges[i, _N_CUTS + 1] = hi
    return edges


@njit(error_model="numpy")
def los_kernel(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    nodes: np.ndarray,
    weights: np.ndarray,
    fractions: np.ndarray,
    flux: np.ndarray,
    radius: np.ndarray,
    y_disk: np.ndarray,
) -> None:
    """Fill ``flux``, ``radius`` (and ``y_disk``) of ``m`` sight lines, ``(m, 7 panels nodes)``.

    ``y_disk``, the in-plane coordinate toward the far side (for non-circular flows), is
    filled only when it has ``m`` rows; pass a ``(0, 0)`` array otherwise.

    A row holds its pieces, each cut into panels, each holding the nodes.  ``fractions``
    are the panel edges along a piece, ``(k / panels) ** n``.  Sight lines go through
    in chunks whose panels stay in the cache; in each, every stage is a flat loop over
    panels from index 0, which LLVM vectorises.  The caller allocates the outputs: a
    kernel that returns no Python object cannot be cut short half-way through boxing
    one by a Ctrl-C (numba then reports a SystemError instead of the KeyboardInterrupt).
    """
    m = a.shape[0]
    n_nodes = nodes.shape[0]
    panels = fractions.shape[0] - 1
    per_line = (_N_CUTS + 1) * panels
    lines_per_chunk = max(1, _PANEL_CHUNK // per_line)
    size = lines_per_chunk * per_line
    edges = _piece_edges(a, b, c)
    e = _scalars(c)
    work = np.empty((6, size), dtype=np.float32)
    params = np.empty((5, size), dtype=np.float32)
    where = np.empty((3, size), dtype=np.float32)
    logs = np.empty((3, size), dtype=np.float32)
    want_y = y_disk.shape[0] == m
    samples = np.empty((3, n_nodes, size), dtype=np.float32)
    scratch = np.empty((3, size), dtype=np.float32)  # _node_samples' rows
    # Each queued panel's first sample in the flattened outputs (row-major: its sight
    # line's row, its piece's and panel's column): the samples are written through flat
    # indices, which LLVM vectorises (2-D indexing, one value at a time, took a third of
    # the kernel's time).
    start = np.empty(size, dtype=np.int64)
    span = panels * n_nodes  # columns of one piece
    width = flux.shape[1]
    flat_flux = flux.reshape(-1)
    flat_radius = radius.reshape(-1)
    flat_y = y_disk.reshape(-1)
    for first in range(0, m, lines_per_chunk):
        count = min(lines_per_chunk, m - first)
        # Queue the panels of non-empty pieces only: about a third of all pieces are
        # empty (a sight line that misses the layer or the sweep), and hold no light.
        q = 0
        for line in range(first, first + count):
            for piece in range(_N_CUTS + 1):
                lo = edges[line, piece]
                hi = edges[line, piece + 1]
                base = piece * span
                if not hi > lo:
                    _empty_piece(a[line], b[line], lo, e, line * width + base, span, flat_flux,
                                 flat_radius, flat_y, want_y)  # fmt: skip
                    continue
                for p in range(panels):
                    work[0, q] = a[line]
                    work[1, q] = b[line]
                    work[2, q] = lo
                    work[3, q] = hi
                    work[4, q] = fractions[p]
                    work[5, q] = fractions[p + 1]
                    start[q] = line * width + base + p * n_nodes
                    q += 1
        n = int(q)  # typed int64, not Literal[int](0) first: each callee compiles once
        _panel_rates(work, n, e, params, where, logs)
        for k in range(n_nodes):
            _node_samples(work, params, n, nodes[k], weights[k], e, samples, k, scratch)
        for k in range(n_nodes):
            flux_k, radius_k = samples[0, k], samples[1, k]
            for q in range(n):
                at = start[q] + k
                flat_flux[at] = flux_k[q]
                flat_radius[at] = radius_k[q]
        if want_y:
            for k in range(n_nodes):
                y_k = samples[2, k]
                for q in range(n):
                    flat_y[start[q] + k] = y_k[q]


@njit(inline="always", error_model="numpy")
def _empty_piece(
    a: np.float32,
    b: np.float32,
    s: np.float32,
    e: tuple,
    first: int,
    span: int,
    flux: np.ndarray,
    radius: np.ndarray,
    y_disk: np.ndarray,
    want_y: bool,
) -> None:
    """Write an empty piece's samples: no flux, at the finite point where it sits.

    ``first`` is the piece's first sample in the flattened outputs.  Their radius and
    ``y`` stay finite so that the velocity field and ``sigma(R)``, evaluated on every
    sample, stay finite too (their weight is zero).
    """
    r, y, _ = _disk_point(a, b, s, e)  # no emissivity: it is not needed here
    for at in range(first, first + span):
        flux[at] = _ZERO
        radius[at] = r
    if want_y:
        for at in range(first, first + span):
            y_disk[at] = y


@njit(inline="always", error_model="numpy")
def _panel_rates(
    work: np.ndarray, n: int, c: tuple, params: np.ndarray, where: np.ndarray, logs: np.ndarray
) -> None:
    """Fill ``params[:, :n]``: each panel's bright end, direction, rate, growth and scale.

    ``work`` rows: sight line ``(a, b)``, its piece's ends, the panel's edge fractions.
    A piece's panels are laid out from its brighter end; inside a panel the integrand
    is close to an exponential whose rate is the smaller of the secant rate between
    the panel's ends and the initial rate over a short step from its brighter end.
    ``where`` and ``logs`` (3 rows each) are scratch: depths and their log-emissivities,
    evaluated a row at a time by :func:`_log_emissivities` (``height`` is its scratch).
    """
    a, b = work[0], work[1]
    height = np.empty(n, dtype=np.float32)
    _log_emissivities(a, b, work[2], n, c, logs[0], height)
    _log_emissivities(a, b, work[3], n, c, logs[1], height)
    for q in range(n):
        start = work[2, q]
        end = work[3, q]
        forward = logs[0, q] >= logs[1, q]
        bright = start if forward else end
        direction = _ONE if forward else -_ONE
        stretch = direction * (end - start)
        where[0, q] = bright + stretch * work[4, q]
        where[1, q] = bright + stretch * work[5, q]
        params[1, q] = direction
    _log_emissivities(a, b, where[0], n, c, logs[0], height)
    _log_emissivities(a, b, where[1], n, c, logs[1], height)
    for q in range(n):
        panel_length = (work[3, q] - work[2, q]) * (work[5, q] - work[4, q])
        has_length = panel_length > _ZERO
        safe_length = panel_length if has_length else _ONE
        first = logs[0, q] >= logs[1, q]
        panel_start = where[0, q] if first else where[1, q]
        sense = params[1, q] if first else -params[1, q]
        where[2, q] = panel_start + sense * (_INITIAL_STEP * safe_length)
        logs[2, q] = logs[0, q] if first else logs[1, q]
        params[0, q] = panel_start
        params[1, q] = sense
        params[2, q] = abs(logs[1, q] - logs[0, q]) / safe_length  # secant rate, for now
        params[3, q] = safe_length
        params[4, q] = _ONE if has_length else _ZERO
    _log_emissivities(a, b, where[2], n, c, logs[0], height)
    for q in range(n):
        safe_length = params[3, q]
        initial = abs(logs[2, q] - logs[0, q]) / (_INITIAL_STEP * safe_length)
        kappa = max(min(params[2, q], initial), _TINY / safe_length)
        params[2, q] = kappa
        params[3, q] = -expm1_32(-kappa * safe_length)


@njit(inline="always", error_model="numpy")
def _node_samples(
    work: np.ndarray,
    params: np.ndarray,
    n: int,
    u: np.float32,
    w: np.float32,
    e: tuple,
    samples: np.ndarray,
    k: int,
    scratch: np.ndarray,
) -> None:
    """Fill ``samples[:, k, :n]`` (flux, radius and y_disk) at node ``u``.

    The node sits at ``t(u) = -log(1 - u g) / kappa`` from the panel's bright end
    (``g = 1 - e^{-kappa L}``), with Jacobian ``g / (kappa (1 - u g))``.  In three
    loops through the float32 rows of ``scratch`` (``(3, >= n)``), each value computed
    as :func:`_exponent` computes it: the geometry, the radial power (skipped for an
    exponential disk, whose power is R itself: a loop that tested it per sample computed
    the power's exp and log in every lane, a third of the kernel's time), the flux.
    """
    s_e, inv_n, b_n, inv_r_e, inv_h_z = e[0], e[1], e[2], e[5], e[6]
    flux_k, radius_k, y_k = samples[0, k], samples[1, k], samples[2, k]
    a, b = work[0], work[1]
    start, sense, rate, growths, live = params[0], params[1], params[2], params[3], params[4]
    scaled, height, factor = scratch[0], scratch[1], scratch[2]
    for q in range(n):
        growth, kappa = growths[q], rate[q]
        t = -log1p32(-u * growth) / kappa
        jacobian = growth / (kappa * (_ONE - u * growth))
        r, y, z = _disk_point(a[q], b[q], start[q] + sense[q] * t, e)
        radius_k[q] = r
        y_k[q] = y  # always written (scratch when not asked for): no test in the loop
        scaled[q] = r * inv_r_e
        height[q] = abs(z) * inv_h_z
        factor[q] = (w * jacobian) * live[q]
    if inv_n != _ONE:
        for q in range(n):
            scaled[q] = _radial_power(scaled[q], inv_n)
    for q in range(n):
        exponent = -b_n * (scaled[q] - _ONE) - height[q]
        flux_k[q] = (s_e * exp32(exponent)) * factor[q]
