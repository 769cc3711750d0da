"""One contract over every store in the registry (Zarr, HDF5, npy folder, FITS folder)."""

import os

import numpy as np
import pytest

from GalCubeCraft.datasets import (
    ARRAY_NAMES,
    FORMATS,
    DatasetSpec,
    StoreDataset,
    open_store,
    parameter_names,
    parameter_table,
    render_item,
)
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.stores import MARKER_FILE, STORES, describe_formats, detect_format

SPEC = DatasetSpec(
    n_cubes=5,
    seed=11,
    observation={"grid_size": 24, "n_chan": 12, "beam": (4.0, 3.0, 30.0)},
    galaxies={"resolution": (0.5, 2.0)},
    noise={"peak_snr": (5.0, 20.0)},
)
SUFFIX = {fmt: entry.suffix for fmt, entry in STORES.items()}


@pytest.fixture(scope="module")
def direct():
    """Every item of SPEC, rendered in this process."""
    return [render_item(SPEC, i).as_dict() for i in range(SPEC.n_cubes)]


@pytest.fixture(scope="module")
def written(tmp_path_factory, dask_scheduler):
    """Each format written by this process (1 worker) and by a 2-worker Dask cluster."""
    root = tmp_path_factory.mktemp("stores")
    paths = {}
    for fmt in FORMATS:
        paths[fmt, 1] = root / f"{fmt}-one{SUFFIX[fmt]}"
        paths[fmt, 2] = root / f"{fmt}-two{SUFFIX[fmt]}"
        generate_dataset(SPEC, paths[fmt, 1], fmt=fmt, workers=0, progress=False)
        generate_dataset(SPEC, paths[fmt, 2], fmt=fmt, scheduler=dask_scheduler, progress=False)
    return paths


def _assert_items_equal(a, b):
    assert set(a) == {"index", *ARRAY_NAMES}
    for key in ARRAY_NAMES:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_registered_format_is_a_store_that_recognises_itself(tmp_path, fmt):
    """Each entry's class has its key as format, the protocol's methods, and is detected.

    A store created empty is recognised by its table entry alone (its marker file or its
    signature), reopens as its class, and says in the help text what it is.
    """
    from GalCubeCraft.datasets.stores import store_class

    entry = STORES[fmt]
    cls = store_class(fmt)
    assert cls.format == fmt and isinstance(cls.concurrent_writers, bool)
    for method in ("create_at", "open", "done_indices", "write_item", "read_item",
                   "parameter_rows", "close"):  # fmt: skip
        assert callable(getattr(cls, method)), method
    path = tmp_path / f"empty{entry.suffix}"
    store = open_store(path, SPEC, fmt)
    assert type(store) is cls and store.spec == SPEC
    assert store.done_indices().tolist() == []
    store.close()
    assert detect_format(path) == fmt
    assert path.is_dir() == (entry.signature is None)
    if path.is_dir():
        assert (path / entry.folder_marker).exists() or (path / MARKER_FILE).exists()
    assert f"{fmt}: {entry.description}" in describe_formats().splitlines()
    again = open_store(path)
    assert type(again) is cls and again.store_id == store.store_id
    again.close()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("fmt", FORMATS)
def test_store_reads_back_direct_rendering_bit_for_bit(written, direct, fmt, workers):
    """Written by 1 or 2 workers, every item reads back equal to direct rendering."""
    dataset = StoreDataset(written[fmt, workers])
    assert dataset.format == fmt and dataset.spec == SPEC and len(dataset) == SPEC.n_cubes
    assert dataset.done_indices() == list(range(SPEC.n_cubes))
    for index in range(SPEC.n_cubes):
        _assert_items_equal(dataset[index], direct[index])


@pytest.mark.parametrize("fmt", FORMATS)
def test_parameter_table_holds_the_parameters_used(written, direct, fmt):
    """The wide table has one row per item, equal to each item's parameter vector, named columns."""
    table = parameter_table(written[fmt, 1]).wide()
    assert list(table.columns) == parameter_names(SPEC)
    assert list(table.index) == list(range(SPEC.n_cubes))
    for index in range(SPEC.n_cubes):
        np.testing.assert_array_equal(table.loc[index].to_numpy(), direct[index]["params"])
    assert table["n_gals"].between(1, 3).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_store_gives_the_same_galaxy_table(written, direct, fmt):
    """One row per galaxy, read by recorded column names: each item's catalogue rows."""
    from GalCubeCraft.datasets.labels import CATALOGUE_COLUMNS

    tables = parameter_table(written[fmt, 2])
    galaxies = tables.galaxies
    assert len(galaxies) == sum(int(item["params"][0]) for item in direct)
    for index, item in enumerate(direct):
        n = int(item["params"][0])
        np.testing.assert_array_equal(
            galaxies.loc[index][list(CATALOGUE_COLUMNS)].to_numpy(), item["catalogue"][:n]
        )
    reference = parameter_table(written["zarr", 1]).galaxies
    assert galaxies.equals(reference)


def test_fits_items_describe_themselves(written):
    """Each FITS extension carries the WCS its shape shares with the cube, and its unit."""
    from astropy.io import fits
    from astropy.wcs import WCS

    from GalCubeCraft.datasets.labels import CATALOGUE_COLUMNS

    path = next(written["fits", 1].glob("*.fits"))
    with fits.open(path) as hdul:
        hdul.verify("exception")
        primary = hdul[0].header
        assert primary["BUNIT"] == "Jy/beam" and primary["NOISERMS"] > 0
        clean = hdul["CLEAN"].header
        assert clean["BUNIT"] == "Jy/beam" and clean["BMAJ"] == primary["BMAJ"]
        for key in ("CTYPE3", "CDELT3", "CRVAL3", "CDELT1", "CRVAL1", "SPECSYS", "RESTFRQ"):
            assert clean[key] == primary[key], key
        per_galaxy = WCS(hdul["GALAXY_CLEAN"].header)
        assert per_galaxy.naxis == 4 and per_galaxy.wcs.ctype[3] == "GALAXY"
        moment0 = hdul["MOMENT0"].header
        assert moment0["BUNIT"] == "Jy km pix-1 s-1" and WCS(moment0).naxis == 2
        assert moment0["CDELT1"] == primary["CDELT1"] and moment0["CRPIX2"] == primary["CRPIX2"]
        assert hdul["VELOCITY_FIELD"].header["BUNIT"] == "km s-1"
        assert hdul["GALAXY_VSYS_KMS"].header["BUNIT"] == "km s-1"
        names = [hdul["PARAMS"].header[f"COL{k}"] for k in range(1, len(parameter_names(SPEC)) + 1)]
        assert names == parameter_names(SPEC)
        columns = [hdul["CATALOGUE"].header[f"COL{k}"] for k in range(1, 7)]
        assert columns == list(CATALOGUE_COLUMNS) and "COL7" not in hdul["CATALOGUE"].header
        segmentation = hdul["SEGMENTATION"]
        assert segmentation.data.dtype == np.uint8 and WCS(segmentation.header).naxis == 3
        assert hdul["CLEAN_MOMENT0"].header["BUNIT"] == "Jy km beam-1 s-1"
        assert hdul["CLEAN_MOMENT1"].header["CDELT1"] == primary["CDELT1"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_spec_and_wrong_format_are_refused_untouched(written, fmt):
    """Another spec or another format is refused, naming both sides; nothing is overwritten."""
    path = written[fmt, 1]
    before = (
        sorted((p.relative_to(path), p.stat().st_mtime_ns) for p in path.rglob("*"))
        if path.is_dir()
        else path.stat().st_mtime_ns
    )  # noqa: E501
    other = SPEC.replace(seed=12)
    with pytest.raises(ValueError, match="seed: stored 11, asked 12"):
        generate_dataset(other, path, fmt=fmt, workers=0, progress=False)
    wrong = next(f for f in FORMATS if f != fmt)
    with pytest.raises(ValueError, match=f"is a {fmt} dataset; refusing to write {wrong}"):
        generate_dataset(SPEC, path, fmt=wrong, workers=0, progress=False)
    after = (
        sorted((p.relative_to(path), p.stat().st_mtime_ns) for p in path.rglob("*"))
        if path.is_dir()
        else path.stat().st_mtime_ns
    )  # noqa: E501
    assert after == before


def test_unknown_folder_and_missing_store_are_refused(tmp_path):
    """A non-empty folder that is no store is not adopted; reading nothing is FileNotFound."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="holds no GalCubeCraft dataset"):
        generate_dataset(SPEC, tmp_path / "mine", fmt="npy", workers=0, progress=False)
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    with pytest.raises(FileNotFoundError):
        StoreDataset(tmp_path / "nothing")


def test_store_of_another_shape_at_the_same_path_is_written_afresh(tmp_path, dask_scheduler):
    """A long-lived cluster writes a store re-made at the same path with its new shape."""
    import shutil

    path = tmp_path / "same.zarr"
    generate_dataset(SPEC, path, scheduler=dask_scheduler, progress=False)
    shutil.rmtree(path)
    bigger = SPEC.replace(n_cubes=3, observation={"grid_size": 32})
    generate_dataset(bigger, path, scheduler=dask_scheduler, progress=False)
    store = open_store(path)
    assert store.spec == bigger
    _assert_items_equal(store.read_item(2), render_item(bigger, 2).as_dict())


@pytest.mark.parametrize("fmt", ["zarr", "npy", "fits"])
def test_done_scan_of_a_20000_item_store_reads_each_flag_once(tmp_path, monkeypatch, fmt):
    """A 20,000-item store with 50 done: resuming lists the done flags once, renders item 50.

    One directory listing reads each flag once (the old scan re-read all flags per item).
    """
    from GalCubeCraft.datasets import batch
    from GalCubeCraft.datasets.items import Item

    spec = DatasetSpec(
        n_cubes=20_000,
        seed=2,
        observation={"grid_size": 16, "n_chan": 4},
        galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    )
    path = tmp_path / f"d{SUFFIX[fmt]}"
    store = open_store(path, spec, fmt)
    arrays = render_item(spec, 0).arrays  # the scan reads flags, not contents: one render
    for index in range(50):
        store.write_item(Item(index, arrays))
    store.close()
    flags_dir = path / "items_done" if fmt == "zarr" else path
    listings = []
    real_listdir, real_scandir = os.listdir, os.scandir

    def counted(real):
        def listing(where="."):
            if os.path.samefile(where, flags_dir):
                listings.append(where)
            return real(where)

        return listing

    monkeypatch.setattr(os, "listdir", counted(real_listdir))
    monkeypatch.setattr(os, "scandir", counted(real_scandir))
    rendered = []

    class Stop(Exception):
        pass

    def render_and_stop(spec, index):
        rendered.append(index)
        raise Stop

    monkeypatch.setattr(batch, "render_item", render_and_stop)
    with pytest.raises(Stop):
        generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    assert rendered == [50]
    assert len(listings) == 1
    monkeypatch.undo()
    assert open_store(path).done_indices().tolist() == list(range(50))


def test_a_zarr_item_that_fails_one_array_is_not_done_and_rewrites(tmp_path, direct):
    """One array's write fails: the error is raised, the item stays undone, a retry is whole.

    The store writes an item's chunks together (one pass of Zarr's event loop): the
    failure of one must surface, not be lost among the others.
    """
    from GalCubeCraft.datasets.items import Item

    store = open_store(tmp_path / "d.zarr", SPEC, "zarr")
    arrays = {name: np.asarray(value) for name, value in direct[2].items() if name != "index"}
    broken = {**arrays, "params": arrays["params"][:-1]}  # one value short
    with pytest.raises(ValueError):
        store.write_item(Item(index=2, arrays=broken))
    assert store.done_indices().tolist() == []
    store.write_item(Item(index=2, arrays=arrays))
    _assert_items_equal(store.read_item(2, verify=True), direct[2])
