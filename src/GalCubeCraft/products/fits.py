"""FITS cubes that astropy, spectral-cube, CARTA and 3D-Barolo read correctly.

:func:`write_fits` writes a :class:`~GalCubeCraft.products.cube.Cube` with the header its
observation derives (:mod:`GalCubeCraft.observation.header`), atomically;
:func:`read_fits_parts` reads such a file (or any cube with a linear spectral axis) back
for :meth:`Cube.from_fits <GalCubeCraft.products.cube.Cube.from_fits>`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support import validate as _validate
from .._support.atomic import atomic_path
from ..observation.header import spectral_axis

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header, ImageHDU

    from ..observation.records import Observation
    from .cube import Cube


def extension_header(
    array: np.ndarray,
    observation: Observation,
    bunit: str | None = None,
    spectral_type: str | None = None,
    spectral_frame: str = "observed",
) -> Header:
    """Return the header of an image extension: the WCS its shape shares with the cube.

    ``spectral_type`` and ``spectral_frame`` are the cube's (its file's spectral axis).

    - ``(n_chan, ny, nx)``: the cube's full header (``bunit`` 'Jy/beam' or 'Jy/pixel');
    - ``(n, n_chan, ny, nx)``: the same, plus a fourth axis ``GALAXY`` numbered from 1;
    - ``(ny, nx)``: the celestial WCS alone (maps such as moment 0);
    - anything else: no WCS.

    ``bunit`` (any unit astropy parses) is written in the FITS standard's spelling,
    except ``Jy/beam``, which radio software expects as written.
    """
    from astropy import units as u
    from astropy.io import fits
    from astropy.wcs import WCS

    from ..observation.header import BUNITS, observation_header

    shape = np.shape(array)
    cube_bunit = bunit if bunit in BUNITS else "Jy/pixel"
    if shape == observation.shape or shape[1:] == observation.shape:
        header = observation_header(observation, cube_bunit, spectral_type, spectral_frame)
        if len(shape) == 4:
            header["WCSAXES"] = 4
            header["CTYPE4"], header["CRPIX4"], header["CRVAL4"], header["CDELT4"] = (
                "GALAXY", 1.0, 1.0, 1.0,
            )  # fmt: skip
    elif shape == (observation.ny, observation.nx):
        header = WCS(observation_header(observation, cube_bunit)).celestial.to_header()
    else:
        header = fits.Header()
    for key in ("NAXIS", "NAXIS1", "NAXIS2", "NAXIS3", "BUNIT"):  # set from the data below
        header.remove(key, ignore_missing=True)
    if bunit is not None:
        header["BUNIT"] = bunit if bunit in BUNITS else u.Unit(bunit).to_string("fits")
    return header


def write_fits(
    path: str | os.PathLike[str],
    cube: Cube,
    overwrite: bool = False,
    spectral_type: str | None = None,
    extensions: Mapping[str, np.ndarray | tuple[np.ndarray, str | None] | ImageHDU] | None = None,
    header_cards: Mapping[str, Any] | None = None,
    checksum: bool = False,
    spectral_frame: str = "observed",
) -> Path:
    """Write ``cube`` to a FITS file, atomically: a complete file appears, or none.

    Parameters
    ----------
    path : str or path
        The file.
    cube : Cube
        Needs an observation with an angular scale (``observation.sky``).
    overwrite : bool
        Replace an existing file.
    spectral_type : {'FREQ', 'VRAD'}, optional
        Label channels by frequency (Hz) or radio velocity (m/s); default the frame's
        usual axis: FREQ observed, VRAD in the rest frame.
    extensions : mapping of str to array or (array, unit), optional
        Named image HDUs written after the cube (e.g. ``{"CLEAN": (clean, "Jy/beam")}``),
        each with the WCS its shape shares with the cube (:func:`extension_header`) and
        its unit as ``BUNIT``, or ready-made ``ImageHDU`` objects; they may hold NaN
        (FITS blanks), never inf.
    header_cards : mapping, optional
        Extra primary-header keywords (a value or a ``(value, comment)`` pair).
    checksum : bool
        Write the standard ``CHECKSUM`` and ``DATASUM`` keywords in every HDU.
    spectral_frame : {'observed', 'rest'}
        ``'observed'`` (default): the axis a telescope records, observed frequencies
        ``RESTFRQ / (1 + z) (1 - v / c)`` (``SPECSYS = 'BARYCENT'``); ``'rest'``: the
        source's rest frame, velocities relative to systemic (``SPECSYS = 'SOURCE'``).
        :mod:`GalCubeCraft.observation.header` gives the formulas; files of either frame
        read back to the same cube.

    Raises
    ------
    TypeError
        If ``overwrite`` or ``checksum`` is not True or False (``"no"`` is not false).
    ValueError
        If the cube holds NaN or inf, or an extension holds inf.
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    from astropy.io import fits

    if not (hasattr(cube, "data") and callable(getattr(cube, "fits_header", None))):
        # Checked by what a cube offers: cube.py imports this module, not the reverse.
        raise TypeError(f"cube must be a GalCubeCraft Cube; got {type(cube).__name__}")
    overwrite = _validate.boolean("overwrite", overwrite)
    checksum = _validate.boolean("checksum", checksum)
    spectral_type, spectral_frame = spectral_axis(spectral_type, spectral_frame)
    path = Path(path)
    with np.errstate(over="ignore"):
        data = np.asarray(cube.data, np.float32)
    if not np.all(np.isfinite(data)):
        raise ValueError(
            "cube must hold finite values within float32's range (|x| < 3.4e38); it holds "
            "NaN, inf or larger values: refusing to write it"
        )
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    header = cube.fits_header(spectral_type, spectral_frame)
    for key, value in (header_cards or {}).items():
        header[key] = value
    hdus = fits.HDUList([fits.PrimaryHDU(data=data, header=header)])
    for name, entry in (extensions or {}).items():
        if isinstance(entry, fits.ImageHDU):  # built by the caller, header and all
            entry.name = name
            hdus.append(entry)
            continue
        image, unit = entry if isinstance(entry, tuple) else (entry, None)
        array = np.asarray(image)
        if np.any(np.isinf(array)):
            raise ValueError(f"extension {name} holds inf; refusing to write it")
        ext_header = extension_header(array, cube.observation, unit, spectral_type, spectral_frame)
        hdus.append(fits.ImageHDU(data=array, header=ext_header, name=name))
    hdus.verify("exception")
    with atomic_path(path) as temporary:
        hdus.writeto(temporary, overwrite=True, checksum=checksum)
    return path


def read_fits_parts(
    path: str | os.PathLike[str], redshift: float | None = None
) -> tuple[np.ndarray, Observation, str, float]:
    """Return ``(data, observation, kind, noise_rms)`` of the cube in a FITS file's primary HDU.

    :meth:`Cube.from_fits <GalCubeCraft.products.cube.Cube.from_fits>` builds the cube.

    Channels are put in ascending velocity (the data are reversed if the file's axis
    descends); velocities are relative to the source's systemic redshift, in km/s,
    whichever frame and unit the file's axis is in (observed frequencies, or rest-frame
    velocities: :func:`~GalCubeCraft.observation.records.observation_from_header`).  The kind
    comes from ``CUBEKIND`` (ours) or from ``BUNIT`` (Jy/beam: observed).  Blank (NaN)
    voxels are read as 0, with a warning.
    """
    from astropy.io import fits

    from ..observation.records import observation_from_header

    with fits.open(path) as hdul:
        header = hdul[0].header
        data = hdul[0].data
        if data is None or data.ndim != 3:
            shape = None if data is None else data.shape
            raise ValueError(f"{path}: expected a 3-D cube in the primary HDU; got shape {shape}")
        data = np.array(data, dtype=np.float32 if data.dtype.itemsize <= 4 else np.float64)
        blanks = ~np.isfinite(data)
        if blanks.any():
            # Radio cubes blank what lies outside the primary beam with NaN; a Cube holds
            # only finite values, so blanks become zero emission, and the user is told.
            warnings.warn(f"{path}: {int(blanks.sum())} blank (NaN) voxels read as 0",
                          stacklevel=2)  # fmt: skip
            data[blanks] = 0.0
        obs, _velocities, flipped = observation_from_header(header, redshift)
        bunit = str(header.get("BUNIT", "")).replace(" ", "").lower()
        kind = str(header.get("CUBEKIND", "observed" if "beam" in bunit else "model"))
        noise = float(header.get("NOISERMS", 0.0))
    if flipped:
        data = np.ascontiguousarray(data[::-1])
    return data, obs, kind, noise
