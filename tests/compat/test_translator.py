"""The facade translates: arguments -> one spec, factory products -> (cube, params)."""

import dataclasses

import numpy as np
import pytest

from GalCubeCraft import Beam, DatasetSpec, GalCubeCraft
from GalCubeCraft.compat.beam import beam_from_original, beam_to_original
from GalCubeCraft.compat.params import ALIASES, DRAWN_COLUMNS, LISTS, params_key
from GalCubeCraft.compat.translate import SPEC_NAMES, spec_errors_as_arguments
from GalCubeCraft.compat.utils import beam_from_list
from GalCubeCraft.model.parameters import GALAXY_PARAMETERS

SMALL = dict(grid_size=40, n_spectral_slices=12, verbose=False, save=False)


def test_arguments_become_one_spec():
    """Every argument the spec knows is in the spec, under the spec's name."""
    g = GalCubeCraft(n_gals=(2, 3), n_cubes=4, resolution=1.5, offset_gals=3, seed=8,
                     beam_info=(3.0, 5.0, 20.0), n_sersic=1.2, peak_snr=9.0, **SMALL)  # fmt: skip
    spec, obs, galaxies = g.spec, g.spec.observation, g.spec.galaxies
    assert (spec.n_cubes, spec.seed, obs.grid_size, obs.n_chan) == (4, 8, 40, 12)
    assert galaxies.n_gals == (2, 3) and galaxies.offset_gals == 3.0
    assert galaxies.resolution == (1.5, 1.5) and galaxies.n_sersic == (1.2, 1.2)
    assert obs.beam == Beam(bmaj_px=5.0, bmin_px=3.0, bpa_deg=20.0)
    assert spec.noise.peak_snr == (9.0, 9.0)
    assert galaxies.orientation == "tilts" and obs.line_spread == "gaussian"
    assert g.beam_info == [3.0, 5.0, 20.0] and g.n_sersic == 1.2 and g.peak_snr == 9.0


def test_spec_error_names_are_translated_through_the_table():
    """Each table entry names a spec key; its errors come back under the argument."""
    spec = DatasetSpec()
    for key in SPEC_NAMES:
        table, _, field = key.rpartition(".")
        record = getattr(spec, table) if table else spec
        assert field in {f.name for f in dataclasses.fields(record)}, key
    cases = [({"n_spectral_slices": 0}, "n_spectral_slices"), ({"n_sersic": 50.0}, "n_sersic"),
             ({"peak_snr": 0.0}, "peak_snr"), ({"n_gals": 11}, "n_gals"),
             ({"resolution": 99.0}, "resolution")]  # fmt: skip
    for bad, argument in cases:
        with pytest.raises(ValueError) as error:
            GalCubeCraft(n_cubes=1, **{**SMALL, **bad})
        assert str(error.value).startswith(f"{argument} must"), str(error.value)
    with pytest.raises(ValueError, match="^observation.line must"), spec_errors_as_arguments():
        DatasetSpec(observation={"line": "CO(9-8)"})  # a key the facade does not set: as it is


def test_the_spec_checks_and_the_facade_does_not_check_again(monkeypatch):
    """An argument the spec checks reaches the spec unchecked (its error, translated)."""
    import GalCubeCraft.compat.translate as translate

    seen = {}

    class Spy:
        @staticmethod
        def from_preset(name, **changes):
            seen.update(changes["observation"])
            return DatasetSpec.from_preset(name, **changes)

    monkeypatch.setattr(translate, "DatasetSpec", Spy)
    with pytest.raises(ValueError, match="n_spectral_slices"):
        GalCubeCraft(n_cubes=1, n_spectral_slices=-3, **{k: v for k, v in SMALL.items()
                                                        if k != "n_spectral_slices"})  # fmt: skip
    assert seen["n_chan"] == -3


def test_beams_go_through_one_conversion():
    """beam_info (PA from north) and utils' beam_list (from +x) differ only by the origin."""
    assert beam_from_original((3.0, 5.0, 30.0)) == Beam(5.0, 3.0, 30.0)
    assert beam_from_list((3.0, 5.0, 30.0)) == Beam(5.0, 3.0, -60.0)
    assert beam_from_list(4.0) == Beam(4.0, 4.0, 0.0)
    assert beam_to_original(Beam(5.0, 3.0, 30.0)) == [3.0, 5.0, 30.0]
    with pytest.raises(ValueError, match="beam_list"):
        beam_from_list((5.0, 3.0, 0.0))
    assert beam_from_list([2.0, 6.0, 90.0]) == beam_from_original([2.0, 6.0, 0.0])


def test_every_declared_parameter_is_one_params_key():
    """Params hold each declared parameter once (its alias or its name), per galaxy."""
    keys = [params_key(p.name) for p in GALAXY_PARAMETERS]
    assert len(set(keys)) == len(keys) and not set(keys) & set(DRAWN_COLUMNS)
    assert set(ALIASES) <= {p.name for p in GALAXY_PARAMETERS}
    g = GalCubeCraft(n_gals=2, n_cubes=1, seed=4, **SMALL)
    params = g.params(0)
    galaxies = g.draws[0].galaxies
    for p in GALAXY_PARAMETERS:
        np.testing.assert_array_equal(params[params_key(p.name)], [p.read(x) for x in galaxies])


def test_all_lists_come_from_the_table():
    """Each all_* list is, per cube, the params key the table names."""
    g = GalCubeCraft(n_gals=(1, 3), n_cubes=3, seed=6, **SMALL)
    assert len(LISTS) == 11
    for attribute, key in LISTS.items():
        values = getattr(g, attribute)
        assert len(values) == 3
        for index, per_galaxy in enumerate(values):
            expected = (np.full(g.n_gals[index], g.params(index)["pix_spatial_scale"])
                        if key == "pix_spatial_scales" else g.params(index)[key])  # fmt: skip
            np.testing.assert_array_equal(per_galaxy, expected)
    with pytest.raises(AttributeError, match="all_things"):
        _ = g.all_things


def test_cubes_and_params_are_the_factorys(tmp_path):
    """Saved or not, cube i is the factory's cube i; the saved file is what was returned."""
    from GalCubeCraft.factory import make_indexed_cube

    g = GalCubeCraft(n_cubes=2, seed=13, grid_size=40, n_spectral_slices=12, verbose=False,
                     fname=tmp_path)  # fmt: skip
    for index, (cube, params) in enumerate(g.generate_cubes()):
        np.testing.assert_array_equal(cube, make_indexed_cube(g.spec, index).products.noisy.data)
        np.testing.assert_array_equal(np.load(params["path"]), cube)
        assert params["path"] == str(g.cube_path(index))


def test_the_facade_stays_a_translator():
    """The class's module stays under 300 lines (the issue's measure of a translator)."""
    from pathlib import Path

    import GalCubeCraft.compat.facade as facade

    assert len(Path(facade.__file__).read_text().splitlines()) < 300


def test_run_ids_are_those_of_before_the_presets():
    """The facade's run id (what lets a folder resume) is unchanged by the keys added since.

    Pinned before issue 26: the added keys hold their old-behaviour values and stay out of
    the flat text the id hashes.
    """
    plain = GalCubeCraft(save=False, verbose=False, seed=7)
    assert plain.run_id == "a5e4a1546653fd36"
    other = GalCubeCraft(n_gals=2, resolution="visualise", peak_snr=5.0, n_sersic=1.0,
                         grid_size=64, seed=3, save=False, verbose=False)  # fmt: skip
    assert other.run_id == "f227e70b91766979"
