"""Time to the first cube of a large dataset: store creation, done scan, first item.

Run:  python benchmarks/bench_start.py

For specs of 1,000, 10,000 and 100,000 tiny cubes (8 x 16 x 16), prints the seconds to
create the Zarr store, to scan it for done items, and to render and write the first item:
together, how long a user waits before the first cube exists.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from GalCubeCraft.datasets import DatasetSpec, open_store, render_item


def main() -> None:
    print(f"{'items':>8} {'create s':>9} {'scan s':>7} {'first item s':>13} {'total s':>8}")
    root = Path(tempfile.mkdtemp(prefix="gcc-start-"))
    try:
        for n in (1_000, 10_000, 100_000):
            spec = DatasetSpec(
                n_cubes=n,
                seed=1,
                observation={"grid_size": 16, "n_chan": 8},
                galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
            )
            path = root / f"d{n}.zarr"
            start = time.perf_counter()
            store = open_store(path, spec, "zarr")
            created = time.perf_counter()
            done = store.done_indices()
            scanned = time.perf_counter()
            store.write_item(render_item(spec, 0))
            first = time.perf_counter()
            assert done.size == 0
            print(f"{n:>8} {created - start:>9.2f} {scanned - created:>7.3f} "
                  f"{first - scanned:>13.2f} {first - start:>8.2f}")  # fmt: skip
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
