"""FITS headers from an :class:`~GalCubeCraft.observation.records.Observation`, and back.

One place writes what FITS readers (astropy, spectral-cube, CARTA, 3D-Barolo) look for:

- ``RA---SIN`` / ``DEC--SIN`` in degrees, ``CDELT1 < 0`` (east is left), the field
  centre (0-based pixel ``(n - 1) / 2``) at ``CRVAL1/2``;
- the spectral axis in one of two frames (:data:`SPECTRAL_FRAMES`):

  - ``'observed'`` (the default): what a telescope records.  A ``FREQ`` axis (Hz) of
    observed frequencies ``nu = nu_0 / (1 + z) (1 - v / c)``, or (``spectral_type='VRAD'``)
    the radio velocity of those frequencies about the line's rest frequency,
    ``V = c (1 - nu / nu_0)`` (m/s), with ``SPECSYS = 'BARYCENT'``: the source's redshift
    ``ZSOURCE`` is taken as barycentric, and no observatory motion is added (a synthetic
    cube has no site or date; a topocentric axis would differ by at most ~30 km/s);
  - ``'rest'``: the source's rest frame.  A ``VRAD`` axis (m/s) of velocities relative to
    the systemic redshift, as the package uses them internally, or (``spectral_type='FREQ'``)
    rest-frame frequencies ``nu_0 (1 - v / c)``, with ``SPECSYS = 'SOURCE'``;

  ``v`` is a channel's velocity relative to systemic (radio definition, so channels equally
  spaced in ``v`` stay equally spaced in frequency), ``nu_0`` the line's rest frequency,
  written as ``RESTFRQ`` (Hz) in every case, and ``SSYSSRC = 'BARYCENT'`` says the frame of
  ``ZSOURCE``.  spectral-cube's ``with_spectral_unit(u.GHz)`` therefore gives the observed
  frequencies of an observed-frame file, and ``with_spectral_unit(u.km / u.s,
  velocity_convention='radio', rest_value=nu_0 / (1 + z) * u.Hz)`` the velocities relative
  to systemic;
- ``BUNIT`` (``Jy/beam`` or ``Jy/pixel``), ``BTYPE``, and ``BMAJ``/``BMIN``/``BPA`` in
  degrees from the one :class:`~GalCubeCraft.observation.beam.Beam`;
- the source redshift, the line and the proper pixel size, so a file reads back into the
  same observation (:func:`~GalCubeCraft.observation.records.observation_from_header`
  returns velocities relative to systemic whichever frame the file is in).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from .._support import validate as _validate
from .beam import ARCSEC_PER_DEG
from .line_spreads import LINE_SPREADS

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header

    from .records import Observation

BUNITS = ("Jy/beam", "Jy/pixel")
SPECTRAL_TYPES = ("VRAD", "FREQ")
SPECTRAL_FRAMES = ("observed", "rest")
"""Frames of a file's spectral axis: the observer's (default) or the source's rest frame."""
DEFAULT_SPECTRAL_TYPES = {"observed": "FREQ", "rest": "VRAD"}
"""The axis each frame writes unless ``spectral_type`` says otherwise."""
_C_KMS = _validate.SPEED_OF_LIGHT_KMS


def spectral_axis(
    spectral_type: str | None = None, spectral_frame: str = "observed"
) -> tuple[str, str]:
    """Return the checked ``(spectral_type, spectral_frame)`` of a header.

    ``spectral_type`` None is the frame's usual axis (:data:`DEFAULT_SPECTRAL_TYPES`):
    observed frequencies, or velocities relative to systemic in the rest frame.
    """
    frame = _validate.choice("spectral_frame", spectral_frame, SPECTRAL_FRAMES)
    if spectral_type is None:
        return DEFAULT_SPECTRAL_TYPES[frame], frame
    return _validate.choice("spectral_type", spectral_type, SPECTRAL_TYPES), frame


def _spectral_cards(obs: Observation, spectral_type: str, spectral_frame: str) -> dict[str, Any]:
    """Return ``CTYPE3 .. SPECSYS`` of the channels (see the module docstring for the frames)."""
    sky = obs.require_sky()
    first_kms = float(obs.spectral.centres_kms[0])
    width_kms = obs.spectral.channel_width_kms
    nu_0 = sky.rest_frequency_hz
    # A frequency that velocity 0 (systemic) maps to: redshifted when observed.
    nu_sys = sky.observed_frequency_hz if spectral_frame == "observed" else nu_0
    cards: dict[str, Any]
    if spectral_type == "FREQ":
        cards = {"CRPIX3": 1.0, "CTYPE3": "FREQ", "CUNIT3": "Hz",
                 "CRVAL3": nu_sys * (1.0 - first_kms / _C_KMS),
                 "CDELT3": -nu_sys * width_kms / _C_KMS}  # fmt: skip
    else:
        # Radio velocity about nu_0 of the frequency nu_sys (1 - v / c): linear in v, so
        # exact per channel; (1 + z) compresses the observed channels.
        scale = nu_sys / nu_0
        cards = {"CRPIX3": 1.0, "CTYPE3": "VRAD", "CUNIT3": "m/s",
                 "CRVAL3": (_C_KMS * (1.0 - scale) + scale * first_kms) * 1e3,
                 "CDELT3": scale * width_kms * 1e3}  # fmt: skip
    if spectral_frame == "observed":
        cards["SPECSYS"] = ("BARYCENT", "observer's frame: barycentric, no site motion")
    else:
        cards["SPECSYS"] = ("SOURCE", "source rest frame, at redshift ZSOURCE")
    return cards


def observation_header(
    obs: Observation,
    bunit: str = "Jy/beam",
    spectral_type: str | None = None,
    spectral_frame: str = "observed",
) -> Header:
    """Return the header of a cube of ``obs`` (axes in FITS order x, y, spectral).

    Parameters
    ----------
    obs : Observation
        Needs an angular scale (``obs.sky``).
    bunit : {'Jy/beam', 'Jy/pixel'}
        The data's unit.
    spectral_type : {'FREQ', 'VRAD'}, optional
        Label channels by frequency (Hz) or radio velocity (m/s); default the frame's
        usual axis: FREQ observed, VRAD in the rest frame.
    spectral_frame : {'observed', 'rest'}
        The observer's frame (``SPECSYS = 'BARYCENT'``, the default) or the source's
        (``'SOURCE'``: velocities relative to systemic); see the module docstring.
    """
    from astropy.io import fits

    from .._version import __version__

    if bunit not in BUNITS:
        raise ValueError(f"bunit must be one of {BUNITS}; got {bunit!r}")
    spectral_type, spectral_frame = spectral_axis(spectral_type, spectral_frame)
    sky = obs.require_sky()
    pixel_deg = obs.pixel_arcsec / ARCSEC_PER_DEG
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
    for key, value in _spectral_cards(obs, spectral_type, spectral_frame).items():
        h[key] = value
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
