"""Writing cubes: atomic files; ``.npy`` here, FITS in :mod:`GalCubeCraft.products.fits`.

:class:`GalCubeCraft.io.cube_folder.CubeFolder` is the one resumable cube-folder writer
(``cube_<k>.npy`` with its JSON description, or ``cube_<k>.fits``).

The FITS writer is imported on demand (``from GalCubeCraft.products.fits import write_fits``)
so that ``import GalCubeCraft`` stays light.
"""

from .._support.atomic import atomic_path
from .npy import save_npy

__all__ = ["atomic_path", "save_npy"]
