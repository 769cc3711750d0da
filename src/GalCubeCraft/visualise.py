"""``GalCubeCraft.visualise``, kept importable: a thin re-export.

The functions live in :mod:`GalCubeCraft.compat.visualise`.
"""

from .compat.visualise import (
    moment0,
    moment1,
    slice_view,
    spectrum,
)

__all__ = [
    "moment0",
    "moment1",
    "slice_view",
    "spectrum",
]
