"""``galcubecraft survey``: a spec file in, a field folder and a FITS file out."""

from __future__ import annotations

import numpy as np
import pytest
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


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Return the folder where the verb made the field in its own process, with --fits."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "spec.toml").write_text(SPEC)
    code = main(["--quiet", "survey", str(folder / "spec.toml"), str(folder / "out"),
                 "--workers", "0", "--fits", str(folder / "field.fits")])  # fmt: skip
    assert code == 0
    return folder


def test_the_survey_verb_makes_the_field_its_truth_and_its_fits_file(made):
    """Exit 0; the FITS file holds the Zarr field; the SDC2 truth lists the 3 galaxies."""
    field = zarr.open_group(made / "out" / "field.zarr", mode="r")["field"][:]
    with fits.open(made / "field.fits") as hdul:
        np.testing.assert_array_equal(hdul[0].data, field)
        assert hdul[0].header["CTYPE3"] == "FREQ"
    lines = (made / "out" / "truth_sdc2.txt").read_text().splitlines()
    assert lines[0].split() == ["id", "ra", "dec", "hi_size", "line_flux_integral",
                                "central_freq", "pa", "i", "w20"]  # fmt: skip
    assert len(lines) == 4


def test_the_scheduler_option_runs_on_that_scheduler_and_gives_the_same_field(
    made, tmp_path, monkeypatch, dask_scheduler
):
    """--scheduler ADDRESS: every voxel and label is the in-process one's.

    OUT is relative, and the cluster's workers were started in another directory: they
    must write where the verb reads.
    """
    assert dask_scheduler.startswith("tcp://")
    monkeypatch.chdir(tmp_path)
    code = main(["--quiet", "survey", str(made / "spec.toml"), "out",
                 "--scheduler", dask_scheduler])  # fmt: skip
    assert code == 0
    for name in ("field", "labels"):
        got = zarr.open_group(tmp_path / "out" / "field.zarr", mode="r")[name][:]
        expected = zarr.open_group(made / "out" / "field.zarr", mode="r")[name][:]
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32)), name
    assert (tmp_path / "out" / "truth_sdc2.txt").read_text() == (
        made / "out" / "truth_sdc2.txt"
    ).read_text()
