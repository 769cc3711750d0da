"""What a render produces: the :class:`Cube` value object, its FITS face, moments and masks."""

from .cube import Cube

__all__ = ["Cube"]
