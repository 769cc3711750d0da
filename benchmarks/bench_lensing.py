"""Cost of lensing one 40x125x125 cube: a source away from the caustics and one across them.

Run:  python benchmarks/bench_lensing.py

The disk of ``bench_render.py`` (R_e = 4 px) at z = 1 behind an SIE (Einstein radius
3 R_e, axis ratio 0.8) with 5% external shear, one core.  Prints milliseconds per cube
(render + beam + line spread, median of 5) unlensed and lensed, their ratio (the issue's
target: within 3x), the total magnification, and the cost of the truth that
``make_cubes`` adds (unlensed twin, magnification map, critical curves).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dataclasses  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from bench_render import scene  # noqa: E402

from GalCubeCraft import (
    SIE,
    AngularScale,
    Beam,
    ExternalShear,
    Lens,
    SpectralAxis,
    make_cubes,
    observe,
    render,
)


def median_ms(work: Callable[[], object], repeats: int = 5) -> float:
    work()  # compile and warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    galaxies, obs = scene(1, 125)
    obs = obs.replace(spectral=SpectralAxis(40, -600, 600), beam=Beam(4.0, 4.0),
                      sky=AngularScale(redshift=1.0))  # fmt: skip
    disk = galaxies[0]
    r_e_arcsec = disk.r_e_kpc / obs.sky.kpc_per_arcsec
    theta_e = 3.0 * r_e_arcsec
    lens = Lens((SIE(theta_e, 0.8, 20.0), ExternalShear(0.05, 70.0)))
    cases = {"away (1.6 theta_E)": 1.6, "across (0.1 theta_E)": 0.1}
    print(f"R_e = {r_e_arcsec:.3f} arcsec = 4 px, theta_E = {theta_e:.3f} arcsec")
    header = f"{'source':>22} {'unlensed ms':>12} {'lensed ms':>10} {'x unlensed':>10}"
    print(f"{header} {'magnification':>13} {'+truth ms':>9}")
    for name, offset in cases.items():
        k = obs.sky.kpc_per_arcsec
        source = dataclasses.replace(disk, x_kpc=0.6 * offset * theta_e * k,
                                     y_kpc=0.8 * offset * theta_e * k)  # fmt: skip
        plain = median_ms(lambda s=source: observe(render(s, obs)))
        lensed = median_ms(lambda s=source: observe(render(s, obs, lens=lens)))
        made = make_cubes(source, obs, lens=lens)
        assert made.lensing is not None
        truth = median_ms(lambda s=source: make_cubes(s, obs, lens=lens), repeats=3) - lensed
        print(f"{name:>22} {plain:>12.1f} {lensed:>10.1f} {lensed / plain:>10.2f} "
              f"{made.lensing.total_magnification:>13.2f} {truth:>9.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
