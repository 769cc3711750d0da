"""Visibility weights: natural, uniform and Briggs (robust), on the image's uv grid.

Every visibility of a channel has the same thermal noise here, so natural weights are
equal.  Uniform and Briggs weights divide by the density of visibilities in the cell of
the uv grid that the image's FFT would use (cell ``1 / (n d)`` wavelengths for ``n``
pixels of ``d`` radians), counting each point and its conjugate ``(-u, -v)``.  Briggs's
form is CASA's: ``w = 1 / (1 + W_k f^2)`` with ``W_k`` the cell's count and
``f^2 = (5 10^-R)^2 / (sum_k W_k^2 / sum_j 1)``; ``R = -2`` is close to uniform and
``R = 2`` to natural.
"""

from __future__ import annotations

import numpy as np

WEIGHTINGS = ("natural", "uniform", "briggs")


def uv_cells(
    u: np.ndarray, v: np.ndarray, shape: tuple[int, int], pixel_rad: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the (row, column) uv-grid cell of each point, centred on zero spacing.

    Points beyond the grid (finer than the pixels resolve) fall outside ``[0, n)``.
    """
    ny, nx = shape
    cell_u, cell_v = 1.0 / (nx * pixel_rad), 1.0 / (ny * pixel_rad)
    column = np.floor(u / cell_u + 0.5).astype(np.int64) + nx // 2
    row = np.floor(v / cell_v + 0.5).astype(np.int64) + ny // 2
    return row, column


def _mirrored(grid: np.ndarray) -> np.ndarray:
    """Return ``grid`` mirrored about zero spacing: cell (r, c) to (2 (n // 2) - r, ...).

    That is the cell of the conjugate point ``(-u, -v)``; cells whose mirror lies outside
    the grid (the most negative frequency of an even axis) get zero.
    """
    ny, nx = grid.shape
    mirrored = np.zeros_like(grid)
    cy, cx = ny // 2, nx // 2
    rows = slice(max(0, 2 * cy - ny + 1), min(ny, 2 * cy + 1))
    cols = slice(max(0, 2 * cx - nx + 1), min(nx, 2 * cx + 1))
    mirrored[rows, cols] = grid[rows, cols][::-1, ::-1]
    return mirrored


def _gridded(u: np.ndarray, v: np.ndarray, values: np.ndarray, shape: tuple[int, int],
             pixel_rad: float) -> np.ndarray:  # fmt: skip
    """Return the sum of ``values`` over the points in each uv cell (points off the grid: none)."""
    ny, nx = shape
    row, column = uv_cells(u, v, shape, pixel_rad)
    inside = (row >= 0) & (row < ny) & (column >= 0) & (column < nx)
    sums = np.bincount(row[inside] * nx + column[inside], weights=values[inside],
                       minlength=ny * nx)  # fmt: skip
    return sums.reshape(shape)


def sampling_mask(u: np.ndarray, v: np.ndarray, shape: tuple[int, int], pixel_rad: float
                  ) -> np.ndarray:  # fmt: skip
    """Return the ``(ny, nx)`` boolean mask of uv cells holding a point or its conjugate."""
    mask = _gridded(u, v, np.ones(np.shape(u)), shape, pixel_rad) > 0
    # The conjugate (-u, -v) of cell (r, c) is its mirror about zero spacing (cells
    # without a mirror inside the grid stay as they are).
    return mask | _mirrored(mask)


def gridded_weights(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, shape: tuple[int, int], pixel_rad: float
) -> np.ndarray:
    """Return the imaging weights gridded on the uv cells of :func:`sampling_mask`.

    Each visibility's weight ``w`` is split evenly between its cell and its conjugate's
    (the image is real: ``V(-u, -v)`` is ``V(u, v)`` conjugated), so the grid is
    Hermitian-symmetric, non-negative, positive exactly where :func:`sampling_mask` is
    true, and sums to ``sum(w)`` less the halves whose cell lies off the grid.  The
    dirty beam is (up to the gridding of each point to its cell centre) the Fourier
    transform of this grid, normalised to peak 1.

    Returns
    -------
    numpy.ndarray
        ``(ny, nx)`` float64, zero spacing at ``(ny // 2, nx // 2)``.
    """
    half = _gridded(u, v, 0.5 * np.asarray(w, dtype=np.float64), shape, pixel_rad)
    return half + _mirrored(half)


def weights(
    u: np.ndarray,
    v: np.ndarray,
    shape: tuple[int, int],
    pixel_rad: float,
    scheme: str = "natural",
    robust: float = 0.5,
) -> np.ndarray:
    """Return each visibility's imaging weight (unnormalised) under ``scheme``."""
    if scheme == "natural":
        return np.ones(u.shape)
    ny, nx = shape
    counts = np.zeros((ny + 2, nx + 2))  # one guard cell each side catches the outliers
    cells = []
    for sign in (1.0, -1.0):
        row, column = uv_cells(sign * u, sign * v, shape, pixel_rad)
        row, column = np.clip(row + 1, 0, ny + 1), np.clip(column + 1, 0, nx + 1)
        np.add.at(counts, (row, column), 1.0)
        cells.append((row, column))
    density = counts[cells[0]]
    if scheme == "uniform":
        return 1.0 / density
    f2 = (5.0 * 10.0 ** (-robust)) ** 2 / (np.sum(counts**2) / (2.0 * u.size))
    return 1.0 / (1.0 + density * f2)


def uv_mask_header(shape: tuple[int, int], pixel_rad: float) -> dict[str, tuple[object, str]]:
    """Return FITS cards describing a uv mask's axes: ``UU``, ``VV`` in wavelengths per cell."""
    ny, nx = shape
    cards: dict[str, tuple[object, str]] = {}
    for axis, n, name in ((1, nx, "UU"), (2, ny, "VV")):
        cards[f"CTYPE{axis}"] = (name, "spatial frequency (wavelengths)")
        cards[f"CRPIX{axis}"] = (n // 2 + 1, "zero spacing")
        cards[f"CRVAL{axis}"] = (0.0, "")
        cards[f"CDELT{axis}"] = (1.0 / (n * pixel_rad), "wavelengths per cell")
    return cards
