"""``GalCubeCraft.core``, kept importable: a thin re-export for 1.2.1's scripts.

1.2.1 kept its class, its diffuse-emission defaults, its cosmology and (through star
imports) its ``utils`` and ``visualise`` functions in one module; they live in
:mod:`GalCubeCraft.compat` now.  ``DEFAULT_DIFFUSE_PARAMS`` holds the knobs the
``diffuse_params`` argument merges into: copy it, change keys, pass the copy.
"""

from .compat import GalCubeCraft, GalCubeCraft_Phy
from .compat.params import DEFAULT_DIFFUSE_PARAMS, cosmo
from .compat.utils import (
    add_beam,
    apply_and_convolve_noise,
    apply_noise,
    convolve_beam,
    create_circular_aperture_mask,
)
from .compat.visualise import moment0, moment1, slice_view, spectrum

__all__ = [
    "DEFAULT_DIFFUSE_PARAMS",
    "GalCubeCraft",
    "GalCubeCraft_Phy",
    "add_beam",
    "apply_and_convolve_noise",
    "apply_noise",
    "convolve_beam",
    "cosmo",
    "create_circular_aperture_mask",
    "moment0",
    "moment1",
    "slice_view",
    "spectrum",
]
