"""Dataset throughput and the cost of each cube: stages, workers, memory.

Run:  python benchmarks/bench_dataset.py [items | cubes | workers | all]   (default: all)

``items`` -- the issue's dataset case: items of the default spec (40 x 64^2, 1-3 galaxies,
peak S/N 5-50, accuracy 'auto') rendered and written to Zarr in one process.  A table of
milliseconds per item in each stage (draw, render, instrument, noise, S/N, moments,
labels and catalogue, item assembly, Zarr write): the least over ``--repeats`` runs of
CPU time (this process, all threads) and wall time; then cubes/s per core (from the CPU
time) and per wall second.  Each figure with the buffer pool and without it (``pool
off``: every array fresh, as before the pool).

``workers`` -- the same items written to Zarr by two plain processes side by side (their
rates added: the ceiling) and by a warm 2-worker Dask cluster; then the older 40 x 125^2
figures: Dask with 1 and 2 workers, 2 workers as a fraction of the ceiling, the fast
preset, and a batch of 64 read back through a torch DataLoader.

``cubes`` -- ``make_cubes`` with noise (peak S/N 10) for one disk: 128 x 256^2 at the fast
preset and 256 x 512^2 at the default accuracy, each in a fresh process: milliseconds
(least of several, wall and CPU) and the peak memory (the process's maximum resident
size above what it held before the first large cube, and NumPy's peak by tracemalloc in
another run), pool on and off; then 256 x 512^2 keeping two of the three cubes
(``make_cubes(..., keep=...)``), pool on.

A checkout without the pool (an earlier release) runs every part, its figures under
"pool on" (nothing to turn off).  On a shared machine take the least figures and the CPU
times: other processes stretch the wall clock.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from GalCubeCraft.datasets import DatasetSpec, StoreDataset, open_store, render_item  # noqa: E402
from GalCubeCraft.datasets.batch import generate_dataset  # noqa: E402

try:  # the buffer pool (issue 27); an earlier checkout has none
    from GalCubeCraft._support import buffers
except ImportError:  # pragma: no cover - measuring an older release
    buffers = None  # type: ignore[assignment]

N_ITEMS = 48
N_SERIAL = 32
N_DASK = 96
REPEATS = 2

# --- items: stages of one item, in one process ----------------------------------------

STAGES = ("draw", "render", "instrument", "noise", "S/N", "moments", "other", "labels + catalogue",
          "item assembly", "Zarr write", "total")  # fmt: skip
"""The stages timed: ``other`` is the rest of the factory (checks, the Cube records),
``item assembly`` the rest of ``render_item`` (its arrays, the parameter row)."""
_FACTORY = STAGES[:6]
_spent: dict[str, float] = {}
_making = [0]  # > 0 inside make_indexed_cube


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``function`` adding the CPU and wall seconds of each call to ``_spent``.

    Time spent outside ``make_indexed_cube`` is also added to ``<name> outside`` (the
    integrated S/N is measured when the item reads it).
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        outside = not _making[0]
        _making[0] += name == "make"
        try:
            return function(*args, **kwargs)
        finally:
            _making[0] -= name == "make"
            for clock, seconds in (("cpu", time.process_time() - cpu),
                                   ("wall", time.perf_counter() - wall)):  # fmt: skip
                _add(f"{name} {clock}", seconds)
                if outside:
                    _add(f"{name} outside {clock}", seconds)

    return wrapper


def _add(name: str, seconds: float) -> None:
    """Add ``seconds`` to ``_spent[name]``."""
    _spent[name] = _spent.get(name, 0.0) + seconds


def _install_timers() -> None:
    """Wrap each stage's function where the factory and the items call it (this process).

    A name is wrapped in each module that calls it: the factory, and (since ``keep``)
    the scene module that renders and observes for it.
    """
    from GalCubeCraft import factory
    from GalCubeCraft.datasets import items
    from GalCubeCraft.instrument import noise_level

    try:  # the scene's renders and instrument (an earlier checkout has them in the factory)
        from GalCubeCraft.instrument import scene
    except ImportError:  # pragma: no cover - measuring an older release
        scene = factory
    stages = {"render_galaxy_into": "render", "render_blobs_into": "render",
              "apply_instrument": "instrument", "observe_into": "instrument",
              "draw_scene": "draw", "noise_cube": "noise", "add_noise_into": "noise",
              "peak_snr": "S/N", "integrated_snr": "S/N", "moments": "moments"}  # fmt: skip
    for module in {factory, scene}:
        for name, stage in stages.items():
            if hasattr(module, name):
                setattr(module, name, _timed(stage, getattr(module, name)))
    noise_level.NoiseModel.rms_for = _timed("S/N", noise_level.NoiseModel.rms_for)
    items.label_arrays = _timed("labels + catalogue", items.label_arrays)
    items.galaxy_catalogue = _timed("labels + catalogue", items.galaxy_catalogue)
    items.make_indexed_cube = _timed("make", items.make_indexed_cube)


def default_spec(n: int) -> DatasetSpec:
    """Return the issue's dataset: the default spec (40 x 64^2, noise, accuracy 'auto')."""
    return DatasetSpec(n_cubes=n, seed=1)


@contextlib.contextmanager
def pool(enabled: bool) -> Iterator[None]:
    """Run the block with the buffer pool, or with every array fresh (as before it)."""
    if buffers is None or enabled:
        yield
        return
    buffers.clear()
    with buffers.idle_limit(0):
        yield


def item_stages(enabled: bool, path: Path) -> dict[str, float]:
    """Return ms per item of each stage (cpu and wall) over one run of N_ITEMS items."""
    from GalCubeCraft.datasets import items

    spec = default_spec(N_ITEMS)
    with pool(enabled):
        store = open_store(path, spec, "zarr")
        store.write_item(items.render_item(spec, 0))  # first-call costs off the clock
        _spent.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for index in range(N_ITEMS):
            start = time.process_time(), time.perf_counter()
            item = items.render_item(spec, index)
            between = time.process_time(), time.perf_counter()
            store.write_item(item)
            end = time.process_time(), time.perf_counter()
            for k, clock in enumerate(("cpu", "wall")):
                _add(f"item {clock}", between[k] - start[k])
                _add(f"Zarr write {clock}", end[k] - between[k])
            del item
        _spent["total cpu"] = time.process_time() - cpu
        _spent["total wall"] = time.perf_counter() - wall
    for clock in ("cpu", "wall"):
        spent = {name: _spent.get(f"{name} {clock}", 0.0)
                 for name in (*STAGES, "S/N outside", "make", "item")}  # fmt: skip
        late = spent["S/N outside"]  # the integrated S/N, measured when the item reads it
        inside = sum(spent[name] for name in _FACTORY) - late
        _spent[f"other {clock}"] = spent["make"] - inside
        assembly = spent["item"] - spent["make"] - spent["labels + catalogue"] - late
        _spent[f"item assembly {clock}"] = assembly
    return {key: 1e3 * value / N_ITEMS for key, value in _spent.items()}


def items_table(repeats: int) -> None:
    """Print the stage table of the default spec's items, pool on and off."""
    _install_timers()
    root = Path(tempfile.mkdtemp(prefix="gcc-bench-"))
    try:
        runs: dict[bool, dict[str, float]] = {}
        for repeat in range(repeats):  # alternated: the machine's speed drifts
            for on in (True, False):
                run = item_stages(on, root / f"items-{on}-{repeat}.zarr")
                if on not in runs or run["total cpu"] < runs[on]["total cpu"]:
                    runs[on] = run
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"items of the default spec (40x64^2, 1-3 galaxies, noise, accuracy 'auto') written "
          f"to Zarr, one process; ms per item, least of {repeats} runs of {N_ITEMS}:")  # fmt: skip
    print(f"{'stage':>20} {'CPU, pool':>10} {'CPU, off':>9} {'wall, pool':>11} {'wall, off':>10}")
    for stage in STAGES:
        cells = [runs[on].get(f"{stage} {clock}", 0.0) for clock in ("cpu", "wall")
                 for on in (True, False)]  # fmt: skip
        widths = (10, 9, 11, 10)
        print(
            f"{stage:>20} " + " ".join(f"{c:>{w}.2f}" for c, w in zip(cells, widths, strict=True))
        )
    for clock, unit in (("cpu", "per core (CPU time)"), ("wall", "per wall second")):
        rate = {on: 1e3 / runs[on][f"total {clock}"] for on in (True, False)}
        print(f"  cubes/s {unit}: {rate[True]:.1f} with the pool, {rate[False]:.1f} without")


# --- workers: two processes, Dask ------------------------------------------------------


def spec(n: int, accuracy: str = "default") -> DatasetSpec:
    """Return the older benchmark's dataset: 40x125^2 cubes of the default priors, noise."""
    return DatasetSpec(
        n_cubes=n,
        seed=1,
        observation={"grid_size": 125, "n_chan": 40},
        noise={"peak_snr": (5.0, 50.0)},
        render={"accuracy": accuracy},
    )


def dask_rate(workers: int, root: Path, the_spec: DatasetSpec) -> float:
    """Cubes/s of a warm local cluster: start-up and imports happen before the clock runs."""
    import dask
    from dask.distributed import Client, LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)  # as generate_dataset's own clusters do
    start = time.perf_counter()
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    with cluster, Client(cluster) as client:
        client.run(render_item, the_spec.replace(n_cubes=1), 0)  # import and warm every worker
        print(f"  ({workers} worker(s): cluster ready in {time.perf_counter() - start:.1f} s)")
        report = generate_dataset(the_spec, root / "dask.zarr",
                                  scheduler=cluster.scheduler_address, progress=False)  # fmt: skip
    return report.cubes_per_second


def plain_process(task: tuple[int, int, str, str]) -> float:
    """Render and write items ``[first, first + n)`` to a store of its own; return cubes/s."""
    first, n, path, which = task
    s = default_spec(N_DASK) if which == "default" else spec(N_DASK)
    render_item(s, first)  # imports and first-call costs, off the clock
    store = open_store(path, s, "zarr")
    start = time.perf_counter()
    for index in range(first, first + n):
        store.write_item(render_item(s, index))
    return n / (time.perf_counter() - start)


def ceiling(root: Path, which: str) -> float:
    """Cubes/s of two independent processes running side by side (their rates added)."""
    import multiprocessing

    half = N_DASK // 2  # the same work as a Dask run
    tasks = [(k * half, half, str(root / f"plain{k}.zarr"), which) for k in (0, 1)]
    with multiprocessing.get_context("spawn").Pool(2) as workers:
        return float(sum(workers.map(plain_process, tasks)))


def workers_table() -> None:
    """Print cubes/s of two processes and of Dask workers (40x64^2, then 40x125^2)."""
    root = Path(tempfile.mkdtemp(prefix="gcc-bench-"))
    try:
        tops, twos = [], []
        for repeat in range(REPEATS):  # alternated: the machine's speed drifts
            tops.append(ceiling(root / f"p{repeat}", "default"))
            twos.append(dask_rate(2, root / f"q{repeat}", default_spec(N_DASK)))
        print(f"40x64^2 items, 2 plain processes: {max(tops):6.2f} cubes/s; Dask, 2 workers: "
              f"{max(twos):6.2f} cubes/s (best of {REPEATS})")  # fmt: skip
        s = spec(N_SERIAL)
        render_item(s, 0)  # first-call costs off the clock
        start = time.perf_counter()
        items = [render_item(s, i) for i in range(N_SERIAL)]
        item_seconds = time.perf_counter() - start
        store = open_store(root / "serial.zarr", s, "zarr")
        start = time.perf_counter()
        for item in items:
            store.write_item(item)
        write_seconds = time.perf_counter() - start
        total = item_seconds + write_seconds
        share = 100 * write_seconds / total
        print(f"40x125^2, render + write, 1 process: {N_SERIAL / total:6.2f} cubes/s "
              f"({1e3 * total / N_SERIAL:.0f} ms/cube, writing {share:.0f}%)")  # fmt: skip
        one = dask_rate(1, root / "a", spec(N_DASK))
        print(f"40x125^2, Dask, 1 worker       : {one:6.2f} cubes/s")
        tops, twos = [], []
        for repeat in range(REPEATS):
            tops.append(ceiling(root / f"c{repeat}", "125"))
            twos.append(dask_rate(2, root / f"d{repeat}", spec(N_DASK)))
        print(f"40x125^2, 2 plain processes    : {max(tops):6.2f} cubes/s (best of {REPEATS})")
        print(f"40x125^2, Dask, 2 workers      : {max(twos):6.2f} cubes/s (best of {REPEATS}), "
              f"{100 * max(twos) / max(tops):.0f}% of the two processes")  # fmt: skip
        fast = dask_rate(2, root / "f", spec(N_DASK, "fast"))
        print(f"40x125^2, Dask, 2 workers, fast: {fast:6.2f} cubes/s (accuracy='fast')")
        try:
            from torch.utils.data import DataLoader
        except ImportError:
            print("torch not installed: DataLoader read skipped")
            return
        loader = DataLoader(StoreDataset(root / "d0" / "dask.zarr"), batch_size=64, num_workers=0)
        start = time.perf_counter()
        batch = next(iter(loader))
        print(f"DataLoader batch of 64 from Zarr: {time.perf_counter() - start:.2f} s "
              f"({tuple(batch['noisy'].shape)})")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- cubes: one large cube, time and memory, in a fresh process -------------------------

CUBE = r"""
import json, os, resource, sys, time, tracemalloc
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
from GalCubeCraft import Beam, Galaxy, Observation, RenderSettings, SpectralAxis
from GalCubeCraft.factory import make_cubes
from GalCubeCraft.instrument.noise_level import NoiseModel
grid, n_chan, accuracy, enabled, repeats, traced, keep = json.loads(sys.argv[1])
try:
    from GalCubeCraft._support import buffers
except ImportError:
    buffers = None
if buffers is not None and not enabled:
    buffers.idle_limit(0).__enter__()
galaxy = Galaxy(r_e_kpc=5.0, n_sersic=1.0, h_z_kpc=0.7, inclination_deg=55, pa_deg=40,
                sigma_kms=40)
def observation(grid, n_chan):
    return Observation(nx=grid, ny=grid, pixel_kpc=5.0 / (4.0 * grid / 125),
                       spectral=SpectralAxis(n_chan, -600, 600), beam=Beam(4.0, 4.0),
                       line_spread="gaussian")
settings = RenderSettings.fast() if accuracy == "fast" else RenderSettings()
def make(obs):
    extra = {} if keep is None else {"keep": keep}  # an earlier release has no keep
    return make_cubes([galaxy], obs, settings, NoiseModel(peak_snr=10.0), np.random.default_rng(1),
                      **extra)
make(observation(32, 8))  # kernels loaded, off the clock and below the memory baseline
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
obs = observation(grid, n_chan)
if traced:
    tracemalloc.start()
times = []
for _ in range(repeats):
    cpu, wall = time.process_time(), time.perf_counter()
    made = make(obs)
    times.append((time.perf_counter() - wall, time.process_time() - cpu))
    del made
peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": min(t[0] for t in times), "cpu": min(t[1] for t in times),
                  "rss": rss, "above": rss - base, "traced": peak}))
"""


def cube_run(grid: int, n_chan: int, accuracy: str, enabled: bool, repeats: int, traced: bool,
             keep: tuple[str, ...] | None = None) -> dict[str, float]:  # fmt: skip
    """Return one fresh process's figures for ``make_cubes`` (see the module docstring)."""
    argument = json.dumps([grid, n_chan, accuracy, enabled, repeats, traced, keep])
    done = subprocess.run([sys.executable, "-c", CUBE, argument], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return dict(json.loads(done.stdout.splitlines()[-1]))


def cubes_table(repeats: int) -> None:
    """Print time and peak memory of make_cubes with noise, pool on and off."""
    print("make_cubes with noise (peak S/N 10), one disk, a fresh process each:")
    print(f"{'cube':>22} {'pool':>5} {'wall ms':>9} {'CPU ms':>8} {'max RSS MiB':>12} "
          f"{'above base':>11} {'NumPy peak MiB':>15}")  # fmt: skip
    for grid, n_chan, accuracy, count in ((256, 128, "fast", 7), (512, 256, "default", 3)):
        for enabled in (True, False):
            timed = cube_run(grid, n_chan, accuracy, enabled, max(count, repeats), False)
            traced = cube_run(grid, n_chan, accuracy, enabled, 1, True)
            name = f"{n_chan}x{grid}^2 {accuracy}"
            print(f"{name:>22} {'on' if enabled else 'off':>5} {1e3 * timed['wall']:>9.0f} "
                  f"{1e3 * timed['cpu']:>8.0f} {timed['rss']:>12.0f} {timed['above']:>11.0f} "
                  f"{traced['traced']:>15.0f}")  # fmt: skip
    print("256x512^2 default, keeping two cubes (make_cubes(..., keep=...)), pool on:")
    for keep in (("clean", "noisy"), ("model", "noisy"), ("model", "clean")):
        timed = cube_run(512, 256, "default", True, max(3, repeats), False, keep)
        traced = cube_run(512, 256, "default", True, 1, True, keep)
        print(f"{'+'.join(keep):>22} {'on':>5} {1e3 * timed['wall']:>9.0f} "
              f"{1e3 * timed['cpu']:>8.0f} {timed['rss']:>12.0f} {timed['above']:>11.0f} "
              f"{traced['traced']:>15.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all",
                        choices=("items", "cubes", "workers", "all"))  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3, help="runs of each figure (least kept)")
    args = parser.parse_args()
    if buffers is None:
        print("(no buffer pool in this checkout: 'pool off' repeats 'pool on')")
    if args.part in ("items", "all"):
        items_table(args.repeats)
    if args.part in ("cubes", "all"):
        cubes_table(args.repeats)
    if args.part in ("workers", "all"):
        workers_table()


if __name__ == "__main__":
    main()
