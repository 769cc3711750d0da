"""The field's FITS header (``RA---SIN``, ``DEC--SIN``, ``FREQ``) and streamed FITS export.

The export never holds the field: it writes the header, then the data a block of
channels at a time (one tile deep, so each chunk is read once), through
``astropy.io.fits.StreamingHDU``.  Memory: one block, ``tile[0] * ny * nx * 4`` bytes (a
cut-out's width instead of the field's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .spec import FieldSpec


def field_header(spec: FieldSpec, origin: tuple[int, int, int] = (0, 0, 0),
                 shape: tuple[int, int, int] | None = None) -> Any:  # fmt: skip
    """Return the FITS header of the field, or of its box at ``origin`` of ``shape``.

    East is left (``CDELT1 < 0``); the field centre, pixel ``(n - 1) / 2`` (0-based), is
    the pointing; channel ``c`` is at ``start_hz + c * channel_width_hz``; the beam is
    written as ``BMAJ``/``BMIN``/``BPA`` in degrees; the unit is Jy/beam.
    """
    from astropy.io import fits

    n_c, n_y, n_x = spec.shape if shape is None else shape
    c0, y0, x0 = origin
    pixel_deg = spec.pixel_arcsec / 3600.0
    header = fits.Header()
    header["SIMPLE"] = True
    header["BITPIX"] = -32
    header["NAXIS"] = 3
    header["NAXIS1"], header["NAXIS2"], header["NAXIS3"] = n_x, n_y, n_c
    header["BUNIT"] = "Jy/beam"
    header["CTYPE1"], header["CUNIT1"] = "RA---SIN", "deg"
    header["CRVAL1"], header["CDELT1"] = spec.ra_deg, -pixel_deg
    header["CRPIX1"] = 0.5 * (spec.nx - 1) + 1.0 - x0
    header["CTYPE2"], header["CUNIT2"] = "DEC--SIN", "deg"
    header["CRVAL2"], header["CDELT2"] = spec.dec_deg, pixel_deg
    header["CRPIX2"] = 0.5 * (spec.ny - 1) + 1.0 - y0
    header["CTYPE3"], header["CUNIT3"] = "FREQ", "Hz"
    header["CRVAL3"], header["CDELT3"] = spec.start_hz, spec.channel_width_hz
    header["CRPIX3"] = 1.0 - c0
    header["RESTFRQ"] = spec.rest_hz
    header["SPECSYS"] = "BARYCENT"
    header["RADESYS"], header["EQUINOX"] = "FK5", 2000.0
    beam_deg = spec.beam_arcsec / 3600.0
    header["BMAJ"], header["BMIN"], header["BPA"] = beam_deg, beam_deg, 0.0
    header["LINE"] = spec.line
    return header


def export_fits(
    field_path: str | Path,
    fits_path: str | Path,
    spec: FieldSpec,
    cutout: tuple[slice, slice, slice] | None = None,
    array: str = "field",
) -> Path:
    """Write the field (or a cut-out ``(channels, y, x)`` of it) to a FITS file, streamed.

    ``array`` is ``field``, ``clean`` or ``labels``.  The file is written under a
    temporary name and renamed, so it is complete or absent.
    """
    import zarr
    from astropy.io import fits

    from .._support.atomic import atomic_path

    data: Any = zarr.open_group(Path(field_path) / "field.zarr", mode="r")[array]
    full = tuple(slice(0, n) for n in data.shape)
    region = full if cutout is None else tuple(
        slice(*s.indices(n)[:2]) for s, n in zip(cutout, data.shape, strict=True)
    )  # fmt: skip
    origin = tuple(s.start for s in region)
    shape = tuple(s.stop - s.start for s in region)
    if min(shape) < 1:
        raise ValueError(f"cutout {cutout!r} selects no voxel of a field of shape {data.shape}")
    header = field_header(spec, origin, shape)  # type: ignore[arg-type]
    if array == "labels":
        header["BITPIX"], header["BUNIT"] = 32, ""
        header["BZERO"] = 2**31  # uint32 in FITS: signed 32-bit with an offset
    out = Path(fits_path)
    with atomic_path(out) as temporary:
        stream = fits.StreamingHDU(temporary, header)
        try:
            block = spec.tile[0]
            for start in range(region[0].start, region[0].stop, block):
                stop = min(start + block, region[0].stop)
                stream.write(data[start:stop, region[1], region[2]])
        finally:
            stream.close()
    return out
