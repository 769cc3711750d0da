"""Render speed and peak memory of one cube, as the issue asks.

Run:  python benchmarks/bench_render.py

First the cold start: the first cube in a fresh process with an empty JIT cache (numba
compiles the kernels) and with a warm one (it loads them), each in a subprocess.  Then,
for grids 64^2, 125^2 and 256^2, 40 and 128 channels, one and three galaxies, and one
galaxy at 256 x 512^2, then the issue's four cases with ``RenderSettings.fast()``:
milliseconds per cube (median and best of several runs, single thread) and the peak
memory allocated by NumPy during one render (tracemalloc).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

from GalCubeCraft import (
    Beam,
    Galaxy,
    Observation,
    RenderSettings,
    SpectralAxis,
    observe,
    render,
)
from GalCubeCraft._support import buffers  # noqa: E402


def scene(n_gals: int, grid: int) -> tuple[list[Galaxy], Observation]:
    """Galaxies like the facade's typical draw (R_e ~ 4 px at 125^2), scaled with the grid."""
    pixel_kpc = 5.0 / (4.0 * grid / 125)
    galaxies = [
        Galaxy(r_e_kpc=5.0, n_sersic=1.0, h_z_kpc=0.7, inclination_deg=55, pa_deg=40, sigma_kms=40)
    ]
    for k in range(1, n_gals):
        galaxies.append(
            Galaxy(
                r_e_kpc=2.0,
                n_sersic=0.8,
                h_z_kpc=0.3,
                inclination_deg=30 + 20 * k,
                pa_deg=120 * k,
                x_kpc=4.0 * k,
                y_kpc=-3.0 * k,
                sigma_kms=35,
            )
        )
    return galaxies, Observation(nx=grid, ny=grid, pixel_kpc=pixel_kpc)


def measure(
    n_gals: int, grid: int, n_chan: int, repeats: int, settings: RenderSettings | None = None
) -> tuple[float, float, float]:
    """Return (median ms, best ms, peak MiB) of render + observe."""
    galaxies, obs = scene(n_gals, grid)
    obs = obs.replace(spectral=SpectralAxis(n_chan, -600, 600), beam=Beam(4.0, 4.0),
                      line_spread="gaussian")  # fmt: skip
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        observe(render(galaxies, obs, settings))
        times.append(time.perf_counter() - start)
    # With no idle buffers kept, so that every cube-sized array is a fresh allocation that
    # tracemalloc sees (the pool's reused memory is not counted as allocated).
    with buffers.idle_limit(0):
        tracemalloc.start()
        observe(render(galaxies, obs, settings))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return 1e3 * statistics.median(times), 1e3 * min(times), peak / 2**20


FIRST_CUBE = """
import time
start = time.perf_counter()
from GalCubeCraft import GalCubeCraft
GalCubeCraft(n_gals=1, n_cubes=1, seed=1, verbose=False, save=False).make(0)
print(time.perf_counter() - start)
"""


def cold_start() -> tuple[float, float]:
    """Return seconds to the first facade cube (import included): empty, then warm JIT cache."""
    cache = tempfile.mkdtemp(prefix="gcc-numba-")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    try:
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", FIRST_CUBE],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )  # fmt: skip
            for _ in range(2)
        ]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return runs[0], runs[1]


def kinms_comparison(repeats: int = 5) -> tuple[float, float, float] | None:
    """Return (our ms, our fast preset's ms, KinMS ms) for one 40x125^2 disk (None without KinMS).

    KinMS 3 (``pip install -e ".[bench]"``) with its defaults (cloud count, seed) renders
    the same exponential disk, rotation curve, dispersion, thickness, beam and channels.
    """
    try:
        from kinms import KinMS
    except ImportError:
        return None
    import numpy as np

    galaxies, obs = scene(1, 125)
    obs = obs.replace(spectral=SpectralAxis(40, -600, 600), beam=Beam(4.0, 4.0),
                      line_spread="gaussian")  # fmt: skip
    galaxy = galaxies[0]
    cell = obs.pixel_kpc  # KinMS takes any length unit: kpc here, as ours
    radii = np.linspace(0.0, 8.0 * galaxy.r_e_kpc, 500)
    model = KinMS(125 * cell, 125 * cell, 1200.0, cellSize=cell, dv=30.0,
                  beamSize=[4 * cell, 4 * cell, 0.0])  # fmt: skip
    arguments = dict(inc=galaxy.inclination_deg, posAng=galaxy.pa_deg,
                     gasSigma=galaxy.sigma_kms, diskThick=galaxy.h_z_kpc,
                     sbProf=np.exp(-1.678 * radii / galaxy.r_e_kpc), sbRad=radii,
                     velRad=radii, velProf=np.asarray(galaxy.rotation_curve(radii)),
                     intFlux=1.0)  # fmt: skip
    ours, fast, theirs = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        observe(render(galaxies, obs))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        observe(render(galaxies, obs, RenderSettings.fast()))
        fast.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.model_cube(**arguments)
        theirs.append(time.perf_counter() - start)
    return tuple(1e3 * statistics.median(t) for t in (ours, fast, theirs))  # type: ignore[return-value]


def main() -> None:
    compared = kinms_comparison()
    if compared is None:
        print('KinMS not installed (pip install -e ".[bench]"): no comparison')
    else:
        ours, fast, theirs = compared
        print(f"40x125x125, one disk, same process: ours {ours:.1f} ms (fast preset "
              f"{fast:.1f} ms), KinMS (defaults) {theirs:.1f} ms, ratio {ours / theirs:.3f} "
              f"(fast {fast / theirs:.3f})")  # fmt: skip
    compiled, cached = cold_start()
    print(f"first cube in a new process: {compiled:.2f} s compiling the kernels, "
          f"{cached:.2f} s with them cached (import included)")  # fmt: skip
    print("render + beam + Gaussian line spread (0.6 channel), one core; the VM's timings "
          "vary by ~20% run to run")  # fmt: skip
    print(f"{'grid':>6} {'chan':>5} {'gals':>5} {'median ms':>10} {'best ms':>8} {'peak MiB':>9}")
    for grid in (64, 125, 256):
        for n_chan in (40, 128):
            for n_gals in (1, 3):
                repeats = 7 if grid < 256 else 3
                ms, best, mib = measure(n_gals, grid, n_chan, repeats)
                print(f"{grid:>6} {n_chan:>5} {n_gals:>5} {ms:>10.1f} {best:>8.1f} {mib:>9.1f}")
    ms, best, mib = measure(1, 512, 256, 3)
    print(f"{512:>6} {256:>5} {1:>5} {ms:>10.1f} {best:>8.1f} {mib:>9.1f}")
    print("RenderSettings.fast(), the issue's four cases:")
    for grid, n_chan, n_gals in ((125, 40, 1), (125, 40, 3), (256, 128, 1), (512, 256, 1)):
        ms, best, mib = measure(n_gals, grid, n_chan, 7 if grid < 256 else 3, RenderSettings.fast())
        print(f"{grid:>6} {n_chan:>5} {n_gals:>5} {ms:>10.1f} {best:>8.1f} {mib:>9.1f}")


if __name__ == "__main__":
    main()
