"""FITS cubes that astropy, spectral-cube, CARTA and 3D-Barolo read correctly.

:func:`write_fits` writes a :class:`~GalCubeCraft.cube.Cube` with the header its
observation derives (:mod:`GalCubeCraft.io.header`), atomically; :func:`read_fits` reads
such a file (or any cube with a linear spectral axis) back into a cube.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .atomic import atomic_path

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..cube import Cube


def write_fits(
    path: str | os.PathLike[str],
    cube: Cube,
    overwrite: bool = False,
    spectral_type: str = "VRAD",
    extensions: dict[str, np.ndarray] | None = None,
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
    spectral_type : {'VRAD', 'FREQ'}
        Label channels by radio velocity (m/s) or observed frequency (Hz).
    extensions : dict of str to numpy.ndarray, optional
        Named image HDUs written after the cube (e.g. ``{"CLEAN": clean}``); they may
        hold NaN (FITS blanks), never inf.

    Raises
    ------
    ValueError
        If the cube holds NaN or inf, or an extension holds inf.
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    from astropy.io import fits

    path = Path(path)
    if not np.all(np.isfinite(cube.data)):
        raise ValueError("cube holds NaN or inf; refusing to write it")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    header = cube.fits_header(spectral_type)
    hdus = fits.HDUList([fits.PrimaryHDU(data=np.asarray(cube.data, np.float32), header=header)])
    for name, image in (extensions or {}).items():
        array = np.asarray(image)
        if np.any(np.isinf(array)):
            raise ValueError(f"extension {name} holds inf; refusing to write it")
        hdus.append(fits.ImageHDU(data=array, name=name))
    hdus.verify("exception")
    with atomic_path(path) as temporary:
        hdus.writeto(temporary, overwrite=True)
    return path


def read_fits(path: str | os.PathLike[str], redshift: float | None = None) -> Cube:
    """Return the cube in the primary HDU of a FITS file.

    Channels are put in ascending velocity (the data are reversed if the file's axis
    descends); velocities come from the WCS in km/s whatever ``CUNIT3`` says.  The kind
    comes from ``CUBEKIND`` (ours) or from ``BUNIT`` (Jy/beam: observed).
    """
    from astropy.io import fits

    from ..cube import Cube
    from .header import observation_from_header

    with fits.open(path) as hdul:
        header = hdul[0].header
        data = hdul[0].data
        if data is None or data.ndim != 3:
            shape = None if data is None else data.shape
            raise ValueError(f"{path}: expected a 3-D cube in the primary HDU; got shape {shape}")
        data = np.array(data, dtype=np.float32 if data.dtype.itemsize <= 4 else np.float64)
        obs, _velocities, flipped = observation_from_header(header, redshift)
        bunit = str(header.get("BUNIT", "")).replace(" ", "").lower()
        kind = str(header.get("CUBEKIND", "observed" if "beam" in bunit else "model"))
        noise = float(header.get("NOISERMS", 0.0))
    if flipped:
        data = np.ascontiguousarray(data[::-1])
    return Cube(data, obs, kind=kind if kind in ("model", "observed", "noisy") else "observed",
                noise_rms=noise)  # fmt: skip
