"""Render accuracy against the noise: the calibration of ``accuracy = "auto"``, and its speed.

Run:  python benchmarks/bench_accuracy.py [calibrate N | throughput N | cpu N | bound N]

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
  warm local Dask workers into Zarr, ``render.accuracy`` 'default' and 'fast' against
  'auto' (``rms_fraction`` 0.01 and 0.1), and the same for a low-S/N spec (peak S/N
  2.5-8, as in the ``lahiry2026-denoising`` study); best of three interleaved rounds.
  A release without 'auto' runs the rest (the figure before it).
- ``cpu N`` (default N = 24): the same cases' CPU time per item in one process (steadier
  than the rates on a shared machine).
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
from GalCubeCraft.renderer.settings import RenderSettings  # noqa: E402


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
    from GalCubeCraft.renderer.settings import AUTO_LADDER, AUTO_MARGIN

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


CASES = {
    "default": {"accuracy": "default"},
    "fast": {"accuracy": "fast"},
    "auto (rms_fraction 0.01)": {"accuracy": "auto", "rms_fraction": 0.01},
    "auto (rms_fraction 0.1)": {"accuracy": "auto", "rms_fraction": 0.1},
}
"""The ``[render]`` tables compared (the 'auto' ones are skipped by a release without it)."""
SPECS = {"default spec (peak S/N 5-50)": {}, "peak S/N 2.5-8": {"noise": {"peak_snr": (2.5, 8.0)}}}
REPEATS = 3


def compared_specs(n: int, say_skipped: bool) -> dict[tuple[str, str], DatasetSpec]:
    """Return the spec of each (noise, case) pair of ``n`` items (cases a release lacks: none)."""
    specs = {}
    for label, noise in SPECS.items():
        for case, render in CASES.items():
            try:
                specs[label, case] = default_spec(n, render=render, **noise)
            except ValueError:
                if say_skipped:
                    print(f"  ({case}: not in this release)")
    return specs


def throughput(n: int) -> None:
    """Print generation rates (2 warm Dask workers, Zarr), the cases interleaved, best of 3.

    This machine's speed drifts between runs: each case runs once per round, and the best
    of :data:`REPEATS` rounds is kept.
    """
    from dask.distributed import Client

    from GalCubeCraft.datasets.cluster import local_cluster

    root = Path(tempfile.mkdtemp(prefix="gcc-bench-acc-"))
    try:
        cluster = local_cluster(2)  # the workers generate_dataset's own clusters start
        with cluster, Client(cluster) as client:
            from GalCubeCraft.datasets import render_item

            client.run(render_item, default_spec(1), 0)  # import and warm every worker
            specs = compared_specs(n, say_skipped=True)
            best = dict.fromkeys(specs, 0.0)
            for repeat in range(REPEATS):
                for k, (key, spec) in enumerate(specs.items()):
                    report = generate_dataset(spec, root / f"{repeat}-{k}.zarr",
                                              scheduler=cluster.scheduler_address,
                                              progress=False)  # fmt: skip
                    best[key] = max(best[key], report.cubes_per_second or 0.0)
        for label in SPECS:
            print(f"{label}, {n} cubes, 2 workers, Zarr (best of {REPEATS}):")
            for case in CASES:
                if (label, case) in best:
                    print(f"  {case:26s}: {best[label, case]:6.2f} cubes/s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def cpu(n: int) -> None:
    """Print the CPU time per item (``render_item``, one process), the cases interleaved.

    CPU time moves less than the wall clock when other processes share the cores.
    """
    from GalCubeCraft.datasets import render_item

    specs = compared_specs(n, say_skipped=False)
    render_item(default_spec(1), 0)  # first-call costs off the clock
    seconds = dict.fromkeys(specs, 0.0)
    for index in range(n):
        for key, spec in specs.items():
            start = time.process_time()
            render_item(spec, index)
            seconds[key] += time.process_time() - start
    for label in SPECS:
        print(f"{label}: CPU ms per item over {n} items (1 process)")
        for case in CASES:
            if (label, case) in seconds:
                print(f"  {case:26s}: {1e3 * seconds[label, case] / n:6.1f} ms")


def bound(n: int) -> None:
    """Print, per spec and rms_fraction, the presets 'auto' took and its errors over the rms.

    The error is the worst voxel of the clean cube against a converged render; the rule
    keeps it below ``rms_fraction * rms`` wherever a preset allows it, and below
    ``E_default * peak`` where none does (those cubes are counted apart).
    """
    from GalCubeCraft.renderer.settings import AUTO_LADDER

    for label, noise in SPECS.items():
        truths = [np.asarray(make_indexed_cube(default_spec(n, **noise), index,
                                               RenderSettings.converged()).products.clean.data,
                             dtype=np.float64) for index in range(n)]  # fmt: skip
        for fraction in (0.01, 0.1):
            spec = default_spec(n, render={"accuracy": "auto", "rms_fraction": fraction}, **noise)
            taken = dict.fromkeys((name for name, _e in AUTO_LADDER), 0)
            within, capped, every = [], [], []
            for index, truth in enumerate(truths):
                made = make_indexed_cube(spec, index).products
                name = next(k for k, _e in AUTO_LADDER
                            if RenderSettings.for_accuracy(k) == made.settings)  # fmt: skip
                taken[name] += 1
                error = float(np.abs(made.clean.data - truth).max())
                every.append(error / made.noise_rms)
                if AUTO_LADDER[-1][1] * made.peak_snr <= fraction or name != "default":
                    within.append(error / made.noise_rms)
                else:
                    capped.append(error / (AUTO_LADDER[-1][1] * truth.max()))
            print(f"{label}, rms_fraction {fraction:g}, {n} items: presets {taken}, worst "
                  f"error / rms {max(every):.2e}")  # fmt: skip
            if within:
                print(
                    f"  within the rule: worst error / rms {max(within):.2e} "
                    f"(bound {fraction:g}), median {np.median(within):.2e}"
                )
            if capped:
                print(
                    f"  past 'default' ({len(capped)}): worst error / (E_default * peak) "
                    f"{max(capped):.2f} (bound 1)"
                )


def main(argv: list[str]) -> None:
    """Run one measurement: calibrate (default), throughput, cpu or bound."""
    import argparse

    parser = argparse.ArgumentParser(description="Render accuracy that follows the noise.")
    parser.add_argument("what", nargs="?", default="calibrate",
                        choices=("calibrate", "throughput", "cpu", "bound"),
                        help="the measurement (default calibrate)")  # fmt: skip
    parser.add_argument("n", nargs="?", type=int, default=None, help="items (per case)")
    args = parser.parse_args(argv)
    n = args.n if args.n is not None else {"calibrate": 200, "throughput": 96}.get(args.what, 24)
    {"calibrate": calibrate, "throughput": throughput, "cpu": cpu, "bound": bound}[args.what](n)


if __name__ == "__main__":
    main(sys.argv[1:])
