"""The instrument's kernels a cube calls, with their argument types; with the renderer's.

For :func:`GalCubeCraft.kernels.ahead.compile_ahead` (see
:mod:`GalCubeCraft.renderer.kernel_jobs`): the line spread and a round or axis-aligned
beam (:mod:`.fir`), the clamps (:mod:`.observe_kernels`), the moments
(:mod:`GalCubeCraft.products.moments_kernel`), and the beam-correlated noise of such a
beam (:mod:`.noise_kernels`).
"""

from __future__ import annotations

from ..kernels.ahead import CompileJob
from ..renderer.kernel_jobs import RENDER_JOBS

INSTRUMENT_JOBS = (
    CompileJob(
        "GalCubeCraft.instrument.fir",
        (
            (
                "smooth_spectra",
                "(float32[:, :, ::1], float32[::1], boolean, float32[:, :, ::1])",
            ),
        ),
        seconds=0.3,
    ),
    CompileJob(
        "GalCubeCraft.instrument.fir",
        (
            (
                "separable_convolve",
                "(float32[:, :, ::1], float32[::1], float32[::1], float64, float32[:, :, ::1])",
            ),
        ),
        seconds=0.9,
    ),
    CompileJob(
        "GalCubeCraft.instrument.observe_kernels",
        (("finish_cubes", "(float32[:, ::1], float64, float64)"),),
        seconds=0.12,
    ),
    CompileJob(
        "GalCubeCraft.products.moments_kernel",
        (
            (
                "moment_sums",  # the inputs read-only, always (products.moments)
                "(Array(float32, 2, 'C', readonly=True), Array(float64, 1, 'C', readonly=True), "
                "Array(boolean, 2, 'C', readonly=True), float64[::1], float64[::1], float64[::1])",
            ),
        ),
        seconds=0.4,
    ),
)
"""The line spread's, the beam's, the instrument's finishing pass and the moments'."""

NOISE_JOBS = (
    CompileJob(
        "GalCubeCraft.instrument.noise_kernels",
        (
            (
                "filtered_normals",
                "(float32[:, :, ::1], int64, int64, int64, uint32, uint32, float32[:, ::1], "
                "int64[::1], int64[:, ::1], float32[:, ::1], int64, int64, float32[::1])",
            ),
        ),
        seconds=1.8,
    ),
)
"""The kernel drawing beam-correlated noise."""

CUBE_JOBS = RENDER_JOBS + INSTRUMENT_JOBS
"""The kernels of a noiseless cube: the render's and the instrument's."""
