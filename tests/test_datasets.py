"""Datasets: same items everywhere, resumable generation, honest parameter tables."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import zarr
from torch.utils.data import DataLoader

from GalCubeCraft import observe, render
from GalCubeCraft.datasets import (
    CubeDataset,
    DatasetSpec,
    StoreDataset,
    galaxies_from_params,
    parameter_table,
    render_item,
)
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.items import ARRAY_NAMES

SPEC = DatasetSpec(n_cubes=4, seed=11, grid_size=32, n_chan=16, peak_snr=(5.0, 20.0))
KEYS = ARRAY_NAMES


def _assert_items_equal(a, b):
    for key in KEYS:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("stores")
    paths = {"zarr1": root / "one.zarr", "zarr2": root / "two.zarr", "hdf5": root / "d.h5",
             "npy": root / "npy"}  # fmt: skip
    generate_dataset(SPEC, paths["zarr1"], workers=1, progress=False)
    generate_dataset(SPEC, paths["zarr2"], workers=2, progress=False)
    generate_dataset(SPEC, paths["hdf5"], fmt="hdf5", workers=0, progress=False)
    generate_dataset(SPEC, paths["npy"], fmt="npy", workers=0, progress=False)
    return paths


def test_items_identical_across_render_stores_and_workers(stores):
    """Direct render, Zarr with 1 and 2 workers, HDF5 and npy give bit-identical items."""
    for index in range(SPEC.n_cubes):
        direct = render_item(SPEC, index).as_dict()
        for path in stores.values():
            _assert_items_equal(direct, StoreDataset(path)[index])
        _assert_items_equal(direct, CubeDataset(SPEC)[index])


@pytest.mark.parametrize("num_workers", [0, 2])
def test_dataloader_batches_equal_direct_items(stores, num_workers):
    """A torch DataLoader (0 or 2 workers) over rendered and stored datasets gives the items."""
    for dataset in (CubeDataset(SPEC), StoreDataset(stores["zarr2"])):
        loader = DataLoader(dataset, batch_size=2, num_workers=num_workers, shuffle=False)
        batches = list(loader)
        assert isinstance(batches[0]["noisy"], torch.Tensor)
        assert batches[0]["noisy"].shape == (2, *SPEC.shape)
        for b, batch in enumerate(batches):
            for j in range(2):
                direct = render_item(SPEC, 2 * b + j).as_dict()
                for key in KEYS:
                    np.testing.assert_array_equal(batch[key][j].numpy(), direct[key])


def test_existing_scheduler_gives_the_same_store(tmp_path, stores):
    """Given a scheduler address, generation runs on that cluster and writes the same store."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        generate_dataset(SPEC, tmp_path / "remote.zarr", scheduler=cluster.scheduler_address,
                         progress=False)  # fmt: skip
    a, b = zarr.open_group(stores["zarr1"], mode="r"), zarr.open_group(tmp_path / "remote.zarr")
    for key in KEYS:
        np.testing.assert_array_equal(a[key][:], b[key][:], err_msg=key)


def test_noise_is_what_the_params_say(stores):
    """The noisy-minus-clean rms matches the recorded noise level (beam-correlated, 15%)."""
    item = StoreDataset(stores["zarr1"])[1]
    names = StoreDataset(stores["zarr1"]).parameter_names
    rms = item["params"][names.index("noise_rms")]
    peak = item["clean"].max()
    assert rms == pytest.approx(peak / item["params"][names.index("peak_snr")], rel=1e-6)
    assert (item["noisy"] - item["clean"]).std() == pytest.approx(rms, rel=0.15)


def test_parameter_table_rerenders_each_cube(stores):
    """Galaxies rebuilt from a table row re-render the stored clean cube."""
    table = parameter_table(stores["zarr1"])
    assert list(table.columns[:5]) == ["n_gals", "pixel_kpc", "resolution", "noise_rms", "peak_snr"]
    assert len(table) == SPEC.n_cubes
    for index in (0, 3):
        row = table.iloc[index].to_numpy()
        obs = SPEC.observation(row[1])
        rebuilt = observe(render(galaxies_from_params(SPEC, row), obs), obs).astype(np.float32)
        np.testing.assert_array_equal(rebuilt, StoreDataset(stores["zarr1"])[index]["clean"])
    hdf5_table = parameter_table(stores["hdf5"])
    np.testing.assert_array_equal(hdf5_table.to_numpy(), table.to_numpy())


def test_store_documents_its_spec(stores):
    """The store carries its spec; the spec round-trips through TOML."""
    assert StoreDataset(stores["zarr1"]).spec == SPEC
    assert DatasetSpec.from_toml_text(SPEC.to_toml()) == SPEC
    with pytest.raises(ValueError, match="different spec"):
        generate_dataset(DatasetSpec(n_cubes=5, seed=11, grid_size=32, n_chan=16),
                         stores["zarr1"], workers=0, progress=False)  # fmt: skip


def test_killed_run_resumes_to_the_same_store(tmp_path):
    """Kill a generation subprocess midway; resuming gives the store of an uninterrupted run."""
    spec = DatasetSpec(n_cubes=40, seed=5, grid_size=32, n_chan=16)
    spec_file = spec.write_toml(tmp_path / "spec.toml")
    killed = tmp_path / "killed.zarr"
    command = [sys.executable, "-m", "GalCubeCraft", "-q", "generate", "--spec", str(spec_file),
               "--format", "zarr", "--workers", "0", "--out", str(killed)]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        if (killed / "done").exists():
            done = int(zarr.open_group(killed, mode="r")["done"][:].sum())
            if done >= 5:
                break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    partial = int(zarr.open_group(killed, mode="r")["done"][:].sum())
    assert 0 < partial < spec.n_cubes, "the run must be interrupted midway"
    report = generate_dataset(spec, killed, workers=0, progress=False)
    assert report.skipped == partial and report.written == spec.n_cubes - partial
    whole = tmp_path / "whole.zarr"
    generate_dataset(spec, whole, workers=0, progress=False)
    a, b = zarr.open_group(killed, mode="r"), zarr.open_group(whole, mode="r")
    for key in (*KEYS, "done"):
        np.testing.assert_array_equal(a[key][:], b[key][:], err_msg=key)


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"n_cubez": 3}, "n_cubez"),
        ({"r_e_kpc": [6.0, 4.0]}, "r_e_kpc"),
        ({"n_cubes": -2}, "n_cubes"),
        ({"n_gals": [0, 2]}, "n_gals"),
        ({"peak_snr": [-1.0, 5.0]}, "peak_snr"),
        ({"grid_size": 20}, "grid_size"),
    ],
)
def test_invalid_specs_refused_before_any_file(tmp_path, values, name):
    """Unknown keys, min > max and negative counts name the key; nothing is created."""
    spec_file = tmp_path / "bad.toml"
    spec_file.write_text("".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in values.items()))
    with pytest.raises(ValueError, match=name):
        DatasetSpec.from_toml(spec_file)
    from GalCubeCraft.cli import main

    out = tmp_path / "out.zarr"
    with pytest.raises(SystemExit) as exit_info:
        main(["-q", "generate", "--spec", str(spec_file), "--out", str(out)])
    assert exit_info.value.code == 2
    assert not out.exists()


def test_fits_dataset_files(tmp_path):
    """FITS datasets hold the noisy cube, the clean one as CLEAN, and a valid header."""
    from astropy.io import fits

    spec = DatasetSpec(n_cubes=2, seed=2, grid_size=32, n_chan=16)
    generate_dataset(spec, tmp_path / "f", fmt="fits", workers=0, progress=False)
    with fits.open(tmp_path / "f" / "000001.fits") as hdul:
        hdul.verify("exception")
        item = render_item(spec, 1)
        np.testing.assert_array_equal(hdul[0].data, item.noisy)
        np.testing.assert_array_equal(hdul["CLEAN"].data, item.clean)
        assert hdul[0].header["NGAL"] == int(item.params[0])
