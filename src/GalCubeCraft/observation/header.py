"""FITS headers from an :class:`~GalCubeCraft.observation.records.Observation`, and back.

One place writes what FITS readers (astropy, spectral-cube, CARTA, 3D-Barolo) look for:

- ``RA---SIN`` / ``DEC--SIN`` in degrees, ``CDELT1 < 0`` (east is left), the field
  centre (0-based pixel ``(n - 1) / 2``) at ``CRVAL1/2``;
- a ``VRAD`` axis in m/s with ``CUNIT3`` written explicitly and ``SPECSYS = 'SOURCE'``
  (velocities are relative to the source's systemic redshift ``ZSOURCE``), or a
  ``FREQ`` axis of observed frequencies (``SPECSYS = 'BARYCENT'``); ``RESTFRQ`` is the
  line's rest frequency in Hz either way;
- ``BUNIT`` (``Jy/beam`` or ``Jy/pixel``), ``BTYPE``, and ``BMAJ``/``BMIN``/``BPA`` in
  degrees from the one :class:`~GalCubeCraft.observation.beam.Beam`;
- the source redshift, the line and the proper pixel size, so a file reads back into the
  same observation.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from .._support import validate as _validate
from .beam import ARCSEC_PER_DEG
from .line_spreads import LINE_SPREADS

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header

    from .records import Observation

BUNITS = ("Jy/beam", "Jy/pixel")
SPECTRAL_TYPES = ("VRAD", "FREQ")
_C_KMS = _validate.SPEED_OF_LIGHT_KMS


def observation_header(
    obs: Observation, bunit: str = "Jy/beam", spectral_type: str = "VRAD"
) -> Header:
    """Return the header of a cube of ``obs`` (axes in FITS order x, y, spectral).

    ``spectral_type`` 'VRAD' labels channels by radio velocity (m/s); 'FREQ' by observed
    frequency (Hz), ``nu = nu_sys (1 - v / c)``, which is linear in the radio velocity, so
    the same channels are described exactly either way.
    """
    from astropy.io import fits

    from .._version import __version__

    if bunit not in BUNITS:
        raise ValueError(f"bunit must be one of {BUNITS}; got {bunit!r}")
    if spectral_type not in SPECTRAL_TYPES:
        raise ValueError(f"spectral_type must be one of {SPECTRAL_TYPES}; got {spectral_type!r}")
    sky = obs.require_sky()
    pixel_deg = obs.pixel_arcsec / ARCSEC_PER_DEG
    spectral = obs.spectral
    h = fits.Header()
    # The cube's shape, so the header alone describes the observation (astropy keeps
    # these in step with the data when the header is attached to it).
    h["NAXIS"] = 3
    h["NAXIS1"], h["NAXIS2"], h["NAXIS3"] = obs.nx, obs.ny, obs.spectral.n_chan
    h["WCSAXES"] = 3
    h["CTYPE1"], h["CUNIT1"] = "RA---SIN", "deg"
    h["CTYPE2"], h["CUNIT2"] = "DEC--SIN", "deg"
    # The field centre sits at 0-based pixel (n - 1) / 2, i.e. 1-based (n + 1) / 2.
    h["CRPIX1"] = 0.5 * (obs.nx + 1)
    h["CRPIX2"] = 0.5 * (obs.ny + 1)
    h["CRVAL1"], h["CRVAL2"] = sky.ra_deg, sky.dec_deg
    h["CDELT1"] = -pixel_deg
    h["CDELT2"] = pixel_deg
    h["CRPIX3"] = 1.0
    first_kms = float(spectral.centres_kms[0])
    if spectral_type == "VRAD":
        h["CTYPE3"], h["CUNIT3"] = "VRAD", "m/s"
        h["CRVAL3"] = first_kms * 1e3
        h["CDELT3"] = spectral.channel_width_kms * 1e3
    else:
        nu_sys = sky.observed_frequency_hz
        h["CTYPE3"], h["CUNIT3"] = "FREQ", "Hz"
        h["CRVAL3"] = nu_sys * (1.0 - first_kms / _C_KMS)
        h["CDELT3"] = -nu_sys * spectral.channel_width_kms / _C_KMS
    if spectral_type == "VRAD":
        # Velocities are measured from the source's systemic redshift: its rest frame.
        h["SPECSYS"] = ("SOURCE", "source rest frame, at redshift ZSOURCE")
    else:
        h["SPECSYS"] = ("BARYCENT", "observed frequencies")
    h["SSYSSRC"] = ("BARYCENT", "frame of ZSOURCE")
    h["RESTFRQ"] = (sky.rest_frequency_hz, f"[Hz] rest frequency of {sky.line}")
    h["RADESYS"] = "ICRS"
    h["BUNIT"] = bunit
    h["BTYPE"] = "Intensity"
    if obs.beam is not None and bunit == "Jy/beam":
        for key, value in obs.beam.to_header_keywords(obs.pixel_arcsec).items():
            h[key] = value
    h["ORIGIN"] = f"GalCubeCraft {__version__}"
    h["DATE"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    h["LINE"] = (sky.line, "line preset")
    h["ZSOURCE"] = (sky.redshift, "source systemic redshift")
    h["KPCPIX"] = (obs.pixel_kpc, "[kpc] proper size of one pixel")
    h["LINESPR"] = (obs.line_spread, "channel response after binning")
    if LINE_SPREADS[obs.line_spread].uses_sigma:
        h["LSSIGMA"] = (obs.line_spread_sigma_chan, "[channel] sigma of the line spread")
    return h
