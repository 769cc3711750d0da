"""Dataset throughput: rendering, writing to Zarr, Dask workers, reading back.

Run:  python benchmarks/bench_dataset.py

Prints cubes/s for 40x125x125 cubes with noise: rendering in one process and the time of
the Zarr writes of the same items (timed apart, so their ratio is the cost of writing),
then Dask with 1 and 2 local workers (the generation rate of a warm cluster; its start-up
is printed apart), and the time to read one batch of 64 cubes back through a torch
DataLoader.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from GalCubeCraft.datasets import DatasetSpec, StoreDataset, open_store, render_item  # noqa: E402
from GalCubeCraft.datasets.batch import generate_dataset  # noqa: E402

N_SERIAL = 32
N_DASK = 96


def spec(n: int) -> DatasetSpec:
    return DatasetSpec(n_cubes=n, seed=1, grid_size=125, n_chan=40, peak_snr=(5.0, 50.0))


def dask_rate(workers: int, root: Path) -> float:
    """Cubes/s of a warm local cluster: start-up and imports happen before the clock runs."""
    import dask
    from dask.distributed import Client, LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)  # as generate_dataset's own clusters do
    start = time.perf_counter()
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
    with cluster, Client(cluster) as client:
        client.run(render_item, spec(1), 0)  # import and warm every worker
        print(f"  ({workers} worker(s): cluster ready in {time.perf_counter() - start:.1f} s)")
        report = generate_dataset(spec(N_DASK), root / f"dask{workers}.zarr",
                                  scheduler=cluster.scheduler_address, progress=False)  # fmt: skip
    return report.cubes_per_second


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="gcc-bench-"))
    try:
        s = spec(N_SERIAL)
        start = time.perf_counter()
        items = [render_item(s, i) for i in range(N_SERIAL)]
        render_seconds = time.perf_counter() - start
        store = open_store(root / "serial.zarr", s, "zarr")
        start = time.perf_counter()
        for item in items:
            store.write_item(item)
        write_seconds = time.perf_counter() - start
        print(f"render, 1 process             : {N_SERIAL / render_seconds:6.2f} cubes/s")
        print(
            f"Zarr writes                   : {1e3 * write_seconds / N_SERIAL:6.1f} ms/cube "
            f"({100 * write_seconds / render_seconds:.0f}% of rendering)"
        )
        rates = {}
        for workers in (1, 2):
            rates[workers] = dask_rate(workers, root)
            print(f"Dask, {workers} worker(s)            : {rates[workers]:6.2f} cubes/s")
        print(
            f"speed-up 2 workers / 1 worker : {rates[2] / rates[1]:.2f}x  (one worker has the "
            "second core free for the scheduler and client)"
        )
        single = N_SERIAL / (render_seconds + write_seconds)
        print(f"speed-up 2 workers / 1 process: {rates[2] / single:.2f}x  "
              "(against rendering + writing in one process)")  # fmt: skip
        try:
            from torch.utils.data import DataLoader
        except ImportError:
            print("torch not installed: DataLoader read skipped")
            return
        loader = DataLoader(StoreDataset(root / "dask2.zarr"), batch_size=64, num_workers=0)
        start = time.perf_counter()
        batch = next(iter(loader))
        print(
            f"DataLoader batch of 64 from Zarr: {time.perf_counter() - start:.2f} s "
            f"({tuple(batch['noisy'].shape)})"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
