"""Angular units, redshift and lines map onto the engine as astropy says."""

import numpy as np
import pytest
from astropy import units as u
from astropy.cosmology import FlatLambdaCDM

from GalCubeCraft import Galaxy
from GalCubeCraft.sky import LINES_HZ, SkyFrame
from GalCubeCraft.truth import ground_truth


@pytest.mark.parametrize("z", [0.1, 1.0, 3.0])
def test_pixel_scale_follows_angular_diameter_distance(z):
    """Kpc per pixel = pixel (rad) x D_A(z), from astropy's cosmology."""
    frame = SkyFrame(redshift=z, pixel_arcsec=0.2)
    d_a = FlatLambdaCDM(H0=70, Om0=0.3).angular_diameter_distance(z).to(u.kpc).value
    expected = d_a * (0.2 * u.arcsec).to(u.rad).value
    assert frame.observation().pixel_kpc == pytest.approx(expected, rel=1e-9)


def test_line_presets_and_beam_in_pixels():
    """The presets hold the lines' rest frequencies; arcsec beams become pixel beams."""
    assert LINES_HZ["HI"] == pytest.approx(1.420405751768e9)
    assert LINES_HZ["[CII]158"] == pytest.approx(1900.5369e9)
    assert LINES_HZ["CO(1-0)"] == pytest.approx(115.2712018e9)
    obs = SkyFrame(pixel_arcsec=0.05, bmaj_arcsec=0.3, bmin_arcsec=0.2).observation()
    assert (obs.beam.bmaj_px, obs.beam.bmin_px) == pytest.approx((6.0, 4.0))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"line": "CO(9-8)"}, "line"),
        ({"redshift": -0.1}, "redshift"),
        ({"redshift": 0.0}, "redshift"),
        ({"bmaj_arcsec": 50.0, "bmin_arcsec": 1.0}, "bmaj_arcsec"),
        ({"pixel_arcsec": 0.0}, "pixel_arcsec"),
    ],
)
def test_invalid_frames_are_refused(kwargs, name):
    """Unknown lines, z <= 0 and beams larger than the field are ValueErrors naming the key."""
    with pytest.raises(ValueError, match=name):
        SkyFrame(**kwargs)


def test_higher_redshift_galaxy_looks_smaller():
    """The same galaxy's angular size scales as 1/D_A(z): its rms radius in pixels does."""

    def mean_square_radius_px(z):
        frame = SkyFrame(n_pix=96, pixel_arcsec=0.02, bmaj_arcsec=0, bmin_arcsec=0, redshift=z)
        m0 = ground_truth(Galaxy(r_e_kpc=0.6, h_z_kpc=0.1), frame.observation()).moment0
        y, x = np.mgrid[0:96, 0:96] - 47.5
        # Flux-weighted <r^2>, less Sheppard's 2 x 1/12 px^2 for pixel integration.
        return float((m0 * (x**2 + y**2)).sum() / m0.sum()) - 1 / 6

    cosmo = FlatLambdaCDM(H0=70, Om0=0.3)
    ratio = (cosmo.angular_diameter_distance(1.0) / cosmo.angular_diameter_distance(0.3)).value
    assert mean_square_radius_px(0.3) / mean_square_radius_px(1.0) == pytest.approx(
        ratio**2, rel=3e-3
    )


def test_ground_truth_products():
    """Ground truth: intrinsic cube, velocity field positive on the receding side, moment 0."""
    frame = SkyFrame(n_pix=48, pixel_arcsec=0.1, redshift=1.0)
    obs = frame.observation()
    truth = ground_truth(Galaxy(r_e_kpc=1.0, inclination_deg=60, pa_deg=0), obs)
    assert truth.intrinsic.shape == obs.shape
    np.testing.assert_allclose(
        truth.moment0, truth.intrinsic.sum(0) * obs.spectral.channel_width_kms, rtol=1e-5
    )
    assert truth.velocity_field[27, 24] > 0 > truth.velocity_field[21, 24]
