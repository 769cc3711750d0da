"""Products with banded square matrices: 1-D convolutions along one axis of a cube."""

from __future__ import annotations

import numpy as np

BAND_BLOCK = 32
"""Least rows of a banded kernel multiplied at a time (see :class:`BandedKernel`)."""


class BandedKernel:
    """A square convolution matrix that is zero beyond a band about its diagonal.

    A convolution along one axis (the line spread along the channels,
    :mod:`.line_spread`) is such a matrix.  A block of ``b`` output rows needs only the
    input rows within that ``reach``: the product, taken block by block, is the same sum
    of the same non-zero terms, at ``b + 2 reach`` multiply-adds per pixel instead of the
    matrix's width.  ``b`` is the larger of :data:`BAND_BLOCK` and the reach.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        self.transposed = np.ascontiguousarray(matrix.T)
        rows, cols = np.nonzero(matrix)
        self.reach = int(np.abs(rows - cols).max(initial=0))
        n = matrix.shape[0]
        block = max(BAND_BLOCK, self.reach)
        self.blocks = [
            (
                slice(r, min(r + block, n)),
                slice(max(r - self.reach, 0), min(r + block + self.reach, n)),
            )
            for r in range(0, n, block)
        ]

    def apply_left(self, planes: np.ndarray) -> np.ndarray:
        """Return ``matrix @ planes`` for planes of shape ``(..., n, m)``."""
        out = np.empty_like(planes)
        for rows, cols in self.blocks:
            np.matmul(self.matrix[rows, cols], planes[..., cols, :], out=out[..., rows, :])
        return out

    def apply_right(self, planes: np.ndarray) -> np.ndarray:
        """Return ``planes @ matrix.T`` for planes of shape ``(..., m, n)``."""
        out = np.empty_like(planes)
        for rows, cols in self.blocks:
            np.matmul(planes[..., cols], self.transposed[cols, rows], out=out[..., rows])
        return out
