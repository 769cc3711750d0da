"""FITS cubes that astropy, spectral-cube, CARTA and 3D-Barolo read correctly.

One place writes the header (see ``FITS-CONVENTIONS.md`` of the project):
RA---SIN/DEC--SIN with CDELT1 < 0, a VRAD axis in m/s (or FREQ in Hz) with SPECSYS and
RESTFRQ (Hz),
BUNIT, BMAJ/BMIN/BPA in degrees, provenance, and the generating parameters.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from astropy import constants as const
from astropy.io import fits

from .._version import __version__
from ..model.galaxy import Galaxy
from ..sky import SkyFrame
from .atomic import atomic_path

_BUNITS = {"Jy/beam": "Jy/beam", "Jy/pixel": "Jy/pixel"}


def fits_header(
    frame: SkyFrame,
    bunit: str = "Jy/beam",
    galaxies: Sequence[Galaxy] = (),
    spectral_type: str = "VRAD",
) -> fits.Header:
    """Return the header of a cube of ``frame`` (axes in FITS order x, y, spectral).

    ``spectral_type`` 'VRAD' labels channels by radio velocity (m/s); 'FREQ' by observed
    frequency (Hz), ``nu = nu_sys (1 - v / c)``, which is linear in the radio velocity,
    so the same channels are described exactly either way.
    """
    if bunit not in _BUNITS:
        raise ValueError(f"bunit must be one of {tuple(_BUNITS)}; got {bunit!r}")
    if spectral_type not in ("VRAD", "FREQ"):
        raise ValueError(f"spectral_type must be 'VRAD' or 'FREQ'; got {spectral_type!r}")
    obs = frame.observation()
    spectral = obs.spectral
    h = fits.Header()
    h["WCSAXES"] = 3
    h["CTYPE1"], h["CUNIT1"] = "RA---SIN", "deg"
    h["CTYPE2"], h["CUNIT2"] = "DEC--SIN", "deg"
    # The field centre sits at 0-based pixel (n - 1) / 2, i.e. 1-based (n + 1) / 2.
    h["CRPIX1"] = h["CRPIX2"] = 0.5 * (frame.n_pix + 1)
    h["CRVAL1"], h["CRVAL2"] = frame.ra_deg, frame.dec_deg
    h["CDELT1"] = -frame.pixel_arcsec / 3600.0
    h["CDELT2"] = frame.pixel_arcsec / 3600.0
    h["CRPIX3"] = 1.0
    if spectral_type == "VRAD":
        h["CTYPE3"], h["CUNIT3"] = "VRAD", "m/s"
        h["CRVAL3"] = float(spectral.centres_kms[0]) * 1e3
        h["CDELT3"] = spectral.channel_width_kms * 1e3
    else:
        c_kms = const.c.to_value("km/s")
        nu_sys = frame.observed_frequency_hz
        h["CTYPE3"], h["CUNIT3"] = "FREQ", "Hz"
        h["CRVAL3"] = nu_sys * (1.0 - float(spectral.centres_kms[0]) / c_kms)
        h["CDELT3"] = -nu_sys * spectral.channel_width_kms / c_kms
    h["SPECSYS"] = ("BARYCENT", "velocities relative to the systemic frame")
    h["RESTFRQ"] = (frame.observed_frequency_hz, "[Hz] line frequency at systemic velocity")
    h["RADESYS"] = "ICRS"
    h["BUNIT"] = _BUNITS[bunit]
    h["BTYPE"] = "Intensity"
    if obs.beam is not None and bunit == "Jy/beam":
        h["BMAJ"] = frame.bmaj_arcsec / 3600.0
        h["BMIN"] = frame.bmin_arcsec / 3600.0
        h["BPA"] = frame.bpa_deg
    h["OBJECT"] = "GalCubeCraft synthetic galaxy"
    h["ORIGIN"] = f"GalCubeCraft {__version__}"
    h["DATE"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    h["LINE"] = (frame.line, "line preset")
    h["ZSOURCE"] = (frame.redshift, "source redshift")
    h["KPCPIX"] = (obs.pixel_kpc, "[kpc] proper size of one pixel")
    h["NGAL"] = (len(galaxies), "galaxies in the cube")
    for k, g in enumerate(galaxies, start=1):
        h[f"G{k}RE"] = (g.r_e_kpc, f"[kpc] galaxy {k} effective radius")
        h[f"G{k}N"] = (g.n_sersic, f"galaxy {k} Sersic index")
        h[f"G{k}HZ"] = (g.h_z_kpc, f"[kpc] galaxy {k} scale height")
        h[f"G{k}INC"] = (g.inclination_deg, f"[deg] galaxy {k} inclination")
        h[f"G{k}PA"] = (g.pa_deg, f"[deg] galaxy {k} PA, N through E, receding")
        h[f"G{k}SIG"] = (g.sigma_kms, f"[km/s] galaxy {k} dispersion")
        h[f"G{k}VSYS"] = (g.v_sys_kms, f"[km/s] galaxy {k} systemic velocity")
        h[f"G{k}FLUX"] = (g.line_flux, f"[Jy km/s] galaxy {k} line flux")
        h[f"G{k}X"] = (g.x_kpc, f"[kpc] galaxy {k} x offset")
        h[f"G{k}Y"] = (g.y_kpc, f"[kpc] galaxy {k} y offset")
    return h


def write_fits(
    path: str | os.PathLike[str],
    cube: np.ndarray,
    frame: SkyFrame,
    bunit: str = "Jy/beam",
    galaxies: Sequence[Galaxy] = (),
    overwrite: bool = False,
    extensions: dict[str, np.ndarray] | None = None,
    spectral_type: str = "VRAD",
) -> Path:
    """Write ``cube`` (``(n_chan, ny, nx)``) to a FITS file, atomically.

    ``extensions`` adds named image HDUs (e.g. ``{"CLEAN": clean_cube}``) after it;
    ``spectral_type`` is 'VRAD' (m/s) or 'FREQ' (Hz), see :func:`fits_header`.

    Raises
    ------
    ValueError
        If the cube's shape does not match the frame, or it holds NaN/inf.
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    data = np.asarray(cube)
    expected = frame.observation().shape
    if data.shape != expected:
        raise ValueError(f"cube shape {data.shape} does not match the frame's {expected}")
    if not np.all(np.isfinite(data)):
        raise ValueError("cube holds NaN or inf; refusing to write it")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    header = fits_header(frame, bunit, galaxies, spectral_type)
    hdus = fits.HDUList([fits.PrimaryHDU(data=data.astype(np.float32), header=header)])
    for name, image in (extensions or {}).items():
        if not np.all(np.isfinite(image)):
            raise ValueError(f"extension {name} holds NaN or inf; refusing to write it")
        hdus.append(fits.ImageHDU(data=np.asarray(image, dtype=np.float32), name=name))
    hdus.verify("exception")
    with atomic_path(path) as temporary:
        hdus.writeto(temporary, overwrite=True)
    return path
