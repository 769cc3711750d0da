"""The Cube value object: frozen, copied on change, pickled, written and read, its flux."""

import dataclasses
import pickle

import numpy as np
import pytest
from astropy.io import fits

from GalCubeCraft import Cube, Galaxy, Observation, observe, render
from GalCubeCraft.factory import NoiseModel, make_cubes

OBS = Observation.from_angular(n_pix=48, pixel_arcsec=0.1, beam_arcsec=(0.4, 0.3, 25.0),
                               n_chan=32, channel_width_kms=25.0, redshift=1.0,
                               line_spread="hanning")  # fmt: skip
GALAXY = Galaxy.with_line_flux(3.0, r_e_kpc=1.5, inclination_deg=50.0, pa_deg=30.0)


@pytest.fixture(scope="module")
def noisy():
    """Return a noisy observed cube of GALAXY."""
    return make_cubes(GALAXY, OBS, noise=NoiseModel(peak_snr=10.0),
                      noise_rng=np.random.default_rng(5)).noisy  # fmt: skip


def test_cube_is_frozen(noisy):
    """Neither its fields nor its array can be changed in place."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        noisy.kind = "model"
    with pytest.raises(ValueError, match="read-only"):
        noisy.data[0, 0, 0] = 1.0
    source = np.zeros(OBS.shape, dtype=np.float32)
    cube = Cube(source, OBS)
    assert not cube.data.flags.writeable and source.flags.writeable  # a view, not the caller's


def test_of_finite_checks_all_but_finiteness_and_freezes():
    """Cube.of_finite (the factory's twin) refuses what Cube refuses, except NaN and inf."""
    source = np.zeros(OBS.shape, dtype=np.float32)
    cube = Cube.of_finite(source, OBS, kind="noisy", noise_rms=0.5)
    assert not cube.data.flags.writeable and source.flags.writeable
    assert (cube.kind, cube.noise_rms, cube.observation) == ("noisy", 0.5, OBS)
    with pytest.raises(ValueError, match="observation's shape"):
        Cube.of_finite(source[:-1], OBS)
    with pytest.raises(ValueError, match="noise_rms"):
        Cube.of_finite(source, OBS, noise_rms=-1.0)
    with pytest.raises(ValueError, match="kind"):
        Cube.of_finite(source, OBS, kind="clean")
    source[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        Cube(source, OBS)
    assert np.isnan(Cube.of_finite(source, OBS).data[0, 0, 0])  # the caller's word


def test_with_data_returns_a_new_cube_and_leaves_the_old(noisy):
    """with_data changes data, kind and rms on a copy; the original and its array stay."""
    before = noisy.data.copy()
    doubled = noisy.with_data(noisy.data * 2.0, kind="observed", noise_rms=0.0)
    assert doubled is not noisy and doubled.kind == "observed" and doubled.noise_rms == 0.0
    assert doubled.observation is noisy.observation and doubled.galaxies == noisy.galaxies
    np.testing.assert_array_equal(noisy.data, before)
    assert noisy.kind == "noisy" and noisy.noise_rms > 0.0
    assert doubled.line_flux_jykms() == pytest.approx(2.0 * noisy.line_flux_jykms(), rel=1e-12)
    with pytest.raises(ValueError, match="does not match"):
        noisy.with_data(noisy.data[:-1])


def test_cube_pickles(noisy):
    """A pickled cube has the same data, observation, kind, rms and galaxies, still frozen."""
    back = pickle.loads(pickle.dumps(noisy))
    np.testing.assert_array_equal(back.data, noisy.data)
    assert back.data.dtype == noisy.data.dtype and not back.data.flags.writeable
    assert back.observation == noisy.observation and back.galaxies == noisy.galaxies
    assert (back.kind, back.noise_rms, back.unit) == (noisy.kind, noisy.noise_rms, noisy.unit)


def test_fits_round_trip_keeps_every_header_value(noisy, tmp_path):
    """The file holds fits_header()'s values: words and integers exactly, reals to 1e-13.

    A FITS card gives a real 20 characters: CDELT1 = -2.777777777777778e-05 (degrees)
    is written -2.7777777777778E-05, 2.8e-14 off, the most the format keeps (BMAJ
    1.1e-15); values with short decimal forms (KPCPIX, NOISERMS, CRVAL3) come back exact.
    """
    path = noisy.write_fits(tmp_path / "cube.fits")
    expected = noisy.fits_header()
    with fits.open(path) as hdul:
        written = hdul[0].header
    for key in ("BUNIT", "CTYPE1", "CTYPE3", "CUNIT3", "SPECSYS", "LINE", "LINESPR",
                "CUBEKIND", "NGAL", "NAXIS1", "NAXIS3"):  # fmt: skip
        assert written[key] == expected[key], key
    for key in ("BMAJ", "BMIN", "BPA", "CDELT1", "CDELT2", "CDELT3", "CRVAL1", "CRVAL2",
                "CRVAL3", "CRPIX1", "CRPIX3", "RESTFRQ", "ZSOURCE", "KPCPIX", "NOISERMS",
                "G1RE", "G1INC", "G1PA", "G1FLUX"):  # fmt: skip
        assert written[key] == pytest.approx(expected[key], rel=1e-13, abs=0.0), key
    for key in ("KPCPIX", "NOISERMS", "CRVAL3", "RESTFRQ", "G1FLUX"):
        assert written[key] == expected[key], key
    assert written["NOISERMS"] == noisy.noise_rms and written["G1FLUX"] == GALAXY.line_flux
    back = Cube.from_fits(path)
    np.testing.assert_array_equal(back.data, noisy.data)
    assert (back.kind, back.unit) == ("noisy", "Jy/beam")
    assert back.noise_rms == noisy.noise_rms and back.observation.pixel_kpc == OBS.pixel_kpc
    assert back.observation.line_spread == "hanning"


def test_line_flux_is_the_galaxy_s_flux():
    """A rendered galaxy's cube holds its line flux to 1e-4, before and after the instrument.

    Measured 2.2e-5 for the model (Jy/pixel) and 1.7e-5 observed (Jy/beam divided by the
    beam area).
    """
    model = render(GALAXY, OBS)
    assert model.unit == "Jy/pixel"
    assert model.line_flux_jykms() == pytest.approx(GALAXY.line_flux, rel=1e-4)
    observed = observe(model)
    assert observed.unit == "Jy/beam"
    assert observed.line_flux_jykms() == pytest.approx(GALAXY.line_flux, rel=1e-4)
    # The Jy/beam sum is the Jy/pixel sum times the beam area: one conversion, not two.
    total = float(observed.data.sum(dtype=np.float64)) * OBS.spectral.channel_width_kms
    assert total == pytest.approx(GALAXY.line_flux * OBS.beam.area_px, rel=1e-4)


def test_moments_of_a_cube_without_pixels_are_empty_maps():
    """A cube with no pixels gives empty maps of its shape (the compiled sums' block is 1)."""
    from GalCubeCraft.products.moments import moments

    maps = moments(np.zeros((5, 0, 4), dtype=np.float32), np.arange(5.0))
    assert maps.m0.shape == maps.m1.shape == maps.m2.shape == (0, 4)
