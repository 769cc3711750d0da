"""Atomic writes: a file appears complete under its final name, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(
    final: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` on success.

    The temporary file lives in the same folder (so the rename is atomic on POSIX), or
    in ``folder`` (on the same file system: a folder that a resumed run scans for the
    ``.*.part`` files of killed ones), and is removed if the block raises, so a failed
    or interrupted write never leaves a partial file under the final name.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    where = final.parent if folder is None else folder
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=where)
    os.close(handle)
    temporary = Path(name)
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    try:
        yield temporary
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
