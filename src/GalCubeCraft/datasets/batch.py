"""Parallel and distributed dataset generation; the only module that imports dask.

Tasks of a few cube indices each (every cube is still written and marked done on its
own).  By default a ``LocalCluster`` with one single-threaded worker
process per core starts with no set-up; given a scheduler address the same call runs on
an existing ``dask.distributed`` cluster.  Zarr, npy and FITS items are written by the
workers themselves (each into its own chunk or files); HDF5 items are sent back and
written by this process, HDF5 taking a single writer.

Runs resume: items already marked done are skipped, and an item counts as done only once
all its arrays are written, so an interrupted run loses nothing and duplicates nothing.
The store's content does not depend on the number of workers: item ``i`` is a pure
function of ``(spec, i)``.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .. import _validate
from .._progress import ProgressBar
from . import folder_store
from .items import Item, render_item
from .spec import DatasetSpec

FORMATS = ("zarr", "hdf5", "npy", "fits")
log = logging.getLogger("GalCubeCraft")


@dataclass(frozen=True)
class GenerationReport:
    """What a generation run did: items written, items found done, seconds taken."""

    written: int
    skipped: int
    seconds: float

    @property
    def cubes_per_second(self) -> float:
        """Throughput of this run."""
        return self.written / self.seconds if self.seconds > 0 else float("nan")


def _render_and_write(index: int, spec: DatasetSpec, path: str, fmt: str) -> int:
    """Render item ``index`` and write it into the store (marking it done last)."""
    item = render_item(spec, index)
    if fmt == "zarr":
        from . import zarr_store

        zarr_store.write_item(path, item)
    else:
        folder_store.write_item(path, spec, item, fmt)
    return index


def _render_and_write_many(indices: list[int], spec: DatasetSpec, path: str, fmt: str) -> int:
    """Worker task: render and write several items, each marked done on its own."""
    for index in indices:
        _render_and_write(index, spec, path, fmt)
    return len(indices)


def _batches(todo: list[int], n_workers: int) -> list[list[int]]:
    """Split ``todo`` into tasks of a few cubes: fewer tasks, less scheduler work.

    A cube takes tens of milliseconds, comparable to a task's scheduling cost, so one
    task per cube leaves the scheduler competing with the workers for the cores.  Up to
    eight cubes a task, and at least four tasks per worker to keep the load balanced.
    """
    size = max(1, min(8, len(todo) // (4 * max(n_workers, 1))))
    return [todo[k : k + size] for k in range(0, len(todo), size)]


def _render_only(index: int, spec: DatasetSpec) -> Item:
    """Worker task for HDF5: render item ``index`` and send it back."""
    return render_item(spec, index)


def _done(path: Path, fmt: str) -> set[int]:
    if fmt == "zarr":
        from . import zarr_store

        return set(zarr_store.done_indices(path).tolist())
    if fmt == "hdf5":
        from . import hdf5_store

        return set(hdf5_store.done_indices(path).tolist())
    return set(folder_store.done_indices(path, fmt).tolist())


def generate_dataset(
    spec: DatasetSpec,
    path: str | os.PathLike[str],
    fmt: str = "zarr",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> GenerationReport:
    """Generate (or finish) the dataset ``spec`` at ``path``.

    Parameters
    ----------
    spec : DatasetSpec
        What to make.
    path : str or path
        A ``.zarr`` store, an HDF5 file, or a folder for npy/FITS files.
    fmt : {'zarr', 'hdf5', 'npy', 'fits'}
        Storage format.
    workers : int, optional
        Local worker processes; default one per core; 0 renders in this process.
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); overrides
        ``workers``.
    progress : bool
        Show a progress bar with cubes/s on stderr.

    Returns
    -------
    GenerationReport
        Items written and skipped, and the time taken.
    """
    if not isinstance(spec, DatasetSpec):
        raise TypeError(f"spec must be a DatasetSpec; got {type(spec).__name__}")
    _validate.choice("fmt", fmt, FORMATS)
    if workers is not None:
        _validate.integer("workers", workers, low=0, high=1024)
    if scheduler is not None and not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be an address string; got {type(scheduler).__name__}")
    path = Path(path)
    handle = None
    if fmt == "zarr":
        from . import zarr_store

        zarr_store.open_store(path, spec)
    elif fmt == "hdf5":
        from . import hdf5_store

        handle = hdf5_store.create_or_open(path, spec)
        handle.close()
    else:
        folder_store.open_folder(path, spec)
    todo = [i for i in range(spec.n_cubes) if i not in _done(path, fmt)]
    skipped = spec.n_cubes - len(todo)
    bar = ProgressBar(len(todo)) if progress and todo else None
    start = time.perf_counter()
    if not todo:
        return GenerationReport(0, skipped, 0.0)
    if workers == 0 and scheduler is None:
        _run_serial(spec, path, fmt, todo, bar)
    else:
        _run_dask(spec, path, fmt, todo, bar, workers, scheduler)
    return GenerationReport(len(todo), skipped, time.perf_counter() - start)


def _run_serial(
    spec: DatasetSpec, path: Path, fmt: str, todo: list[int], bar: ProgressBar | None
) -> None:
    if fmt == "hdf5":
        from . import hdf5_store

        with hdf5_store.create_or_open(path, spec) as handle:
            for index in todo:
                hdf5_store.write_item(handle, render_item(spec, index))
                if bar:
                    bar.advance()
        return
    for index in todo:
        _render_and_write(index, spec, str(path), fmt)
        if bar:
            bar.advance()


def _run_dask(
    spec: DatasetSpec,
    path: Path,
    fmt: str,
    todo: list[int],
    bar: ProgressBar | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise ImportError(
            "parallel generation needs dask.distributed: pip install 'GalCubeCraft[ml]' "
            "(or pass workers=0 to render in this process)"
        ) from error

    import dask

    cluster = None
    if scheduler is None:
        # The nanny's default MALLOC_TRIM_THRESHOLD_=65536 makes glibc hand every large
        # temporary back to the OS; the renderer allocates tens of MB per cube, and the
        # resulting page faults halve its speed.  Keep the other settings (one BLAS thread).
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        if fmt == "hdf5":
            from . import hdf5_store

            futures = client.map(_render_only, todo, spec=spec, pure=False)
            with hdf5_store.create_or_open(path, spec) as handle:
                for future in as_completed(futures):
                    hdf5_store.write_item(handle, future.result())
                    future.release()
                    if bar:
                        bar.advance()
        else:
            n_workers = len(client.scheduler_info().get("workers", {})) or 1
            futures = client.map(
                _render_and_write_many,
                _batches(todo, n_workers),
                spec=spec,
                path=str(path.resolve()),
                fmt=fmt,
                pure=False,
            )
            for future in as_completed(futures):
                done = future.result()
                if bar:
                    bar.advance(done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
