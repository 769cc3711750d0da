"""How the :class:`~GalCubeCraft.compat.facade.GalCubeCraft` class makes one cube."""

from __future__ import annotations

from .._support.threads import limited_threads
from ..factory import IndexedCube, make_indexed_cube
from ..priors.spec import DatasetSpec
from ..renderer.settings import RenderSettings


def make_cube(
    spec: DatasetSpec, index: int, settings: RenderSettings, threads: int | None
) -> IndexedCube:
    """Return cube ``index`` of ``spec`` (:func:`GalCubeCraft.factory.make_indexed_cube`).

    The linear-algebra libraries use at most ``threads`` threads meanwhile (``None``: as
    they are).  On a fresh install the first cube's kernels are compiled first, in helper
    processes on spare cores as well as here (:func:`GalCubeCraft.kernels.ahead.compile_ahead`;
    with one spare core the demo's first cube waits about two thirds as long); later
    cubes, or a warm kernel cache, find nothing to do.
    """
    from ..instrument.kernel_jobs import CUBE_JOBS, NOISE_JOBS  # not at import (~25 ms)
    from ..kernels.ahead import compile_ahead

    compile_ahead(CUBE_JOBS + (NOISE_JOBS if spec.noise.enabled else ()))
    with limited_threads(threads):
        return make_indexed_cube(spec, index, settings)
