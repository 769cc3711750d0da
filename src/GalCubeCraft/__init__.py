"""GalCubeCraft: synthetic spectral cubes of rotating disk galaxies.

The package is a straight pipeline, one package per stage; each imports only the stages
below it (import-linter holds this in CI):

- :mod:`~GalCubeCraft.priors` - what to make: the :class:`DatasetSpec` and every random
  draw from it (galaxies, lenses, interferometer tracks), the only randomness besides noise;
- :mod:`~GalCubeCraft.factory` - the one cube factory: scene + observation + settings +
  noise -> model, clean, noisy and per-galaxy cubes with their truth;
- :mod:`~GalCubeCraft.interferometry` - arrays, uv tracks, weighting, NUFFT, dirty cubes;
- :mod:`~GalCubeCraft.instrument` - line spread, beam (Jy/pixel -> Jy/beam), noise;
- :mod:`~GalCubeCraft.renderer` - :func:`render`: exact sky-frame sampling, line-of-sight
  quadrature, velocity deposit, tilted rings and the lensed render;
- :mod:`~GalCubeCraft.products` - the :class:`Cube` value object, its FITS face, moments, masks;
- :mod:`~GalCubeCraft.model` - what a galaxy and a lens are: profiles, rotation curves,
  flows, arms, clumps, warps, diffuse components, mass models;
- :mod:`~GalCubeCraft.observation` - :class:`Observation`: grid, channels, :class:`Beam`,
  angular scale, WCS and FITS header;
- :mod:`~GalCubeCraft.kernels`, :mod:`~GalCubeCraft.conventions` (the sky conventions),
  :mod:`~GalCubeCraft.cosmology` and ``_support`` - shared low-level pieces.

On top of the pipeline: :mod:`~GalCubeCraft.io` (npy + sidecar, cube folders),
:mod:`~GalCubeCraft.plotting`, :mod:`~GalCubeCraft.datasets` (training-set stores, loaders,
Dask batches), :mod:`~GalCubeCraft.explorer` (the live page in the browser:
:func:`explore`, ``galcubecraft explore``) and :mod:`~GalCubeCraft.cli`.
:mod:`~GalCubeCraft.compat` sits at the top and holds everything for users of the package
this one grew from (the ``GalCubeCraft`` class, ``utils``, ``visualise``); nothing below
imports it.
"""

from ._version import __version__  # noqa: E402
from .compat import GalCubeCraft, GalCubeCraft_Phy, init, init_phy
from .explorer import explore  # light: panel and bokeh load when it is called
from .factory import CubeProducts, NoiseModel, make_cubes, make_interferometric_cubes
from .instrument.observe import observe
from .model import (
    ArctanRotationCurve,
    FlatRotationCurve,
    Galaxy,
    MilkyWayRotationCurve,
    TabulatedRotationCurve,
)
from .model.lens import SIE, ConvergenceSheet, ExternalShear, Lens, PowerLawEllipsoid
from .observation.beam import Beam
from .observation.records import AngularScale, Observation, SpectralAxis
from .priors.spec import DatasetSpec
from .products.cube import Cube
from .renderer.render import render
from .renderer.settings import AutoAccuracy, RenderSettings

__all__ = [
    "AngularScale",
    "ArctanRotationCurve",
    "AutoAccuracy",
    "Beam",
    "ConvergenceSheet",
    "Cube",
    "CubeProducts",
    "DatasetSpec",
    "explore",
    "ExternalShear",
    "FlatRotationCurve",
    "GalCubeCraft",
    "GalCubeCraft_Phy",
    "Galaxy",
    "init",
    "init_phy",
    "Lens",
    "MilkyWayRotationCurve",
    "NoiseModel",
    "Observation",
    "PowerLawEllipsoid",
    "RenderSettings",
    "SIE",
    "SpectralAxis",
    "TabulatedRotationCurve",
    "__version__",
    "make_cubes",
    "make_interferometric_cubes",
    "observe",
    "render",
]
