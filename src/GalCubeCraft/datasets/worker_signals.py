"""How the local Dask workers of a dataset run treat Ctrl-C and SIGTERM: they ignore both.

Ctrl-C reaches every process of the terminal's group, and SIGTERM sent to a whole group
(a batch system's time limit, ``kill -- -PID``, ``timeout``) does too: each worker would
die on the spot, with a traceback (SIGINT) or leaving semaphores that multiprocessing's
resource tracker reports as leaked (SIGTERM).  Ignoring both, the workers leave the stop
to the main process, which closes the cluster (the command line turns SIGTERM into a
clean stop: ``_support/signals.py``); the nannies then stop the workers, with SIGKILL if
one does not stop within seconds.

- SIGINT: :func:`sigint_ignored` while the workers start, so they inherit the ignoring
  (an ignored signal stays ignored across exec, and Python then installs no handler);
- SIGTERM: each worker runs :func:`dask_setup` as it starts (:data:`PRELOAD` is named in
  ``distributed.worker.preload``).  Ignoring it in the main process while the workers
  start, as for SIGINT, would lose a SIGTERM that arrived meanwhile.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

PRELOAD = __name__
"""The module name ``distributed.worker.preload`` takes."""


def dask_setup(worker: Any) -> None:
    """Make this worker process ignore SIGTERM (``distributed`` calls this on start)."""
    del worker  # the hook's signature; nothing about the worker is needed
    with contextlib.suppress(ValueError):  # not the main thread: keep the default
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so they inherit the ignoring."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals cannot be changed here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
