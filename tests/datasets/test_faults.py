"""Fault injection: a kill at every write point, or a full disk, loses nothing in any store."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.datasets import FORMATS, DatasetSpec, StoreDataset, open_store, render_item
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import DamagedItemError, Item

SCRIPT = Path(__file__).with_name("fault_injection.py")


@pytest.mark.parametrize("fmt", FORMATS)
def test_kill_at_every_write_point_and_full_disk_then_resume(tmp_path, fmt):
    """Killed before any write, or out of space: nothing torn is read, nothing is lost.

    A full disk fails the run loudly; resuming gives the store of an uninterrupted run.
    """
    result = subprocess.run([sys.executable, str(SCRIPT), fmt, str(tmp_path)], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["points"] >= 8  # arrays, flags, renames: every one is a kill point
    for case in report["kills"] + report["full_disk"]:
        assert case["torn"] == 0, case  # done items read back whole, or are refused
        assert case["resumed"], case  # and resuming completes the uninterrupted store
        assert case["leftovers"] == [], case  # unfinished files are cleaned up
    assert all(case["status"] == 9 for case in report["kills"])  # each kill did happen
    for case in report["full_disk"]:
        # Loud (OSError) when space ran out; a run that finished has every item whole.
        assert case["status"] == 17 or (case["status"] == 0 and case["whole"] == 3), case
    assert any(case["status"] == 17 for case in report["full_disk"])


@pytest.mark.parametrize("fmt", ["zarr", "hdf5", "fits"])
def test_a_damaged_item_is_refused_not_returned(tmp_path, fmt):
    """Bytes changed under a done item: a verified read raises, ``verify()`` reports it."""
    spec = DatasetSpec(
        n_cubes=2,
        seed=3,
        observation={"grid_size": 16, "n_chan": 4},
        galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    )
    path = tmp_path / {"zarr": "d.zarr", "hdf5": "d.h5", "fits": "d"}[fmt]
    generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    if fmt == "hdf5":
        import h5py

        with h5py.File(path, "r+") as handle:
            handle["noisy"][1, 0, 0, 0] += 1.0
    elif fmt == "zarr":
        import zarr

        group = zarr.open_group(path, mode="r+")
        group["noisy"][1, 0, 0, 0] = group["noisy"][1, 0, 0, 0] + 1.0
    else:
        from astropy.io import fits

        item = path / "000001.fits"
        with fits.open(item) as hdul:
            start = hdul[0].fileinfo()["datLoc"]
        raw = bytearray(item.read_bytes())
        raw[start + 2] ^= 0x10  # flip one bit of the first voxel; the CHECKSUM stays
        item.write_bytes(bytes(raw))
    dataset = StoreDataset(path, verify_reads=True)
    np.testing.assert_array_equal(dataset[0]["noisy"], render_item(spec, 0).arrays["noisy"])
    with pytest.raises(DamagedItemError, match="item 1 is damaged .*noisy"):
        dataset[1]
    # Only the arrays read are checked: an undamaged one reads back whole.
    clean = StoreDataset(path, arrays=("clean",), verify_reads=True)[1]["clean"]
    np.testing.assert_array_equal(clean, render_item(spec, 1).arrays["clean"])
    # One pass over the store finds the item and names the array.
    report = StoreDataset(path).verify()
    assert report.checked == 2 and not report.ok
    assert [(d.index, d.arrays) for d in report.damaged] == [(1, ("noisy",))]


@pytest.mark.parametrize("fmt", ["npy", "fits"])
def test_indices_past_a_million_are_read_in_full(tmp_path, fmt):
    """Folder stores find item 1,000,005 as itself (not as 100,000 from its first digits)."""
    spec = DatasetSpec(
        n_cubes=1_000_010,
        seed=2,
        observation={"grid_size": 16, "n_chan": 4},
        galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    )
    store = open_store(tmp_path / "d", spec, fmt)
    arrays = render_item(spec, 5).arrays
    for index in (5, 100_000, 1_000_005):
        store.write_item(Item(index, arrays))
    assert store.done_indices().tolist() == [5, 100_000, 1_000_005]
    np.testing.assert_array_equal(store.read_item(1_000_005)["noisy"], arrays["noisy"])


def test_a_folder_store_with_a_lost_or_changed_spec_copy_is_refused(tmp_path):
    """Deleting or editing spec.toml does not let another spec adopt the items."""
    spec = DatasetSpec(
        n_cubes=2,
        seed=3,
        observation={"grid_size": 16, "n_chan": 4},
        galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    )
    path = tmp_path / "d"
    generate_dataset(spec, path, fmt="npy", workers=0, progress=False)
    (path / "spec.toml").unlink()
    with pytest.raises(ValueError, match="spec.toml is missing or differs"):
        generate_dataset(spec.replace(seed=4), path, fmt="npy", workers=0, progress=False)
    spec.replace(seed=4).write_toml(path / "spec.toml")
    with pytest.raises(ValueError, match="spec.toml is missing or differs"):
        StoreDataset(path)
