"""Stores of layout 5 (before the label arrays) read as they were written, and take no new items.

``tests/data/layout5_stores.tar.gz`` holds stores that layout 5 wrote (every format of a
plain spec, and an interferometric Zarr store), with what that version read from them
(``expected.json``: each parameter table, each array's CRC-32); ``tools/make_layout5_stores.py``
made it.
"""

import json
import re
import tarfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.datasets import StoreDataset, open_store, parameter_table, verify_store
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import array_names, galaxies_from_params
from GalCubeCraft.datasets.labels import MEASURED_COLUMNS, V_ROT_RADIUS_RE
from GalCubeCraft.datasets.layouts import LAYOUT_5_COLUMNS
from GalCubeCraft.datasets.stores import FORMAT_VERSION, MARKER_FILE

ARCHIVE = Path(__file__).parents[1] / "data" / "layout5_stores.tar.gz"
STORE_NAMES = ["plain-zarr.zarr", "plain-hdf5.h5", "plain-npy", "plain-fits", "observed-zarr.zarr"]


@pytest.fixture(scope="module")
def layout5(tmp_path_factory):
    """Return the archive's stores, unpacked, and what layout 5 read from them."""
    root = tmp_path_factory.mktemp("layout5")
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    return root, json.loads((root / "expected.json").read_text())


@pytest.mark.parametrize("name", STORE_NAMES)
def test_a_layout5_store_reads_its_arrays_as_written(layout5, name):
    """Every array of every item: the layout's arrays only, bytes as layout 5 wrote them."""
    root, expected = layout5
    dataset = StoreDataset(root / name)
    assert dataset.layout == 5
    assert dataset.arrays == array_names(dataset.spec, 5)
    assert "segmentation" not in dataset.arrays and "catalogue" not in dataset.arrays
    for index, crcs in expected[name]["crc32"].items():
        item = dataset[int(index)]
        read = {k: zlib.crc32(np.ascontiguousarray(v).data) for k, v in item.items()
                if k != "index"}  # fmt: skip
        assert read == crcs


@pytest.mark.parametrize("name", STORE_NAMES)
def test_a_layout5_store_verifies_against_its_own_checksums(layout5, name):
    """verify() and verified reads of chosen arrays check a layout-5 store's own arrays.

    Each CRC-32 it recorded is matched with the array it was recorded for (the layout's
    arrays, not today's): the store is whole; a layout-6 array is not one of its arrays.
    """
    root, expected = layout5
    report = verify_store(root / name)
    assert (report.ok, report.checked) == (True, len(expected[name]["crc32"]))
    dataset = StoreDataset(root / name, arrays=("clean", "params"), verify_reads=True)
    for index, crcs in expected[name]["crc32"].items():
        item = dataset[int(index)]
        assert sorted(item) == ["clean", "index", "params"]
        assert zlib.crc32(np.ascontiguousarray(item["clean"]).data) == crcs["clean"]
    with pytest.raises(ValueError, match="arrays must name some of this store's arrays"):
        StoreDataset(root / name, arrays=("noisy", "segmentation"))


@pytest.mark.parametrize("name", STORE_NAMES)
def test_a_layout5_parameter_table_reads_by_its_known_columns(layout5, name):
    """wide() is layout 5's table; items hold its per-item columns; galaxies its g<k>_ slots."""
    root, expected = layout5
    tables = parameter_table(root / name)
    wide = tables.wide()
    assert list(wide.columns) == expected[name]["columns"]
    for index, row in expected[name]["rows"].items():
        np.testing.assert_array_equal(wide.loc[int(index)].to_numpy(), np.array(row, float))
    blocks = LAYOUT_5_COLUMNS
    per_item = [c for c in expected[name]["columns"] if not re.fullmatch(r"g\d+_.+", c)]
    assert list(tables.items.columns) == per_item
    assert set(per_item) <= {*blocks["global"], *blocks["lens"], *blocks["interferometer"]}
    assert len(tables.galaxies) == int(wide["n_gals"].sum())
    dataset = StoreDataset(root / name)
    for (index, k), row in tables.galaxies.iterrows():
        for column in blocks["galaxy"]:
            assert row[column] == wide.loc[index, f"g{k}_{column}"] or np.isnan(row[column])
        centre = dataset[int(index)]["galaxy_centre_px"][k - 1]
        assert (row["x_px"], row["y_px"]) == pytest.approx(tuple(centre), abs=1e-9)
        # v_rot from the curve the row rebuilds (galaxy_from_row), as layout 6 measures it.
        galaxy = galaxies_from_params(dataset.spec, wide.loc[index].to_numpy(), dataset.layout)[
            k - 1
        ]
        speed = galaxy.rotation_curve(np.array([V_ROT_RADIUS_RE * galaxy.r_e_kpc]))[0]
        assert row["v_rot_kms"] == pytest.approx(float(speed), rel=1e-12)
        assert row[list(MEASURED_COLUMNS)].isna().all()  # they need the galaxies' cubes


def _copy_without_last_item(source, path, fmt):
    """Copy a two-item store to ``path``, then mark its item 1 not done (a killed run)."""
    import shutil

    if source.is_dir():
        shutil.copytree(source, path)
    else:
        shutil.copy(source, path)
    if fmt == "zarr":
        (path / "items_done" / "1").unlink()
    elif fmt == "hdf5":
        import h5py

        with h5py.File(path, "r+") as handle:
            handle["done"][1] = 0
    else:
        (path / ("000001.fits" if fmt == "fits" else "000001_params.npy")).unlink()


def _contents(path):
    """Return every byte of a store (a folder's files, or the one file)."""
    if path.is_dir():
        return {p: p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return path.read_bytes()


@pytest.mark.parametrize("name", ["plain-zarr.zarr", "plain-hdf5.h5", "plain-npy", "plain-fits"])
def test_a_layout5_store_takes_no_new_items(layout5, tmp_path, name):
    """A layout-5 store takes no new items; a finished one reports its items done.

    Resuming an unfinished one is refused, naming the layouts, and changes nothing.
    """
    root, _expected = layout5
    store = open_store(root / name)
    spec, fmt = store.spec, store.format
    store.close()
    report = generate_dataset(spec, root / name, fmt=fmt, workers=0, progress=False)
    assert (report.written, report.skipped) == (0, 2)
    path = tmp_path / name
    _copy_without_last_item(root / name, path, fmt)
    before = _contents(path)
    with pytest.raises(ValueError, match="store layout 5, which this GalCubeCraft reads"):
        generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    after = _contents(path)
    assert after == before
    assert StoreDataset(path).done_indices() == [0]


def test_new_stores_record_their_layout_and_column_names(tmp_path):
    """Layout 6 records the params and catalogue columns; an unknown layout is refused."""
    from GalCubeCraft.datasets import DatasetSpec
    from GalCubeCraft.datasets.items import recorded_columns

    spec = DatasetSpec(n_cubes=1, observation={"grid_size": 32, "n_chan": 4})
    path = tmp_path / "s"
    store = open_store(path, spec, "npy")
    assert store.layout == FORMAT_VERSION == 6
    assert store.record["columns"] == recorded_columns(spec)
    store.close()
    marker = path / MARKER_FILE
    record = json.loads(marker.read_text())
    marker.write_text(json.dumps({**record, "format_version": 4}))
    with pytest.raises(ValueError, match="store layout 4; this GalCubeCraft reads layouts 5, 6"):
        open_store(path)
