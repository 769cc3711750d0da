"""Kill a dataset generation at every write point, or fill its disk, then resume it.

Run as ``python fault_injection.py FORMAT FOLDER`` (``tests/datasets/test_faults.py`` does); prints
one JSON line of results.  Everything happens in forked children of this one process, so
the imports and the three renders are paid once:

- a dry run counts the write points of a whole generation (array writes, flushes, file
  renames: the calls after which a kill leaves a different state on disk);
- for each point ``k`` a child runs the generation and ``os._exit`` just before it;
- a child runs it on a "full disk": ``RLIMIT_FSIZE`` makes writes past a size fail
  (``EFBIG``), as a full device fails them, and reports whether the run failed loudly;
- after each, this process records what a reader sees of the items marked done (each
  equal to the item written, or refused as damaged, never torn data), resumes the run,
  and checks that the store equals an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
from pathlib import Path

import numpy as np

from GalCubeCraft.datasets import DatasetSpec, batch, open_store, render_item
from GalCubeCraft.datasets.items import ARRAY_NAMES, DamagedItemError

SPEC = DatasetSpec(
    n_cubes=3,
    seed=4,
    observation={"grid_size": 16, "n_chan": 4},
    galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    noise={"peak_snr": (5.0, 20.0)},
)
SUFFIX = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}
LOUD = 17  # exit code of a child whose run raised OSError


def write_points(fmt: str) -> list[tuple[object, str]]:
    """Return the (owner, attribute) of each function that changes the store on disk."""
    points: list[tuple[object, str]] = [(os, "replace"), (os, "rename")]
    if fmt == "zarr":
        from zarr.storage import LocalStore

        # Each chunk's file: renamed into place (os.replace, above) by the store's own
        # writer, or set by Zarr for arrays that writer leaves to it; a kill can land
        # between any two of them.
        points.append((LocalStore, "set"))
    elif fmt == "hdf5":
        import h5py

        points += [(h5py.Dataset, "__setitem__"), (h5py.File, "flush")]
    elif fmt == "npy":
        points.append((np, "save"))
    else:
        from astropy.io import fits

        points.append((fits.HDUList, "writeto"))
    return points


def patch_points(fmt: str, kill_at: int | None, counter: list[int]) -> None:
    """Count calls to the write points; ``os._exit`` just before call number ``kill_at``."""
    for owner, name in write_points(fmt):
        original = getattr(owner, name)

        def counted(*args, _original=original, **kwargs):
            counter[0] += 1
            if counter[0] == kill_at:
                os._exit(9)
            return _original(*args, **kwargs)

        setattr(owner, name, counted)


def run_child(fmt: str, path: Path, kill_at: int | None = None, size_limit: int | None = None,
              count_file: Path | None = None) -> int:  # fmt: skip
    """Fork a child that runs the generation under a fault; return its exit status."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            counter = [0]
            patch_points(fmt, kill_at, counter)
            if size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
                resource.setrlimit(resource.RLIMIT_FSIZE, (size_limit, size_limit))
            batch.generate_dataset(SPEC, path, fmt=fmt, workers=0, progress=False)
            if count_file is not None:
                count_file.write_text(str(counter[0]))
        except OSError:
            code = LOUD
        except BaseException:  # anything else is a failure of its own kind
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def same(a: dict, b: dict) -> bool:
    return all(np.array_equal(np.asarray(a[n]), b[n], equal_nan=True) for n in ARRAY_NAMES)


def inspect_and_resume(fmt: str, path: Path, items: dict) -> dict:
    """Return what readers saw before resuming, and whether the resumed store is whole."""
    seen = {"torn": 0, "refused": 0, "whole": 0}
    try:
        store = open_store(path)
    except (FileNotFoundError, ValueError, OSError):
        store = None
    if store is not None:
        for index in store.done_indices().tolist():
            try:
                read = store.read_item(index, verify=True)
            except DamagedItemError:
                seen["refused"] += 1
                continue
            seen["whole" if same(read, items[index].arrays) else "torn"] += 1
        store.close()
    batch.generate_dataset(SPEC, path, fmt=fmt, workers=0, progress=False)
    store = open_store(path)
    resumed = store.done_indices().tolist() == list(range(SPEC.n_cubes)) and all(
        same(store.read_item(i, verify=True), items[i].arrays) for i in range(SPEC.n_cubes)
    )
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    if path.is_dir():
        leftovers += [p.name for p in path.rglob(".*.part")]
    store.close()
    return {**seen, "resumed": resumed, "leftovers": leftovers}


def main() -> None:
    fmt, root = sys.argv[1], Path(sys.argv[2])
    items = {i: render_item(SPEC, i) for i in range(SPEC.n_cubes)}
    batch.render_item = lambda spec, index: items[index]  # the writes are under test
    count_file = root / "count"
    assert run_child(fmt, root / f"dry{SUFFIX[fmt]}", count_file=count_file) == 0
    n_points = int(count_file.read_text())
    results: dict = {"points": n_points, "kills": [], "full_disk": []}
    for k in range(1, n_points + 1):
        folder = root / f"kill{k}"
        folder.mkdir()
        path = folder / f"d{SUFFIX[fmt]}"
        status = run_child(fmt, path, kill_at=k)
        results["kills"].append({"k": k, "status": status, **inspect_and_resume(fmt, path, items)})
    # A full disk at several points: the store is created, then writes are capped.  Folder
    # stores write a file per array (a few kB); HDF5 one file, allocated when created.
    size = (root / "dry.h5").stat().st_size if fmt == "hdf5" else 0
    limits = (size // 4, size // 2, size - 64) if fmt == "hdf5" else (512, 4096, 20_000)
    for limit in limits:
        folder = root / f"full{limit}"
        folder.mkdir()
        path = folder / f"d{SUFFIX[fmt]}"
        open_store(path, SPEC, fmt).close()
        status = run_child(fmt, path, size_limit=limit)
        done = len(open_store(path).done_indices())
        results["full_disk"].append(
            {"limit": limit, "status": status, "done": done, **inspect_and_resume(fmt, path, items)}
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
