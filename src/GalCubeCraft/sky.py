"""Observations in angular units: a line, a redshift and a cosmology.

:class:`SkyFrame` turns arcsec pixels and beams into the engine's kpc and pixels through
the angular-diameter distance of ``astropy.cosmology``, and carries what a FITS header
needs (pointing, rest frequency).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from astropy import units as u
from astropy.cosmology import FLRW, FlatLambdaCDM

from . import _validate
from .observation import Beam, Observation, SpectralAxis

LINES_HZ = {
    "CO(1-0)": 115.2712018e9,
    "CO(2-1)": 230.538e9,
    "CO(3-2)": 345.7959899e9,
    "[CII]158": 1900.5369e9,
    "HI": 1.420405751768e9,
}
"""Rest frequencies (Hz) of the line presets."""

DEFAULT_COSMOLOGY = FlatLambdaCDM(H0=70.0, Om0=0.3)


@dataclass(frozen=True)
class SkyFrame:
    """An observation described as an astronomer would.

    Parameters
    ----------
    n_pix : int
        Field size (square), pixels.
    pixel_arcsec : float
        Pixel size (arcsec).
    bmaj_arcsec, bmin_arcsec : float
        Beam FWHMs (arcsec); 0 for no beam.
    bpa_deg : float
        Beam position angle, north through east.
    n_chan : int
        Number of channels.
    channel_width_kms : float
        Channel width (km/s); the band is centred on the systemic velocity.
    line : str
        One of :data:`LINES_HZ`.
    redshift : float
        Source redshift, > 0 (sets the angular scale).
    ra_deg, dec_deg : float
        Pointing centre.
    cosmology : astropy.cosmology.FLRW
        Default flat LambdaCDM with H0 = 70, Omega_m = 0.3.
    """

    n_pix: int = 128
    pixel_arcsec: float = 0.1
    bmaj_arcsec: float = 0.4
    bmin_arcsec: float = 0.4
    bpa_deg: float = 0.0
    n_chan: int = 40
    channel_width_kms: float = 30.0
    line: str = "CO(2-1)"
    redshift: float = 1.0
    ra_deg: float = 150.0
    dec_deg: float = 2.0
    cosmology: FLRW = dataclasses.field(default_factory=lambda: DEFAULT_COSMOLOGY)

    def __post_init__(self) -> None:
        """Check the frame."""
        _validate.integer("n_pix", self.n_pix, low=8)
        _validate.positive("pixel_arcsec", self.pixel_arcsec)
        _validate.non_negative("bmaj_arcsec", self.bmaj_arcsec)
        _validate.non_negative("bmin_arcsec", self.bmin_arcsec)
        _validate.real("bpa_deg", self.bpa_deg)
        _validate.integer("n_chan", self.n_chan, low=1)
        _validate.positive("channel_width_kms", self.channel_width_kms)
        _validate.choice("line", self.line, tuple(LINES_HZ))
        _validate.real("redshift", self.redshift, low=0.0, low_open=True, high=20.0)
        _validate.real("ra_deg", self.ra_deg, low=0.0, high=360.0, high_open=True)
        _validate.real("dec_deg", self.dec_deg, low=-90.0, high=90.0)
        if not isinstance(self.cosmology, FLRW):
            raise TypeError(
                f"cosmology must be an astropy FLRW; got {type(self.cosmology).__name__}"
            )
        if self.bmin_arcsec > self.bmaj_arcsec:
            raise ValueError(
                f"bmin_arcsec must not exceed bmaj_arcsec; got {self.bmin_arcsec!r} > "
                f"{self.bmaj_arcsec!r}"
            )
        if self.bmaj_arcsec >= self.n_pix * self.pixel_arcsec:
            raise ValueError(
                f"bmaj_arcsec must be smaller than the field ({self.n_pix * self.pixel_arcsec:g}"
                f" arcsec); got {self.bmaj_arcsec!r}"
            )

    @property
    def kpc_per_arcsec(self) -> float:
        """Proper kpc per arcsec at the source: D_A(z) times one arcsec in radians."""
        return float(self.cosmology.kpc_proper_per_arcmin(self.redshift).to(u.kpc / u.arcsec).value)

    @property
    def rest_frequency_hz(self) -> float:
        """Rest frequency of the line (Hz)."""
        return LINES_HZ[self.line]

    @property
    def observed_frequency_hz(self) -> float:
        """Frequency at which the systemic velocity is observed, ``nu_0 / (1 + z)``."""
        return self.rest_frequency_hz / (1.0 + self.redshift)

    def observation(self, **changes: object) -> Observation:
        """Return the engine's :class:`Observation` for this frame."""
        half_band = 0.5 * self.n_chan * self.channel_width_kms
        beam = None
        if self.bmaj_arcsec > 0 and self.bmin_arcsec > 0:
            beam = Beam(
                self.bmaj_arcsec / self.pixel_arcsec,
                self.bmin_arcsec / self.pixel_arcsec,
                self.bpa_deg,
            )
        obs = Observation(
            nx=self.n_pix,
            ny=self.n_pix,
            pixel_kpc=self.pixel_arcsec * self.kpc_per_arcsec,
            spectral=SpectralAxis(self.n_chan, -half_band, half_band),
            beam=beam,
        )
        return dataclasses.replace(obs, **changes) if changes else obs  # type: ignore[arg-type]


def frame_for_pixel_scale(
    pixel_kpc: float,
    n_pix: int,
    n_chan: int,
    channel_width_kms: float,
    beam_px: tuple[float, float, float],
    redshift: float,
    line: str = "CO(2-1)",
) -> SkyFrame:
    """Return the sky frame whose pixels are ``pixel_kpc`` wide at ``redshift``.

    Gives cubes made in kpc (the seed facade, datasets) an angular scale for FITS:
    ``pixel_arcsec = pixel_kpc / (kpc per arcsec at z)``; beam FWHMs scale with it.
    """
    probe = SkyFrame(redshift=redshift)
    pixel_arcsec = pixel_kpc / probe.kpc_per_arcsec
    bmin, bmaj, bpa = beam_px
    return SkyFrame(
        n_pix=n_pix,
        pixel_arcsec=pixel_arcsec,
        bmaj_arcsec=bmaj * pixel_arcsec,
        bmin_arcsec=bmin * pixel_arcsec,
        bpa_deg=bpa,
        n_chan=n_chan,
        channel_width_kms=channel_width_kms,
        line=line,
        redshift=redshift,
    )
