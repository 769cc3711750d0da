"""Stores made before the spec's tables record 2.0's flat spec: they open and read back."""

import json
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.datasets import FORMATS, StoreDataset, open_store, render_item
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.priors.spec import DatasetSpec

FLAT_2_0 = (Path(__file__).parent / "data" / "spec_2_0_flat.toml").read_text()
"""The spec as 2.0 recorded it in a store (its ``DatasetSpec.to_toml``)."""
SUFFIX = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}


def _record_as_2_0(path, fmt):
    """Put the flat spec text where 2.0's store of format ``fmt`` kept its spec."""
    if fmt == "zarr":
        import zarr

        zarr.open_group(path, mode="r+").attrs["spec"] = FLAT_2_0
    elif fmt == "hdf5":
        import h5py

        with h5py.File(path, "r+") as handle:
            handle.attrs["spec"] = FLAT_2_0
    else:
        record = json.loads((path / "store.json").read_text())
        (path / "store.json").write_text(json.dumps({**record, "spec": FLAT_2_0}))
        (path / "spec.toml").write_text(FLAT_2_0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_store_recording_the_flat_spec_reads_back_identically(tmp_path, fmt):
    """A store of 2.0's flat spec opens with its spec in tables; items read back bit for bit."""
    spec = DatasetSpec.from_stored(FLAT_2_0)
    path = tmp_path / f"d{SUFFIX[fmt]}"
    generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    _record_as_2_0(path, fmt)
    stored = StoreDataset(path)
    assert stored.spec == spec and stored.spec.interferometer.duration_h == (0.5, 1.0)
    for index in range(spec.n_cubes):
        expected = render_item(spec, index).arrays
        for name in ("noisy", "clean", "params"):
            np.testing.assert_array_equal(stored[index][name], expected[name])
    # The same spec, given in tables, resumes the store: nothing is left to make.
    report = generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    assert report.skipped == spec.n_cubes
    store = open_store(path, spec, fmt)
    assert sorted(store.done_indices()) == list(range(spec.n_cubes))
    store.close()
