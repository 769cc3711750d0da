"""Writing cubes: atomic files; ``.npy`` here, FITS in :mod:`GalCubeCraft.io.fits`.

The FITS writer is imported on demand (``from GalCubeCraft.io.fits import write_fits``)
so that ``import GalCubeCraft`` stays light.
"""

from .atomic import atomic_path
from .npy import save_npy

__all__ = ["atomic_path", "save_npy"]
