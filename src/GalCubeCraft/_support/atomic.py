"""Atomic writes: a file appears complete under its final name, or not at all."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_PART = ".part"  # the suffix of every temporary here: scans for leftovers look for it
_counter = itertools.count()  # next() on it is atomic in CPython: threads share it safely
_prefix = ""  # this process's temporary names' prefix: drawn at first use, and after a fork


def _forget_prefix() -> None:
    global _prefix
    _prefix = ""


if hasattr(os, "register_at_fork"):  # a forked child draws its own (POSIX)
    os.register_at_fork(after_in_child=_forget_prefix)


@contextlib.contextmanager
def atomic_path(
    final: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` on success.

    The temporary file lives in the same folder (so the rename is atomic on POSIX), or
    in ``folder`` (on the same file system: a folder that a resumed run scans for the
    ``.*.part`` files of killed ones), and is removed if the block raises, so a failed
    or interrupted write never leaves a partial file under the final name.  The file has
    the permissions a plain ``open()`` gives (see :func:`_create_temporary`).
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = _create_temporary(final.name, str(final.parent if folder is None else folder))
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _unique_part() -> str:
    """Return a temporary name's middle, unique to this process and call.

    The pid and a random prefix (drawn once per process: a pid is reused, and a killed
    run's leftovers may still lie there) keep processes apart, the counter keeps calls
    apart; :func:`_create_temporary` still creates the file exclusively.
    """
    global _prefix
    if not _prefix:  # the first call of this process (not a getpid per call)
        _prefix = f"{os.getpid()}-{os.urandom(4).hex()}-"
    return f"{_prefix}{next(_counter)}"


def _create_temporary(name: str, where: str) -> tuple[int, str]:
    """Create and open ``where/.<name>.<unique>.part``; return its descriptor and path.

    Created exclusively (never a file another process made) with mode 0666, so that the
    kernel applies the umask, and any default ACL, as to a plain ``open()``: no chmod,
    and no process-wide umask read, which would race with other threads.
    """
    # O_BINARY where it exists (Windows), as mkstemp sets it: no newline translation.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(where, f".{name}.{_unique_part()}{_PART}")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:  # a leftover of the same name: take the next count
            continue


def write_bytes(
    final: str | os.PathLike[str], data: Any, folder: str | os.PathLike[str] | None = None
) -> None:
    """Write ``data`` (bytes or a contiguous buffer) to the file ``final``, atomically.

    The light path for many small files (a dataset's chunks): one open, the writes, one
    close and the rename, no folder made (``final``'s folder must exist; the caller
    makes each once).  The bytes go to a temporary file (see :func:`_create_temporary`),
    ``.<final's name>.<pid>-<random>-<count>.part``, in ``folder`` (on the same file
    system: one that a resumed run scans for the ``.*.part`` files of killed ones) or
    beside ``final``, then it is renamed onto ``final``.  If anything fails it is removed,
    so ``final`` is complete or as it was.
    """
    final = os.fspath(final)
    where = os.path.dirname(final) if folder is None else os.fspath(folder)
    handle, temporary = _create_temporary(os.path.basename(final), where)
    try:
        try:
            view = memoryview(data).cast("B")
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
