"""The Zarr store's own chunk writer: Zarr's bytes and keys, and Zarr's path where it cannot."""

import numpy as np
import pytest
import zarr
from zarr.codecs import ZstdCodec

from GalCubeCraft.datasets import DatasetSpec, open_store, render_item
from GalCubeCraft.datasets.zarr_store import _write_chunks

SPEC = DatasetSpec(
    n_cubes=3,
    seed=5,
    observation={"grid_size": 20, "n_chan": 6},
    galaxies={"resolution": (0.5, 1.0)},
    noise={"peak_snr": (5.0, 20.0)},
)


def _chunk_files(path):
    """Return ``{relative path: bytes}`` of every chunk file of the store at ``path``."""
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in path.rglob("*")
        if p.is_file() and "c" in p.relative_to(path).parts
    }


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
