"""GalCubeCraft: synthetic spectral cubes of rotating disk galaxies.

The package is a straight pipeline; each stage is a module with one job:

- what to make: :mod:`GalCubeCraft.priors.spec` (:class:`DatasetSpec`: priors, observation,
  seed) and :mod:`GalCubeCraft.priors.galaxies` (the original's random draws per cube index, the
  only randomness besides noise) -> :class:`GalCubeCraft.model.Galaxy` records;
- what the telescope sees: :mod:`GalCubeCraft.observation.records` (:class:`Observation`: grid,
  channels, :class:`Beam` from :mod:`GalCubeCraft.observation.beam`, angular scale, WCS and header);
- galaxy model: :mod:`GalCubeCraft.model` (Sérsic and vertical profiles, rotation curves),
  and lenses in front of it (:mod:`GalCubeCraft.model.lens`; their truth on the grid in
  :mod:`GalCubeCraft.renderer.lensing`);
- rendering: :mod:`GalCubeCraft.renderer` (exact sky-frame sampling in
  ``renderer.sampling``, line-of-sight quadrature in ``renderer.los``, velocity deposit
  in ``renderer.deposit``) driven by :func:`GalCubeCraft.renderer.render.render`, which returns
  a Jy/pixel :class:`Cube` (:mod:`GalCubeCraft.products.cube`);
- instrument: :mod:`GalCubeCraft.instrument` (line spread, beam -> Jy/beam, noise);
- the one cube factory: :mod:`GalCubeCraft.factory` (scene + observation + settings +
  noise -> model, clean, noisy and per-galaxy cubes with their truth), which the facade,
  the datasets and the command line all call;
- outputs: :mod:`GalCubeCraft.io` (atomic .npy, FITS headers and files), dataset stores
  behind one contract in :mod:`GalCubeCraft.datasets` (Zarr, HDF5, npy, FITS; Dask
  generation), plots in :mod:`GalCubeCraft.plotting`, the command line in
  :mod:`GalCubeCraft.cli`.

:class:`GalCubeCraft.GalCubeCraft` is the original package's API over that pipeline.
Sky conventions (axes, position angles, the sky <-> disk transform) live in
:mod:`GalCubeCraft.conventions`.
"""

from ._version import __version__  # noqa: E402
from .compat.facade import GalCubeCraft, GalCubeCraft_Phy, init, init_phy
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
from .renderer.settings import RenderSettings

__all__ = [
    "AngularScale",
    "ArctanRotationCurve",
    "Beam",
    "ConvergenceSheet",
    "Cube",
    "CubeProducts",
    "DatasetSpec",
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
