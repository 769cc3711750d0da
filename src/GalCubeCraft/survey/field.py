"""Make a field out of core on Dask: stamps first, then tiles; resumable; one writer.

:func:`make_field` runs on a ``dask.distributed`` client: the one passed, one connected to
``scheduler``, or a ``LocalCluster`` of ``workers`` single-threaded processes started and
closed here; ``workers=0`` runs every task in this process (no Dask).  See
:mod:`.tiles` for the folder's layout, the bit-identity and the memory bound.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from .._support.atomic import atomic_path
from .._support.lock import writer_lock
from .._support.progress import progress_bar
from .catalogue import write_catalogues
from .population import draw_population
from .spec import FieldSpec
from .stamps import box_of
from .tiles import (
    POPULATION,
    ZARR,
    chunks,
    marker_path,
    open_arrays,
    stamp_batch_size,
    stamp_task,
    tile_task,
    tiles_of_boxes,
)

log = logging.getLogger(__name__)
SPEC_FILE = "spec.txt"
_LEFTOVER = re.compile(r"^\..+\.part$|\.[0-9a-f]{32}\.partial$")
"""Temporary files of an interrupted write: ours (``atomic_path``: ``.<name>.<random>.part``)
and Zarr's (``<chunk>.<uuid4 hex>.partial``)."""


@dataclass(frozen=True)
class FieldRun:
    """What a run of :func:`make_field` did.

    Attributes
    ----------
    path : Path
        The field folder.
    n_galaxies, n_tiles : int
        Galaxies in the catalogue; tiles in the field.
    tiles_made : int
        Tiles made by this run (the others were done before, or left for later).
    complete : bool
        Every tile is done and the catalogues and moment map are written.
    seconds : float
        Wall time of the run.
    stamp_seconds, tile_seconds : float
        Wall time of its two phases: rendering the stamps, then making the tiles.
    """

    path: Path
    n_galaxies: int
    n_tiles: int
    tiles_made: int
    complete: bool
    seconds: float
    stamp_seconds: float = 0.0
    tile_seconds: float = 0.0


def make_field(
    spec: FieldSpec,
    path: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: bool | None = None,
    max_tiles: int | None = None,
) -> FieldRun:
    """Make (or finish) the field of ``spec`` in the folder ``path``.

    Parameters
    ----------
    spec : FieldSpec
        The field.
    path : str or Path
        Its folder; a folder holding part of the same field's run is resumed (a different
        spec there is refused).  The tasks are given its absolute path, so with a remote
        ``scheduler`` it must be the same path on every worker (a shared file system).
    workers : int, optional
        Workers of the local cluster (default one per core); 0: no Dask, in this process.
    scheduler : str, optional
        Address of a running Dask scheduler to use instead (``tcp://host:port``).
    client : distributed.Client, optional
        A client to use (not closed here).
    progress : bool or None
        Progress bars on stderr: True draws, False never, None only on a terminal.
    max_tiles : int, optional
        Stop after this many tiles (the run is then incomplete; run again to finish).

    Returns
    -------
    FieldRun

    Notes
    -----
    A run killed at any point (even by ``SIGKILL``) resumes: its writer lock is taken over
    (the kernel dropped its ``flock``), the temporary files of writes it was making are
    removed, finished stamps and tiles are kept and any other tile is made whole.
    """
    start = time.perf_counter()
    if not isinstance(spec, FieldSpec):
        raise TypeError(f"spec must be a FieldSpec; got {type(spec).__name__}")
    # Absolute: the workers of a remote scheduler need not share this process's directory.
    root = Path(path).absolute()
    root.mkdir(parents=True, exist_ok=True)
    with writer_lock(root):
        _check_same_spec(root, spec)
        removed = remove_leftovers(root)
        if removed:
            log.info("%s: removed %d temporary files of an interrupted run", root, removed)
        table = draw_population(spec)
        if not (root / POPULATION).exists():
            with atomic_path(root / POPULATION) as temporary:
                table.to_csv(temporary, index=False)
        rows = [SimpleNamespace(**record) for record in table.to_dict("records")]
        boxes = [box_of(row, spec) for row in rows]
        reach = tiles_of_boxes(spec, boxes)
        open_arrays(root, spec, create=True)
        todo = [o for o in reach if not marker_path(root, o).exists()]
        if max_tiles is not None:
            todo = todo[:max_tiles]
        with _runner(workers, scheduler, client) as (run_map, n_workers):
            bar = progress_bar(len(rows), show=progress)
            bar.unit = "galaxy"
            summaries: list[dict[str, Any]] = []
            batches = list(chunks(rows, stamp_batch_size(len(rows), n_workers)))
            for done in run_map(stamp_task, [(str(root), spec, b) for b in batches]):
                summaries.extend(done)
                bar.update(len(done))
            bar.close()
            stamps_done = time.perf_counter()
            bar = progress_bar(len(todo), show=progress)
            bar.unit = "tile"
            for _origin in run_map(tile_task, [(str(root), spec, o, reach[o]) for o in todo]):
                bar.update(1)
            bar.close()
            tiles_done = time.perf_counter()
        complete = all(marker_path(root, o).exists() for o in reach)
        if complete:
            _write_moment0(root, spec, summaries)
            write_catalogues(root, spec, table, summaries)
    return FieldRun(root, len(rows), len(reach), len(todo), complete,
                    time.perf_counter() - start, stamps_done - start,
                    tiles_done - stamps_done)  # fmt: skip


def _check_same_spec(root: Path, spec: FieldSpec) -> None:
    """Record the spec in a new folder; refuse a folder made for another spec."""
    recorded = root / SPEC_FILE
    if recorded.exists():
        if recorded.read_text(encoding="utf-8") != repr(spec):
            raise ValueError(f"{root} holds a field of another spec ({recorded}); "
                             "use a new folder or the same spec to resume")  # fmt: skip
        return
    with atomic_path(recorded) as temporary:
        temporary.write_text(repr(spec), encoding="utf-8")


def remove_leftovers(root: Path) -> int:
    """Remove the temporary files that a killed run's writes left in ``root``; count them.

    Called under the writer lock: no live writer of this folder is making them.
    """
    removed = 0
    for folder, _subfolders, names in os.walk(root):
        for name in names:
            if _LEFTOVER.search(name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))
                    removed += 1
    return removed


def _write_moment0(root: Path, spec: FieldSpec, summaries: list[dict[str, Any]]) -> None:
    """Write the noiseless field's moment 0 (Jy/beam Hz), stamps added in id order."""
    import zarr

    moment0 = np.zeros((spec.ny, spec.nx), dtype=np.float64)
    for summary in sorted(summaries, key=lambda s: s["id"]):
        part, (y0, x0) = summary["moment0"], summary["origin"]
        ys = slice(max(0, y0), min(spec.ny, y0 + part.shape[0]))
        xs = slice(max(0, x0), min(spec.nx, x0 + part.shape[1]))
        if ys.start < ys.stop and xs.start < xs.stop:
            moment0[ys, xs] += part[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
    group = zarr.open_group(root / ZARR, mode="a")
    group.create_array("moment0", data=moment0, chunks=moment0.shape, overwrite=True)
    group.attrs.update({"units": "field, clean: Jy/beam; moment0: Jy/beam Hz; labels: galaxy id",
                        "complete": True})  # fmt: skip


Runner = Callable[[Callable[..., Any], list[tuple[Any, ...]]], Iterator[Any]]


@contextlib.contextmanager
def _runner(
    workers: int | None, scheduler: str | None, client: Any
) -> Iterator[tuple[Runner, int]]:
    """Yield ``(run_map, n_workers)``: ``run_map(f, args)`` yields results as they come."""
    if client is None and scheduler is None and workers == 0:

        def serial(function: Callable[..., Any], args: list[tuple[Any, ...]]) -> Iterator[Any]:
            for arguments in args:
                yield function(*arguments)

        yield serial, 1
        return
    from .cluster import dask_client

    with dask_client(workers, scheduler, client) as (live, n_workers):
        from dask.distributed import as_completed

        def distributed(function: Callable[..., Any],
                        args: list[tuple[Any, ...]]) -> Iterator[Any]:  # fmt: skip
            if not args:
                return
            # A window of tasks in flight: the scheduler never holds every tile's arguments.
            window = 4 * n_workers
            pending = iter(args)
            futures = as_completed()
            for arguments in pending:
                futures.add(live.submit(function, *arguments, pure=False))
                if futures.count() >= window:
                    break
            for future in futures:
                result = future.result()
                future.release()
                following = next(pending, None)
                if following is not None:
                    futures.add(live.submit(function, *following, pure=False))
                yield result

        yield distributed, n_workers
