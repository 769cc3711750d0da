"""The package's own local Dask cluster: started tuned for rendering, closed quietly.

Both Dask-driven runs (a dataset's items, :mod:`.batch`; a survey field's stamps and
tiles, :mod:`GalCubeCraft.survey.cluster`) start their workers here, so they get the
same settings, and close them with :func:`close_quietly`.  Dask is imported by the
functions, never at import time.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .worker_signals import PRELOAD, sigint_ignored

_CLOSING_LOGGERS = ("distributed.scheduler", "distributed.nanny")
"""This process's Dask loggers silenced short of errors while it closes its cluster."""


def local_cluster(workers: int | None, worker_logs: bool = False) -> Any:
    """Start and return a ``LocalCluster`` of single-threaded worker processes.

    Parameters
    ----------
    workers : int or None
        Worker processes (None or 0: one per core).
    worker_logs : bool
        Let the workers log as Dask's configuration says (default: critical only).
    """
    import dask
    from dask.distributed import LocalCluster

    # The nanny's default MALLOC_TRIM_THRESHOLD_=65536 makes glibc hand every large
    # temporary back to the OS; the renderer allocates tens of MB per cube, and the
    # resulting page faults halve its speed.  Keep the other settings (one BLAS thread).
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    # Workers log nothing short of critical: their lines (a cancelled task on Ctrl-C,
    # a lost heartbeat while the cluster closes after a failure) are noise for a user
    # who asked for cubes, and a task's own error reaches this process, which says it.
    if not worker_logs:
        environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
    # Workers ignore Ctrl-C and SIGTERM: this process stops them (worker_signals.py).
    preload = [*dask.config.get("distributed.worker.preload", []), PRELOAD]
    settings = {"distributed.nanny.pre-spawn-environ": environ,
                "distributed.worker.preload": preload}  # fmt: skip
    with dask.config.set(settings), sigint_ignored():
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never "8787 is in use"
        )


def close_quietly(client: Any, cluster: Any) -> None:
    """Close the client and our own cluster, with Dask's closing warnings silenced.

    Closing with tasks in flight (a failure, Ctrl-C) makes the scheduler warn about the
    tasks it drops, and the nanny of a worker that does not stop within 4 s (busy on a
    cube, or slowed by a loaded machine) announce that it kills it ("Worker process still
    alive after 4.0 seconds, killing"): noise beside the one error the user is shown.
    Errors still come through.
    """
    loggers = [logging.getLogger(name) for name in _CLOSING_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        client.close()
        if cluster is not None:
            cluster.close()
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
