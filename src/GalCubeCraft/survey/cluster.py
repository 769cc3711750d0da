"""The Dask client a field runs on: given, at an address, or a local cluster of our own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .._support.extras import MissingExtraError
from ..datasets.cluster import close_quietly, local_cluster


@contextlib.contextmanager
def dask_client(
    workers: int | None, scheduler: str | None, client: Any = None
) -> Iterator[tuple[Any, int]]:
    """Yield ``(client, n_workers)``; close what was opened here, quietly.

    ``client`` is used as given (and left open); else ``scheduler`` is connected to; else
    a ``LocalCluster`` of ``workers`` (default: one per core) single-threaded worker
    processes is started by :func:`GalCubeCraft.datasets.cluster.local_cluster`, with
    the settings a dataset's workers get.
    """
    try:
        from dask.distributed import Client
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise MissingExtraError(
            "mock surveys run on dask.distributed: pip install 'GalCubeCraft[ml]' "
            "(or pass workers=0 to make the field in this process)"
        ) from error
    if client is not None:
        yield client, max(1, len(client.scheduler_info().get("workers", {})))
        return
    cluster = None
    if scheduler is None:
        cluster = local_cluster(workers)
    live = Client(cluster if cluster is not None else scheduler)
    try:
        yield live, max(1, len(live.scheduler_info().get("workers", {})))
    finally:
        close_quietly(live, cluster)
