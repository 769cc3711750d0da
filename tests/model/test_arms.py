"""Spiral arms: m-armed logarithmic modulation that keeps every ring's flux."""

import math

import numpy as np
import pytest

from GalCubeCraft import FlatRotationCurve, Galaxy, Observation, SpectralAxis, render
from GalCubeCraft.model.arms import SpiralArms

OBS = Observation(nx=97, ny=97, pixel_kpc=0.25, spectral=SpectralAxis(40, -400, 400))
ARMS = SpiralArms(m=2, pitch_deg=20.0, contrast=0.6, phase_deg=30.0, sharpness=2)


def _galaxy(arms=None, inclination=0.0):
    return Galaxy(r_e_kpc=3.0, h_z_kpc=0.1, inclination_deg=inclination, pa_deg=0.0,
                  sigma_kms=20.0, rotation_curve=FlatRotationCurve(150.0), arms=arms)  # fmt: skip


def test_factor_averages_to_one_on_every_ring():
    """The mean over azimuth of f is exactly 1 (so the arms keep each ring's flux)."""
    theta = np.linspace(0.0, 2 * np.pi, 4096, endpoint=False)
    for radius in (0.5, 3.0, 9.0):
        r = np.full_like(theta, radius)
        f = ARMS.factor(r, r * np.cos(theta), r * np.sin(theta), 3.0)
        assert f.mean() == pytest.approx(1.0, abs=1e-6) and f.min() >= 0.0


def test_factor_and_streaming_equal_the_formulas_in_float64():
    """The compiled float32 terms equal the module docstring's formulas to float32 rounding.

    The phase there reaches m ln(R_floor / R_e) / tan(pitch) ~ 200 radians, whose float32
    rounding (1e-5) bounds the agreement; measured 1.2e-5 (factor) and 5e-6 of the
    amplitude (streaming).
    """
    arms = SpiralArms(m=3, pitch_deg=10.0, contrast=0.8, phase_deg=40.0, sharpness=5,
                      streaming_radial_kms=10.0, streaming_tangential_kms=-6.0)  # fmt: skip
    rng = np.random.default_rng(3)
    radius = rng.uniform(0.0, 12.0, 20_000)
    radius[:3] = 0.0
    theta = rng.uniform(-np.pi, np.pi, radius.size)
    x, y = radius * np.cos(theta), radius * np.sin(theta)
    r = np.maximum(radius, 3e-6)
    winding = -np.log(r / 3.0) / math.tan(math.radians(10.0))  # trailing: w = -1
    phi = 3 * (np.arctan2(y, x) - math.radians(40.0) - winding)
    taper = 1.0 - np.exp(-((r / 3.0) ** 2))
    mean = math.comb(10, 5) / 4.0**5
    expected = 1.0 + 0.8 * taper * (((1.0 + np.cos(phi)) / 2.0) ** 5 / mean - 1.0)
    got = arms.factor(radius, x, y, 3.0)
    assert got.dtype == np.float32 and np.max(np.abs(got - expected)) < 3e-5
    c, s = np.cos(theta), np.sin(theta)
    streaming = -10.0 * taper * np.sin(phi) * s + 6.0 * taper * np.cos(phi) * c
    assert np.max(np.abs(arms.streaming(radius, c, s, 3.0) - streaming)) < 1e-4


@pytest.mark.parametrize("inclination", [0.0, 60.0])
def test_arms_keep_the_flux(inclination):
    """Rendered with arms, the cube holds the smooth disk's flux (to 1e-3).

    The field holds the whole disk (the arms move light around rings, so a ring cut by
    the field's edge would lose a different share with arms than without).
    """
    field = OBS.replace(nx=81, ny=81, pixel_kpc=0.6)
    plain = render(_galaxy(None, inclination), field).line_flux_jykms()
    armed = render(_galaxy(ARMS, inclination), field).line_flux_jykms()
    assert armed == pytest.approx(plain, rel=1e-3)
    assert armed == pytest.approx(_galaxy().line_flux, rel=1e-3)


def test_face_on_ring_shows_m_arms_where_the_spiral_puts_them():
    """On a face-on ring the brightness peaks m times, at theta = phase - ln(R/R_e)/tan p.

    PA 0 puts the receding major axis (theta = 0) north; face-on, theta = 90 degrees (the
    far side's direction) then lies along +x.  The m = 2 harmonic of the ring's
    brightness (over the smooth disk's) has its peak within 3 degrees of the spiral's.
    """
    m0 = render(_galaxy(ARMS), OBS).data.sum(axis=0)
    smooth = render(_galaxy(None), OBS).data.sum(axis=0)
    ratio = m0 / smooth
    radius = 4.5  # kpc: 18 pixels
    angles = np.radians(np.arange(0.0, 360.0, 1.0))
    # Face-on at PA 0: theta = 0 points north (+y); the far side (theta = 90) is +x.
    columns = np.round(48 + radius / 0.25 * np.sin(angles)).astype(int)
    rows = np.round(48 + radius / 0.25 * np.cos(angles)).astype(int)
    profile = ratio[rows, columns]
    expected_peak = math.radians(30.0) - math.log(radius / 3.0) / math.tan(math.radians(20.0))
    harmonic = np.sum(profile * np.exp(-2j * angles)) / angles.size
    assert (-np.angle(harmonic) / 2 - expected_peak + np.pi / 2) % np.pi == pytest.approx(
        np.pi / 2, abs=math.radians(3.0)
    )
    assert profile.max() > 1.5 and profile.min() < 0.7


def _crest_deg(arms, radius):
    """Return the azimuth (degrees, unwrapped near 0) of the factor's crest at ``radius``."""
    theta = np.radians(np.arange(-180.0, 180.0, 0.05))
    r = np.full_like(theta, radius)
    return math.degrees(theta[np.argmax(arms.factor(r, r * np.cos(theta), r * np.sin(theta), 3.0))])


@pytest.mark.parametrize("pitch", [5.0, 20.0, 45.0, 80.0])
def test_arms_trail_the_rotation_by_default_and_lead_one_option_away(pitch):
    """The crest's azimuth falls behind the rotation outward, unless winding='leading'.

    The sense of rotation is read from the model, not assumed: on the receding major
    axis (theta = 0) the line-of-sight velocity minus v_sys is the in-plane velocity's
    component toward the far side (+y, the direction of growing theta there) times
    sin i, so its sign is the sense in which theta grows along the rotation.  A trailing
    crest's azimuth then moves against that sense with radius (the issue's example:
    SpiralArms(m=1, pitch_deg=20, contrast=1, sharpness=8) put it at 0, 64 and 109 deg at
    R = 3, 4.5, 6 kpc, leading).
    """
    from GalCubeCraft.renderer.geometry import DiskGeometry

    geometry = DiskGeometry.from_galaxy(_galaxy(None, 60.0), 1e-7)
    a = np.array([[4.0]], dtype=np.float32)
    sense = np.sign(geometry.los_velocity(a, a, np.zeros_like(a))[0, 0] - geometry.v_sys)
    assert sense != 0
    # Radii a half radian of winding apart, so that the crests unwrap without doubt.
    radii = tuple(3.0 * np.exp(0.5 * math.tan(math.radians(pitch)) * np.arange(3)))
    for winding, expected in (("trailing", -1.0), ("leading", 1.0)):
        arms = SpiralArms(m=1, pitch_deg=pitch, contrast=1.0, sharpness=8, winding=winding)
        crests = np.unwrap(np.radians([_crest_deg(arms, r) for r in radii]))
        steps = sense * np.diff(crests)
        assert np.all(np.sign(steps) == expected), (winding, np.degrees(crests))
        # ... by the logarithmic spiral's own angle, to the scan's step.
        turn = np.log(np.array(radii[1:]) / np.array(radii[:-1])) / math.tan(math.radians(pitch))
        np.testing.assert_allclose(np.abs(steps), turn, atol=math.radians(0.1))
    issue = SpiralArms(m=1, pitch_deg=20.0, contrast=1.0, sharpness=8)
    crests = [_crest_deg(issue, r) for r in (3.0, 4.5, 6.0)]
    np.testing.assert_allclose(crests, [0.0, -63.83, -109.11], atol=0.1)  # -ln(R/3) / tan 20
    assert SpiralArms().winding == "trailing"
    with pytest.raises(ValueError, match="winding"):
        SpiralArms(winding="clockwise")


def test_no_arms_is_bit_for_bit_the_smooth_disk():
    """arms=None (default) leaves the renderer's path untouched."""
    np.testing.assert_array_equal(render(_galaxy(None), OBS).data, render(_galaxy(), OBS).data)


def test_dataset_spec_draws_arms_and_records_them():
    """Arms come from their own stream; the table holds contrast and pitch."""
    from GalCubeCraft import DatasetSpec
    from GalCubeCraft.datasets.items import parameter_names, render_item
    from GalCubeCraft.priors.galaxies import draw_scene

    spec = DatasetSpec(
        n_cubes=1,
        seed=8,
        observation={"grid_size": 40, "n_chan": 16},
        noise={"peak_snr": None},
        features={
            "arm_contrast": (0.3, 0.6),
            "arm_count": (2, 4),
            "arm_streaming_kms": (5.0, 15.0),
        },
    )
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    plain = draw_scene(spec.replace(features={"arm_contrast": (0.0, 0.0)}), 0)
    still = draw_scene(spec.replace(features={"arm_streaming_kms": (0.0, 0.0)}), 0)
    for g0, g1, g2 in zip(plain.galaxies, draw_scene(spec, 0).galaxies, still.galaxies,
                          strict=True):  # fmt: skip
        assert g0.arms is None and 0.3 <= g1.arms.contrast <= 0.6 and 2 <= g1.arms.m <= 4
        assert g1.pa_deg == g0.pa_deg
        assert 5.0 <= g1.arms.streaming_tangential_kms <= 15.0
        # Streaming is drawn last in its stream: the arms' shape is the same without it.
        assert g2.arms.contrast == g1.arms.contrast and g2.arms.phase_deg == g1.arms.phase_deg
    row = dict(zip(parameter_names(spec), render_item(spec, 0).arrays["params"], strict=True))
    assert 0.3 <= row["g1_arm_contrast"] <= 0.6 and 10.0 <= row["g1_arm_pitch_deg"] <= 30.0
    assert 5.0 <= row["g1_arm_streaming_kms"] <= 15.0


def test_streaming_motions_follow_the_density_wave():
    """Moment 1 with streaming minus without equals the projected streaming (0.3 km/s rms).

    Thin disk at 50 deg, arms streaming 15 km/s radially and 20 km/s tangentially: the
    difference at each bright pixel is ``(v_R sin theta + v_phi cos theta) sin i`` at its
    centre (measured 0.19 km/s rms, 0.42 at worst, for up to 14 km/s); the flux moves
    only by what the refinement's choices move it (1e-5), and streaming arms on a
    face-on disk change nothing.
    """
    from conftest import moment_maps

    from GalCubeCraft.conventions import sky_to_major_minor

    inc, pa = 50.0, 30.0
    obs = Observation(nx=96, ny=96, pixel_kpc=0.25, spectral=SpectralAxis(120, -300.0, 300.0))
    disk = Galaxy(
        r_e_kpc=3.0,
        h_z_kpc=0.02,
        inclination_deg=inc,
        pa_deg=pa,
        sigma_kms=10.0,
        rotation_curve=FlatRotationCurve(150.0),
        arms=SpiralArms(contrast=0.5),
    )
    arms = SpiralArms(contrast=0.5, streaming_radial_kms=15.0, streaming_tangential_kms=20.0)
    streaming = Galaxy(**{**disk.__dict__, "arms": arms})
    still, moving = render(disk, obs).data, render(streaming, obs).data
    assert moving.sum() == pytest.approx(still.sum(), rel=1e-5)  # refinement differs only
    m0, m1_still = moment_maps(still, obs.velocities_kms)
    _, m1_moving = moment_maps(moving, obs.velocities_kms)
    x = (np.arange(96) - 47.5) * 0.25
    a, b = sky_to_major_minor(x[None, :], x[:, None], pa)
    y_disk = b / math.cos(math.radians(inc))
    radius = np.hypot(a, y_disk)
    expected = arms.streaming(radius, a / radius, y_disk / radius, 3.0) * math.sin(
        math.radians(inc))  # fmt: skip
    bright = m0 > 0.05 * m0.max()
    residual = (m1_moving - m1_still - expected)[bright]
    assert np.abs(expected[bright]).max() > 10.0
    assert np.sqrt(np.mean(residual**2)) < 0.3 and np.abs(residual).max() < 1.0
    face_on = Galaxy(**{**disk.__dict__, "inclination_deg": 0.0})
    np.testing.assert_array_equal(
        render(face_on, obs).data, render(Galaxy(**{**face_on.__dict__, "arms": arms}), obs).data
    )
