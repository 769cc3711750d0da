"""SIGTERM as an exception, so a terminated command cleans up as after Ctrl-C.

By default SIGTERM (``kill``, a batch system's time limit, ``timeout``) ends a Python
process on the spot: no ``finally`` runs, so worker processes are left to die alone and
multiprocessing's resource tracker warns of "leaked semaphore objects".  Inside
:func:`sigterm_raises`, SIGTERM raises :class:`Terminated` where the main thread is,
which unwinds like Ctrl-C's ``KeyboardInterrupt`` (it is one), closing what is open.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_TERMINATED = 128 + signal.SIGTERM
"""The exit status a shell gives a command that SIGTERM ended (143)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as after Ctrl-C (what is written stays; the run can resume)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"signal {signum}")


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Raise :class:`Terminated` on SIGTERM while the block runs (main thread only).

    Elsewhere (a thread cannot set signal handlers) the block runs unchanged.
    """
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
