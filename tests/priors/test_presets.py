"""Presets: spec files shipped with the package, each citing its source; empty fields."""

import numpy as np
import pytest

from GalCubeCraft import GalCubeCraft
from GalCubeCraft.compat.translate import ORIGINAL_PRESET
from GalCubeCraft.cosmology import kpc_per_arcsec
from GalCubeCraft.datasets import parameter_names, render_item
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.spec import DatasetSpec, describe_presets, preset_names
from GalCubeCraft.priors.spec.presets import preset_text

PRESETS = preset_names()


def test_the_presets_are_the_folders_files():
    """The three presets of issue 26 ship; the listing gives each one's first comment line."""
    assert set(PRESETS) >= {"galcubecraft-1.2", "lahiry2026-denoising", "alma-point-sources"}
    listing = describe_presets().splitlines()
    assert len(listing) == len(PRESETS)
    assert all(line.split()[0] == name for line, name in zip(listing, PRESETS, strict=True))


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_cites_its_source_and_round_trips(name):
    """Each preset is a valid spec, opens with a header naming its source, and round-trips."""
    text = preset_text(name)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert text.startswith("# ") and len(header) >= 5
    assert any("Source:" in line for line in header)
    spec = DatasetSpec.from_preset(name)
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    assert DatasetSpec.from_stored(spec.to_toml()) == spec
    assert draw_scene(spec, spec.n_cubes - 1).pixel_kpc > 0.0


def test_from_preset_applies_changes_and_refuses_an_unknown_name():
    """Changes merge into the preset's tables; an unknown name lists the presets."""
    spec = DatasetSpec.from_preset("lahiry2026-denoising", n_cubes=10, observation={"n_chan": 8})
    assert (spec.n_cubes, spec.shape) == (10, (8, 64, 64))
    assert spec.noise.peak_snr == (2.5, 8.0)
    with pytest.raises(ValueError, match=r"^preset must be one of alma-point-sources, .*; got"):
        DatasetSpec.from_preset("lahiry2025")
    with pytest.raises(ValueError, match=r"^observation.n_chan must lie in"):
        DatasetSpec.from_preset("lahiry2026-denoising", observation={"n_chan": 0})


def test_the_seed_preset_holds_the_original_priors_and_is_the_facades_spec():
    """galcubecraft-1.2 keeps the values DatasetSpec drew by default before issue 26.

    The facade builds its spec from it: for the facade's default arguments they coincide.
    """
    galaxies = DatasetSpec.from_preset(ORIGINAL_PRESET).galaxies
    assert (galaxies.inclination_deg, galaxies.pa_deg, galaxies.v_0_kms) == (
        (0.0, 85.0), (0.0, 85.0), (200.0, 200.0))  # fmt: skip
    assert (galaxies.r_e_kpc, galaxies.h_z_kpc, galaxies.n_sersic, galaxies.sigma_kms) == (
        (4.0, 6.0), (0.5, 1.0), (0.5, 1.5), (30.0, 50.0))  # fmt: skip
    assert (galaxies.orientation, galaxies.inclination_prior, galaxies.v_0_prior) == (
        "tilts", "uniform", "range")  # fmt: skip
    g = GalCubeCraft(n_cubes=3, seed=5, save=False, verbose=False)
    assert g.spec == DatasetSpec.from_preset(ORIGINAL_PRESET, n_cubes=3, seed=5)


def test_the_alma_preset_has_the_papers_pixels_and_its_size_three_keys_away():
    """0.1 arcsec pixels at 64 x 64 x 32; 512 x 512 x 240 of 7.8 MHz (10.14 km/s) is valid."""
    spec = DatasetSpec.from_preset("alma-point-sources")
    assert spec.n_cubes == 9164 and spec.shape == (32, 64, 64)
    pixel_kpc = draw_scene(spec, 0).pixel_kpc
    assert pixel_kpc / kpc_per_arcsec(spec.observation.redshift) == pytest.approx(0.1, rel=1e-6)
    assert spec.galaxies.n_gals == (0, 5) and spec.interferometer.weighting == "natural"
    full = spec.replace(observation={"grid_size": 512, "n_chan": 240},
                        galaxies={"offset_gals": 114.0})  # fmt: skip
    assert full.shape == (240, 512, 512)
    channel_kms = 2.0 * full.observation.v_max_kms / full.observation.n_chan
    assert channel_kms == pytest.approx(299792.458 * 7.8e6 / 230.5306e9, rel=1e-4)


def test_an_alma_field_of_no_source_is_noise_only_at_the_thermal_level():
    """An empty field renders: zero model and clean cube, a dirty cube of thermal noise.

    Its C-3 beam is the paper's 0.89 x 0.82 arcsec (natural weighting).
    """
    spec = DatasetSpec.from_preset("alma-point-sources", n_cubes=40)
    empty = next(i for i in range(spec.n_cubes) if not draw_scene(spec, i).drawn)
    item = render_item(spec, empty).arrays
    params = dict(zip(parameter_names(spec), item["params"], strict=True))
    assert params["n_gals"] == 0 and not item["model"].any() and not item["clean"].any()
    assert np.std(item["dirty"]) == pytest.approx(params["dirty_rms"], rel=0.1)
    assert params["clean_bmaj_arcsec"] == pytest.approx(0.89, abs=0.03)
    assert params["clean_bmin_arcsec"] == pytest.approx(0.82, abs=0.03)


@pytest.mark.parametrize(
    ("changes", "need"),
    [
        ({"noise": {"peak_snr": (5.0, 10.0)}}, "noise.peak_snr = none"),
        ({"lens": {"theta_e_re": (1.0, 2.0)}}, "lens.theta_e_re = 0"),
        ({"features": {"diffuse": {"enabled": True}}}, "features.diffuse off"),
    ],
)
def test_a_field_that_may_be_empty_refuses_what_needs_a_galaxy(changes, need):
    """n_gals from 0 with a peak S/N, a lens or diffuse emission is refused, naming both."""
    with pytest.raises(ValueError) as info:
        DatasetSpec(galaxies={"n_gals": (0, 2)}, **{"noise": {"peak_snr": None}, **changes})
    assert str(info.value).startswith("galaxies.n_gals may start at 0") and need in str(info.value)
    with pytest.raises(ValueError, match=r"^galaxies.n_gals must allow 1 galaxy or more"):
        DatasetSpec(galaxies={"n_gals": 0}, noise={"peak_snr": None})


def test_a_spec_file_over_a_preset_changes_only_its_keys(tmp_path):
    """with_toml: the file's keys change, the preset's others stay; errors name the file."""
    path = tmp_path / "over.toml"
    path.write_text("n_cubes = 4\n[observation]\nn_chan = 8\n")
    spec = DatasetSpec.from_preset("alma-point-sources").with_toml(path)
    assert (spec.n_cubes, spec.shape) == (4, (8, 64, 64))
    assert spec.interferometer.arrays == ("alma_c3",) and spec.galaxies.n_gals == (0, 5)
    path.write_text("[observation]\nn_chan = 0\n")
    with pytest.raises(ValueError, match=rf"^{path}: observation.n_chan must lie in"):
        DatasetSpec.from_preset("alma-point-sources").with_toml(path)
