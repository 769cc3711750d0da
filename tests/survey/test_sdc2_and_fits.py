"""The truth catalogue through SKA's own SDC2 scorer, and the field through FITS readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import zarr
from survey_helpers import SMALL, sdc2_scorer

from GalCubeCraft.survey import export_fits, make_field
from GalCubeCraft.survey.catalogue import SDC2_COLUMNS, read_sdc2


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """Return the small field (SDC2's band and sampling), made once."""
    path = tmp_path_factory.mktemp("sdc2")
    make_field(SMALL, path, workers=0, progress=False)
    return path


def _score(submission: pd.DataFrame, truth: pd.DataFrame):
    return sdc2_scorer()(submission, truth).run()


def test_the_scorer_accepts_the_truth_unchanged_and_matches_every_source(field):
    """Truth scored against itself: all matched, no false positives, the full score."""
    truth = read_sdc2(field / "truth_sdc2.txt")
    assert tuple(truth.columns) == SDC2_COLUMNS
    assert not truth.isna().any().any()
    score = _score(truth, truth)
    assert (score.n_match, score.n_false) == (len(truth), 0)
    assert score.value == pytest.approx(len(truth))


def test_a_known_flux_error_and_false_sources_lower_the_score_as_its_formula_says(field):
    """Fluxes 50% high score 0.1/0.5 on flux (1 elsewhere); each false source costs 1."""
    truth = read_sdc2(field / "truth_sdc2.txt")
    wrong = truth.copy()
    wrong["line_flux_integral"] *= 1.5
    n = len(truth)
    assert _score(wrong, truth).value == pytest.approx(n * (6.0 + 0.2) / 7.0)
    far = truth.iloc[:3].copy()
    far["id"] += 10_000
    far["central_freq"] = 0.96e9  # in the band, nowhere near a true source
    with_false = pd.concat([truth, far], ignore_index=True)
    score = _score(with_false, truth)
    assert (score.n_false, score.value) == (3, pytest.approx(n - 3.0))


def test_the_streamed_fits_file_is_the_field_for_spectral_cube(field, tmp_path):
    """spectral-cube reads the whole field: the same data, FREQ axis, beam and pointing."""
    from astropy import units as u
    from spectral_cube import SpectralCube

    out = export_fits(field, tmp_path / "field.fits", SMALL)
    cube = SpectralCube.read(out)
    data = zarr.open_group(field / "field.zarr", mode="r")["field"][:]
    np.testing.assert_array_equal(cube.unmasked_data[:].value, data)
    expected = SMALL.start_hz + np.arange(SMALL.n_chan) * SMALL.channel_width_hz
    np.testing.assert_allclose(cube.spectral_axis.to_value(u.Hz), expected, rtol=1e-12)
    assert cube.beam.major.to_value(u.arcsec) == pytest.approx(7.0)
    ra, dec = cube.wcs.celestial.pixel_to_world_values(31.5, 31.5)
    assert (ra, dec) == (pytest.approx(180.0), pytest.approx(-30.0))


def test_a_cutout_keeps_its_place_on_the_sky_and_in_frequency(field, tmp_path):
    """A cut-out's voxels are the field's, and its WCS puts them where the field's does."""
    from astropy.wcs import WCS

    box = (slice(10, 30), slice(5, 25), slice(40, 64))
    out = export_fits(field, tmp_path / "cut.fits", SMALL, cutout=box)
    from astropy.io import fits

    with fits.open(out) as hdul:
        data, header = hdul[0].data, hdul[0].header
        data = np.array(data)
    full = zarr.open_group(field / "field.zarr", mode="r")["field"][:]
    np.testing.assert_array_equal(data, full[box])
    whole = WCS(export_fits(field, tmp_path / "all.fits", SMALL).as_posix())
    np.testing.assert_allclose(WCS(header).pixel_to_world_values(0, 0, 0),
                               whole.pixel_to_world_values(40, 5, 10), rtol=1e-12)  # fmt: skip
