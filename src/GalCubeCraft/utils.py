"""``GalCubeCraft.utils``, kept importable: a thin re-export.

The functions live in :mod:`GalCubeCraft.compat.utils`.
"""

from .compat.utils import (
    add_beam,
    apply_and_convolve_noise,
    apply_noise,
    beam_from_list,
    convolve_beam,
    create_circular_aperture_mask,
)

__all__ = [
    "add_beam",
    "apply_and_convolve_noise",
    "apply_noise",
    "beam_from_list",
    "convolve_beam",
    "create_circular_aperture_mask",
]
