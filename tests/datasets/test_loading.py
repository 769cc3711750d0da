"""Loading stored datasets: only the arrays asked for, checks once, splits, normalisations."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest
from torch.utils.data import DataLoader

from GalCubeCraft.datasets import (
    FORMATS,
    Compose,
    DatasetSpec,
    NoiseNormalise,
    PeakNormalise,
    StoreDataset,
    parameter_names,
    render_item,
    split_indices,
    verify_store,
)
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.stores import STORES

SPEC = DatasetSpec(
    n_cubes=6,
    seed=5,
    observation={"grid_size": 16, "n_chan": 4},
    galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    noise={"peak_snr": (5.0, 20.0)},
)
PAIR = ("noisy", "clean")


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """One written store per format (read only: tests that damage one copy it)."""
    root = tmp_path_factory.mktemp("loading")
    paths = {}
    for fmt in FORMATS:
        paths[fmt] = root / f"{fmt}{STORES[fmt].suffix}"
        generate_dataset(SPEC, paths[fmt], fmt=fmt, workers=0, progress=False)
    return paths


@pytest.fixture(scope="module")
def direct():
    return [render_item(SPEC, i).arrays for i in range(SPEC.n_cubes)]


def _spy_reads(fmt, monkeypatch):
    """Record the name of every array each format's library reads from the store."""
    seen: list[str] = []
    if fmt == "zarr":
        import zarr

        original = zarr.Array.__getitem__

        def read(self, selection):
            seen.append(self.basename)
            return original(self, selection)

        monkeypatch.setattr(zarr.Array, "__getitem__", read)
    elif fmt == "hdf5":
        import h5py

        original_h5 = h5py.Dataset.__getitem__

        def read_h5(self, args, new_dtype=None):
            seen.append(self.name.lstrip("/"))
            return original_h5(self, args, new_dtype)

        monkeypatch.setattr(h5py.Dataset, "__getitem__", read_h5)
    elif fmt == "npy":
        original_load = np.load

        def load(file, *args, **kwargs):
            seen.append(str(file).split("_", 1)[-1].removesuffix(".npy"))
            return original_load(file, *args, **kwargs)

        monkeypatch.setattr(np, "load", load)
    return seen


@pytest.mark.parametrize("fmt", ["zarr", "hdf5", "npy"])
def test_a_read_touches_only_the_arrays_asked_for(stores, direct, fmt, monkeypatch):
    """Asked for noisy and clean, the store reads those two arrays of the item, no other."""
    dataset = StoreDataset(stores[fmt], arrays=PAIR)
    dataset[0]  # the done scan happens here, once per process (HDF5 reads its flags)
    seen = _spy_reads(fmt, monkeypatch)
    for index in (1, 4):
        item = dataset[index]
        assert set(item) == {"index", *PAIR}
        for name in PAIR:
            np.testing.assert_array_equal(item[name], direct[index][name])
    assert seen == [*PAIR, *PAIR]


def test_a_fits_read_stops_at_the_hdus_asked_for(stores, direct, tmp_path):
    """A FITS item cut short after its CLEAN HDU still gives noisy and clean; not the rest."""
    from astropy.io import fits

    from GalCubeCraft.datasets import DamagedItemError

    path = tmp_path / "d"
    shutil.copytree(stores["fits"], path)
    file = path / "000002.fits"
    with fits.open(file) as hdul:
        end = hdul["CLEAN"].fileinfo()["datLoc"] + hdul["CLEAN"].fileinfo()["datSpan"]
    file.write_bytes(file.read_bytes()[:end])
    item = StoreDataset(path, arrays=PAIR)[2]
    for name in PAIR:
        np.testing.assert_array_equal(item[name], direct[2][name])
    with pytest.raises(DamagedItemError, match="item 2 is damaged"):
        StoreDataset(path)[2]


def _change(fmt, path, index, name):
    """Change one value of array ``name`` of item ``index`` in place, as damage would."""
    if fmt == "zarr":
        import zarr

        array = zarr.open_group(path, mode="r+")[name]
        array[index] = array[index] + 1
    elif fmt == "hdf5":
        import h5py

        with h5py.File(path, "r+") as handle:
            handle[name][index] = handle[name][index] + 1
    elif fmt == "npy":
        file = path / f"{index:06d}_{name}.npy"
        np.save(file, np.load(file) + 1)
    else:
        from astropy.io import fits

        file = path / f"{index:06d}.fits"
        with fits.open(file) as hdul:
            start = hdul[0 if name == "noisy" else name.upper()].fileinfo()["datLoc"]
        raw = bytearray(file.read_bytes())
        raw[start + 1] ^= 0x01
        file.write_bytes(bytes(raw))


@pytest.mark.parametrize("fmt", FORMATS)
def test_verify_reports_every_damaged_item_and_array(stores, fmt, tmp_path):
    """Damage in two items, two arrays in one: all reported, with the count checked."""
    path = tmp_path / stores[fmt].name
    (shutil.copytree if stores[fmt].is_dir() else shutil.copy)(stores[fmt], path)
    assert verify_store(path).ok and verify_store(path).checked == SPEC.n_cubes
    for index, name in ((1, "noisy"), (1, "params"), (4, "clean")):
        _change(fmt, path, index, name)
    report = StoreDataset(path, arrays=("moment0",)).verify()
    assert report.checked == SPEC.n_cubes and not report.ok
    assert [(d.index, d.arrays) for d in report.damaged] == [(1, ("noisy", "params")),
                                                             (4, ("clean",))]  # fmt: skip
    assert report.summary().endswith("2 damaged: item 1 (noisy, params), item 4 (clean)")


def test_the_verify_command_exits_1_on_damage(stores, tmp_path, capsys):
    """`galcubecraft verify PATH`: 0 and a summary for a whole store; 1 naming the damage."""
    from GalCubeCraft.cli import main

    path = tmp_path / "d.zarr"
    shutil.copytree(stores["zarr"], path)
    assert main(["verify", str(path)]) == 0
    assert f"checked {SPEC.n_cubes} of {SPEC.n_cubes} items: all whole" in capsys.readouterr().err
    _change("zarr", path, 3, "velocity_field")
    assert main(["verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert "item 3 is damaged (its array velocity_field does not match" in err
    assert err.strip().endswith("1 damaged: item 3 (velocity_field)")


@pytest.mark.parametrize(("fmt", "context"), [("zarr", None), ("hdf5", None), ("zarr", "spawn")])
def test_two_loader_workers_give_the_items_of_none(stores, fmt, context):
    """A DataLoader over a split, 2 workers (forked or spawned) or none: the same batches.

    The parent reads an item first, so forked workers inherit an open store to replace.
    """
    dataset = StoreDataset(stores[fmt], arrays=PAIR, transform=PeakNormalise())
    dataset[0]
    train, validation, test = dataset.split((0.5, 0.25, 0.25), seed=1)
    assert len(train) + len(validation) + len(test) == SPEC.n_cubes

    def batches(workers):
        loader = DataLoader(train, batch_size=2, num_workers=workers,
                            multiprocessing_context=context if workers else None)  # fmt: skip
        return [{k: v.numpy() for k, v in batch.items()} for batch in loader]

    serial, parallel = batches(0), batches(2)
    assert [b["index"].tolist() for b in serial] == [train.indices[:2].tolist(),
                                                     train.indices[2:].tolist()]  # fmt: skip
    for one, two in zip(serial, parallel, strict=True):
        assert one.keys() == two.keys() == {"index", *PAIR, "peak_scale"}
        for key in one:
            np.testing.assert_array_equal(one[key], two[key])


def test_splits_are_disjoint_covering_exact_and_deterministic():
    """80/10/10 of 2,000 is 1,600/200/200, the same on every call and every machine."""
    train, validation, test = split_indices(2000, (0.8, 0.1, 0.1), seed=0)
    assert (len(train), len(validation), len(test)) == (1600, 200, 200)
    together = np.concatenate([train, validation, test])
    assert np.array_equal(np.sort(together), np.arange(2000))  # disjoint and covering
    again = split_indices(2000, (0.8, 0.1, 0.1), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(again, (train, validation, test), strict=True))
    other = split_indices(2000, (0.8, 0.1, 0.1), seed=1)
    assert not np.array_equal(other[2], test)
    # Pinned: the hash is SplitMix64, the same on every platform and NumPy version.
    assert split_indices(10, (0.6, 0.2, 0.2), seed=0)[1].tolist() == PINNED_VALIDATION


PINNED_VALIDATION = [0, 7]


def test_split_sizes_round_by_largest_remainder():
    """7 items as 50/25/25 (quotas 3.5, 1.75, 1.75) give 3/2/2; ties go to the earlier split."""
    assert [len(part) for part in split_indices(7, (0.5, 0.25, 0.25))] == [3, 2, 2]
    assert [len(part) for part in split_indices(3, (0.5, 0.5))] == [2, 1]
    assert [len(part) for part in split_indices(0, (0.5, 0.5))] == [0, 0]


def test_stable_splits_keep_every_item_in_its_split_as_the_dataset_grows():
    """With ``stable=True`` item i's split does not depend on n; sizes are near the shares."""
    small = split_indices(1000, seed=3, stable=True)
    large = split_indices(5000, seed=3, stable=True)
    for part_small, part_large in zip(small, large, strict=True):
        assert np.array_equal(part_large[part_large < 1000], part_small)
    sizes = np.array([len(part) for part in large])
    assert np.all(np.abs(sizes - 5000 * np.array([0.8, 0.1, 0.1])) < 4 * np.sqrt(5000 * 0.1))


@pytest.mark.parametrize("stable", [False, True])
def test_grouped_items_stay_together(stable):
    """``group=4``: each run of 4 items (the views of one galaxy) lies in one split."""
    parts = split_indices(103, (0.7, 0.3), seed=2, stable=stable, group=4)
    owner = np.empty(103, dtype=int)
    for k, part in enumerate(parts):
        owner[part] = k
    for start in range(0, 103, 4):
        assert len(set(owner[start : start + 4])) == 1
    if not stable:  # 26 groups as 70/30: 18 and 8 groups; the last group holds 3 items
        assert sorted(len(part) for part in parts) in ([32, 71], [31, 72])


@pytest.mark.parametrize(
    "bad",
    [{"fractions": (0.8, 0.1)}, {"fractions": (1.2, -0.2)}, {"fractions": "train"},
     {"seed": -1}, {"group": 0}, {"n": 2.5}],
)  # fmt: skip
def test_split_arguments_are_checked(bad):
    """Shares not adding up to 1, a negative seed, ... are refused naming the argument."""
    arguments = {"n": 10, "fractions": (0.8, 0.1, 0.1), "seed": 0, "group": 1, **bad}
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"^{name} must be"):
        split_indices(arguments.pop("n"), arguments.pop("fractions"), arguments.pop("seed"),
                      **arguments)  # fmt: skip


def _item():
    noisy = np.array([[[-4.0, 2.0], [1.0, 0.5]]], dtype=np.float32)
    clean = np.array([[[0.0, 3.0], [1.0, 0.25]]], dtype=np.float32)
    params = np.full(len(parameter_names(SPEC)), np.nan)
    params[parameter_names(SPEC).index("noise_rms")] = 0.5
    return {"index": 7, "noisy": noisy, "clean": clean, "params": params}


def test_peak_normalisation_divides_by_the_reference_peak():
    """Peak |noisy| = 4: both cubes are divided by 4, exactly, and 4 is recorded."""
    item = _item()
    out = PeakNormalise()(item)
    np.testing.assert_array_equal(out["noisy"], [[[-1.0, 0.5], [0.25, 0.125]]])
    np.testing.assert_array_equal(out["clean"], [[[0.0, 0.75], [0.25, 0.0625]]])
    assert out["noisy"].dtype == np.float32 and out["peak_scale"] == 4.0
    np.testing.assert_array_equal(item["noisy"], _item()["noisy"])  # the input is untouched
    by_clean = PeakNormalise(arrays=("clean",), reference="clean")(item)
    assert by_clean["clean"].max() == 1.0 and by_clean["noisy"] is item["noisy"]
    zero = PeakNormalise()({**item, "noisy": np.zeros_like(item["noisy"])})
    assert zero["peak_scale"] == 1.0  # nothing to divide by: left as it is


def test_noise_normalisation_divides_by_the_noise_rms_column():
    """The ``noise_rms`` column (found by name) is 0.5: the cubes double, exactly."""
    transform = NoiseNormalise.for_spec(SPEC)
    assert transform.column == parameter_names(SPEC).index("noise_rms")
    out = transform(_item())
    np.testing.assert_array_equal(out["noisy"], 2 * _item()["noisy"])
    np.testing.assert_array_equal(out["clean"], 2 * _item()["clean"])
    assert out["noise_scale"] == 0.5
    noiseless = _item()
    noiseless["params"][transform.column] = 0.0
    with pytest.raises(ValueError, match="item 7 has noise_rms = 0.0"):
        transform(noiseless)


def test_transforms_compose_pickle_and_refuse_non_float_arrays():
    """Peak then noise: the product of both scalings; the records pickle to equals."""
    both = Compose([PeakNormalise(), NoiseNormalise.for_spec(SPEC, arrays=["noisy"])])
    assert both.needs == ("noisy", "clean", "params")
    out = both(_item())
    np.testing.assert_array_equal(out["noisy"], _item()["noisy"] / np.float32(4) / np.float32(0.5))
    np.testing.assert_array_equal(out["clean"], _item()["clean"] / np.float32(4))
    again = pickle.loads(pickle.dumps(both))
    assert again == both
    np.testing.assert_array_equal(again(_item())["noisy"], out["noisy"])
    with pytest.raises(TypeError, match="only floating-point arrays .* mask is uint8"):
        PeakNormalise(arrays=("mask",))({**_item(), "mask": np.ones((1, 2, 2), np.uint8)})


def test_a_store_dataset_reads_what_its_transform_needs_and_returns_what_was_asked(stores):
    """Asked for noisy alone with noise normalisation: params is read, then dropped."""
    transform = NoiseNormalise.for_spec(SPEC, arrays=("noisy",))
    item = StoreDataset(stores["zarr"], arrays=("noisy",), transform=transform)[3]
    assert set(item) == {"index", "noisy", "noise_scale"}
    raw = render_item(SPEC, 3).arrays
    rms = raw["params"][parameter_names(SPEC).index("noise_rms")]
    assert item["noise_scale"] == rms > 0
    np.testing.assert_array_equal(item["noisy"], raw["noisy"] / np.float32(rms))
