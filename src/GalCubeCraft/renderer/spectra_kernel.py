"""The deposit's blocks of pixels in one compiled pass: fine spectra, channels, the cube.

For each block of pixels, the samples go on the block's fine velocity grid
(:func:`~GalCubeCraft.renderer.kernels.deposit_fine`), each pixel's fine spectrum is
multiplied by the channel response of the nodes it holds, and the spectra are added to
the cube's columns.  The product runs over each pixel's own nodes and each node's own
channels (the band its Gaussian line reaches): a dense product over the block's span of
nodes and channels multiplied mostly zeros, and the block loop in Python cost more than
the work for a small cube (41 blocks of a 40 x 125^2 render: 1.1 of its 3.6 ms).  Every
sum runs in a fixed order (nodes ascending), so the cube does not depend on a BLAS
library's blocking or thread count.
"""

from __future__ import annotations

import numpy as np

from ..kernels.jit import njit
from .kernels import deposit_fine


@njit()
def deposit_blocks(
    order: np.ndarray,
    block: int,
    lows: np.ndarray,
    highs: np.ndarray,
    row_order: np.ndarray,
    bounds: np.ndarray,
    row_slot: np.ndarray,
    flux: np.ndarray,
    velocity: np.ndarray,
    variance: np.ndarray,
    shift: np.float32,
    inverse: np.float32,
    low: float,
    high: float,
    line2: float,
    table: np.ndarray,
    table_first: int,
    bands: np.ndarray,
    flat: np.ndarray,
    columns: np.ndarray,
) -> None:
    """Deposit the samples of each block of ``block`` pixels of ``order`` and add them to ``flat``.

    Parameters
    ----------
    order : numpy.ndarray
        The pixels (numbers ``0 .. n_pixels - 1``) in blocks: ``order[b * block : (b + 1)
        * block]`` is block ``b``, each in the cube's column order.
    lows, highs : numpy.ndarray
        Each pixel's first and last fine node (:func:`~.kernels.pixel_extents`).
    row_order, bounds, row_slot : numpy.ndarray
        The sight lines of block ``b`` are ``row_order[bounds[b + 1] : bounds[b + 2]]``;
        ``row_slot[k]`` is line ``k``'s pixel's place in its block.
    flux, velocity, variance, shift, inverse, low, high, line2
        The samples and the fine grid, as :func:`~.kernels.deposit_fine` reads them.
    table : numpy.ndarray
        ``(nodes, n_chan)`` float64: row ``k`` is the response of node ``table_first + k``
        (:func:`~GalCubeCraft.renderer.deposit.channel_response`), covering every node
        of every pixel.
    bands : numpy.ndarray
        ``(nodes, 2)``: the first and last channel each node's line reaches.
    flat : numpy.ndarray
        The cube as ``(n_chan, ny * nx)``, added to: each value's sum formed in float64
        and rounded once to ``flat``'s type.
    columns : numpy.ndarray
        Each pixel's column of ``flat``.
    """
    n_order = order.shape[0]
    block_columns = np.empty(block, dtype=np.int64)
    for first in range(0, n_order, block):
        b = first // block
        count = min(block, n_order - first)
        lowest, highest = lows[order[first]], highs[order[first]]
        for p in range(first + 1, first + count):
            lowest, highest = min(lowest, lows[order[p]]), max(highest, highs[order[p]])
        fine = np.zeros((count, highest - lowest + 1))
        deposit_fine(row_order[bounds[b + 1] : bounds[b + 2]], row_slot, flux, velocity,
                     variance, shift, inverse, low, high, line2, lowest, fine)  # fmt: skip
        c0, c1 = bands[lowest - table_first, 0], bands[highest - table_first, 1]
        if c1 < c0:
            continue
        # (channels, nodes) @ (nodes, pixels) by BLAS, on the block's rows of the table
        # and the channels its lines reach only: the spectra come out channel-major.
        rows = np.ascontiguousarray(table[lowest - table_first : highest - table_first + 1,
                                          c0 : c1 + 1])  # fmt: skip
        spectra = np.dot(rows.T, fine.T)
        # Along the cube's rows, the block's pixels in column order (their columns
        # gathered once: an index read through another cost a third of the adds).
        for p in range(count):
            block_columns[p] = columns[order[first + p]]
        for c in range(c1 - c0 + 1):
            row, values = flat[c0 + c], spectra[c]
            for p in range(count):
                column = block_columns[p]
                row[column] = np.float64(row[column]) + values[p]
