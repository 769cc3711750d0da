"""Render accuracy against the noise: the calibration of ``accuracy = "auto"``, and its speed.

Run:  python benchmarks/bench_accuracy.py [calibrate N | throughput N | bound N]

- ``calibrate N`` (default N = 200): renders N noiseless items of the calibration sample
  (:func:`calibration_spec`: the default spec, 64^2 x 40 channels, with inclinations up
  to 90 deg, PA in [0, 360) and v_0 in [100, 300] km/s, wider than the default priors so
  the figures hold when those change) with each preset of the ``auto`` ladder and with
  ``RenderSettings.converged()``, and prints, per preset, the worst-voxel error of the
  noiseless observed cube over the sample, as a fraction of that cube's peak (worst,
  99th percentile, median), and the time per item.  The worst times
  ``AUTO_MARGIN`` is the bound ``AUTO_LADDER`` states
  (:mod:`GalCubeCraft.renderer.settings`).
- ``throughput N`` (default N = 96): generation rate (cubes/s) of the default spec with 2
  local Dask workers into Zarr, ``render.accuracy`` 'default' against 'auto' (and 'auto'
  with ``rms_fraction = 0.1``), and the same for a low-S/N spec (peak S/N 2.5-8, as in
  the ``lahiry2026-denoising`` study); best of two runs each.
- ``bound N`` (default N = 24): for items of the default spec with accuracy 'auto', the
  worst voxel of the clean cube against a converged render, divided by the item's noise
  rms: the largest over the items, which the rule keeps below ``rms_fraction`` wherever
  a preset of the ladder allows it (and below ``E_default * peak`` otherwise).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from GalCubeCraft.datasets import DatasetSpec  # noqa: E402
from GalCubeCraft.datasets.batch import generate_dataset  # noqa: E402
from GalCubeCraft.factory import make_indexed_cube  # noqa: E402
from GalCubeCraft.renderer.settings import AUTO_LADDER, AUTO_MARGIN, RenderSettings  # noqa: E402


def calibration_spec(n: int) -> DatasetSpec:
    """Return the calibration sample: default priors, widened in angle and rotation speed."""
    return DatasetSpec(
        n_cubes=n,
        seed=2026,
        noise={"peak_snr": None},
        galaxies={"inclination_deg": (0.0, 90.0), "pa_deg": (0.0, 360.0),
                  "v_0_kms": (100.0, 300.0)},
    )  # fmt: skip


def calibrate(n: int) -> None:
    """Print each preset's worst-voxel error of the observed cube over the sample."""
    spec = calibration_spec(n)
    presets = {name: RenderSettings.for_accuracy(name) for name, _bound in AUTO_LADDER}
    errors: dict[str, list[float]] = {name: [] for name in presets}
    seconds = dict.fromkeys(presets, 0.0)
    for index in range(n):
        converged = make_indexed_cube(spec, index, RenderSettings.converged()).products.clean
        truth = np.asarray(converged.data, dtype=np.float64)
        for name, settings in presets.items():
            start = time.perf_counter()
            clean = make_indexed_cube(spec, index, settings).products.clean.data
            seconds[name] += time.perf_counter() - start
            errors[name].append(float(np.abs(clean - truth).max() / truth.max()))
    print(f"worst-voxel error of the observed cube / its peak, {n} items of the sample:")
    for name, stated in AUTO_LADDER:
        e = np.asarray(errors[name])
        print(f"  {name:8s} worst {e.max():.2e} (item {int(e.argmax())}), p99 "
              f"{np.quantile(e, 0.99):.2e}, median {np.median(e):.2e}; "
              f"{1e3 * seconds[name] / n:.0f} ms/item; x{AUTO_MARGIN:g} = "
              f"{AUTO_MARGIN * e.max():.2e} (stated bound {stated:.1e})")  # fmt: skip


def default_spec(n: int, **changes: object) -> DatasetSpec:
    """Return the default spec with ``n`` cubes (and ``changes``)."""
    return DatasetSpec(n_cubes=n, seed=1).replace(**changes)


def rate(spec: DatasetSpec, root: Path) -> float:
    """Cubes/s of ``generate_dataset`` with 2 local workers into Zarr (best of two)."""
    best = 0.0
    for k in range(2):
        report = generate_dataset(spec, root / f"r{k}.zarr", workers=2, progress=False)
        best = max(best, report.cubes_per_second)
    return best


def throughput(n: int) -> None:
    """Print generation rates, accuracy 'default' against 'auto'."""
    root = Path(tempfile.mkdtemp(prefix="gcc-bench-acc-"))
    try:
        for label, noise in (("default spec (peak S/N 5-50)", {}),
                             ("peak S/N 2.5-8", {"noise": {"peak_snr": (2.5, 8.0)}})):  # fmt: skip
            print(label + ":")
            cases = {
                "default": {"accuracy": "default"},
                "auto (rms_fraction 0.01)": {"accuracy": "auto"},
                "auto (rms_fraction 0.1)": {"accuracy": "auto", "rms_fraction": 0.1},
            }
            for k, (name, render) in enumerate(cases.items()):
                spec = default_spec(n, render=render, **noise)
                print(f"  {name:26s}: {rate(spec, root / f'{label[:4]}{k}'):6.2f} cubes/s "
                      "(2 workers, Zarr)")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bound(n: int) -> None:
    """Print the worst voxel of auto-rendered clean cubes against converged, over the rms."""
    for fraction in (0.01, 0.1):
        spec = default_spec(n, render={"accuracy": "auto", "rms_fraction": fraction})
        ratios = []
        for index in range(n):
            made = make_indexed_cube(spec, index).products
            truth = make_indexed_cube(spec, index, RenderSettings.converged()).products.clean
            error = float(np.abs(made.clean.data - np.asarray(truth.data, np.float64)).max())
            ratios.append(error / made.noise_rms)
        r = np.asarray(ratios)
        print(f"rms_fraction {fraction:g}: worst-voxel error / rms over {n} items: max "
              f"{r.max():.2e}, median {np.median(r):.2e}")  # fmt: skip


def main(argv: list[str]) -> None:
    what = argv[0] if argv else "calibrate"
    n = int(argv[1]) if len(argv) > 1 else {"calibrate": 200, "throughput": 96}.get(what, 24)
    {"calibrate": calibrate, "throughput": throughput, "bound": bound}[what](n)


if __name__ == "__main__":
    main(sys.argv[1:])
