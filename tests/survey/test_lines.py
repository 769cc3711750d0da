"""Fields of a line other than HI: from a catalogue of that line, or refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import zarr
from survey_helpers import SMALL

from GalCubeCraft.observation.axes import LINES_HZ
from GalCubeCraft.survey import FieldSpec, PopulationSpec, make_field
from GalCubeCraft.survey.spec import field_spec_from_mapping
from GalCubeCraft.survey.stamps import field_beam

CO = LINES_HZ["CO(1-0)"]
BAND = {"line": "CO(1-0)", "start_hz": 104.45e9, "channel_width_hz": 4e6, "n_chan": 112}


def test_a_drawn_population_of_another_line_is_refused_with_the_way_out():
    """The drawn population is HI's: a CO field must name a catalogue, and is told which."""
    expected = r"line 'CO\(1-0\)' needs \[population\] catalogue"
    with pytest.raises(ValueError, match=expected) as error:
        field_spec_from_mapping({"band": BAND})
    assert "line_flux_jy_hz" in str(error.value) and "line = 'HI'" in str(error.value)


def test_a_catalogue_of_another_line_must_give_its_flux_and_size(tmp_path):
    """Nothing is derived from an HI mass for CO: a catalogue without its flux is refused."""
    pd.DataFrame({"x_px": [8.0], "y_px": [8.0], "z": [0.1], "log_m_hi": [9.5]}).to_csv(
        tmp_path / "co.csv", index=False
    )
    spec = SMALL.replace(population=PopulationSpec(catalogue=str(tmp_path / "co.csv")), **BAND)
    with pytest.raises(ValueError, match=r"lacks the columns \['line_flux_jy_hz', 'd_hi_kpc', "
                       r"'v_flat_kms'\]; a CO\(1-0\) field needs"):  # fmt: skip
        make_field(spec, tmp_path / "field", workers=0, progress=False)


@pytest.fixture(scope="module")
def co_field(tmp_path_factory):
    """Return a noiseless CO(1-0) field of two catalogued galaxies, one per half, near 105 GHz."""
    folder = tmp_path_factory.mktemp("co")
    table = pd.DataFrame({
        "x_px": [15.3, 48.6], "y_px": [31.8, 30.2], "z": [0.10013, 0.10241],
        "line_flux_jy_hz": [1.7e6, 0.9e6], "d_hi_kpc": [3.0, 2.5],
        "v_flat_kms": [150.0, 110.0], "incl_deg": [60.0, 45.0], "pa_deg": [30.0, 250.0],
    })  # fmt: skip
    table.to_csv(folder / "co.csv", index=False)
    spec = FieldSpec(nx=64, ny=64, pixel_arcsec=0.5, beam_arcsec=1.5, noise_rms_jy_beam=0.0,
                     population=PopulationSpec(catalogue=str(folder / "co.csv")), clean=True,
                     tile=(56, 32, 32), **BAND)  # fmt: skip
    run = make_field(spec, folder / "field", workers=0, progress=False)
    assert run.complete
    clean = zarr.open_group(folder / "field" / "field.zarr", mode="r")["clean"][:]
    truth = pd.read_csv(folder / "field" / "truth.csv")
    return spec, table, clean, truth


def test_a_co_galaxy_lies_at_its_redshifted_co_frequency(co_field):
    """Each galaxy's flux-weighted frequency is CO's rest frequency / (1 + z), to 1% of a channel.

    (A symmetric disk: its flux-weighted frequency is its systemic one; an HI rest frequency
    or a channel's offset would miss by far more.)
    """
    spec, table, clean, truth = co_field
    frequencies = spec.start_hz + np.arange(spec.n_chan) * spec.channel_width_hz
    for half, row in zip((slice(0, 32), slice(32, 64)), table.itertuples(), strict=True):
        spectrum = clean[:, :, half].sum(axis=(1, 2), dtype=np.float64)
        centre = np.sum(frequencies * spectrum) / np.sum(spectrum)
        assert abs(centre - CO / (1.0 + row.z)) < 0.01 * spec.channel_width_hz
    np.testing.assert_allclose(truth["central_freq"], CO / (1.0 + table["z"]), rtol=1e-12)


def test_a_co_galaxy_holds_its_catalogued_flux(co_field):
    """Each half of the clean field (Jy/beam -> Jy Hz) holds its galaxy's line_flux_jy_hz."""
    spec, table, clean, truth = co_field
    to_jy_hz = spec.channel_width_hz / field_beam(spec).area_px
    for half, flux in zip((slice(0, 32), slice(32, 64)), table["line_flux_jy_hz"], strict=True):
        assert clean[:, :, half].sum(dtype=np.float64) * to_jy_hz == pytest.approx(flux, rel=1e-4)
    assert truth["m_hi"].isna().all()  # no HI mass given, none invented
