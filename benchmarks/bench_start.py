"""Time to the first cube: of a fresh interpreter (import, compiling), and of a large dataset.

Run:  python benchmarks/bench_start.py

First the cold start, each in fresh interpreters: ``import GalCubeCraft`` (median of
five), and the demo's first cube (``galcubecraft demo``'s facade call: one galaxy, 64^2,
written with its sidecar; import included) with an empty kernel cache (numba compiles
the kernels) and then with it warm (numba loads them), in wall-clock and CPU seconds
(CPU time is the steadier figure on a shared machine).  Then, for specs of 1,000, 10,000
and 100,000 tiny cubes (8 x 16 x 16), the seconds to create the Zarr store, to scan it
for done items, and to render and write the first item: together, how long a user waits
before the first cube of a dataset exists.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from GalCubeCraft.datasets import DatasetSpec, open_store, render_item

IMPORT = """
import time
start = time.perf_counter()
import GalCubeCraft
print(time.perf_counter() - start)
"""

DEMO_CUBE = """
import sys, tempfile, time
start, cpu = time.perf_counter(), time.process_time()
from GalCubeCraft import GalCubeCraft
g = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=42,
                 fname=tempfile.mkdtemp(), verbose=False, threads=1)
g.generate_cubes()
print(time.perf_counter() - start, time.process_time() - cpu)
"""


def _fresh(code: str, cache: str | None = None) -> list[float]:
    """Run ``code`` in a fresh interpreter (kernel cache ``cache``); return its printed figures."""
    env = dict(os.environ)
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return [float(word) for word in done.stdout.split()]


def cold_start() -> None:
    """Print the import time and the demo's first cube with an empty and a warm kernel cache."""
    imports = [_fresh(IMPORT)[0] for _ in range(5)]
    print(f"import GalCubeCraft: {statistics.median(imports):.3f} s (median of 5 fresh "
          f"interpreters; {min(imports):.3f}-{max(imports):.3f})")  # fmt: skip
    cache = tempfile.mkdtemp(prefix="gcc-numba-")
    try:
        for state in ("empty", "warm"):
            wall, cpu = _fresh(DEMO_CUBE, cache)
            print(f"demo's first cube, {state} kernel cache: {wall:.2f} s ({cpu:.2f} s CPU), "
                  "import included")  # fmt: skip
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    cold_start()
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
