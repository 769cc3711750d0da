"""What a render produces: the :class:`Cube` value object, its FITS face, moments and masks.

And where figures look (``regions``): the emission aperture, the kinematic major axis.
"""

from .cube import Cube
from .kept import ProductNotKeptError

__all__ = ["Cube", "ProductNotKeptError"]
