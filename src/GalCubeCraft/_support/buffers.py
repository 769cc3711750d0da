"""Cube-sized arrays whose memory is reused from one cube to the next.

A fresh array of tens of MiB is mapped by the OS page by page, and every page is zeroed
on first touch (with transparent huge pages, the kernel may first compact memory to find
them): 15-20% of a 128 x 256^2 cube's time went there, once per array per cube.  The
arrays of a cube instead come from a per-process pool (:func:`empty`, :func:`zeros`,
:func:`full`): the memory of the last cube's arrays of the same size, where it is free.

Reuse is safe by construction.  Each array is an ordinary writable NumPy array built on
a *lease* of a buffer; the array, every view of it, every ``memoryview`` hold the lease,
so the buffer goes back to the pool only when Python has freed the last of them.  An
array that a caller keeps (a cube returned to the user, an item in a list) therefore
keeps its memory, and the next cube gets fresh memory instead; an array that is dropped
(an internal temporary, an item once written to its store) lends its memory to the next
request of the same size.  Nothing is ever handed out twice while it can be seen.

Arrays under :data:`MIN_POOLED_BYTES` are plain ``np.empty`` (``malloc`` reuses them
already).  Idle buffers are kept up to :data:`MAX_IDLE_BYTES` in all, the least recently
used dropped first; :func:`clear` drops them all, :func:`idle_limit` changes the bound
(0: no pooling) inside a block.  The pool is shared by the process's threads (a lock
guards it; a lease returns its buffer without taking the lock, so a release during
garbage collection cannot deadlock), and a forked child starts with an empty one.
"""

from __future__ import annotations

import collections
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

MIN_POOLED_BYTES = 1 << 17
"""Arrays smaller than this (128 KiB, glibc's default ``mmap`` threshold) are not pooled."""
MAX_IDLE_BYTES = 1 << 30
"""Most bytes of idle buffers a process keeps (1 GiB: the arrays of a 128 x 256^2 cube
several times over, most of a 256 x 512^2 one's)."""


_Buffer = tuple[np.ndarray, int]
"""A pooled buffer: its bytes (uint8) and their address."""


class _Lease:
    """What a pooled array's memory belongs to: the buffer goes back when this is freed.

    NumPy builds the array from :attr:`__array_interface__` and keeps this object as the
    array's base, so every array and view of that memory holds it alive.
    """

    __slots__ = ("__array_interface__", "_buffer", "_pool")

    def __init__(self, buffer: _Buffer, shape: tuple[int, ...], dtype: np.dtype,
                 pool: BufferPool) -> None:  # fmt: skip
        self._buffer = buffer
        self._pool = pool
        self.__array_interface__ = {
            "shape": shape,
            "typestr": dtype.str,
            "data": (buffer[1], False),  # its address; writable
            "version": 3,
        }

    def __del__(self) -> None:
        self._pool._give_back(self._buffer)


class BufferPool:
    """Idle buffers by size, lent as arrays (see the module docstring).

    Parameters
    ----------
    max_idle_bytes : int
        Most bytes of idle buffers kept (0: nothing is kept, every array is fresh).
    """

    def __init__(self, max_idle_bytes: int = MAX_IDLE_BYTES) -> None:
        self.max_idle_bytes = int(max_idle_bytes)
        self.fresh = 0  # buffers allocated (not reused) so far
        self._lock = threading.Lock()
        self._returned: collections.deque[_Buffer] = collections.deque()
        # size in bytes -> idle buffers of that size; ordered from least recently used.
        self._idle: collections.OrderedDict[int, list[_Buffer]] = collections.OrderedDict()

    def empty(self, shape: int | tuple[int, ...], dtype: Any = np.float32) -> np.ndarray:
        """Return an uninitialised C-contiguous array (its memory from the pool if free)."""
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(map(int, shape))
        kind = np.dtype(dtype)
        nbytes = kind.itemsize * math.prod(shape)
        if nbytes < MIN_POOLED_BYTES:
            return np.empty(shape, dtype=kind)
        buffer = self._take(nbytes)
        if buffer is None:
            self.fresh += 1
            memory = np.empty(nbytes, dtype=np.uint8)
            buffer = (memory, memory.__array_interface__["data"][0])
        return np.asarray(_Lease(buffer, shape, kind, self))

    def idle_bytes(self) -> int:
        """Return the bytes of the idle buffers now kept."""
        with self._lock:
            self._settle()
            return sum(size * len(stack) for size, stack in self._idle.items())

    def clear(self) -> None:
        """Drop every idle buffer (buffers lent out come back as usual)."""
        with self._lock:
            self._settle()
            self._idle.clear()

    def _take(self, nbytes: int) -> _Buffer | None:
        """Return an idle buffer of ``nbytes`` bytes, or None."""
        with self._lock:
            self._settle()
            stack = self._idle.get(nbytes)
            if not stack:
                return None
            buffer = stack.pop()
            if not stack:
                del self._idle[nbytes]
            return buffer

    def _give_back(self, buffer: _Buffer) -> None:
        """Take back a buffer whose last array is gone (called by its lease).

        This may run in any thread, at exit, or inside the pool's own locked code (when
        garbage collection frees a lease there): the buffer is queued (``deque.append`` is
        atomic) and filed now only if the lock is free, else by the next call that holds it.
        """
        self._returned.append(buffer)
        if self._lock.acquire(blocking=False):
            try:
                self._settle()
            finally:
                self._lock.release()

    def _settle(self) -> None:
        """File the returned buffers as idle, then drop the oldest beyond the bound."""
        while self._returned:
            buffer = self._returned.popleft()
            size = buffer[0].nbytes
            self._idle.setdefault(size, []).append(buffer)
            self._idle.move_to_end(size)
        idle = sum(size * len(stack) for size, stack in self._idle.items())
        while idle > self.max_idle_bytes:
            size, stack = next(iter(self._idle.items()))
            stack.pop(0)  # the oldest of the least recently used size
            idle -= size
            if not stack:
                del self._idle[size]

    def _after_fork(self) -> None:
        """Start a forked child with a fresh lock and nothing idle."""
        self._lock = threading.Lock()
        self._returned = collections.deque()
        self._idle = collections.OrderedDict()


_POOL = BufferPool()
if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_POOL._after_fork)


def empty(shape: int | tuple[int, ...], dtype: Any = np.float32) -> np.ndarray:
    """Return an uninitialised array from the process's pool (see the module docstring)."""
    return _POOL.empty(shape, dtype)


def zeros(shape: int | tuple[int, ...], dtype: Any = np.float32) -> np.ndarray:
    """Return an array of zeros from the process's pool."""
    array = _POOL.empty(shape, dtype)
    array.fill(0)
    return array


def full(shape: int | tuple[int, ...], fill: Any, dtype: Any = np.float32) -> np.ndarray:
    """Return an array filled with ``fill`` from the process's pool."""
    array = _POOL.empty(shape, dtype)
    array.fill(fill)
    return array


def idle_bytes() -> int:
    """Return the bytes of idle buffers the process keeps."""
    return _POOL.idle_bytes()


def fresh_buffers() -> int:
    """Return how many buffers the process's pool has allocated rather than reused."""
    return _POOL.fresh


def clear() -> None:
    """Drop the process's idle buffers (the memory goes back to the system)."""
    _POOL.clear()


@contextmanager
def idle_limit(max_idle_bytes: int) -> Iterator[None]:
    """Keep at most ``max_idle_bytes`` of idle buffers inside the block (0: no reuse)."""
    previous = _POOL.max_idle_bytes
    _POOL.max_idle_bytes = int(max_idle_bytes)
    try:
        with _POOL._lock:
            _POOL._settle()
        yield
    finally:
        _POOL.max_idle_bytes = previous
