"""The field spec read from TOML: presets load, mistakes are named."""

from __future__ import annotations

import pytest

from GalCubeCraft.survey import load_field_spec
from GalCubeCraft.survey.spec import PRESETS, field_spec_from_mapping


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads(name):
    """The shipped presets are valid specs."""
    assert load_field_spec(name).line == "HI"


def test_the_sdc2_preset_lies_in_the_challenge_band_with_its_sampling():
    """2.8 arcsec pixels, a 7 arcsec beam, 30 kHz channels inside 950-1150 MHz."""
    spec = load_field_spec("sdc2")
    assert (spec.pixel_arcsec, spec.beam_arcsec, spec.channel_width_hz) == (2.8, 7.0, 30e3)
    assert spec.start_hz - 15e3 >= 950e6 and spec.stop_hz <= 1150e6
    assert (spec.ra_deg, spec.dec_deg) == (180.0, -30.0)


def test_an_unknown_key_is_refused_with_the_known_ones():
    """A typo names the table and lists the keys it takes."""
    with pytest.raises(ValueError, match=r"unknown keys \['pixel'\] in \[field\]"):
        field_spec_from_mapping({"field": {"pixel": 2.8}})


def test_a_band_above_the_rest_frequency_is_refused():
    """HI above 1420 MHz would need negative redshifts."""
    with pytest.raises(ValueError, match="below the line's rest frequency"):
        field_spec_from_mapping({"band": {"start_hz": 1.5e9}})


def test_numpy_numbers_and_paths_are_stored_as_plain_values(tmp_path):
    """A spec of NumPy numbers and a Path records a repr of literals, read back equal."""
    import pathlib

    import numpy as np

    from GalCubeCraft.survey import FieldSpec, PopulationSpec
    from GalCubeCraft.survey.picture import recorded_spec

    catalogue = pathlib.Path(tmp_path / "galaxies.csv")
    population = PopulationSpec(n_galaxies=np.int64(3), catalogue=catalogue)
    spec = FieldSpec(nx=np.int64(64), ny=64, n_chan=np.int32(32), start_hz=np.float64(1.14e9),
                     population=population)  # fmt: skip
    assert type(spec.nx) is int and type(spec.start_hz) is float
    assert spec.population.catalogue == str(catalogue)
    (tmp_path / "spec.txt").write_text(repr(spec), encoding="utf-8")
    assert recorded_spec(tmp_path) == spec
