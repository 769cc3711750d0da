"""Loader throughput: StoreDataset against direct Zarr reads, through a torch DataLoader.

Run:  python benchmarks/bench_loader.py [--n 256] [--batch-size 16] [--epochs 5]

Writes a Zarr store of ``n`` noisy 40 x 64^2 cubes (accuracy "fast", 2 workers), then
times one epoch (batches of 16, in order) through ``torch.utils.data.DataLoader`` with 0
and 2 loader workers, for the arrays ("noisy", "clean") read by:

- ``StoreDataset(path, arrays=("noisy", "clean"))``: the package's loader (no checksums);
- ``direct``: a minimal Dataset reading ``zarr.open_group(path)[name][i]`` per item (the
  group opened once per process): what a user would write by hand;
- ``direct, cached``: the same, with each array's handle kept (the fastest plain zarr);
- ``checked, all arrays``: ``StoreDataset(path, verify_reads=True)``, every array of the
  item read and checked, as every read did before checks became optional.

Each epoch is timed after a warm-up epoch (workers started, files in the page cache);
the variants take turns, and the best of ``--epochs`` is printed as cubes/s, with the
ratio of each variant's epoch time to the direct reads' (the goal: StoreDataset within
1.2x).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from GalCubeCraft.datasets import DatasetSpec, StoreDataset  # noqa: E402
from GalCubeCraft.datasets.batch import generate_dataset  # noqa: E402

ARRAYS = ("noisy", "clean")


class DirectZarr:
    """Items ``{"index", noisy, clean}`` read straight from the Zarr arrays.

    The group is opened once per process (DataLoader workers reopen it); ``cached`` also
    keeps each array's handle rather than looking it up in the group per item.
    """

    def __init__(self, path: Path, n: int, cached: bool) -> None:
        self.path, self.n, self.cached = path, n, cached
        self._pid: int | None = None
        self._group: Any = None
        self._arrays: dict[str, Any] = {}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> dict[str, Any]:
        import zarr

        if self._pid != os.getpid():
            self._group = zarr.open_group(self.path, mode="r")
            self._arrays = {name: self._group[name] for name in ARRAYS}
            self._pid = os.getpid()
        if self.cached:
            return {"index": index, **{name: self._arrays[name][index] for name in ARRAYS}}
        return {"index": index, **{name: self._group[name][index] for name in ARRAYS}}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pid": None, "_group": None, "_arrays": {}}


def make_store(path: Path, n: int) -> float:
    """Write ``n`` noisy 40 x 64^2 cubes to a Zarr store; return the cubes/s of generation."""
    spec = DatasetSpec(
        n_cubes=n,
        seed=1,
        observation={"grid_size": 64, "n_chan": 40},
        noise={"peak_snr": (5.0, 50.0)},
        render={"accuracy": "fast"},
    )
    start = time.perf_counter()
    generate_dataset(spec, path, fmt="zarr", workers=2, progress=False)
    return n / (time.perf_counter() - start)


def epoch_seconds(loader: Any) -> float:
    """Return the seconds of one pass over ``loader``."""
    start = time.perf_counter()
    for _batch in loader:
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256, help="cubes in the store (default 256)")
    parser.add_argument("--batch-size", type=int, default=16, help="batch size (default 16)")
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs (default 5)")
    args = parser.parse_args()
    from torch.utils.data import DataLoader

    root = Path(tempfile.mkdtemp(prefix="gcc-loader-"))
    try:
        path = root / "loader.zarr"
        rate = make_store(path, args.n)
        print(f"store: {args.n} noisy cubes 40x64x64, written at {rate:.1f} cubes/s (2 workers)")
        variants = {
            "StoreDataset": lambda: StoreDataset(path, arrays=ARRAYS),
            "direct": lambda: DirectZarr(path, args.n, cached=False),
            "direct, cached": lambda: DirectZarr(path, args.n, cached=True),
            "checked, all arrays": lambda: StoreDataset(path, verify_reads=True),
        }
        for workers in (0, 2):
            loaders = {
                name: DataLoader(
                    make(),
                    batch_size=args.batch_size,
                    num_workers=workers,
                    persistent_workers=workers > 0,
                )  # fmt: skip
                for name, make in variants.items()
            }
            for loader in loaders.values():
                epoch_seconds(loader)  # warm-up: workers, handles, page cache
            best = dict.fromkeys(loaders, float("inf"))
            for _ in range(args.epochs):  # the variants take turns: drift hits all alike
                for name, loader in loaders.items():
                    best[name] = min(best[name], epoch_seconds(loader))
            print(f"{workers} loader workers, batch {args.batch_size}, "
                  f"best of {args.epochs} epochs:")  # fmt: skip
            for name, seconds in best.items():
                print(f"  {name:20s} {args.n / seconds:8.1f} cubes/s   "
                      f"time / direct {seconds / best['direct']:.2f}")  # fmt: skip
            del loaders
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
