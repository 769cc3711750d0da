"""FITS headers from an :class:`~GalCubeCraft.observation.Observation`, and back.

One place writes what FITS readers (astropy, spectral-cube, CARTA, 3D-Barolo) look for:

- ``RA---SIN`` / ``DEC--SIN`` in degrees, ``CDELT1 < 0`` (east is left), the field
  centre (0-based pixel ``(n - 1) / 2``) at ``CRVAL1/2``;
- a ``VRAD`` axis in m/s with ``CUNIT3`` written explicitly and ``SPECSYS = 'SOURCE'``
  (velocities are relative to the source's systemic redshift ``ZSOURCE``), or a
  ``FREQ`` axis of observed frequencies (``SPECSYS = 'BARYCENT'``); ``RESTFRQ`` is the
  line's rest frequency in Hz either way;
- ``BUNIT`` (``Jy/beam`` or ``Jy/pixel``), ``BTYPE``, and ``BMAJ``/``BMIN``/``BPA`` in
  degrees from the one :class:`~GalCubeCraft.beam.Beam`;
- the source redshift, the line and the proper pixel size, so a file reads back into the
  same observation.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..beam import ARCSEC_PER_DEG, Beam
from ..observation import LINES_HZ, AngularScale, Observation, SpectralAxis

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header

BUNITS = ("Jy/beam", "Jy/pixel")
SPECTRAL_TYPES = ("VRAD", "FREQ")
_C_KMS = 299792.458  # speed of light, exact by definition of the metre


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
    if obs.line_spread == "gaussian":
        h["LSSIGMA"] = (obs.line_spread_sigma_chan, "[channel] sigma of the line spread")
    return h


def observation_from_header(
    header: Mapping[str, Any], redshift: float | None = None
) -> tuple[Observation, np.ndarray, bool]:
    """Return the observation a cube header describes.

    Channel velocities come from the WCS in km/s, whatever ``CUNIT3`` says (astropy
    converts the axis to SI first); a ``FREQ`` axis is turned into radio velocity about
    ``RESTFRQ``.  The pixel size in kpc comes from ``KPCPIX`` (our files) or from the
    redshift (``ZSOURCE``, or the ``redshift`` argument for other files).

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
    if spectral_world.unit.physical_type == "frequency":
        rest = float(header.get("RESTFRQ", header.get("RESTFREQ", 0.0)))
        if rest <= 0:
            raise ValueError("a FREQ axis needs RESTFRQ to give velocities")
        if str(header.get("SPECSYS", "")).upper() != "SOURCE" and "ZSOURCE" in header:
            # Observed frequencies: velocities are measured from the systemic redshift.
            rest /= 1.0 + float(header["ZSOURCE"])
        velocities = spectral_world.to_value(
            u.km / u.s, doppler_convention="radio", doppler_rest=rest * u.Hz
        )
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
        line_spread=line_spread if line_spread in ("tophat", "hanning", "gaussian") else "tophat",
        line_spread_sigma_chan=float(header.get("LSSIGMA", 0.6)), sky=sky,
    )  # fmt: skip
    return obs, velocities, flipped
