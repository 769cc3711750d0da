"""Time to the first cube: of a fresh interpreter (import, compiling), and of a large dataset.

Run:  python benchmarks/bench_start.py [--repeats N]

First the cold start, each in fresh interpreters: ``import GalCubeCraft`` (median of
five), and the demo's first cube (``galcubecraft demo``'s facade call: one galaxy, 64^2,
written with its sidecar; import included) with an empty kernel cache (numba compiles
the kernels), ``--repeats`` runs each with a fresh cache: with the helper
processes that compile kernels on idle cores as the package chooses them
(``GALCUBECRAFT_COMPILE_HELPERS`` unset: none unless a core is idle), with none (every
kernel compiled in the one process) and with one; then with the cache warm (numba loads
them).  Wall-clock and CPU seconds, the CPU of this process and of its helpers apart
(CPU time is the steadier figure on a shared machine), and the load average before
each run (helpers gain only where a core is idle).  Then, for specs of 1,000, 10,000
and 100,000 tiny cubes (8 x 16 x 16), the seconds to create the Zarr store, to scan it
for done items, and to render and write the first item: together, how long a user waits
before the first cube of a dataset exists.
"""

from __future__ import annotations

import argparse
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
import resource, tempfile, time
start, cpu = time.perf_counter(), time.process_time()
from GalCubeCraft import GalCubeCraft
g = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=42,
                 fname=tempfile.mkdtemp(), verbose=False, threads=1)
g.generate_cubes()
helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - start, time.process_time() - cpu, helpers.ru_utime + helpers.ru_stime)
"""

HELPERS = "GALCUBECRAFT_COMPILE_HELPERS"
COLD = (("helpers as chosen", None), ("no helper", "0"), ("one helper", "1"))
"""The cold runs: a label, and the helper processes asked for (None: the package's choice)."""


def _fresh(code: str, cache: str | None = None, helpers: str | None = None) -> list[float]:
    """Run ``code`` in a fresh interpreter (kernel cache ``cache``); return its printed figures."""
    env = {key: value for key, value in os.environ.items() if key != HELPERS}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    if helpers is not None:
        env[HELPERS] = helpers
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return [float(word) for word in done.stdout.split()]


def _demo_cube(cache: str, helpers: str | None) -> tuple[float, list[float]]:
    """Return the load average before, and (wall, CPU, helpers' CPU) of the demo's first cube."""
    load = os.getloadavg()[0]
    return load, _fresh(DEMO_CUBE, cache, helpers)


def cold_start(repeats: int) -> None:
    """Print the import time and the demo's first cube with an empty and a warm kernel cache."""
    imports = [_fresh(IMPORT)[0] for _ in range(5)]
    print(f"import GalCubeCraft: {statistics.median(imports):.3f} s (median of 5 fresh "
          f"interpreters; {min(imports):.3f}-{max(imports):.3f})")  # fmt: skip
    print("demo's first cube, import included, each run with a fresh cache (s): wall, CPU "
          "here + in helpers, load average before the run")  # fmt: skip
    cache = ""
    runs: dict[str, list[tuple[float, list[float]]]] = {label: [] for label, _ in COLD}
    for _ in range(repeats):  # the kinds in turn: the machine's load drifts over them alike
        for label, helpers in COLD:
            shutil.rmtree(cache, ignore_errors=True)
            cache = tempfile.mkdtemp(prefix="gcc-numba-")
            runs[label].append(_demo_cube(cache, helpers))
    for label, results in runs.items():
        for run, (load, (wall, cpu, helper_cpu)) in enumerate(results):
            name = f"empty kernel cache, {label}:" if run == 0 else ""
            print(f"  {name:<38} {wall:5.2f} wall, {cpu:5.2f} + {helper_cpu:4.2f} CPU  "
                  f"(load {load:.1f})")  # fmt: skip
    try:
        _, (wall, cpu, _) = _demo_cube(cache, None)
        print(f"  {'warm kernel cache:':<38} {wall:5.2f} wall, {cpu:5.2f} CPU")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="cold runs of each kind")
    cold_start(parser.parse_args().repeats)
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
