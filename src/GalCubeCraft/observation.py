"""What the telescope sees: the sky grid, the spectral axis and the beam.

These frozen records describe an observation in the engine's units (pixels, kpc, km/s).
:mod:`GalCubeCraft.sky` builds them from angular units, a redshift and a spectral line.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from . import _validate
from .conventions import beam_area, fwhm_to_sigma


@dataclass(frozen=True)
class SpectralAxis:
    """Contiguous, equal-width velocity channels, ascending.

    Parameters
    ----------
    n_chan : int
        Number of channels, >= 1.
    v_min_kms, v_max_kms : float
        Lower edge of the first channel and upper edge of the last (km/s).
    """

    n_chan: int = 40
    v_min_kms: float = -600.0
    v_max_kms: float = 600.0

    def __post_init__(self) -> None:
        """Check the axis."""
        _validate.integer("n_chan", self.n_chan, low=1)
        object.__setattr__(self, "v_min_kms", _validate.real("v_min_kms", self.v_min_kms))
        object.__setattr__(self, "v_max_kms", _validate.real("v_max_kms", self.v_max_kms))
        if not self.v_max_kms > self.v_min_kms:
            raise ValueError(
                f"v_max_kms must exceed v_min_kms; got {self.v_min_kms!r} .. {self.v_max_kms!r}"
            )

    @property
    def channel_width_kms(self) -> float:
        """Width of one channel (km/s)."""
        return (self.v_max_kms - self.v_min_kms) / self.n_chan

    @property
    def edges_kms(self) -> np.ndarray:
        """Channel edges (km/s), ``n_chan + 1`` ascending values."""
        return np.linspace(self.v_min_kms, self.v_max_kms, self.n_chan + 1)

    @property
    def centres_kms(self) -> np.ndarray:
        """Channel centres (km/s), ascending."""
        edges = self.edges_kms
        return 0.5 * (edges[:-1] + edges[1:])


@dataclass(frozen=True)
class Beam:
    """An elliptical Gaussian beam, FWHMs in pixels.

    Parameters
    ----------
    bmaj_px, bmin_px : float
        Major and minor FWHM (pixels), ``0 < bmin <= bmaj``.
    bpa_deg : float
        Position angle of the major axis, degrees north through east.
    """

    bmaj_px: float
    bmin_px: float
    bpa_deg: float = 0.0

    def __post_init__(self) -> None:
        """Check the beam."""
        object.__setattr__(self, "bmaj_px", _validate.positive("bmaj_px", self.bmaj_px))
        object.__setattr__(self, "bmin_px", _validate.positive("bmin_px", self.bmin_px))
        object.__setattr__(self, "bpa_deg", _validate.real("bpa_deg", self.bpa_deg))
        if self.bmin_px > self.bmaj_px:
            raise ValueError(
                f"bmin_px must not exceed bmaj_px; got bmin={self.bmin_px!r}, bmaj={self.bmaj_px!r}"
            )

    @property
    def area_px(self) -> float:
        """Beam area in pixels, ``pi bmaj bmin / (4 ln 2)``."""
        return beam_area(self.bmaj_px, self.bmin_px)

    @property
    def sigma_major_px(self) -> float:
        """Gaussian sigma along the major axis (pixels)."""
        return float(fwhm_to_sigma(self.bmaj_px))

    @property
    def sigma_minor_px(self) -> float:
        """Gaussian sigma along the minor axis (pixels)."""
        return float(fwhm_to_sigma(self.bmin_px))


LINE_SPREADS = ("tophat", "hanning", "gaussian")


@dataclass(frozen=True)
class Observation:
    """A sky grid, its channels and the instrument response.

    Parameters
    ----------
    nx, ny : int
        Field size in pixels (array axes 2 and 1).
    pixel_kpc : float
        Projected size of one pixel at the source (kpc).
    spectral : SpectralAxis
        The velocity channels.
    beam : Beam or None
        Spatial response; ``None`` leaves the cube in Jy/pixel.
    line_spread : {'tophat', 'hanning', 'gaussian'}
        Channel response after binning: 'tophat' is plain binning, 'hanning' the
        (1/4, 1/2, 1/4) taper of correlator spectra, 'gaussian' a Gaussian of
        ``line_spread_sigma_chan`` channels (the original smooths with 0.6).
    line_spread_sigma_chan : float
        Sigma of the 'gaussian' line spread, in channels.
    """

    nx: int = 125
    ny: int = 125
    pixel_kpc: float = 1.0
    spectral: SpectralAxis = dataclasses.field(default_factory=SpectralAxis)
    beam: Beam | None = None
    line_spread: str = "tophat"
    line_spread_sigma_chan: float = 0.6

    def __post_init__(self) -> None:
        """Check the observation."""
        _validate.integer("nx", self.nx, low=2)
        _validate.integer("ny", self.ny, low=2)
        # Plain floats: NumPy scalars would change the dtype of the renderer's arithmetic.
        object.__setattr__(self, "pixel_kpc", _validate.positive("pixel_kpc", self.pixel_kpc))
        if not isinstance(self.spectral, SpectralAxis):
            raise TypeError(f"spectral must be a SpectralAxis; got {type(self.spectral).__name__}")
        if self.beam is not None and not isinstance(self.beam, Beam):
            raise TypeError(f"beam must be a Beam or None; got {type(self.beam).__name__}")
        _validate.choice("line_spread", self.line_spread, LINE_SPREADS)
        _validate.positive("line_spread_sigma_chan", self.line_spread_sigma_chan)
        if self.beam is not None and self.beam.bmaj_px >= min(self.nx, self.ny):
            raise ValueError(
                f"beam bmaj_px must be smaller than the field ({min(self.nx, self.ny)} px); "
                f"got {self.beam.bmaj_px!r}"
            )

    @property
    def shape(self) -> tuple[int, int, int]:
        """Cube shape ``(n_chan, ny, nx)``."""
        return (self.spectral.n_chan, self.ny, self.nx)

    @property
    def half_extent_kpc(self) -> tuple[float, float]:
        """Half the field size along x and y (kpc)."""
        return 0.5 * self.nx * self.pixel_kpc, 0.5 * self.ny * self.pixel_kpc

    def replace(self, **changes: object) -> Observation:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def pixel_centres_kpc(n: int, pixel_kpc: float) -> np.ndarray:
    """Return pixel-centre offsets from the field centre (kpc) along an axis of ``n`` pixels.

    The field centre sits at pixel coordinate ``(n - 1) / 2``: the middle of the central
    pixel for odd ``n``, the boundary of the two central pixels for even ``n``.
    """
    return (np.arange(n) - 0.5 * (n - 1)) * pixel_kpc


def check_fits_in_field(
    galaxy_r_e_kpc: float, x_kpc: float, y_kpc: float, obs: Observation
) -> None:
    """Raise if a galaxy's half-light circle does not fit inside the field.

    A galaxy whose effective radius spills out of the grid cannot be measured from the
    cube, and its flux is mostly lost: that is almost always a units mistake.
    """
    half_x, half_y = obs.half_extent_kpc
    if abs(x_kpc) + galaxy_r_e_kpc > half_x or abs(y_kpc) + galaxy_r_e_kpc > half_y:
        raise ValueError(
            "grid too small for the galaxy: centre offset "
            f"({x_kpc:g}, {y_kpc:g}) kpc plus r_e_kpc={galaxy_r_e_kpc:g} must lie inside the "
            f"field half-size ({half_x:g}, {half_y:g}) kpc; enlarge nx/ny or pixel_kpc"
        )
    if not (math.isfinite(x_kpc) and math.isfinite(y_kpc)):
        raise ValueError("galaxy centre must be finite")
