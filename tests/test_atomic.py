"""Atomic writes (``_support/atomic.py``): complete or absent, as a plain open() would make them."""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from GalCubeCraft._support import atomic
from GalCubeCraft._support.atomic import atomic_path, write_bytes
from GalCubeCraft.datasets.stores import is_unfinished
from GalCubeCraft.survey.field import _LEFTOVER


def test_write_bytes_writes_bytes_and_buffers(tmp_path):
    """Bytes, an array's buffer and nothing at all land as written."""
    values = np.arange(1000, dtype="<f4")
    write_bytes(tmp_path / "a", b"abc")
    write_bytes(str(tmp_path / "b"), values.data)
    write_bytes(tmp_path / "c", b"")
    assert (tmp_path / "a").read_bytes() == b"abc"
    assert (tmp_path / "b").read_bytes() == values.tobytes()
    assert (tmp_path / "c").read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]  # no temporary left


def _fail_after(monkeypatch, name, error, calls=0):
    """Make ``os.<name>`` raise ``error`` after ``calls`` calls (os.write writes 3 bytes first)."""
    original = getattr(os, name)
    count = [0]

    def failing(*args):
        count[0] += 1
        if count[0] > calls:
            if name == "write":
                original(args[0], bytes(args[1][:3]))  # part of the bytes reach the file
            raise error
        return original(*args)

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize(
    ("name", "error", "calls"),
    [
        ("write", OSError(errno.ENOSPC, "No space left on device"), 0),
        ("write", KeyboardInterrupt(), 1),  # after one short write of the two
        ("replace", OSError(errno.EXDEV, "Invalid cross-device link"), 0),
    ],
)
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, name, error,
                                                              calls):  # fmt: skip
    """A write that fails anywhere leaves the final file as it was and removes its temporary."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    final = tmp_path / "chunk"
    final.write_bytes(b"old")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:4])))  # short
    _fail_after(monkeypatch, name, error, calls)
    with pytest.raises(type(error)):
        write_bytes(final, b"new bytes", scratch)
    monkeypatch.undo()
    assert final.read_bytes() == b"old"
    assert list(scratch.iterdir()) == []
    write_bytes(tmp_path / "fresh", b"new bytes", scratch)  # and a new one fails the same way
    assert (tmp_path / "fresh").read_bytes() == b"new bytes"


def test_short_writes_are_completed(tmp_path, monkeypatch):
    """os.write may write less than asked: the rest follows, in order."""
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:3])))
    write_bytes(tmp_path / "a", b"0123456789")
    assert (tmp_path / "a").read_bytes() == b"0123456789"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_permissions_are_those_of_a_plain_open(tmp_path, umask):
    """Both writers' files have the mode open() gives under the umask (not mkstemp's 0600)."""
    old = os.umask(umask)
    try:
        write_bytes(tmp_path / "atomic", b"x")
        with atomic_path(tmp_path / "sub" / "path") as temporary:
            temporary.write_bytes(b"x")
        with open(tmp_path / "plain", "wb") as handle:
            handle.write(b"x")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()}
    assert modes == dict.fromkeys(["atomic", "path", "plain"], 0o666 & ~umask)


def test_temporaries_are_named_for_the_leftover_scans(tmp_path, monkeypatch):
    """The temporary lies in the scratch folder, named as the resume scans look for."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    renamed = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append(a), real_replace(a, b)))
    write_bytes(tmp_path / "c.12.0.0.0", b"x", scratch)
    with atomic_path(tmp_path / "12", scratch) as temporary:
        temporary.write_text("{}")
    assert [os.path.dirname(t) for t in renamed] == [str(scratch)] * 2
    names = [os.path.basename(t) for t in renamed]
    assert names[0].startswith(".c.12.0.0.0.") and names[1].startswith(".12.")
    assert all(is_unfinished(name) and _LEFTOVER.search(name) for name in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["12", "c.12.0.0.0", "scratch"]


def test_a_leftover_of_the_same_name_is_not_written_over(tmp_path, monkeypatch):
    """A file already named as the next temporary (a killed run's) is left; another is used."""
    names = iter(["same", "same", "other"])
    monkeypatch.setattr(atomic, "_unique_part", lambda: next(names))
    leftover = tmp_path / ".f.same.part"
    leftover.write_bytes(b"someone's")
    write_bytes(tmp_path / "f", b"ours")  # takes "same": exists, so "same" again, then "other"
    assert (tmp_path / "f").read_bytes() == b"ours"
    assert leftover.read_bytes() == b"someone's"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".f.same.part", "f"]


def test_temporary_names_differ_between_calls_and_forked_processes():
    """Each call has its own name; a forked child draws a prefix of its own."""
    first, second = atomic._unique_part(), atomic._unique_part()
    assert first != second and first.rsplit("-", 1)[0] == second.rsplit("-", 1)[0]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child inherits the parent's prefix and counter
        os.write(write, atomic._unique_part().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 200).decode()
    os.close(read)
    os.close(write)
    assert child.rsplit("-", 1)[0] != first.rsplit("-", 1)[0]
    assert child.split("-")[0] == str(pid)
