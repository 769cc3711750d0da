"""How many threads the linear-algebra libraries may use while cubes are made.

A cube's matrix products are small (a 40-channel response, a 125-pixel beam): on the
project's shared 2-core machines two BLAS threads made them 8% slower than one (40x125^2,
``benchmarks/bench_render.py``), and with two cubes made at once they fight for the same
cores.  The facade and the command line therefore run single-threaded unless asked;
Dask's workers already start with one thread each.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

from . import validate as _validate


@contextmanager
def limited_threads(threads: int | None) -> Iterator[None]:
    """Limit the BLAS and OpenMP thread pools to ``threads`` inside the block.

    Parameters
    ----------
    threads : int or None
        Threads per pool (at least 1); None leaves the libraries' own settings.
    """
    if threads is None:
        yield
        return
    threads = _validate.integer("threads", threads, low=1)
    with _controller().limit(limits=threads):
        yield


@functools.cache
def _controller() -> ThreadpoolController:
    """Return the process's thread-pool controller (finding the libraries takes 0.1 ms)."""
    return ThreadpoolController()
