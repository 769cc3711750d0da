"""The compiled noise filter: white noise drawn and filtered plane by plane.

Split from :mod:`.noise_filter` (which plans the passes in NumPy) so that numba loads
only when noise is drawn.
"""

from __future__ import annotations

import numpy as np

from ..kernels.counter_normals import fill_standard_normals
from ..kernels.jit import njit
from .fir import kernel_pass, lattice_pass


@njit(error_model="numpy")
def filtered_normals(
    out: np.ndarray, c0: int, y0: int, x0: int, k0: np.uint32, k1: np.uint32,
    taps: np.ndarray, reaches: np.ndarray, lines: np.ndarray, kernel: np.ndarray,
    halo_y: int, halo_x: int, weights: np.ndarray,
) -> None:  # fmt: skip
    """Fill ``out`` with the white noise of its global voxels filtered by the passes.

    Plane by plane: the standard normals of the plane and its halo (the counter-based
    stream, :func:`GalCubeCraft.kernels.counter_normals.fill_standard_normals`), then
    each pass in turn (:func:`.fir.lattice_pass`, valid part only), the last one into
    the output; or, without passes, the 2-D ``kernel`` (:func:`.fir.kernel_pass`; ``[[1]]``
    for white noise).  With more than one channel ``weights`` (odd length), the filtered
    planes of the channels around each are summed with them (the Hanning taper);
    ``weights = [1]`` adds nothing.  Every output voxel is summed in the same order
    wherever it lies, so any part drawn alone equals the whole's, bit for bit.
    """
    n_c, n_y, n_x = out.shape
    rc = (weights.shape[0] - 1) // 2
    height, width = n_y + 2 * halo_y, n_x + 2 * halo_x
    white = np.empty((1, height, width), dtype=np.float32)
    work = np.empty((2, height * width), dtype=np.float32)
    ring = np.empty((2 * rc + 1, n_y, n_x), dtype=np.float32)
    n_pass = taps.shape[0]
    for p in range(n_c + 2 * rc):
        fill_standard_normals(white, c0 - rc + p, y0 - halo_y, x0 - halo_x, k0, k1)
        target = ring[p % (2 * rc + 1)] if rc > 0 else out[p]
        source = white[0]
        if n_pass == 0 and kernel.size > 1:
            kernel_pass(source, kernel, target)
        elif n_pass == 0:  # explicit loops: numba compiles slice assignment slowly
            for y in range(n_y):
                for x in range(n_x):
                    target[y, x] = source[y, x]
        for m in range(n_pass):
            r = reaches[m]
            dy, dx = lines[m, 0], lines[m, 1]
            rows, columns = source.shape[0] - 2 * r * abs(dy), source.shape[1] - 2 * r * abs(dx)
            if m == n_pass - 1:
                lattice_pass(source, taps[m, : 2 * r + 1], dy, dx, target)
            else:
                step = work[m % 2, : rows * columns].reshape((rows, columns))
                lattice_pass(source, taps[m, : 2 * r + 1], dy, dx, step)
                source = step
        if rc > 0 and p >= 2 * rc:
            k = p - 2 * rc
            for y in range(n_y):
                row = out[k, y]
                first = ring[k % (2 * rc + 1), y]
                for x in range(n_x):
                    row[x] = weights[0] * first[x]
                for m in range(1, 2 * rc + 1):
                    plane, weight = ring[(k + m) % (2 * rc + 1), y], weights[m]
                    for x in range(n_x):  # written out: a call per row cost more
                        row[x] += weight * plane[x]
