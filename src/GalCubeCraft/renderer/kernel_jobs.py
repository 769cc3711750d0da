"""The renderer's kernels a disk galaxy's render calls, with their argument types.

For :func:`GalCubeCraft.kernels.ahead.compile_ahead`, which compiles them before a first
render on a cold kernel cache (in helper processes on spare cores).  The types are
those of a render of disk galaxies with the package's power-law rotation curve (the
default, and the compatibility class's) and float32 sight lines; a render of another
kind compiles its own kernels at their first call, as always.  ``tests/kernels/test_ahead.py``
checks that the compatibility class's first cube calls exactly these.

A job holds one kernel, or kernels that share callees (compiled in one process, the
callees compile once), so that the work can be shared out finely.  ``seconds`` are
their compile times (CPU, callees included, in a process that has compiled something
before: numba's first compile costs ~0.3 s more) measured on the 2-core development
machine; they only share the work out evenly.
"""

from __future__ import annotations

from ..kernels.ahead import CompileJob

RENDER_JOBS = (
    CompileJob(
        "GalCubeCraft.renderer.los_kernel",
        (
            (
                "los_kernel",
                "(float32[::1], float32[::1], float32[::1], float32[::1], float32[::1], "
                "float32[::1], float32[:, ::1], float32[:, ::1], float32[:, ::1])",
            ),
        ),
        seconds=2.6,  # 2.3, and numba's first compile in a process: it opens a share
    ),
    CompileJob(
        "GalCubeCraft.renderer.velocity_kernel",
        (
            (
                "_circular_power",
                "(float32[::1], float32[:, ::1], float64[::1], float32[::1], float32[::1], "
                "float32[:, ::1])",
            ),
        ),
        seconds=0.35,
    ),
    CompileJob(
        "GalCubeCraft.renderer.sampling_kernel",
        (
            (
                "line_sums",
                "(float32[:, ::1], float32[:, ::1], float32[:, ::1], float64[::1], "
                "float64[::1], float64[::1], float64[::1])",
            ),
            (  # the flux, scaled in float64
                "gather_rows",
                "(float32[:, ::1], int64[::1], float64[::1], float64[::1], float64[:, ::1], int64)",
            ),
            (  # the velocity, shifted in float32
                "gather_rows",
                "(float32[:, ::1], int64[::1], float32[::1], float32[::1], float32[:, ::1], int64)",
            ),
        ),
        seconds=0.4,
    ),
    CompileJob(
        "GalCubeCraft.renderer.kernels",
        (
            (
                "pixel_extents",
                "(int64[::1], float64[:, ::1], float32[:, ::1], float32[:, ::1], float32, "
                "float32, float64, float64, float64, int64[::1], int64[::1])",
            ),
            (
                "deposit_fine",
                "(int64[::1], int64[::1], float64[:, ::1], float32[:, ::1], float32[:, ::1], "
                "float32, float32, float64, float64, float64, int64, float64[:, ::1])",
            ),
        ),
        seconds=1.3,  # they share their footprint and node callees
    ),
    CompileJob(
        "GalCubeCraft.renderer.kernels",
        (("add_columns", "(float32[:, ::1], int64[::1], float64[:, ::1])"),),
        seconds=0.1,
    ),
    CompileJob(
        "GalCubeCraft.kernels.reductions", (("clamp_at_zero", "(float32[::1],)"),), seconds=0.1
    ),
)
"""The renderer's kernels."""
