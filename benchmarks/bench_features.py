"""Cost of each beyond-the-disk feature, alone and together, on one 40x125x125 cube.

Run:  python benchmarks/bench_features.py

Prints milliseconds per cube (render + beam + line spread, one core, median of 9) for
the plain disk of ``bench_render.py`` and with non-circular flows, a radial dispersion
profile, asymmetric drift, five clumps, spiral arms, a warp with a flare (beyond its
flat core it is rendered in the disk's own frame), all of them but the warp, and all
together; and each one's ratio to the plain disk (the issue's target: within 2x).  A plain disk
with the dispersion profile's narrowest line (20 km/s) is timed too: a narrower line
alone asks for a finer velocity grid and more sky refinement.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import dataclasses  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from bench_render import scene  # noqa: E402

from GalCubeCraft import Beam, SpectralAxis, observe, render  # noqa: E402
from GalCubeCraft.model.arms import SpiralArms  # noqa: E402
from GalCubeCraft.model.clumps import Clump  # noqa: E402
from GalCubeCraft.model.flows import NonCircularFlows  # noqa: E402
from GalCubeCraft.model.rings import linear_warp  # noqa: E402

FLOWS = NonCircularFlows(radial_kms=-30.0, bar_tangential_kms=25.0, bar_radial_kms=15.0,
                         bar_angle_deg=40.0)  # fmt: skip
CLUMPS = tuple(Clump(radius_kpc=2.0 + k, azimuth_deg=72.0 * k, sigma_kpc=0.5, flux_fraction=0.04)
               for k in range(5))  # fmt: skip

WARP = linear_warp(10.0, 10.0, (55.0, 75.0), (40.0, 70.0), (0.7, 2.1))


def dispersion(r: np.ndarray) -> np.ndarray:
    """Return a dispersion falling from 60 to 20 km/s (km/s at radius r, kpc)."""
    return 20.0 + 40.0 * np.exp(-np.asarray(r) / 3.0)


def main() -> None:
    galaxies, obs = scene(1, 125)
    obs = obs.replace(spectral=SpectralAxis(40, -600, 600), beam=Beam(4.0, 4.0),
                      line_spread="gaussian")  # fmt: skip
    disk = galaxies[0]
    variants = {
        "plain disk": {},
        "plain, sigma 20": {"sigma_kms": 20.0},
        "flows": {"flows": FLOWS},
        "sigma(R)": {"dispersion_profile": dispersion},
        "asymmetric drift": {"asymmetric_drift": True},
        "5 clumps": {"clumps": CLUMPS},
        "spiral arms": {"arms": SpiralArms()},
        "warp + flare": {"rings": WARP},
        "all but the warp": {"flows": FLOWS, "dispersion_profile": dispersion,
                             "asymmetric_drift": True, "clumps": CLUMPS, "arms": SpiralArms()},
        "all together": {"flows": FLOWS, "dispersion_profile": dispersion,
                         "asymmetric_drift": True, "clumps": CLUMPS, "arms": SpiralArms(),
                         "rings": WARP},
    }  # fmt: skip
    plain_ms = None
    galaxies = {name: dataclasses.replace(disk, **changes) for name, changes in variants.items()}
    for galaxy in galaxies.values():  # compile and warm every variant before any timing
        observe(render(galaxy, obs))
    # Round-robin: the machine's speed drifts by 10-20% over a run, so each round times
    # every variant once and the medians compare like with like.
    times: dict[str, list[float]] = {name: [] for name in galaxies}
    for _ in range(ROUNDS):
        for name, galaxy in galaxies.items():
            start = time.perf_counter()
            observe(render(galaxy, obs))
            times[name].append(time.perf_counter() - start)
    print(f"{'feature':>18} {'median ms':>10} {'x plain':>8}")
    for name in galaxies:
        ms = 1e3 * statistics.median(times[name])
        plain_ms = ms if plain_ms is None else plain_ms
        print(f"{name:>18} {ms:>10.1f} {ms / plain_ms:>8.2f}")


ROUNDS = 9
"""Timed renders of each variant."""


if __name__ == "__main__":
    main()
