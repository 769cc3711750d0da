"""``galcubecraft survey``: a spec file in, a field folder and a FITS file out."""

from __future__ import annotations

import numpy as np
import zarr
from astropy.io import fits

from GalCubeCraft.cli import main

SPEC = """
[field]
nx = 32
ny = 32
[band]
n_chan = 16
start_hz = 1.14e9
[instrument]
noise_rms_jy_beam = 1e-4
[population]
n_galaxies = 3
[run]
tile = [16, 16, 16]
"""


def test_the_survey_verb_makes_the_field_its_truth_and_its_fits_file(tmp_path):
    """Exit 0; the FITS file holds the Zarr field; the SDC2 truth lists the 3 galaxies."""
    (tmp_path / "spec.toml").write_text(SPEC)
    code = main(["--quiet", "survey", str(tmp_path / "spec.toml"), str(tmp_path / "out"),
                 "--workers", "0", "--fits", str(tmp_path / "field.fits")])  # fmt: skip
    assert code == 0
    field = zarr.open_group(tmp_path / "out" / "field.zarr", mode="r")["field"][:]
    with fits.open(tmp_path / "field.fits") as hdul:
        np.testing.assert_array_equal(hdul[0].data, field)
        assert hdul[0].header["CTYPE3"] == "FREQ"
    lines = (tmp_path / "out" / "truth_sdc2.txt").read_text().splitlines()
    assert lines[0].split() == ["id", "ra", "dec", "hi_size", "line_flux_integral",
                                "central_freq", "pa", "i", "w20"]  # fmt: skip
    assert len(lines) == 4
