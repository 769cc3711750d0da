"""Interferometric observations: arrays, uv coverage, NUFFT imaging, thermal noise, CLEAN.

Observing needs the ``interferometry`` extra (finufft), imported only then: the arrays,
tracks and weights work without it.  The stages, one module each:
:mod:`.arrays` (shipped antenna positions), :mod:`.uv` (tracks and uv coverage),
:mod:`.weighting` (natural, uniform, Briggs), :mod:`.nufft` (exact transforms),
:mod:`.primary_beam`, :mod:`.thermal` (radiometer equation), :mod:`.clean` (Högbom and
the clean beam) and :mod:`.observe`, which chains them over a model cube into the
paired products of :mod:`.cubes` (intrinsic, beam-convolved, dirty, residual, PSF, uv
weights).
"""

from __future__ import annotations

from typing import Any

from .arrays import ARRAY_NAMES, AntennaArray, ArrayInfo, array_info, describe_arrays, load_array
from .uv import Track

_LAZY = {"InterferometricCubes", "Interferometer", "observe_interferometer"}


def __getattr__(name: str) -> Any:
    """Import the observing stage (and finufft with it) only when it is asked for."""
    if name in _LAZY:
        from . import observe

        return getattr(observe, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ARRAY_NAMES",
    "AntennaArray",
    "ArrayInfo",
    "InterferometricCubes",
    "Interferometer",
    "Track",
    "array_info",
    "describe_arrays",
    "load_array",
    "observe_interferometer",
]
