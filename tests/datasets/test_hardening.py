"""Stores under attack: damaged bytes, two writers, a full disk (issue 31)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from byte_flips import SPEC, SUFFIX, detection_matrix

from GalCubeCraft._support.lock import LockedError, lock_path, writer_lock
from GalCubeCraft.datasets import FORMATS, open_store
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import array_names

HERE = Path(__file__).parent
SRC = str(Path(__file__).parents[2] / "src")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_byte_flip_in_every_array_is_detected_and_named(tmp_path, fmt):
    """Any array's bytes changed (one bit; eight zero bytes to 0xFF): verification names it.

    A read with verification raises ``DamagedItemError`` naming the item and the array
    (the bytes are never returned), and ``verify()`` reports that item and array alone.
    """
    matrix = detection_matrix(tmp_path, (fmt,))[fmt]
    # Every array, two kinds of damage, two checks (a verified read, the store pass).
    assert len(matrix) == 2 * 2 * len(array_names(SPEC))
    # A flip that a compressed chunk's decoder never sees leaves the array as written:
    # the read finds its bytes as written, and the pass must then report nothing either.
    intact = {key for key, outcome in matrix.items() if outcome == "intact"}
    assert fmt == "zarr" or not intact, intact
    damages = {key.rsplit("/", 1)[0] for key in intact}
    assert intact == {f"{key}/{check}" for key in damages for check in ("read", "verify")}, intact
    assert len(damages) <= 2, intact
    assert set(matrix.values()) <= {"detected", "intact"}, matrix


HOLD = """
import sys, time
from GalCubeCraft._support.lock import writer_lock
with writer_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_second_writer_is_refused_naming_the_owner(tmp_path):
    """While a live process holds a store's lock, another is refused: pid, host, since."""
    target = tmp_path / "d.zarr"
    env = {**os.environ, "PYTHONPATH": SRC}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(target), "30"],
                              stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError) as refused:
            with writer_lock(target):
                pass
        message = str(refused.value)
        assert f"process {holder.pid} on host {socket.gethostname()} since 20" in message
        assert str(lock_path(target)) in message  # how to clear it, if its owner is gone
        with pytest.raises(LockedError, match=f"process {holder.pid}"):
            generate_dataset(SPEC, target, fmt="zarr", workers=0, progress=False)
        assert not target.exists()  # the refused run wrote nothing
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # The holder died without releasing: its stale lock is taken over.
    assert lock_path(target).exists()
    generate_dataset(SPEC, target, fmt="zarr", workers=0, progress=False)
    assert len(open_store(target).done_indices()) == SPEC.n_cubes
    assert not lock_path(target).exists()  # released when the run ends


def test_a_stale_lock_is_taken_over_by_exactly_one_of_many(tmp_path):
    """Eight processes race for a dead owner's lock: exactly one takes it over."""
    target = tmp_path / "d.h5"
    record = {"pid": 999_999_999, "host": socket.gethostname(), "since": "2000-01-01T00:00:00Z"}
    lock_path(target).write_text(json.dumps(record))
    race = """
import sys, time
from GalCubeCraft._support.lock import LockedError, writer_lock
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
try:
    with writer_lock(sys.argv[1]):
        print("won", flush=True)
        time.sleep(3)
except LockedError as error:
    print("refused", error, flush=True)
"""
    start = str(time.time() + 3)
    env = {**os.environ, "PYTHONPATH": SRC}
    command = [sys.executable, "-c", race, str(target), start]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) for _ in range(8)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert sum(out.startswith("won") for out in outputs) == 1, outputs
    assert sum(out.startswith("refused") for out in outputs) == 7, outputs


def test_another_hosts_lock_is_never_taken_over(tmp_path):
    target = tmp_path / "d"
    record = {"pid": 1, "host": "elsewhere.example", "since": "2000-01-01T00:00:00Z"}
    lock_path(target).write_text(json.dumps(record))
    with pytest.raises(LockedError, match="host elsewhere.example .*another host.*delete"):
        generate_dataset(SPEC, target, fmt="npy", workers=0, progress=False)
    assert json.loads(lock_path(target).read_text()) == record
    assert not target.exists()


CREATE = """
import sys, time
from GalCubeCraft.datasets import open_store
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import array_names
from GalCubeCraft._support.lock import LockedError
sys.path.insert(0, sys.argv[4])
from byte_flips import SPEC
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
try:
    generate_dataset(SPEC, sys.argv[1], fmt=sys.argv[2], workers=0, progress=False)
    print("made")
except LockedError as error:
    print("refused:", error)
except Exception as error:
    print("FAILED:", type(error).__name__, error)
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_processes_creating_one_store_one_wins_the_other_is_refused(tmp_path, fmt):
    """Two creators started together: one makes the store, the other is refused.

    (Or, if it comes second, finds the store complete.)  Nothing of the winner's is
    deleted, and nothing half-made is left beside it.
    """
    target = tmp_path / f"d{SUFFIX[fmt]}"
    start = str(time.time() + 4)
    env = {**os.environ, "PYTHONPATH": SRC}
    tests = str(HERE)
    runs = [subprocess.Popen([sys.executable, "-c", CREATE, str(target), fmt, start, tests],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env) for _ in range(2)]  # fmt: skip
    outputs = [run.communicate(timeout=180) for run in runs]
    said = sorted(out.strip().split(":")[0] for out, _err in outputs)
    assert "FAILED" not in said, outputs
    assert said in (["made", "refused"], ["made", "made"]), outputs  # made twice: in turn
    store = open_store(target)
    assert len(store.done_indices()) == SPEC.n_cubes
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no lock, no temporary


@pytest.fixture
def small_disk(tmp_path):
    """Yield a real 16 MiB file system (tmpfs; needs root), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, timeout=30)  # fmt: skip
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root?)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


FULL = """
import sys
import GalCubeCraft.datasets.batch as batch
from GalCubeCraft.cli import main
if __name__ == "__main__":
    # The disk fills after the up-front disk check (another program writes meanwhile).
    batch.check_disk = lambda *args, **kwargs: None
    sys.exit(main(["dataset", "--format", sys.argv[1], "--out", sys.argv[2], "-q",
                   "--n-cubes", "40", "--observation.grid-size", "32",
                   "--observation.n-chan", "8", "--seed", "5", *sys.argv[3:]]))
"""


def _cli_on(disk: Path, fmt: str, *more: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run([sys.executable, "-c", FULL, fmt, str(disk / f"d{SUFFIX[fmt]}"), *more],
                          capture_output=True, text=True, timeout=300, env=env)  # fmt: skip


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` up to ``leave`` free bytes with one file; return it."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler.write_bytes(b"\1" * max(free - leave, 0))
    return filler


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_full_disk_is_one_line_and_the_store_resumes(small_disk, fmt, workers):
    """On a real full file system the command prints one error line and exits 2.

    No traceback, no crash; freeing space and running again completes the same store.
    """
    filler = _fill(small_disk, 600_000)
    result = _cli_on(small_disk, fmt, "--workers", workers)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-3000:]
    assert len(lines) == 1 and "out of disk space" in lines[0], result.stderr[-3000:]
    assert lines[0].startswith("galcubecraft dataset: error: ")
    filler.unlink()
    if fmt == "hdf5":  # refused before the store existed: its whole space is checked first
        assert sorted(p.name for p in small_disk.iterdir()) == []
        return
    assert "run the same command again to resume" in lines[0]
    done_before = len(open_store(small_disk / f"d{SUFFIX[fmt]}").done_indices())
    resumed = _cli_on(small_disk, fmt, "--workers", "0")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    store = open_store(small_disk / f"d{SUFFIX[fmt]}")
    assert len(store.done_indices()) == 40 > done_before
    for index in range(40):
        store.read_item(index, verify=True)  # whole: nothing half-written counted done
    store.close()


BUSY = """
import errno
import sys
import time
import GalCubeCraft.datasets.batch as batch
from GalCubeCraft.cli import main

def render_and_write_many(indices, spec, path, store_id):
    # The first task finds the disk full once the other worker is busy on its own task,
    # which outlasts the 4 s that a closing nanny gives its worker before killing it.
    if 0 in indices:
        time.sleep(1.0)
        return batch.DiskFullError(errno.ENOSPC, "out of disk space (the test's)")
    end = time.monotonic() + 60.0
    while time.monotonic() < end:
        pass
    return len(indices)

if __name__ == "__main__":
    batch._render_and_write_many = render_and_write_many  # what the workers run
    sys.exit(main(["dataset", "--format", "npy", "--out", sys.argv[1], "-q", "--n-cubes", "8",
                   "--observation.grid-size", "32", "--observation.n-chan", "8",
                   "--workers", "2"]))
"""


def test_a_failure_beside_a_busy_worker_is_one_line(tmp_path):
    """A failure while another worker is mid-task: still one error line, exit 2.

    Closing the cluster kills that worker after 4 s, which its nanny would announce
    ("Worker process still alive after 4.0 seconds, killing") on a loaded machine.
    """
    env = {**os.environ, "PYTHONPATH": SRC}
    result = subprocess.run([sys.executable, "-c", BUSY, str(tmp_path / "d")], capture_output=True,
                            text=True, timeout=300, env=env)  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-3000:]
    assert len(lines) == 1 and "out of disk space (the test's)" in lines[0], lines
    assert lines[0].startswith("galcubecraft dataset: error: ")


def test_an_hdf5_store_reserves_its_space(small_disk):
    """An HDF5 store holds all its blocks, so a disk filled after it is made is harmless.

    (HDF5 cannot survive running out of space mid-write.)
    """
    spec = SPEC.replace(n_cubes=6)
    path = small_disk / "d.h5"
    open_store(path, spec, "hdf5").close()
    _fill(small_disk, 64_000)  # room for the lock file, not for the items' 140 kB
    generate_dataset(spec, path, fmt="hdf5", workers=0, progress=False)
    store = open_store(path)
    assert [store.read_item(i, verify=True)["index"] for i in range(6)] == list(range(6))
    store.close()


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_new_store_never_replaces_one_made_meanwhile(tmp_path, kind):
    """The last step of creation refuses, rather than replaces, what another made."""
    from GalCubeCraft.datasets.stores import _rename_new

    made, mine = tmp_path / "made", tmp_path / ".made.creating-x"
    if kind == "file":
        made.write_text("theirs")
        mine.write_text("mine")
    else:
        (made / "a").mkdir(parents=True)
        (mine / "b").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="made by another process meanwhile"):
        _rename_new(mine, made)
    assert (made.read_text() == "theirs") if kind == "file" else (made / "a").is_dir()


def _size_limited(limit: int):
    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, as a full disk fails writes
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_size_limit_is_one_line_too(tmp_path, fmt):
    """``ulimit -f`` (no root needed) fails writes as a full disk does: one line, exit 2."""
    env = {**os.environ, "PYTHONPATH": SRC}
    path = tmp_path / f"d{SUFFIX[fmt]}"
    result = subprocess.run([sys.executable, "-c", FULL, fmt, str(path), "--workers", "0"],
                            capture_output=True, text=True, timeout=300, env=env,
                            preexec_fn=_size_limited(40_000))  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("galcubecraft dataset: error: "), lines
    assert "out of disk space" in lines[0] or "ulimit -f" in lines[0], lines
    if path.exists():
        store = open_store(path)
        for index in store.done_indices().tolist():
            store.read_item(index, verify=True)  # what is counted done is whole
        store.close()


def _as_written_before_array_checksums(fmt: str, path: Path) -> None:
    """Rewrite a store as layout 5 wrote it before per-array checksums."""
    from GalCubeCraft.datasets.items import item_checksum

    if fmt == "zarr":  # done markers held the item's CRC-32
        store = open_store(path)
        for index in store.done_indices().tolist():
            arrays = {k: v for k, v in store.read_item(index).items() if k != "index"}
            (path / "items_done" / str(index)).write_text(str(item_checksum(arrays)))
    elif fmt == "hdf5":  # no per-array table
        import h5py

        with h5py.File(path, "r+") as handle:
            del handle["checksums"]
    else:  # no "checksums" record, no checksum files or cards
        record = json.loads((path / "store.json").read_text())
        del record["checksums"]
        (path / "store.json").write_text(json.dumps(record))
        for file in path.glob("*_checksums.json"):
            file.unlink()
        if fmt == "fits":
            from astropy.io import fits

            for file in path.glob("*.fits"):
                with fits.open(file, mode="update", checksum=True) as hdul:
                    for hdu in hdul:
                        del hdu.header["DATACRC"]
                        hdu.add_checksum()


@pytest.mark.parametrize("fmt", FORMATS)
def test_stores_written_before_array_checksums_read_back_identically(tmp_path, fmt):
    """A store of the same layout without per-array checksums reads as before."""
    import numpy as np

    from GalCubeCraft.datasets import StoreDataset, render_item

    path = tmp_path / f"d{SUFFIX[fmt]}"
    generate_dataset(SPEC, path, fmt=fmt, workers=0, progress=False)
    _as_written_before_array_checksums(fmt, path)
    dataset = StoreDataset(path, verify_reads=True)
    for index in range(SPEC.n_cubes):
        for name, array in render_item(SPEC, index).arrays.items():
            np.testing.assert_array_equal(dataset[index][name], array)
    assert dataset.verify().ok


@pytest.mark.parametrize("fmt", ["zarr", "hdf5", "fits"])
def test_stores_written_before_array_checksums_are_verified_too(tmp_path, fmt):
    """Their one checksum per item (or FITS's own) still finds a changed bit.

    (npy stores of then recorded none.)
    """
    from byte_flips import damage

    from GalCubeCraft.datasets import verify_store

    path = tmp_path / f"d{SUFFIX[fmt]}"
    generate_dataset(SPEC, path, fmt=fmt, workers=0, progress=False)
    _as_written_before_array_checksums(fmt, path)
    damage(fmt, path, "params", "bit")
    report = verify_store(path)
    assert report.checked == SPEC.n_cubes and [d.index for d in report.damaged] == [1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_check_checksums_only_when_asked(tmp_path, fmt):
    """A damaged array reads back unchecked by default; asked to verify, the read refuses it.

    Verification covers the arrays read: asking only for an undamaged one returns it.
    """
    import numpy as np
    from byte_flips import damage

    from GalCubeCraft.datasets import DamagedItemError, StoreDataset, render_item

    path = tmp_path / f"d{SUFFIX[fmt]}"
    generate_dataset(SPEC, path, fmt=fmt, workers=0, progress=False)
    damage(fmt, path, "params", "bit")
    store = open_store(path)
    params = store.read_item(1)["params"]  # unchecked: the caller verifies once, apart
    assert not np.array_equal(params, render_item(SPEC, 1).arrays["params"], equal_nan=True)
    with pytest.raises(DamagedItemError, match="item 1 .*params") as refused:
        store.read_item(1, verify=True)
    assert refused.value.index == 1 and refused.value.arrays == ("params",)
    noisy = store.read_item(1, arrays=("noisy",), verify=True)
    np.testing.assert_array_equal(noisy["noisy"], render_item(SPEC, 1).arrays["noisy"])
    store.close()
    with pytest.raises(DamagedItemError, match="item 1 .*params"):
        StoreDataset(path, verify_reads=True)[1]
