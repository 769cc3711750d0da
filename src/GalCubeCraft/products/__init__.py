"""What a render produces: the :class:`Cube` value object, its FITS face, moments, masks and
the regions figures look at (the emission aperture, the kinematic major axis)."""

from .cube import Cube

__all__ = ["Cube"]
