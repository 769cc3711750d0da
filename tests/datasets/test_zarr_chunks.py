"""The Zarr store's own chunk writer: Zarr's bytes and keys, and Zarr's path where it cannot."""

import multiprocessing

import numpy as np
import pytest
import zarr
from byte_flips import chunk_key, damage
from zarr.codecs import ZstdCodec

from GalCubeCraft.datasets import DatasetSpec, open_store, render_item, verify_store, zarr_store
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.zarr_store import _write_chunks

SPEC = DatasetSpec(
    n_cubes=3,
    seed=5,
    observation={"grid_size": 20, "n_chan": 6},
    galaxies={"resolution": (0.5, 1.0)},
    noise={"peak_snr": (5.0, 20.0)},
)


def _chunk_files(path):
    """Return ``{relative path: bytes}`` of every chunk file of the store at ``path``.

    Every file of an array's folder but its metadata; each must lie under the key Zarr
    gives one of the item chunks (so a file of another name fails the test).
    """
    arrays = {p.parent.name: zarr.open_array(p.parent, mode="r") for p in path.glob("*/zarr.json")}
    keys = {
        f"{name}/{chunk_key(a, index)}" for name, a in arrays.items() for index in range(a.shape[0])
    }
    files = {
        str(p.relative_to(path)): p.read_bytes()
        for name in arrays
        for p in (path / name).rglob("*")
        if p.is_file() and p.name != "zarr.json"
    }
    assert set(files) <= keys, set(files) - keys
    return files


def test_chunk_files_are_the_bytes_zarr_writes(tmp_path):
    """Every chunk file (raw and Blosc arrays alike) equals Zarr's own write, byte for byte."""
    ours = open_store(tmp_path / "ours.zarr", SPEC, "zarr")
    theirs = open_store(tmp_path / "theirs.zarr", SPEC, "zarr")
    for index in range(SPEC.n_cubes):
        item = render_item(SPEC, index)
        ours.write_item(item)
        _write_chunks([(theirs._array(name), item.arrays[name]) for name in theirs._names], index)
    assert all(ours._files[name] is not None for name in ours._names)  # none left to Zarr
    mine, zarrs = _chunk_files(tmp_path / "ours.zarr"), _chunk_files(tmp_path / "theirs.zarr")
    assert len(mine) == SPEC.n_cubes * len(ours._names)
    assert mine == zarrs
    assert not list((tmp_path / "ours.zarr").rglob("*.part"))  # no temporaries left


def test_an_array_of_other_codecs_is_written_by_zarr(tmp_path):
    """An array the writer does not know (here Zstd) is left to Zarr, and reads back equal."""
    store = open_store(tmp_path / "d.zarr", SPEC, "zarr")
    group = zarr.open_group(tmp_path / "d.zarr", mode="r+")
    shape = group["clean"].shape
    del group["clean"]
    group.create_array("clean", shape=shape, chunks=(1, *shape[1:]), dtype="float32",
                       fill_value=0.0, compressors=ZstdCodec(level=1))  # fmt: skip
    item = render_item(SPEC, 1)
    store.write_item(item)
    assert store._files["clean"] is None and store._files["noisy"] is not None
    read = open_store(tmp_path / "d.zarr").read_item(1, verify=True)
    np.testing.assert_array_equal(read["clean"], item.arrays["clean"])
    np.testing.assert_array_equal(read["noisy"], item.arrays["noisy"])


def test_a_wrong_shape_writes_no_chunk(tmp_path):
    """An item array of the wrong shape is refused by name before any chunk is written."""
    store = open_store(tmp_path / "d.zarr", SPEC, "zarr")
    item = render_item(SPEC, 0)
    broken = {**item.arrays, "moment0": item.arrays["moment0"][:-1]}
    with pytest.raises(ValueError, match="'moment0' has shape"):
        store.write_item(type(item)(index=0, arrays=broken))
    assert _chunk_files(tmp_path / "d.zarr") == {}
    assert store.done_indices().tolist() == []


def test_new_stores_keep_each_chunk_a_flat_file_in_its_arrays_folder(tmp_path):
    """Flat chunk keys: ``<array>/c.<index>.0.0.0``, and writing items makes no folder."""
    path = tmp_path / "d.zarr"
    store = open_store(path, SPEC, "zarr")
    folders = sorted(p for p in path.rglob("*") if p.is_dir())
    for index in range(SPEC.n_cubes):
        store.write_item(render_item(SPEC, index))
    assert sorted(p for p in path.rglob("*") if p.is_dir()) == folders  # none added
    assert {p.name for p in folders} == {*store._names, "items_done"}
    noisy = zarr.open_array(path / "noisy", mode="r")
    assert noisy.metadata.chunk_key_encoding.separator == "."
    assert sorted(p.name for p in (path / "noisy").iterdir()) == [
        "c.0.0.0.0", "c.1.0.0.0", "c.2.0.0.0", "zarr.json"
    ]  # fmt: skip
    assert sorted(p.name for p in (path / "params").iterdir()) == [
        "c.0.0", "c.1.0", "c.2.0", "zarr.json"
    ]  # fmt: skip
    assert len(_chunk_files(path)) == SPEC.n_cubes * len(store._names)


def test_a_store_with_nested_chunk_keys_reads_verifies_and_resumes(tmp_path, monkeypatch):
    """A store written with Zarr's nested keys (earlier releases) keeps them, and works.

    Made as those releases made it (only the key encoding differs), two of its three items
    written and a killed run's temporary left in ``items_done``: it reads and verifies;
    a resume removes the leftover and writes the last item under a nested key too; a
    damaged chunk is found and named.
    """
    path = tmp_path / "d.zarr"
    nested = {"name": "default", "separator": "/"}
    monkeypatch.setattr(zarr_store, "_CHUNK_KEYS", nested)
    store = open_store(path, SPEC, "zarr")
    for index in (0, 1):
        store.write_item(render_item(SPEC, index))
    monkeypatch.undo()
    leftover = path / "items_done" / ".c.2.0.0.0.1234-abcd-7.part"
    leftover.write_bytes(b"half a chunk")
    assert (path / "noisy" / "c" / "1" / "0" / "0" / "0").is_file()
    store = open_store(path)
    assert store.done_indices().tolist() == [0, 1]
    np.testing.assert_array_equal(store.read_item(1, verify=True)["noisy"],
                                  render_item(SPEC, 1).arrays["noisy"])  # fmt: skip
    report = generate_dataset(SPEC, path, fmt="zarr", workers=0, progress=False)
    assert report.written == 1 and not leftover.exists()
    assert (path / "noisy" / "c" / "2" / "0" / "0" / "0").is_file()
    assert not list(path.rglob("c.*"))  # no flat key in a nested store
    assert len(_chunk_files(path)) == SPEC.n_cubes * len(store._names)
    assert verify_store(path).damaged == ()
    for index in range(SPEC.n_cubes):
        read = open_store(path).read_item(index, verify=True)
        for name, value in render_item(SPEC, index).arrays.items():
            np.testing.assert_array_equal(read[name], value)
    damage("zarr", path, "clean", "bit")
    (found,) = verify_store(path).damaged
    assert found.index == 1 and found.arrays == ("clean",)


def _write_share(path, items, share, start):
    """Write every third item from ``share`` on, in a process of its own, once all start."""
    start.wait()
    store = open_store(path)
    for item in items[share::3]:
        store.write_item(item)


def test_processes_writing_items_of_one_store_at_once(tmp_path):
    """Three processes write interleaved items of one store together: every item whole."""
    spec = SPEC.replace(n_cubes=9)
    path = tmp_path / "d.zarr"
    open_store(path, spec, "zarr").close()
    items = [render_item(spec, index) for index in range(spec.n_cubes)]
    context = multiprocessing.get_context("fork")
    start = context.Barrier(3)
    writers = [context.Process(target=_write_share, args=(path, items, k, start)) for k in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    hung = [writer for writer in writers if writer.is_alive()]
    for writer in hung:  # no child left behind if one hangs
        writer.kill()
        writer.join()
    assert not hung, "a writer did not finish in 60 s"
    assert [writer.exitcode for writer in writers] == [0, 0, 0]
    store = open_store(path)
    assert store.done_indices().tolist() == list(range(spec.n_cubes))
    for item in items:
        read = store.read_item(item.index, verify=True)
        for name, value in item.arrays.items():
            np.testing.assert_array_equal(read[name], value)
    assert not [p for p in path.rglob("*") if p.name.endswith(".part")]
    assert len(_chunk_files(path)) == spec.n_cubes * len(store._names)
