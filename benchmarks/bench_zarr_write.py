"""The Zarr write of dataset items alone: CPU and wall ms per item, files and folders made.

Run:  python benchmarks/bench_zarr_write.py [--items N] [--repeats R]

Items of the default spec (40 x 64^2, noise, accuracy 'auto') are rendered once, then
written ``--repeats`` times, each time to a fresh store (its creation off the clock), by
``ZarrStore.write_item``.  Printed: the least and the median CPU ms (this process) and
wall ms per item over the repeats, and the files and folders one store's items added.
On a shared machine read the least CPU figure: other processes stretch the wall clock.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from GalCubeCraft.datasets import DatasetSpec, open_store, render_item


def _entries(path: Path) -> tuple[int, int]:
    """Return ``(files, folders)`` under ``path``."""
    files = folders = 0
    for _folder, subfolders, names in os.walk(path):
        files += len(names)
        folders += len(subfolders)
    return files, folders


def _positive(text: str) -> int:
    """Return ``text`` as a whole number of at least 1 (argparse's type)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=_positive, default=48)
    parser.add_argument("--repeats", type=_positive, default=7)
    args = parser.parse_args()
    spec = DatasetSpec(n_cubes=args.items, seed=1)
    items = [render_item(spec, index) for index in range(args.items)]
    root = Path(tempfile.mkdtemp(prefix="gcc-bench-write-"))
    cpu, wall = [], []
    try:
        for repeat in range(args.repeats + 1):
            path = root / f"r{repeat}.zarr"
            store = open_store(path, spec, "zarr")
            empty = _entries(path)
            start = time.process_time(), time.perf_counter()
            for item in items:
                store.write_item(item)
            end = time.process_time(), time.perf_counter()
            store.close()
            if repeat:  # the first run pays first-call costs
                cpu.append(1e3 * (end[0] - start[0]) / args.items)
                wall.append(1e3 * (end[1] - start[1]) / args.items)
            added = [b - a for a, b in zip(empty, _entries(path), strict=True)]
            shutil.rmtree(path)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"Zarr write of {args.items} items (40x64^2, default spec), {args.repeats} runs, "
          f"load {os.getloadavg()[0]:.2f}:")  # fmt: skip
    print(f"  CPU ms/item : least {min(cpu):.2f}, median {statistics.median(cpu):.2f}")
    print(f"  wall ms/item: least {min(wall):.2f}, median {statistics.median(wall):.2f}")
    print(f"  per item: {added[0] / args.items:.1f} files, {added[1] / args.items:.1f} folders")


if __name__ == "__main__":
    main()
