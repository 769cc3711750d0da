"""Datasets: DataLoader-ready items, honest noise and parameter tables, per-galaxy truth."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from GalCubeCraft import make_cubes
from GalCubeCraft.datasets import (
    ARRAY_NAMES,
    CubeDataset,
    DatasetSpec,
    StoreDataset,
    galaxies_from_params,
    parameter_table,
    render_item,
)
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.renderer.settings import settings_with_error

SPEC = DatasetSpec(
    n_cubes=4, seed=11, observation={"grid_size": 32, "n_chan": 16}, noise={"peak_snr": (5.0, 20.0)}
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("ds") / "d.zarr"
    generate_dataset(SPEC, path, workers=0, progress=False)
    return path


@pytest.mark.parametrize("num_workers", [0, 2])
def test_dataloader_batches_equal_direct_items(store, num_workers):
    """A torch DataLoader (0 or 2 workers) over rendered and stored datasets gives the items."""
    for dataset in (CubeDataset(SPEC), StoreDataset(store)):
        loader = DataLoader(dataset, batch_size=2, num_workers=num_workers, shuffle=False)
        batches = list(loader)
        assert isinstance(batches[0]["noisy"], torch.Tensor)
        assert batches[0]["noisy"].shape == (2, *SPEC.shape)
        assert batches[0]["galaxy_clean"].shape == (2, SPEC.max_galaxies, *SPEC.shape)
        for b, batch in enumerate(batches):
            for j in range(2):
                direct = render_item(SPEC, 2 * b + j).as_dict()
                for key in ARRAY_NAMES:
                    np.testing.assert_array_equal(batch[key][j].numpy(), direct[key])


def test_a_store_dataset_returns_the_arrays_asked_for(store):
    """``arrays=`` keeps only those arrays (and ``index``), equal to the full item's."""
    pairs = StoreDataset(store, arrays=("noisy", "clean"))
    batch = next(iter(DataLoader(pairs, batch_size=2)))
    assert set(batch) == {"index", "noisy", "clean"}
    for j in range(2):
        direct = render_item(SPEC, j).as_dict()
        for key in ("noisy", "clean"):
            np.testing.assert_array_equal(batch[key][j].numpy(), direct[key])
    with pytest.raises(ValueError, match="some of this store's arrays"):
        StoreDataset(store, arrays=("noisy", "denoised"))
    with pytest.raises(ValueError, match="some of this store's arrays"):
        StoreDataset(store, arrays=())
    with pytest.raises(TypeError, match="not one string"):
        StoreDataset(store, arrays="noisy")


def test_noise_is_what_the_params_say(store):
    """The noisy-minus-clean rms matches the recorded noise level (beam-correlated, 15%)."""
    dataset = StoreDataset(store)
    item = dataset[1]
    names = dataset.parameter_names
    rms = item["params"][names.index("noise_rms")]
    peak = item["clean"].max()
    assert rms == pytest.approx(peak / item["params"][names.index("peak_snr")], rel=1e-6)
    assert (item["noisy"] - item["clean"]).std() == pytest.approx(rms, rel=0.15)


def test_per_galaxy_truth_adds_up_and_locates_each_galaxy():
    """Per-galaxy clean cubes sum to the clean cube; centres and v_sys match the table row."""
    for index in range(SPEC.n_cubes):
        item = render_item(SPEC, index).arrays
        n = int(item["params"][0])
        np.testing.assert_allclose(item["galaxy_clean"].sum(0), item["clean"], rtol=1e-6,
                                   atol=1e-7 * item["clean"].max())  # fmt: skip
        assert np.all(item["galaxy_clean"][n:] == 0) and np.all(
            np.isnan(item["galaxy_vsys_kms"][n:])
        )
        galaxies = galaxies_from_params(SPEC, item["params"])
        pixel_kpc = item["params"][1]
        centre = (SPEC.observation.grid_size - 1) / 2
        for k, galaxy in enumerate(galaxies):
            np.testing.assert_allclose(item["galaxy_centre_px"][k],
                                       (centre + galaxy.x_kpc / pixel_kpc,
                                        centre + galaxy.y_kpc / pixel_kpc), atol=1e-9)  # fmt: skip
            assert item["galaxy_vsys_kms"][k] == galaxy.v_sys_kms
            # Each galaxy's own cube peaks near its own centre.
            m0 = item["galaxy_clean"][k].sum(0)
            peak_y, peak_x = np.unravel_index(np.argmax(m0), m0.shape)
            assert abs(peak_x - item["galaxy_centre_px"][k][0]) <= 1.5
            assert abs(peak_y - item["galaxy_centre_px"][k][1]) <= 1.5


def test_parameter_table_rerenders_each_cube(store):
    """Galaxies rebuilt from a table row re-render the stored clean cube bit for bit."""
    table = parameter_table(store).wide()
    assert list(table.columns[:5]) == ["n_gals", "pixel_kpc", "resolution", "noise_rms", "peak_snr"]
    assert len(table) == SPEC.n_cubes
    for index in (0, 3):
        row = table.loc[index].to_numpy()
        obs = SPEC.observation.for_pixel(row[1])
        # The preset 'auto' chose for the item, from its recorded stated error.
        settings = settings_with_error(table.loc[index, "render_error"])
        rebuilt = make_cubes(galaxies_from_params(SPEC, row), obs, settings).clean.data
        np.testing.assert_array_equal(rebuilt, StoreDataset(store)[index]["clean"])


def test_spec_accuracy_names_the_renderer_settings():
    """accuracy='fast' renders items with RenderSettings.fast(); unknown names are refused."""
    from GalCubeCraft import RenderSettings
    from GalCubeCraft.datasets.items import render_item
    from GalCubeCraft.priors.galaxies import draw_scene
    from GalCubeCraft.renderer.settings import AutoAccuracy

    fast = SPEC.replace(render={"accuracy": "fast"}, noise={"peak_snr": None})
    assert fast.render_settings == RenderSettings.fast()
    assert SPEC.render_settings == AutoAccuracy(rms_fraction=0.1)  # 'auto', the default
    assert SPEC.replace(render={"accuracy": "default"}).render_settings == RenderSettings()
    assert DatasetSpec.from_toml_text(fast.to_toml()) == fast
    draw = draw_scene(fast, 2)
    expected = make_cubes(
        draw.galaxies, fast.observation.for_pixel(draw.pixel_kpc), RenderSettings.fast()
    )
    np.testing.assert_array_equal(render_item(fast, 2).arrays["clean"], expected.clean.data)
    with pytest.raises(ValueError, match="accuracy"):
        SPEC.replace(render={"accuracy": "quick"})


def test_spec_round_trips_through_toml():
    """A spec, its beam in (bmaj, bmin, bpa) order included, round-trips through TOML."""
    spec = SPEC.replace(
        observation={"beam": (6.0, 3.0, 45.0)}, galaxies={"n_sersic": 1.0}, noise={"peak_snr": None}
    )
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    assert "beam = [6.0, 3.0, 45.0]" in spec.to_toml()
    assert spec.galaxies.n_sersic == (1.0, 1.0)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("n_cubez = 3", "n_cubez"),
        ("[galaxies]\nr_e_kpc = [6.0, 4.0]", "galaxies.r_e_kpc"),
        ("n_cubes = -2", "n_cubes"),
        ("[galaxies]\nn_gals = [-1, 2]", r"galaxies.n_gals\[0\]"),
        ("[galaxies]\nn_gals = [0, 2]", r"galaxies.n_gals may start at 0 .*noise.peak_snr = none"),
        ("[noise]\npeak_snr = [-1.0, 5.0]", r"noise.peak_snr\[0\]"),
        ("[observation]\ngrid_size = 20", "observation.grid_size"),
        ("[observation]\nbeam = 4", "observation.beam"),
        ("[observation]\nbeam = [3.0, 4.0, 0.0]", "bmin must not exceed bmaj"),
        ("[observation]\nbeam_px = [4.0, 4.0, 0.0]", "observation.beam_px"),
        ("beam = [4.0, 4.0, 0.0]", r"beam moved: write it under \[observation\]"),
    ],
)
def test_invalid_specs_refused_before_any_file(tmp_path, text, name):
    """Unknown keys, min > max, bad beams and negative counts name the key; nothing is made."""
    spec_file = tmp_path / "bad.toml"
    spec_file.write_text(text + "\n")
    with pytest.raises((ValueError, TypeError), match=name):
        DatasetSpec.from_toml(spec_file)
    from GalCubeCraft.cli import main

    out = tmp_path / "out.zarr"
    with pytest.raises(SystemExit) as exit_info:
        main(["-q", "dataset", str(spec_file), "--out", str(out)])
    assert exit_info.value.code == 2
    assert not out.exists()


def test_fits_dataset_files_are_valid_cubes(tmp_path):
    """FITS dataset files verify, and their primary HDU is the noisy cube with its WCS and beam."""
    from astropy.io import fits

    from GalCubeCraft import Cube

    spec = DatasetSpec(
        n_cubes=2, seed=2, observation={"grid_size": 32, "n_chan": 16, "beam": (5.0, 3.0, 20.0)}
    )
    generate_dataset(spec, tmp_path / "f", fmt="fits", workers=0, progress=False)
    path = tmp_path / "f" / "000001.fits"
    item = render_item(spec, 1).arrays
    with fits.open(path) as hdul:
        hdul.verify("exception")
        assert hdul[0].header["NGAL"] == int(item["params"][0])
        assert hdul[0].header["NOISERMS"] == pytest.approx(item["params"][3], rel=1e-12)
    cube = Cube.from_fits(path)
    np.testing.assert_array_equal(cube.data, item["noisy"])
    assert cube.kind == "noisy" and cube.observation.beam.bmaj_px == pytest.approx(5.0)
