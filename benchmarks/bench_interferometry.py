"""Cost of an interferometric observation: 40 channels at 128^2, 256^2 and 512^2, ALMA C-5.

Run:  python benchmarks/bench_interferometry.py   (needs the interferometry extra)

A 1-hour track at transit, declination -30, 30 s integrations (108,360 visibilities per
channel), natural weights, thermal noise, 0.04 arcsec pixels at 230 GHz, one core.
Prints seconds per dirty cube (the issue's target: 1 s at 128^2; best of 3), then the
split: uv coverage, the NUFFTs (per channel one, on a grid twice the field, for the
dirty beam and the noise's image; the sky's dirty image is then an FFT convolution), the
noise draws, and what CLEAN to 3 sigma with restoration adds (the Högbom loop).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from GalCubeCraft import Galaxy, Observation, render  # noqa: E402
from GalCubeCraft.interferometry import Interferometer, Track, load_array  # noqa: E402
from GalCubeCraft.interferometry.nufft import DirtyImager  # noqa: E402
from GalCubeCraft.interferometry.observe import channel_frequencies_hz, observe_interferometer
from GalCubeCraft.interferometry.uv import uvw_m  # noqa: E402

Z_230GHZ = 1900.5369 / 230.0 - 1.0
TRACK = Track(-30.0, 1.0, 30.0)


def seconds(work, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def measure(n: int) -> tuple[float, float, float, float, float]:
    """Return (dirty cube, uv, NUFFT, noise, CLEAN) seconds for an n x n field."""
    obs = Observation.from_angular(
        n_pix=n,
        pixel_arcsec=0.04,
        beam_arcsec=None,
        n_chan=40,
        channel_width_kms=20.0,
        line="[CII]158",
        redshift=Z_230GHZ,
    )
    k = obs.sky.kpc_per_arcsec
    model = render(Galaxy.with_line_flux(1.0, r_e_kpc=0.3 * k, inclination_deg=50), obs)
    dirty_only = Interferometer("alma_c5", TRACK, clean_threshold_rms=None)
    cleaning = Interferometer("alma_c5", TRACK, clean_threshold_rms=3.0)
    total = seconds(lambda: observe_interferometer(model, dirty_only, np.random.default_rng(0)))
    with_clean = seconds(
        lambda: observe_interferometer(model, cleaning, np.random.default_rng(0)), 1
    )
    array = load_array("alma_c5")
    uv_s = seconds(lambda: uvw_m(array, TRACK))
    uvw = uvw_m(array, TRACK)
    pixel = obs.pixel_arcsec * np.pi / 180 / 3600
    ones = np.ones((2, uvw.shape[0]), dtype=complex)

    def transforms() -> None:
        imager = DirtyImager((2 * n, 2 * n), pixel, 2)
        for frequency in channel_frequencies_hz(obs):
            u, v = uvw[:, 0] * frequency / 299792458.0, uvw[:, 1] * frequency / 299792458.0
            imager.images(u, v, ones, centre_on_pixel=True)

    nufft_s = seconds(transforms, 1)
    rng = np.random.default_rng(1)
    noise_s = seconds(lambda: [rng.standard_normal(2 * uvw.shape[0], dtype=np.float32)
                               for _ in range(40)])  # fmt: skip
    return total, uv_s, nufft_s, noise_s, with_clean - total


def main() -> None:
    print(f"{'grid':>6} {'dirty cube s':>12} {'uv s':>6} {'NUFFT s':>8} {'noise s':>8} "
          f"{'+CLEAN s':>9}")  # fmt: skip
    for n in (128, 256, 512):
        total, uv_s, nufft_s, noise_s, clean_s = measure(n)
        print(f"{n:>5}² {total:>12.2f} {uv_s:>6.3f} {nufft_s:>8.2f} {noise_s:>8.2f} "
              f"{clean_s:>9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
