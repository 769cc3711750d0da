"""Clean products hold exact zeros where the model has nothing above round-off."""

import numpy as np
import pytest

from GalCubeCraft import (
    ArctanRotationCurve,
    Beam,
    Galaxy,
    NoiseModel,
    Observation,
    SpectralAxis,
    make_cubes,
    observe,
    render,
)
from GalCubeCraft.instrument.observe import apply_instrument
from GalCubeCraft.products.roundoff import roundoff_floor

FLOOR = roundoff_floor(np.float32)


def _disk(**kwargs):
    base = {"r_e_kpc": 2.5, "h_z_kpc": 0.5, "inclination_deg": 60.0, "pa_deg": 30.0,
            "sigma_kms": 20.0, "rotation_curve": ArctanRotationCurve(200.0, 1.0)}  # fmt: skip
    return Galaxy(**{**base, **kwargs})


def _obs(beam):
    return Observation(nx=48, ny=48, pixel_kpc=0.5, spectral=SpectralAxis(40, -400, 400),
                       beam=beam, line_spread="gaussian")  # fmt: skip


def test_floor_is_sixteen_unit_roundoffs():
    """2**-20 for float32 (16 x 2**-24), 2**-49 for float64."""
    assert FLOOR == 2.0**-20
    assert roundoff_floor(np.float64) == 2.0**-49


@pytest.mark.parametrize("beam", [Beam(4.0, 4.0), Beam(6.0, 3.0, 30.0), None])
def test_clean_cube_is_exactly_zero_below_the_floor_and_keeps_its_flux(beam):
    """Zeros below the floor, everything above it kept, flux within 3e-5.

    Against the float64 instrument stage (round-off ~1e-16): every voxel below half the
    floor is exactly 0 (and they are most of the cube), every voxel above twice the
    floor is kept to float32 precision.
    """
    obs = _obs(beam)
    model = render(_disk(), obs)
    clean = observe(model).data.astype(np.float64)
    exact = apply_instrument(model.data, obs, np.float64)
    peak = exact.max()
    below = exact < 0.5 * FLOOR * peak
    above = exact > 2.0 * FLOOR * peak
    assert below.sum() > 0.4 * exact.size  # Gaussian wings and an empty field: counted
    assert np.count_nonzero(clean[below]) == 0
    assert np.all(clean[above] > 0.0)
    assert np.max(np.abs(clean - exact)[above]) <= 4e-7 * peak
    assert clean.sum() == pytest.approx(exact.sum(), rel=3e-5)
    assert np.count_nonzero(clean == 0.0) >= below.sum()


def test_every_galaxy_clean_cube_is_floored_against_its_own_peak():
    """A faint companion keeps its light; the total is zero where every galaxy is."""
    obs = _obs(Beam(4.0, 4.0))
    bright = _disk(x_kpc=-5.0)
    faint = Galaxy.with_line_flux(
        1e-4 * bright.line_flux, r_e_kpc=1.5, inclination_deg=40.0, pa_deg=100.0, x_kpc=6.0
    )
    products = make_cubes([bright, faint], obs)
    for galaxy, cube in zip((bright, faint), products.galaxy_clean, strict=True):
        alone = apply_instrument(render(galaxy, obs).data, obs, np.float64)
        below = alone < 0.5 * FLOOR * alone.max()
        assert below.any() and np.count_nonzero(cube[below]) == 0
        assert float(cube.sum()) == pytest.approx(alone.sum(), rel=3e-5)
    everywhere_dark = np.all(products.galaxy_clean == 0.0, axis=0)
    assert np.array_equal(products.clean.data == 0.0, everywhere_dark)
    # The faint galaxy's wings lie below the bright galaxy's floor, yet are kept.
    faint_cube = products.galaxy_clean[1]
    under_bright_floor = (faint_cube > 0) & (faint_cube < FLOOR * products.galaxy_clean[0].max())
    assert np.count_nonzero(under_bright_floor) > 1000


def test_fits_header_states_the_floor_and_what_fitting_codes_read(tmp_path):
    """ZFLOOR on clean cubes; OBJECT, TELESCOP, NOISERMS and the velocity definition."""
    from astropy.io import fits

    obs = _obs(Beam(4.0, 4.0)).with_sky(redshift=0.02)
    products = make_cubes([_disk()], obs)
    # As the 3D-Barolo recipe writes it: velocities from systemic, in the source's frame.
    products.clean.write_fits(tmp_path / "clean.fits", spectral_frame="rest")
    header = fits.getheader(tmp_path / "clean.fits")
    assert header["ZFLOOR"] == 2.0**-20
    assert header["OBJECT"] and header["TELESCOP"] == "GalCubeCraft"
    assert header["CTYPE3"] == "VRAD" and header["SPECSYS"] == "SOURCE"
    assert "NOISERMS" not in header
    noisy = make_cubes([_disk()], obs, noise=NoiseModel(rms=1e-3),
                       noise_rng=np.random.default_rng(0)).noisy  # fmt: skip
    noisy.write_fits(tmp_path / "noisy.fits")
    header = fits.getheader(tmp_path / "noisy.fits")
    assert header["NOISERMS"] == pytest.approx(1e-3) and "ZFLOOR" not in header
