"""[noise]: three ways to set the level, one at a time, drawn as the spec says."""

import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.noise import draw_level
from GalCubeCraft.priors.spec import DatasetSpec, NoiseSpec, SpecValueError

FLAT_2_0 = (Path(__file__).parent / "data" / "spec_2_0_flat.toml").read_text()
SMALL = {"n_cubes": 3, "seed": 5, "observation": {"grid_size": 32, "n_chan": 8},
         "galaxies": {"resolution": (0.5, 1.0), "offset_gals": 2.0}}  # fmt: skip


def test_naming_one_level_in_a_table_replaces_the_default_peak_snr():
    """A TOML table, a mapping and replace() that name rms or integrated S/N clear peak_snr."""
    spec = DatasetSpec.from_toml_text("[noise]\nrms_jy_beam = 1e-3\n")
    assert spec.noise == NoiseSpec(peak_snr=None, rms_jy_beam=(1e-3, 1e-3))
    again = spec.replace(noise={"integrated_snr": [10, 100], "distribution": "log-uniform"})
    assert again.noise.level == ("integrated_snr", (10.0, 100.0))
    assert again.noise.rms_jy_beam is None and again.noise.distribution == "log-uniform"
    # A key that is not a level keeps the level.
    assert again.replace(noise={"distribution": "uniform"}).noise.integrated_snr == (10.0, 100.0)
    assert not DatasetSpec(noise={"peak_snr": None}).noise.enabled
    assert not DatasetSpec(noise={"rms_jy_beam": "none"}).noise.enabled
    assert DatasetSpec.from_toml_text(again.to_toml()) == again


def test_two_levels_at_once_are_refused_naming_both():
    """A table that sets two levels, or a record made directly beside the default, is refused."""
    with pytest.raises(SpecValueError) as info:
        DatasetSpec.from_toml_text("[noise]\npeak_snr = 5\nintegrated_snr = [10, 20]\n")
    assert info.value.key == "noise.integrated_snr"
    assert "at most one may be set; got peak_snr = [5.0, 5.0] and integrated_snr" in str(info.value)
    with pytest.raises(ValueError, match="pass peak_snr=None"):
        NoiseSpec(rms_jy_beam=1.0)
    assert NoiseSpec(peak_snr=None, rms_jy_beam=1.0).level == ("rms_jy_beam", (1.0, 1.0))


def test_bad_levels_and_distributions_are_refused_by_key():
    """A zero rms, a reversed range and an unknown distribution name their key and rule."""
    with pytest.raises(ValueError, match=r"^noise.rms_jy_beam\[0\] must lie in \(0, 1e\+30\]"):
        DatasetSpec(noise={"rms_jy_beam": 0.0})
    with pytest.raises(ValueError, match="noise.integrated_snr range must have min <= max"):
        DatasetSpec(noise={"integrated_snr": (20.0, 10.0)})
    with pytest.raises(ValueError, match=r"noise.distribution must be one of \('uniform', 'log-"):
        DatasetSpec(noise={"distribution": "normal"})


def test_specs_stored_before_the_new_keys_mean_what_they_meant():
    """2.0's flat spec and a tables spec without the new keys: uniform peak S/N, same draws."""
    flat = DatasetSpec.from_stored(FLAT_2_0)
    assert flat.noise == NoiseSpec(peak_snr=(5.0, 20.0), distribution="uniform")
    tables = DatasetSpec.from_stored("[noise]\npeak_snr = [5.0, 50.0]\n[render]\n"
                                     'accuracy = "default"\n')  # fmt: skip
    assert tables.noise == NoiseSpec() and tables.render.accuracy == "default"
    assert tables.render.rms_fraction == 0.1
    # The values the releases before these keys drew (pinned from them).
    drawn = [draw_scene(flat, i) for i in range(2)]
    assert [d.peak_snr for d in drawn] == [5.8155211468627375, 15.122465782047616]
    assert [d.galaxies[0].r_e_kpc for d in drawn] == [5.7991596605906945, 5.057766960260973]


def test_setting_the_level_another_way_moves_no_other_draw():
    """An rms or a log-uniform peak S/N draws once where peak_snr did: galaxies and diffuse keep."""
    diffuse = {"features": {"diffuse": {"enabled": True}}}
    peak = DatasetSpec(**SMALL, **diffuse)
    others = [peak.replace(noise={"rms_jy_beam": (1e-4, 1e-2)}),
              peak.replace(noise={"distribution": "log-uniform"})]  # fmt: skip
    for index in range(3):
        first = draw_scene(peak, index)
        assert first.peak_snr == [23.114594902342915, 37.95395149114062,
                                  24.076060275217102][index]  # pinned from before  # fmt: skip
        for spec in others:
            other = draw_scene(spec, index)
            assert other.galaxies == first.galaxies
            assert pickle.dumps(other.diffuse) == pickle.dumps(first.diffuse)
    assert math.isnan(draw_scene(others[0], 0).peak_snr)
    assert draw_scene(others[0], 0).noise.rms is not None


def test_log_uniform_draws_are_uniform_in_the_logarithm():
    """Half of log-uniform draws in [1, 100] lie below 10 (uniform: 9%); a fixed value is itself."""
    rng = np.random.default_rng(7)
    logs = np.array([draw_level((1.0, 100.0), "log-uniform", rng) for _ in range(4000)])
    assert np.mean(logs < 10.0) == pytest.approx(0.5, abs=0.025)
    assert logs.min() >= 1.0 and logs.max() <= 100.0
    flat = np.array([draw_level((1.0, 100.0), "uniform", rng) for _ in range(4000)])
    assert np.mean(flat < 10.0) == pytest.approx(9.0 / 99.0, abs=0.015)
    assert draw_level((0.3, 0.3), "log-uniform", rng) == 0.3


def test_a_command_line_level_replaces_the_spec_file_s(tmp_path):
    """`dataset spec.toml --noise.rms-jy-beam X` replaces the file's peak S/N, keeping the rest."""
    from GalCubeCraft.cli.parser import build_parser
    from GalCubeCraft.cli.spec_flags import spec_from_args

    path = tmp_path / "spec.toml"
    path.write_text('[noise]\npeak_snr = [3, 9]\ndistribution = "log-uniform"\n')
    args = build_parser().parse_args(["dataset", str(path), "--noise.rms-jy-beam", "1e-4", "2e-3"])
    spec = spec_from_args(args)
    assert spec.noise == NoiseSpec(peak_snr=None, rms_jy_beam=(1e-4, 2e-3),
                                   distribution="log-uniform")  # fmt: skip
