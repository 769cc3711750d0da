"""One observation record: physical, angular and seed constructors agree with astropy."""

import numpy as np
import pytest
from astropy import units as u
from astropy.cosmology import FlatLambdaCDM

from GalCubeCraft import AngularScale, Beam, Galaxy, Observation, SpectralAxis
from GalCubeCraft.factory import make_cubes
from GalCubeCraft.observation.records import LINES_HZ


@pytest.mark.parametrize("z", [0.1, 1.0, 3.0])
def test_pixel_scale_follows_angular_diameter_distance(z):
    """Kpc per pixel = pixel (rad) x D_A(z), from astropy's cosmology."""
    obs = Observation.from_angular(redshift=z, pixel_arcsec=0.2)
    d_a = FlatLambdaCDM(H0=70, Om0=0.3).angular_diameter_distance(z).to(u.kpc).value
    expected = d_a * (0.2 * u.arcsec).to(u.rad).value
    assert obs.pixel_kpc == pytest.approx(expected, rel=1e-9)
    assert obs.pixel_arcsec == pytest.approx(0.2, rel=1e-12)


def test_line_presets_and_beam_in_pixels():
    """The presets hold the lines' rest frequencies; arcsec beams become pixel beams."""
    assert LINES_HZ["HI"] == pytest.approx(1.420405751768e9)
    assert LINES_HZ["[CII]158"] == pytest.approx(1900.5369e9)
    assert LINES_HZ["CO(1-0)"] == pytest.approx(115.2712018e9)
    obs = Observation.from_angular(pixel_arcsec=0.05, beam_arcsec=(0.3, 0.2, 15.0))
    assert (obs.beam.bmaj_px, obs.beam.bmin_px, obs.beam.bpa_deg) == pytest.approx((6.0, 4.0, 15))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"line": "CO(9-8)"}, "line"),
        ({"redshift": -0.1}, "redshift"),
        ({"redshift": 0.0}, "redshift"),
        ({"beam_arcsec": (50.0, 1.0, 0.0)}, "bmaj must be smaller than the field"),
        ({"beam_arcsec": (0.2, 0.3, 0.0)}, "bmin_px must not exceed bmaj_px"),
        ({"pixel_arcsec": 0.0}, "pixel_arcsec"),
        ({"n_chan": 0}, "n_chan"),
    ],
)
def test_invalid_angular_observations_are_refused(kwargs, name):
    """Unknown lines, z <= 0, beams larger than the field are ValueErrors naming the key."""
    with pytest.raises(ValueError, match=name):
        Observation.from_angular(**kwargs)


def test_higher_redshift_galaxy_looks_smaller():
    """The same galaxy's angular size scales as 1/D_A(z): its rms radius in pixels does."""

    def mean_square_radius_px(z):
        obs = Observation.from_angular(n_pix=96, pixel_arcsec=0.02, beam_arcsec=None, redshift=z)
        m0 = make_cubes(Galaxy(r_e_kpc=0.6, h_z_kpc=0.1), obs).moment0
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
    obs = Observation.from_angular(n_pix=48, pixel_arcsec=0.1, redshift=1.0)
    truth = make_cubes(Galaxy(r_e_kpc=1.0, inclination_deg=60, pa_deg=0), obs)
    intrinsic = truth.model.data
    assert intrinsic.shape == obs.shape
    np.testing.assert_allclose(
        truth.moment0, intrinsic.sum(0) * obs.spectral.channel_width_kms, rtol=1e-5
    )
    assert truth.velocity_field[27, 24] > 0 > truth.velocity_field[21, 24]


def test_three_constructors_describe_the_same_observation():
    """Physical, angular and seed constructors give one record; the seed's beam order is swapped."""
    sky = AngularScale(redshift=2.0)
    angular = Observation.from_angular(n_pix=40, pixel_arcsec=0.1, beam_arcsec=(0.5, 0.3, 40.0),
                                       n_chan=40, channel_width_kms=30.0, redshift=2.0)  # fmt: skip
    physical = Observation.from_physical(
        40, angular.pixel_kpc, SpectralAxis(40, -600.0, 600.0), Beam(5.0, 3.0, 40.0), sky=sky
    )
    assert physical.replace(beam=angular.beam) == angular
    np.testing.assert_allclose(
        [physical.beam.bmaj_px, physical.beam.bmin_px], [angular.beam.bmaj_px, angular.beam.bmin_px]
    )
    from GalCubeCraft.compat.observation import original_observation

    seed = original_observation(40, 40, (3.0, 5.0, 40.0), angular.pixel_kpc, sky=sky)
    assert seed.beam == Beam(bmaj_px=5.0, bmin_px=3.0, bpa_deg=40.0)
    assert seed.line_spread == "gaussian" and seed.line_spread_sigma_chan == 0.6
    assert seed.spectral == SpectralAxis(40, -600.0, 600.0)


def test_arcsec_and_header_need_an_angular_scale():
    """Without a redshift there is no arcsec, WCS or header: a ValueError says how to add one."""
    obs = Observation(nx=16, ny=16, pixel_kpc=0.5)
    with pytest.raises(ValueError, match="with_sky"):
        _ = obs.pixel_arcsec
    with pytest.raises(ValueError, match="with_sky"):
        obs.fits_header()
    assert obs.with_sky(redshift=0.5).pixel_arcsec == pytest.approx(
        0.5 / FlatLambdaCDM(H0=70, Om0=0.3).kpc_proper_per_arcmin(0.5).to_value(u.kpc / u.arcsec)
    )


def test_wcs_puts_the_field_centre_at_the_pointing():
    """The derived WCS maps the field centre to (RA, Dec) and east (-x) to larger RA."""
    obs = Observation.from_angular(n_pix=33, pixel_arcsec=0.2, ra_deg=150.0, dec_deg=2.0)
    wcs = obs.wcs
    ra, dec, _ = wcs.pixel_to_world_values(16.0, 16.0, 0.0)
    assert (ra, dec) == pytest.approx((150.0, 2.0), abs=1e-12)
    ra_east, _, _ = wcs.pixel_to_world_values(15.0, 16.0, 0.0)
    assert ra_east > ra
    # The spectral axis is the observed frequency of each channel's velocity from systemic.
    frequencies = wcs.spectral.pixel_to_world(np.arange(40)).to_value(u.Hz)
    observed = 230.538e9 / (1 + obs.sky.redshift) * (1 - obs.velocities_kms / 299792.458)
    np.testing.assert_allclose(frequencies, observed, rtol=1e-14)


def test_header_round_trips_to_the_same_observation():
    """Observation.from_fits_header(obs.fits_header()) gives back the observation (to 1e-12)."""
    obs = Observation.from_angular(n_pix=40, pixel_arcsec=0.07, beam_arcsec=(0.4, 0.25, 70.0),
                                   n_chan=30, channel_width_kms=12.0, line="[CII]158",
                                   redshift=4.5, ra_deg=33.0, dec_deg=-27.0,
                                   line_spread="hanning")  # fmt: skip
    back = Observation.from_fits_header(obs.fits_header())
    assert back.sky.redshift == 4.5 and back.sky.line == "[CII]158"
    assert (back.sky.ra_deg, back.sky.dec_deg) == pytest.approx((33.0, -27.0), abs=1e-12)
    assert back.pixel_kpc == pytest.approx(obs.pixel_kpc, rel=1e-12)
    assert back.line_spread == "hanning" and back.shape == obs.shape
    np.testing.assert_allclose(back.velocities_kms, obs.velocities_kms, atol=1e-9)
    for got, want in zip((back.beam.bmaj_px, back.beam.bmin_px, back.beam.bpa_deg),
                         (obs.beam.bmaj_px, obs.beam.bmin_px, 70.0), strict=True):  # fmt: skip
        assert got == pytest.approx(want, rel=1e-12)
