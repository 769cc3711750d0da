"""Seconds per item of the default spec and of every shipped preset, in this process.

Run: ``python benchmarks/bench_presets.py [ITEMS]`` (default 12 items each, after one
warm-up item).  Each line: the spec, its cube shape, seconds per item (mean of the items,
every array of the item made as a dataset item makes it) and items per second.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402

from GalCubeCraft.datasets import render_item  # noqa: E402
from GalCubeCraft.priors.spec import DatasetSpec, preset_names  # noqa: E402


def seconds_per_item(spec: DatasetSpec, items: int) -> float:
    """Return the mean seconds to render one item of ``spec`` (items 1..items)."""
    render_item(spec, 0)  # warm-up: compiled kernels, FFT plans
    start = time.perf_counter()
    for index in range(1, items + 1):
        render_item(spec, index)
    return (time.perf_counter() - start) / items


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    specs = {"DatasetSpec() + peak S/N 5-50": DatasetSpec(noise={"peak_snr": (5.0, 50.0)})}
    specs.update({name: DatasetSpec.from_preset(name) for name in preset_names()})
    print(f"{'spec':<32} {'shape':>14} {'s/item':>8} {'items/s':>8}")
    for name, spec in specs.items():
        spec = spec.replace(n_cubes=items + 1)
        seconds = seconds_per_item(spec, items)
        shape = "x".join(map(str, spec.shape))
        print(f"{name:<32} {shape:>14} {seconds:>8.3f} {1.0 / seconds:>8.2f}")


if __name__ == "__main__":
    main()
