"""The one conversion between the original's beam lists and the package's :class:`Beam`.

The original writes a beam as ``(bmin_px, bmaj_px, angle_deg)``: minor FWHM first.  Its
class takes ``beam_info`` with the angle a position angle, north through east (as the
package's ``bpa``); its ``utils`` take ``beam_list`` with the angle counter-clockwise
from the +x axis, as astropy's ``Gaussian2DKernel`` does (``bpa = theta - 90``).  Both
come through :func:`beam_from_original`, which names the argument as the user wrote it.
"""

from __future__ import annotations

from typing import Any

from .._support import validate as _validate
from ..observation.beam import MAX_BEAM_PX, MIN_BEAM_PX, Beam

ANGLE_ORIGINS = {"north": 0.0, "x": -90.0}
"""Where the third number's angle starts: ``bpa = angle + ANGLE_ORIGINS[origin]``."""


def beam_from_original(values: Any, name: str = "beam_info", origin: str = "north") -> Beam:
    """Return the :class:`Beam` of ``values = (bmin_px, bmaj_px, angle_deg)``.

    One number is a round beam of that FWHM.  Errors name ``name``.
    """
    offset = ANGLE_ORIGINS[origin]
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        fwhm = _validate.real(name, values, low=MIN_BEAM_PX, high=MAX_BEAM_PX)
        return Beam(fwhm, fwhm, 0.0)
    bmin, bmaj, angle = _validate.real_sequence(name, values, 3)
    if bmin <= 0 or bmaj <= 0:
        raise ValueError(f"{name} FWHMs must be > 0; got bmin={bmin:g}, bmaj={bmaj:g}")
    if bmin > bmaj:
        raise ValueError(f"{name} bmin must not exceed bmaj; got bmin={bmin:g}, bmaj={bmaj:g}")
    try:
        return Beam(bmaj_px=bmaj, bmin_px=bmin, bpa_deg=angle + offset)
    except ValueError as error:  # said of the argument the user passed
        raise ValueError(f"{name} {values!r}: {error}") from None


def beam_to_original(beam: Beam) -> list[float]:
    """Return ``[bmin_px, bmaj_px, bpa_deg]``: ``beam_info`` of ``beam``."""
    return [beam.bmin_px, beam.bmaj_px, beam.bpa_deg]
