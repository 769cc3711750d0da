"""Interferometric observations: arrays, uv coverage, NUFFT imaging, thermal noise, CLEAN.

Needs the ``interferometry`` extra (finufft).  The stages, one module each:
:mod:`.arrays` (shipped antenna positions), :mod:`.uv` (tracks and uv coverage),
:mod:`.weighting` (natural, uniform, Briggs), :mod:`.nufft` (exact transforms),
:mod:`.primary_beam`, :mod:`.thermal` (radiometer equation), :mod:`.clean` (Högbom and
the clean beam) and :mod:`.observe`, which chains them over a model cube.
"""

from .arrays import ARRAY_NAMES, AntennaArray, load_array
from .observe import Interferometer, InterferometricCubes, observe_interferometer
from .uv import Track

__all__ = [
    "ARRAY_NAMES",
    "AntennaArray",
    "InterferometricCubes",
    "Interferometer",
    "Track",
    "load_array",
    "observe_interferometer",
]
