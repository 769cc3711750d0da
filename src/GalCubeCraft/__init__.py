"""GalCubeCraft: synthetic spectral cubes of rotating disk galaxies.

The package is a straight pipeline; each stage is a module with one job:

- parameters: :mod:`GalCubeCraft.priors` (the original's random draws, the only
  randomness besides noise) -> :class:`GalCubeCraft.model.Galaxy` records;
- galaxy model: :mod:`GalCubeCraft.model` (Sérsic and vertical profiles, rotation curves);
- rendering: :mod:`GalCubeCraft.renderer` (exact sky-frame sampling, line-of-sight
  quadrature, velocity deposit) driven by :func:`GalCubeCraft.pipeline.render`, which
  returns a Jy/pixel cube;
- instrument: :mod:`GalCubeCraft.instrument` (line spread, beam -> Jy/beam, noise);
- outputs: :mod:`GalCubeCraft.io` (atomic .npy, FITS, HDF5, Zarr), plots in
  :mod:`GalCubeCraft.plotting`, and the command line in :mod:`GalCubeCraft.cli`.

:class:`GalCubeCraft.GalCubeCraft` is the original package's API over that pipeline.
Conventions (axes, position angles, units) are documented in
:mod:`GalCubeCraft.conventions`.
"""

from ._version import __version__  # noqa: E402
from .facade import GalCubeCraft
from .instrument.observe import observe
from .model import (
    ArctanRotationCurve,
    FlatRotationCurve,
    Galaxy,
    MilkyWayRotationCurve,
    TabulatedRotationCurve,
)
from .observation import Beam, Observation, SpectralAxis
from .pipeline import render
from .renderer.settings import RenderSettings

__all__ = [
    "ArctanRotationCurve",
    "Beam",
    "FlatRotationCurve",
    "GalCubeCraft",
    "Galaxy",
    "MilkyWayRotationCurve",
    "Observation",
    "RenderSettings",
    "SpectralAxis",
    "TabulatedRotationCurve",
    "__version__",
    "observe",
    "render",
]
