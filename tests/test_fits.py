"""FITS cubes read back by astropy and spectral-cube as written."""

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from spectral_cube import SpectralCube

from GalCubeCraft import Galaxy, observe, render
from GalCubeCraft.io.fits import write_fits
from GalCubeCraft.sky import SkyFrame

FRAME = SkyFrame(
    n_pix=48,
    pixel_arcsec=0.1,
    bmaj_arcsec=0.5,
    bmin_arcsec=0.3,
    bpa_deg=25.0,
    n_chan=24,
    channel_width_kms=25.0,
    line="CO(2-1)",
    redshift=1.5,
)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    obs = FRAME.observation()
    galaxy = Galaxy(r_e_kpc=1.2, h_z_kpc=0.2, inclination_deg=50, pa_deg=70, sigma_kms=30)
    cube = observe(render(galaxy, obs), obs).astype(np.float32)
    path = write_fits(tmp_path_factory.mktemp("fits") / "cube.fits", cube, FRAME, galaxies=[galaxy])
    return path, cube, obs, galaxy


def test_header_conventions_and_verify(written):
    """The file passes astropy's verify and carries the conventions readers need."""
    path, _, _, galaxy = written
    with fits.open(path) as hdul:
        hdul.verify("exception")
        h = hdul[0].header
    assert h["CDELT1"] == pytest.approx(-0.1 / 3600) and h["CDELT2"] == pytest.approx(0.1 / 3600)
    assert (h["CTYPE1"], h["CTYPE2"], h["CTYPE3"], h["CUNIT3"]) == (
        "RA---SIN",
        "DEC--SIN",
        "VRAD",
        "m/s",
    )
    assert h["RESTFRQ"] == pytest.approx(230.538e9 / 2.5)
    assert h["BUNIT"] == "Jy/beam" and h["SPECSYS"] == "BARYCENT"
    assert h["BMAJ"] == pytest.approx(0.5 / 3600) and h["BPA"] == 25.0
    assert h["G1INC"] == 50.0 and h["G1FLUX"] == pytest.approx(galaxy.line_flux)


def test_spectral_cube_reads_data_beam_and_velocities(written):
    """spectral-cube gives back the array, the beam and the channel velocities (1e-6)."""
    path, cube, obs, _ = written
    sc = SpectralCube.read(path)
    np.testing.assert_array_equal(sc.unmasked_data[:].value, cube)
    assert sc.beam.major.to(u.arcsec).value == pytest.approx(0.5, rel=1e-9)
    assert sc.beam.minor.to(u.arcsec).value == pytest.approx(0.3, rel=1e-9)
    assert sc.beam.pa.to(u.deg).value == pytest.approx(25.0, rel=1e-9)
    velocities = sc.spectral_axis.to(u.km / u.s).value
    np.testing.assert_allclose(velocities, obs.spectral.centres_kms, rtol=1e-6, atol=1e-6)
    assert sc.unit == u.Jy / u.beam


def test_failed_write_leaves_no_file(tmp_path):
    """A cube with NaN, or of the wrong shape, is refused and nothing is written."""
    bad = np.zeros(FRAME.observation().shape, dtype=np.float32)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        write_fits(tmp_path / "bad.fits", bad, FRAME)
    with pytest.raises(ValueError, match="shape"):
        write_fits(tmp_path / "bad.fits", np.zeros((2, 3, 4)), FRAME)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """If the writer dies mid-file, neither the final nor the temporary file remains."""

    def explode(self, name, **kwargs):
        with open(name, "wb") as handle:
            handle.write(b"SIMPLE  =  half a header")
        raise OSError("disk full")

    monkeypatch.setattr(fits.HDUList, "writeto", explode)
    with pytest.raises(OSError, match="disk full"):
        write_fits(tmp_path / "cube.fits", np.zeros(FRAME.observation().shape), FRAME)
    assert list(tmp_path.iterdir()) == []


def test_frequency_axis_describes_the_same_channels(tmp_path):
    """A FREQ axis read by spectral-cube converts back to the channel radio velocities."""
    obs = FRAME.observation()
    cube = np.zeros(obs.shape, dtype=np.float32)
    path = write_fits(tmp_path / "freq.fits", cube, FRAME, spectral_type="FREQ")
    sc = SpectralCube.read(path)
    assert sc.spectral_axis.unit == u.Hz
    velocities = sc.with_spectral_unit(
        u.km / u.s, velocity_convention="radio", rest_value=FRAME.observed_frequency_hz * u.Hz
    ).spectral_axis.value
    np.testing.assert_allclose(velocities, obs.spectral.centres_kms, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="spectral_type"):
        write_fits(tmp_path / "x.fits", cube, FRAME, spectral_type="WAVE")
    assert not (tmp_path / "x.fits").exists()
