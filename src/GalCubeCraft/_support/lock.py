"""One writer at a time: a lock file beside what is written, naming its owner.

:func:`writer_lock` holds ``.<name>.lock`` beside ``<name>`` (a store, a cube folder) for
as long as a process writes there.  The file records the owner (pid, host, start time)
so that a second writer is refused with a message naming it, and the process holds an
exclusive ``flock`` on it, which the kernel drops when the process dies however it dies:

- a lock whose ``flock`` is held belongs to a live writer: refused;
- a lock left by a dead process of this host (no ``flock``) is taken over; the ``flock``
  makes the takeover atomic (two processes cannot both hold it);
- a lock recorded by another host is never taken over (its ``flock`` may not reach this
  host, e.g. over NFS): the message says how to clear it once its owner is known gone.

The holder removes the file when it is done; a process that finds the file it locked
unlinked (or replaced) meanwhile starts again, so a lock is never held on a lost file.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

_HELD: dict[str, int] = {}
"""Lock files this process holds -> nesting depth (a writer may re-enter its own lock)."""
_OWNER_PID: dict[str, int] = {}


class LockedError(OSError):
    """Another writer holds the lock (the message names it and how to clear a stale one)."""

    def __str__(self) -> str:
        return str(self.strerror)


def lock_path(target: str | os.PathLike[str]) -> Path:
    """Return the lock file of ``target``: ``.<name>.lock`` in the same folder."""
    target = Path(os.path.abspath(target))
    return target.with_name(f".{target.name}.lock")


def _owner() -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _read_owner(path: Path) -> dict[str, object]:
    """Return the owner a lock file records ({} if empty or unreadable: being written)."""
    for _attempt in range(20):  # a new owner writes its record right after its flock
        try:
            text = path.read_text()
        except OSError:
            return {}
        if text.strip():
            try:
                return dict(json.loads(text))
            except ValueError:
                return {"unreadable": text[:80]}
        time.sleep(0.01)
    return {}


def _describe(owner: dict[str, object]) -> str:
    if not owner:
        return "another process (its record is empty)"
    return f"process {owner.get('pid')} on host {owner.get('host')} since {owner.get('since')}"


def _refuse(target: Path, path: Path, owner: dict[str, object], why: str) -> LockedError:
    return LockedError(
        errno.EBUSY,
        f"{target} is being written by {_describe(owner)}{why}; one writer at a time: wait for "
        f"it to finish, or, if that process is gone, delete {path} and run again",
    )


def _acquire(target: Path, path: Path) -> int:
    """Return a descriptor holding the ``flock`` on ``path``, recording this process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(100):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _refuse(target, path, _read_owner(path), "") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # its holder removed it between our open and flock: try afresh
            os.close(fd)
            continue
        previous = _read_owner(path) if os.fstat(fd).st_size else {}
        if previous and previous.get("host") != socket.gethostname():
            os.close(fd)
            raise _refuse(target, path, previous, " (another host: never taken over)")
        record = json.dumps(_owner()).encode()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, record, 0)
            os.fsync(fd)
        except OSError as error:  # a full disk, say: say so, in one line
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            raise OSError(error.errno, f"{target}: cannot write its lock file {path} "
                          f"({os.strerror(error.errno or 0)})") from None  # fmt: skip
        return fd
    raise LockedError(errno.EBUSY, f"{target}: could not take {path} (it keeps being replaced)")


@contextlib.contextmanager
def writer_lock(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the one-writer lock of ``target`` for the block; yield the lock file's path.

    A process may nest the lock it holds (its store opened again inside its own run).

    Raises
    ------
    LockedError
        If another live process holds it, or another host's record is in it.
    """
    path = lock_path(target)
    key = str(path)
    if _HELD.get(key) and _OWNER_PID.get(key) == os.getpid():
        _HELD[key] += 1
        try:
            yield path
        finally:
            _HELD[key] -= 1
        return
    fd = _acquire(Path(os.path.abspath(target)), path)
    _HELD[key], _OWNER_PID[key] = 1, os.getpid()
    try:
        yield path
    finally:
        _HELD.pop(key, None)
        _OWNER_PID.pop(key, None)
        # Unlink while still holding the flock: a waiting process then sees a new inode.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


_KEPT: dict[str, contextlib.ExitStack] = {}


def hold_until_exit(target: str | os.PathLike[str]) -> None:
    """Take the writer lock of ``target`` for the rest of this process (no-op if held).

    For writers that have no block to hold it in (a folder written one file at a time by
    objects made afresh for each file): the lock goes when the process ends, or at
    :func:`release`.
    """
    key = str(lock_path(target))
    if key in _KEPT and _OWNER_PID.get(key) == os.getpid():
        return
    stack = contextlib.ExitStack()
    stack.enter_context(writer_lock(target))
    if not _KEPT:
        atexit.register(_release_all)
    _KEPT[key] = stack


def release(target: str | os.PathLike[str]) -> None:
    """Release a lock taken by :func:`hold_until_exit` (nothing if not held)."""
    stack = _KEPT.pop(str(lock_path(target)), None)
    if stack is not None:
        stack.close()


def _release_all() -> None:
    for key in list(_KEPT):
        stack = _KEPT.pop(key)
        if _OWNER_PID.get(key) == os.getpid():  # a forked child does not release its parent's
            stack.close()
