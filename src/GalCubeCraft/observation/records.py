"""What the telescope sees, in one record: the sky grid, the channels, the beam, the sky.

:class:`Observation` is the only description of a grid, its channels and its beam in
the package.  It holds the engine's units (pixels, kpc, km/s) and, optionally, an
:class:`AngularScale` (redshift, line, cosmology, pointing) that turns pixels into arcsec
and gives the cube a world coordinate system.  It builds itself from physical units
(:meth:`Observation.from_physical`) or angular units (:meth:`Observation.from_angular`),
and derives its own
``astropy.wcs.WCS`` and FITS header (:mod:`GalCubeCraft.observation.header`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support import validate as _validate
from .axes import (
    DEFAULT_LINE_SPREAD_SIGMA_CHAN,
    LINES_HZ,
    AngularScale,
    SpectralAxis,
)
from .beam import ARCSEC_PER_DEG, Beam
from .line_spreads import LINE_SPREADS, check_sigma_chan

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header
    from astropy.wcs import WCS


@dataclass(frozen=True)
class Observation:
    """A sky grid, its channels, the instrument response and (optionally) the sky.

    Parameters
    ----------
    nx, ny : int
        Field size in pixels (array axes 2 and 1), >= 2.
    pixel_kpc : float
        Projected size of one pixel at the source (kpc).
    spectral : SpectralAxis
        The velocity channels.
    beam : Beam or None
        Spatial response; ``None`` leaves observed cubes in Jy/pixel.
    line_spread : str
        Channel response after binning, a key of
        :data:`~GalCubeCraft.observation.line_spreads.LINE_SPREADS`: 'tophat' is plain
        binning, 'hanning' the (1/4, 1/2, 1/4) taper of correlator spectra, 'gaussian' a
        Gaussian of ``line_spread_sigma_chan`` channels (default 0.6).
    line_spread_sigma_chan : float
        Width of a line spread that takes one (the 'gaussian' sigma), in channels, in
        ``[1e-3, n_chan]``: a wider one only flattens every spectrum further.
    sky : AngularScale or None
        Redshift, line and pointing: needed for arcsec, a WCS and FITS files.
    """

    nx: int = 125
    ny: int = 125
    pixel_kpc: float = 1.0
    spectral: SpectralAxis = dataclasses.field(default_factory=SpectralAxis)
    beam: Beam | None = None
    line_spread: str = "tophat"
    line_spread_sigma_chan: float = DEFAULT_LINE_SPREAD_SIGMA_CHAN
    sky: AngularScale | None = None

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
        if self.sky is not None and not isinstance(self.sky, AngularScale):
            raise TypeError(f"sky must be an AngularScale or None; got {type(self.sky).__name__}")
        _validate.choice("line_spread", self.line_spread, LINE_SPREADS)
        object.__setattr__(
            self,
            "line_spread_sigma_chan",
            check_sigma_chan(
                "line_spread_sigma_chan", self.line_spread_sigma_chan, self.spectral.n_chan
            ),
        )
        if self.beam is not None and self.beam.bmaj_px >= min(self.nx, self.ny):
            raise ValueError(
                f"beam bmaj must be smaller than the field ({min(self.nx, self.ny)} px, the "
                f"smaller of nx and ny); got {self.beam.bmaj_px:g} px"
            )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_physical(
        cls,
        n_pix: int,
        pixel_kpc: float,
        spectral: SpectralAxis | None = None,
        beam: Beam | None = None,
        line_spread: str = "tophat",
        sky: AngularScale | None = None,
    ) -> Observation:
        """Return a square field of ``n_pix`` pixels, each ``pixel_kpc`` wide."""
        n_pix = _validate.integer("n_pix", n_pix, low=2)
        return cls(
            nx=n_pix, ny=n_pix, pixel_kpc=pixel_kpc,
            spectral=SpectralAxis() if spectral is None else spectral,
            beam=beam, line_spread=line_spread, sky=sky,
        )  # fmt: skip

    @classmethod
    def from_angular(
        cls,
        n_pix: int = 128,
        pixel_arcsec: float = 0.1,
        beam_arcsec: Sequence[float] | None = (0.4, 0.4, 0.0),
        n_chan: int = 40,
        channel_width_kms: float = 30.0,
        line: str = "CO(2-1)",
        redshift: float = 1.0,
        ra_deg: float = 150.0,
        dec_deg: float = 2.0,
        cosmology: Any = None,
        line_spread: str = "tophat",
    ) -> Observation:
        """Return the observation an astronomer describes: arcsec pixels and beam, a line.

        Parameters
        ----------
        n_pix : int
            Field size (square), pixels.
        pixel_arcsec : float
            Pixel size (arcsec).
        beam_arcsec : (bmaj, bmin, bpa_deg) or None
            Beam FWHMs (arcsec) and position angle (north through east); None: no beam.
        n_chan : int
            Number of channels.
        channel_width_kms : float
            Channel width (km/s); the band is centred on the systemic velocity.
        line, redshift, ra_deg, dec_deg, cosmology
            See :class:`AngularScale`.
        line_spread : str
            See :class:`Observation`.
        """
        n_pix = _validate.integer("n_pix", n_pix, low=2)
        sky = AngularScale(redshift, line, ra_deg, dec_deg, cosmology)
        pixel = _validate.positive("pixel_arcsec", pixel_arcsec)
        pixel_kpc = pixel * sky.kpc_per_arcsec
        if not (math.isfinite(pixel_kpc) and pixel_kpc > 0.0):
            raise ValueError(
                "pixel_arcsec at this redshift must give a finite pixel size > 0 kpc; got "
                f"pixel_arcsec={pixel_arcsec!r}, redshift={redshift!r} ({pixel_kpc!r} kpc)"
            )
        beam = None
        if beam_arcsec is not None:
            bmaj, bmin, bpa = _validate.real_sequence("beam_arcsec", beam_arcsec, 3)
            try:
                beam = Beam.from_arcsec(bmaj, bmin, bpa, pixel)
            except (ValueError, TypeError) as error:  # said of the tuple the user passed
                raise type(error)(f"beam_arcsec {beam_arcsec!r}: {error}") from None
            if beam.bmaj_px >= n_pix:
                raise ValueError(
                    f"beam_arcsec: the beam bmaj must be smaller than the field (n_pix = "
                    f"{n_pix} px); got {beam.bmaj_px:g} px (beam_arcsec[0] / pixel_arcsec)"
                )
        return cls(
            nx=n_pix, ny=n_pix, pixel_kpc=pixel_kpc,
            spectral=SpectralAxis.centred(n_chan, channel_width_kms), beam=beam,
            line_spread=line_spread, sky=sky,
        )  # fmt: skip

    @classmethod
    def from_fits_header(cls, header: Any, redshift: float | None = None) -> Observation:
        """Return the observation a FITS cube header (or its WCS keywords) describes.

        The inverse of :meth:`fits_header`; see
        :func:`observation_from_header` for other files.
        """
        return observation_from_header(header, redshift)[0]

    def replace(self, **changes: Any) -> Observation:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_sky(self, sky: AngularScale | None = None, **scale: Any) -> Observation:
        """Return a copy with an angular scale (``sky``, or one built from ``scale``)."""
        return self.replace(sky=sky if sky is not None else AngularScale(**scale))

    # --- derived quantities -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int, int]:
        """Cube shape ``(n_chan, ny, nx)``."""
        return (self.spectral.n_chan, self.ny, self.nx)

    @property
    def half_extent_kpc(self) -> tuple[float, float]:
        """Half the field size along x and y (kpc)."""
        return 0.5 * self.nx * self.pixel_kpc, 0.5 * self.ny * self.pixel_kpc

    @property
    def velocities_kms(self) -> np.ndarray:
        """Channel centres (km/s), ascending."""
        return self.spectral.centres_kms

    @property
    def centre_px(self) -> tuple[float, float]:
        """0-based ``(x, y)`` pixel coordinates of the field centre (``(n - 1) / 2``)."""
        return 0.5 * (self.nx - 1), 0.5 * (self.ny - 1)

    def require_sky(self) -> AngularScale:
        """Return the angular scale, or raise if this observation has none."""
        if self.sky is None:
            raise ValueError(
                "this observation has no angular scale (redshift, line, pointing); "
                "add one with observation.with_sky(redshift=...) before asking for arcsec, "
                "a WCS or a FITS file"
            )
        return self.sky

    @property
    def pixel_arcsec(self) -> float:
        """Pixel size (arcsec) at the source's redshift."""
        return self.pixel_kpc / self.require_sky().kpc_per_arcsec

    def fits_header(
        self,
        bunit: str = "Jy/beam",
        spectral_type: str | None = None,
        spectral_frame: str = "observed",
    ) -> Header:
        """Return the FITS header of a cube of this observation.

        The spectral axis is in the observer's frame by default (observed frequencies);
        ``spectral_frame='rest'`` gives velocities relative to systemic
        (:func:`~GalCubeCraft.observation.header.observation_header` says all).
        """
        from .header import observation_header

        return observation_header(self, bunit, spectral_type, spectral_frame)

    @property
    def wcs(self) -> WCS:
        """The cube's world coordinate system (RA---SIN, DEC--SIN, observed FREQ in Hz).

        The WCS of :meth:`fits_header`'s default header; ``WCS(obs.fits_header(...))``
        gives another frame's.
        """
        from astropy.wcs import WCS

        return WCS(self.fits_header())


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
    if not (math.isfinite(x_kpc) and math.isfinite(y_kpc)):
        raise ValueError(f"x_kpc and y_kpc must be finite; got ({x_kpc!r}, {y_kpc!r})")
    half_x, half_y = obs.half_extent_kpc
    if abs(x_kpc) + galaxy_r_e_kpc > half_x or abs(y_kpc) + galaxy_r_e_kpc > half_y:
        raise ValueError(
            "grid too small for the galaxy: the centre (x_kpc, y_kpc) = "
            f"({x_kpc:g}, {y_kpc:g}) kpc plus r_e_kpc={galaxy_r_e_kpc:g} must lie inside the "
            f"field half-size ({half_x:g}, {half_y:g}) kpc; enlarge nx/ny or pixel_kpc"
        )


def observation_from_header(
    header: Mapping[str, Any], redshift: float | None = None
) -> tuple[Observation, np.ndarray, bool]:
    """Return the observation a cube header describes.

    Channel velocities are radio velocities relative to the source's systemic redshift, in
    km/s, whatever ``CUNIT3`` says (astropy converts the axis to SI first): an axis in
    the observer's frame (``SPECSYS`` other than ``'SOURCE'``, with ``ZSOURCE``), frequency
    or velocity, goes through its frequency ``nu`` to ``c (1 - nu / nu_sys)`` with
    ``nu_sys = RESTFRQ / (1 + ZSOURCE)``; a rest-frame ``FREQ`` axis to ``c (1 - nu /
    RESTFRQ)``; a rest-frame velocity axis is read as it stands.  The pixel size in kpc
    comes from ``KPCPIX`` (our files) or from the redshift (``ZSOURCE``, or the
    ``redshift`` argument for other files).

    Returns
    -------
    observation : Observation
        With an angular scale at the header's pointing.
    velocities_kms : numpy.ndarray
        Channel centres as the file orders them.
    flipped : bool
        True when the file's channels descend: the data must be reversed along axis 0
        to match the (ascending) observation.
    """
    from astropy import units as u
    from astropy.wcs import WCS
    from astropy.wcs.utils import proj_plane_pixel_scales

    header = dict(header)
    wcs = WCS(header)
    if wcs.naxis != 3 or not wcs.has_spectral:
        raise ValueError("expected a 3-D cube with a spectral axis")
    nx, ny, n_chan = (int(header[f"NAXIS{k}"]) for k in (1, 2, 3))
    spectral_world = wcs.spectral.pixel_to_world(np.arange(n_chan))
    rest = float(header.get("RESTFRQ", header.get("RESTFREQ", 0.0)))
    is_frequency = spectral_world.unit.physical_type == "frequency"
    # An axis in the observer's frame (ours say BARYCENT) is measured from the systemic
    # redshift through frequency; a rest-frame axis (SPECSYS 'SOURCE') already is.
    observed = str(header.get("SPECSYS", "")).upper() != "SOURCE" and "ZSOURCE" in header
    if is_frequency or (observed and rest > 0):
        if rest <= 0:
            raise ValueError("a FREQ axis needs RESTFRQ to give velocities")
        # A velocity axis turns into frequency by its own convention (CTYPE3) about RESTFRQ.
        nu = spectral_world.to_value(u.Hz)
        nu_sys = rest / (1.0 + float(header["ZSOURCE"])) if observed else rest
        velocities = _validate.SPEED_OF_LIGHT_KMS * (1.0 - nu / nu_sys)
    else:
        velocities = spectral_world.to_value(u.km / u.s)
    velocities = np.asarray(velocities, dtype=float)
    flipped = bool(n_chan > 1 and velocities[1] < velocities[0])
    ascending = velocities[::-1] if flipped else velocities
    width = float(ascending[1] - ascending[0]) if n_chan > 1 else 1.0
    spectral = SpectralAxis(n_chan, ascending[0] - 0.5 * width, ascending[-1] + 0.5 * width)

    pixel_arcsec = float(proj_plane_pixel_scales(wcs.celestial)[1]) * ARCSEC_PER_DEG
    z = header.get("ZSOURCE") if redshift is None else redshift
    if z is None:
        raise ValueError("the header gives no source redshift (ZSOURCE): pass redshift=")
    centre = wcs.celestial.pixel_to_world_values(0.5 * (nx - 1), 0.5 * (ny - 1))
    line = str(header.get("LINE", "CO(2-1)"))
    sky = AngularScale(
        redshift=float(z),
        line=line if line in LINES_HZ else "CO(2-1)",
        ra_deg=float(centre[0]) % 360.0,
        dec_deg=float(centre[1]),
    )
    # Our files record the proper pixel size (it holds for any cosmology); others get it
    # from the redshift in the default cosmology.
    pixel_kpc = float(header.get("KPCPIX", pixel_arcsec * sky.kpc_per_arcsec))
    beam = Beam.from_fits_header(header, pixel_arcsec)
    line_spread = str(header.get("LINESPR", "tophat"))
    obs = Observation(
        nx=nx, ny=ny, pixel_kpc=pixel_kpc, spectral=spectral, beam=beam,
        line_spread=line_spread if line_spread in LINE_SPREADS else "tophat",
        line_spread_sigma_chan=float(header.get("LSSIGMA", 0.6)), sky=sky,
    )  # fmt: skip
    return obs, velocities, flipped
