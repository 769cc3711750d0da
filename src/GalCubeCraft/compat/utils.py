"""The original's ``GalCubeCraft.utils`` functions, with its names, arguments and meanings.

Scripts written for the original (0.1.2, 1.2.1) import these; they run on the package's
exact beam and noise code.  Beams are the original's ``beam_list = [bmin_px, bmaj_px,
theta_deg]`` (or one number for a round beam), ``theta`` counter-clockwise from the
+x axis as the original's ``Gaussian2DKernel`` and ``add_beam`` take it; they go through
the one beam conversion, :mod:`GalCubeCraft.compat.beam` (``bpa = theta - 90``).
Without ``rng`` the noise comes from NumPy's global generator, as in the original, so
``np.random.seed`` makes it reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..instrument.beam import convolve_beam as _convolve_with_unit_beam
from ..instrument.noise import noise_cube
from ..observation.beam import Beam
from .beam import beam_from_original

__all__ = [
    "add_beam",
    "apply_and_convolve_noise",
    "apply_noise",
    "convolve_beam",
    "create_circular_aperture_mask",
]


def beam_from_list(beam_list: float | Sequence[float]) -> Beam:
    """Return the :class:`Beam` of the original's ``beam_list`` (or one round FWHM).

    Parsed by the one conversion, :func:`GalCubeCraft.compat.beam.beam_from_original`,
    with the angle counted from +x.
    """
    return beam_from_original(beam_list, "beam_list", origin="x")


def _cube(spectral_cube: Any) -> np.ndarray:
    cube = _validate.finite_array("spectral_cube", spectral_cube)
    if cube.ndim != 3:
        raise ValueError(f"spectral_cube must be (n_chan, ny, nx); got shape {cube.shape}")
    return cube


def _global_generator() -> np.random.Generator:
    """Return a Generator seeded from NumPy's global state (``np.random.seed`` governs it)."""
    return np.random.default_rng(np.random.randint(0, 2**63 - 1, dtype=np.int64))


def convolve_beam(spectral_cube: Any, beam_list: float | Sequence[float]) -> np.ndarray:
    """Convolve each channel with the beam and multiply by its area: Jy/pixel to Jy/beam.

    The unit-sum Gaussian of ``beam_list``, zero beyond the field (as the original's
    ``convolve_fft``), times the beam area ``pi bmaj bmin / (4 ln 2)`` pixels.

    Parameters
    ----------
    spectral_cube : array_like
        ``(n_chan, ny, nx)``, per pixel.
    beam_list : sequence of 3 floats, or float
        ``[bmin_px, bmaj_px, theta_deg]``, or one FWHM for a round beam.

    Returns
    -------
    numpy.ndarray
        float64, same shape.
    """
    cube = _cube(spectral_cube).astype(np.float64)
    beam = beam_from_list(beam_list)
    return _convolve_with_unit_beam(cube, beam) * beam.area_px


def apply_noise(
    spectral_cube: Any, peak_snr: float, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Return the cube plus white Gaussian noise of rms ``max(cube) / peak_snr``."""
    cube = _cube(spectral_cube)
    peak_snr = _validate.positive("peak_snr", peak_snr)
    rms = float(np.max(cube)) / peak_snr
    draw = np.random.normal if rng is None else rng.normal
    return cube + draw(0.0, abs(rms), cube.shape)


def apply_and_convolve_noise(
    spectral_cube: Any,
    beam_list: float | Sequence[float],
    peak_snr: float,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Return the cube plus beam-correlated Gaussian noise of rms ``max(cube) / peak_snr``.

    The noise recipe of the original's paper: white noise convolved with the beam,
    scaled to the target rms.  Here the scaling is the kernel's exact one (so the rms
    is the target's expectation), not the one realisation's standard deviation.
    """
    cube = _cube(spectral_cube)
    peak_snr = _validate.positive("peak_snr", peak_snr)
    rms = abs(float(np.max(cube))) / peak_snr
    generator = _global_generator() if rng is None else rng
    shape = (cube.shape[0], cube.shape[1], cube.shape[2])
    return cube + noise_cube(shape, rms, generator, beam_from_list(beam_list))


def create_circular_aperture_mask(
    cube: Any,
    R_e: float,  # noqa: N803 - the original's name
    beam_width_px: float,
    x_center: float | None = None,
    y_center: float | None = None,
) -> np.ndarray:
    """Return a ``cube``-shaped boolean mask: a disk of radius ``max(2 R_e, beam)`` pixels.

    Centred on ``(x_center, y_center)`` (column, row; default the central pixel
    ``(nx // 2, ny // 2)``, as the original), the same in every channel.  Unlike the
    original, a centre at 0 is honoured rather than taken for "not given".
    """
    data = np.asarray(cube)
    if data.ndim != 3:
        raise ValueError(f"cube must be (n_chan, ny, nx); got shape {data.shape}")
    r_e = _validate.non_negative("R_e", R_e)
    beam = _validate.non_negative("beam_width_px", beam_width_px)
    n_chan, ny, nx = data.shape
    xc = nx // 2 if x_center is None else _validate.real("x_center", x_center)
    yc = ny // 2 if y_center is None else _validate.real("y_center", y_center)
    radius = max(2.0 * r_e, beam)
    rows, columns = np.ogrid[:ny, :nx]
    disk = np.hypot(columns - xc, rows - yc) <= radius
    return np.broadcast_to(disk, (n_chan, ny, nx)).copy()


def add_beam(
    ax: Any,
    bmin_pix: float,
    bmaj_pix: float,
    bpa_deg: float,
    xy_offset: tuple[float, float] = (10, 10),
    color: str = "white",
    crosshair: bool = True,
) -> Any:
    """Draw the beam ellipse (and its axes) near the lower-left corner of ``ax``.

    ``bpa_deg`` counter-clockwise from +x, as the original; the ellipse sits at the
    axes' lower limits plus ``xy_offset`` (data units).  Returns the ellipse patch.
    """
    from matplotlib.patches import Ellipse

    bmin = _validate.positive("bmin_pix", bmin_pix)
    bmaj = _validate.positive("bmaj_pix", bmaj_pix)
    angle = _validate.real("bpa_deg", bpa_deg)
    x0 = ax.get_xlim()[0] + xy_offset[0]
    y0 = ax.get_ylim()[0] + xy_offset[1]
    ellipse = Ellipse((x0, y0), width=bmaj, height=bmin, angle=angle, edgecolor=color,
                      facecolor="none", linewidth=1)  # fmt: skip
    ax.add_patch(ellipse)
    if crosshair:
        theta = np.radians(angle)
        for half, direction in ((0.5 * bmaj, theta), (0.5 * bmin, theta + 0.5 * np.pi)):
            dx, dy = half * np.cos(direction), half * np.sin(direction)
            ax.plot([x0 - dx, x0 + dx], [y0 - dy, y0 + dy], color=color, linewidth=1.2, alpha=0.7)
    return ellipse
