"""Writing cubes: atomic files in every format, one dispatch."""

from .atomic import atomic_path
from .fits import write_fits
from .npy import save_npy

__all__ = ["atomic_path", "save_npy", "write_fits"]
