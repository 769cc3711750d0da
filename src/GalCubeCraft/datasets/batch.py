"""Parallel and distributed dataset generation; the only module that imports dask.

By default a ``LocalCluster`` with one single-threaded worker process per core starts
with no set-up; given a scheduler address the same call runs on an existing
``dask.distributed`` cluster.  Stores that take concurrent writers (Zarr, npy, FITS) are
written by the workers themselves, each item into its own chunks or files, in tasks of a
few items; for HDF5 (a single writer) items are sent back and written here.

Runs resume: the done items are read once, at the start, and skipped; an item counts as
done only once all its arrays are written, so an interrupted run loses nothing and
duplicates nothing.  The store's content does not depend on the number of workers: item
``i`` is a pure function of ``(spec, i)``.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from .._support.extras import MissingExtraError
from .._support.lock import writer_lock
from .._support.progress import check_show, progress_bar
from ..priors.spec import DatasetSpec
from ..renderer.budget import GIB, BudgetError, available_memory_bytes, check_disk, cube_bytes
from .cluster import close_quietly, local_cluster
from .disk_full import DiskFullError, disk_full_error
from .items import Item, array_shapes, render_item
from .stores import (
    FORMATS,
    STORES,
    Store,
    clean_leftovers,
    detect_format,
    open_store,
    remove_store,
)

log = logging.getLogger("GalCubeCraft")
WINDOW_PER_WORKER = 4
"""Tasks in flight per worker: enough to keep each busy, few enough to keep memory flat."""
_worker_stores: dict[tuple[int, str, str], Store] = {}


@dataclass(frozen=True)
class GenerationReport:
    """What a generation run did: items written, items found done, seconds taken."""

    written: int
    skipped: int
    seconds: float

    @property
    def cubes_per_second(self) -> float | None:
        """Throughput of this run; None when nothing was written."""
        return self.written / self.seconds if self.written and self.seconds > 0 else None


def _worker_store(path: str, store_id: str) -> Store:
    """Return the store, opened once per worker process and per store.

    The key holds the store's id, so a store re-made at the same path (another shape,
    another spec) is opened afresh by a long-lived cluster.
    """
    key = (os.getpid(), path, store_id)
    if key not in _worker_stores:
        store = open_store(path)
        if store.store_id != store_id:
            raise RuntimeError(f"{path} was replaced while items were being written")
        _worker_stores[key] = store
    return _worker_stores[key]


def _render_and_write_many(
    indices: list[int], spec: DatasetSpec, path: str, store_id: str
) -> int | DiskFullError:
    """Worker task: render and write several items, each marked done on its own.

    A full disk is returned, not raised: the client raises it as one line, where a
    raised error would also be logged, with its traceback, by the worker.
    """
    store = _worker_store(path, store_id)
    for index in indices:
        try:
            store.write_item(render_item(spec, index))
        except OSError as error:
            full = disk_full_error(error, store, spec.n_cubes)
            if full is None:
                raise
            return full
    return len(indices)


def _render_only(index: int, spec: DatasetSpec) -> Item:
    """Worker task for single-writer stores: render item ``index`` and send it back."""
    return render_item(spec, index)


def _windowed(
    client: Any, tasks: Iterator[Callable[[], Any]], as_completed: Any, window: int
) -> Iterator[Any]:
    """Yield the results of ``tasks`` as they finish, with at most ``window`` in flight.

    Submitting everything at once would hold one future per task in memory and in the
    scheduler before the first cube is made; a bounded window keeps both flat for any
    number of items.
    """
    running = as_completed()
    for task in itertools.islice(tasks, window):
        running.add(client.submit(task, pure=False))
    for future in running:
        result = future.result()
        future.release()
        following = next(tasks, None)
        if following is not None:
            running.add(client.submit(following, pure=False))
        yield result


def _batches(todo: list[int], n_workers: int) -> Iterator[list[int]]:
    """Split ``todo`` into tasks of a few cubes, smaller toward the end (guided scheduling).

    A cube can take as little as a few milliseconds, comparable to a task's scheduling
    cost, so one task per cube would leave the scheduler competing with the workers for
    the cores: tasks hold up to eight cubes.  But a big task at the end keeps one worker
    busy while the others idle, so each task holds at most the remaining work over four
    tasks per worker, down to one cube.
    """
    start = 0
    while start < len(todo):
        remaining = len(todo) - start
        size = max(1, min(8, remaining // (4 * max(n_workers, 1))))
        yield todo[start : start + size]
        start += size


def _check_budget(spec: DatasetSpec, path: Any, fmt: str, workers: int | None) -> None:
    """Refuse, before the store exists, a dataset whose items cannot fit in memory or on disk.

    Each local worker makes one item at a time (the factory's peak, :mod:`..budget`);
    the disk must hold every item's arrays (only the noisy cubes for Zarr, which
    compresses the rest: a lower bound); a store being resumed, those still to make.
    """
    local = (os.cpu_count() or 1) if workers is None else max(workers, 1)
    per_item = cube_bytes(spec.observation.for_pixel(1.0), spec.max_galaxies, spec.noise.enabled)
    limit = available_memory_bytes()
    if local * per_item > limit:
        raise BudgetError(
            f"{local} worker(s) making {'x'.join(map(str, spec.shape))} cubes need about "
            f"{local * per_item / GIB:.1f} GiB of memory, more than the {limit / GIB:.1f} GiB "
            "available: use fewer workers or smaller cubes"
        )
    if detect_format(path) is None:  # a store that exists is checked once scanned
        _check_disk(spec, path, fmt, spec.n_cubes)


def _check_disk(spec: DatasetSpec, path: Any, fmt: str, n_items: int) -> None:
    """Refuse ``n_items`` more items that the disk cannot hold (a lower bound for Zarr).

    An HDF5 store holds the space of all its items from its creation.
    """
    if fmt == "hdf5" and detect_format(path) == "hdf5":
        return
    shapes = array_shapes(spec)
    names = ("noisy",) if STORES[fmt].compresses else tuple(shapes)
    item = sum(int(np.prod(shapes[n][0])) * np.dtype(shapes[n][1]).itemsize for n in names)
    check_disk(path, float(item) * n_items, f"a dataset of {spec.n_cubes} cubes")


def generate_dataset(
    spec: DatasetSpec,
    path: str | os.PathLike[str],
    fmt: str = "zarr",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    worker_logs: bool = False,
) -> GenerationReport:
    """Generate (or finish) the dataset ``spec`` at ``path``.

    Parameters
    ----------
    spec : DatasetSpec
        What to make.
    path : str or path
        The store: a Zarr folder, an HDF5 file, or a folder for npy/FITS files.
    fmt : {'zarr', 'hdf5', 'npy', 'fits'}
        Storage format; an existing store must be of this format and spec.
    workers : int, optional
        Local worker processes; default one per core; 0 renders in this process.
    scheduler : str, optional
        Address of an existing dask scheduler (``tcp://host:8786``); overrides
        ``workers``.
    progress : bool or None
        A progress bar with cubes/s and time left on stderr: True shows it, False not,
        None (default) only when stderr is a terminal.
    worker_logs : bool
        Let the local workers log at their default level; by default only their errors.

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
    progress = check_show("progress", progress)
    scan_start = time.perf_counter()
    _check_budget(spec, path, fmt, workers if scheduler is None else None)
    # One writer per store: a second run is refused here, before it touches anything.
    with writer_lock(path):
        return _generate_locked(spec, path, fmt, workers, scheduler, progress, worker_logs,
                                scan_start)  # fmt: skip


def _generate_locked(
    spec: DatasetSpec,
    path: str | os.PathLike[str],
    fmt: str,
    workers: int | None,
    scheduler: str | None,
    progress: bool | None,
    worker_logs: bool,
    scan_start: float,
) -> GenerationReport:
    """Run :func:`generate_dataset` holding the store's lock."""
    if clean_leftovers(Path(path)):
        log.info("%s: removed a store left half-created by an interrupted run", path)
    created = detect_format(path) is None
    store = open_store(path, spec, fmt)
    try:
        # Nothing else writes to the store yet: the scan also removes unfinished files.
        done = set(store.done_indices(remove_unfinished=True).tolist())
        todo = [i for i in range(spec.n_cubes) if i not in done]
        skipped = spec.n_cubes - len(todo)
        scan_seconds = time.perf_counter() - scan_start
        log.info("%s: %d items, %d done, %d to do (store opened and scanned in %.2f s)",
                 path, spec.n_cubes, skipped, len(todo), scan_seconds)  # fmt: skip
        if not todo:
            return GenerationReport(0, skipped, 0.0)
        if not created:  # resumed: the items done already hold their space
            _check_disk(spec, path, fmt, len(todo))
        bar = progress_bar(len(todo), progress)
        start = time.perf_counter()
        try:
            if workers == 0 and scheduler is None:
                for index in todo:
                    store.write_item(render_item(spec, index))
                    bar.update(1)
            else:
                _run_dask(store, todo, bar, workers, scheduler, worker_logs)
        finally:
            bar.close()
        report = GenerationReport(len(todo), skipped, time.perf_counter() - start)
        log.info("%s: wrote %d items in %.1f s (%.2f cubes/s)", path, report.written,
                 report.seconds, report.cubes_per_second or 0.0)  # fmt: skip
        return report
    except Exception as error:
        full = disk_full_error(error, store, spec.n_cubes)
        # A store this call made and that holds nothing (an unreachable scheduler, a
        # failure in the first item) is removed: a failed run leaves no empty shell.
        if created and not store.done_indices().size:
            store.close()
            remove_store(Path(path))
        if full is not None:
            raise full from None
        raise
    finally:
        store.close()


def _run_dask(
    store: Store,
    todo: list[int],
    bar: Any,
    workers: int | None,
    scheduler: str | None,
    worker_logs: bool,
) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise MissingExtraError(
            "parallel generation needs dask.distributed: pip install 'GalCubeCraft[ml]' "
            "(or pass workers=0 to render in this process)"
        ) from error

    cluster = None
    if scheduler is None:
        cluster_start = time.perf_counter()
        cluster = local_cluster(workers, worker_logs)
    client = Client(cluster if cluster is not None else scheduler)
    spec = store.spec
    try:
        n_workers = len(client.scheduler_info().get("workers", {})) or 1
        if cluster is not None:
            log.info("dask: %d local workers started in %.1f s", n_workers,
                     time.perf_counter() - cluster_start)  # fmt: skip
        if store.concurrent_writers:
            path = str(Path(store.path).resolve())
            tasks = (
                functools.partial(_render_and_write_many, batch, spec, path, store.store_id)
                for batch in _batches(todo, n_workers)
            )
            for written in _windowed(client, tasks, as_completed, WINDOW_PER_WORKER * n_workers):
                if isinstance(written, DiskFullError):
                    raise written
                bar.update(written)
        else:
            # One writer: workers render, this process writes each item as it arrives.
            renders = (functools.partial(_render_only, index, spec) for index in todo)
            for item in _windowed(client, renders, as_completed, WINDOW_PER_WORKER * n_workers):
                store.write_item(item)
                bar.update(1)
    finally:
        close_quietly(client, cluster)
