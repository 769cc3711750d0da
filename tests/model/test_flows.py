"""Non-circular flows: radial, bisymmetric and lopsided, against their analytic forms."""

import math

import numpy as np
import pytest
from conftest import moment_maps

from GalCubeCraft import FlatRotationCurve, Galaxy, Observation, SpectralAxis, render
from GalCubeCraft.model.flows import NonCircularFlows
from GalCubeCraft.model.profiles import b_n

OBS = Observation(nx=65, ny=65, pixel_kpc=0.5, spectral=SpectralAxis(120, -420, 420))


def _moment1(cube):
    return moment_maps(cube.data, cube.velocities_kms)


def _disk(**kwargs):
    base = dict(r_e_kpc=4.0, h_z_kpc=0.02, inclination_deg=50.0, pa_deg=30.0, sigma_kms=15.0,
                rotation_curve=FlatRotationCurve(150.0))  # fmt: skip
    return Galaxy(**{**base, **kwargs})


def test_zero_flows_leave_the_cube_unchanged_bit_for_bit():
    """NonCircularFlows() (all zero) renders exactly the circular disk."""
    plain = render(_disk(), OBS).data
    zero = render(_disk(flows=NonCircularFlows()), OBS).data
    np.testing.assert_array_equal(plain, zero)


def test_radial_inflow_along_the_minor_axis_is_v_r_sin_i_redshifted_on_the_near_side():
    """Moment 1 on the minor axis equals -v_r sin i on the near side, +v_r sin i far.

    The near side is the minor axis half at b < 0 (b = x cos PA + y sin PA, pixels from
    the centre): there ``sin theta = -1``, so inflow (v_r = -40) is redshifted.
    """
    v_r, incl, pa = -40.0, 50.0, 30.0
    cube = render(_disk(flows=NonCircularFlows(radial_kms=v_r)), OBS)
    _, m1 = _moment1(cube)
    expected = abs(v_r) * math.sin(math.radians(incl))
    direction = np.array([math.cos(math.radians(pa)), math.sin(math.radians(pa))])  # (x, y)
    for distance in (4, 8, 12):
        near = -distance * direction + 32
        far = distance * direction + 32
        v_near = m1[int(round(near[1])), int(round(near[0]))]
        v_far = m1[int(round(far[1])), int(round(far[0]))]
        # Rounded to pixels the point sits up to half a pixel off the minor axis, where
        # rotation adds up to v_c sin i (0.5 / distance) sin(angle): compare at 1e-3 of
        # v_max after removing it with the exact pixel position.
        for v, point, sign in ((v_near, near, 1.0), (v_far, far, -1.0)):
            x, y = np.round(point) - 32
            a = -x * math.sin(math.radians(pa)) + y * math.cos(math.radians(pa))
            b = x * math.cos(math.radians(pa)) + y * math.sin(math.radians(pa))
            y_d = b / math.cos(math.radians(incl))
            r = math.hypot(a, y_d)
            rotation = 150.0 * (a / r) * math.sin(math.radians(incl))
            flow = v_r * (y_d / r) * math.sin(math.radians(incl))
            assert v == pytest.approx(rotation + flow, abs=1e-3 * 150.0)
            assert sign * flow > 0.0 and abs(flow) > 0.9 * expected


def _analytic_moment1(galaxy, flows, sub=8, rotation=lambda r: 150.0):
    """Flux-weighted mean of the analytic velocity over each pixel (thin disk, sub-pixels)."""
    incl, pa = math.radians(galaxy.inclination_deg), math.radians(galaxy.pa_deg)
    offsets = (np.arange(sub) + 0.5) / sub - 0.5
    coords = (np.arange(65)[:, None] + offsets[None, :]).ravel() - 32.0
    x, y = np.meshgrid(coords, coords)
    a = (-x * math.sin(pa) + y * math.cos(pa)) * 0.5
    b = (x * math.cos(pa) + y * math.sin(pa)) * 0.5
    y_d = b / math.cos(incl)
    r = np.hypot(a, y_d)
    cos_t, sin_t = a / r, y_d / r
    weight = np.exp(-b_n(1.0) * (r / galaxy.r_e_kpc - 1.0))
    v = math.sin(incl) * (rotation(r) * cos_t + flows.projected(r, cos_t, sin_t))
    shape = (65, sub, 65, sub)
    return (weight * v).reshape(shape).sum(axis=(1, 3)) / weight.reshape(shape).sum(axis=(1, 3))


@pytest.mark.parametrize(
    "flows",
    [
        NonCircularFlows(bar_tangential_kms=30.0, bar_radial_kms=20.0, bar_angle_deg=35.0),
        NonCircularFlows(
            lopsided_tangential_kms=25.0, lopsided_radial_kms=-15.0, lopsided_angle_deg=-60.0
        ),  # fmt: skip
        NonCircularFlows(radial_kms=lambda r: -10.0 * np.minimum(r, 4.0) / 4.0),
    ],
    ids=["bisymmetric", "lopsided", "radial_callable"],
)
def test_moment1_matches_the_spekkens_sellwood_form(flows):
    """Beyond 3 px from the centre, moment 1 equals the analytic field to 1e-3 of v_max.

    The reference averages the analytic velocity over each pixel (8x8 sub-pixels) with
    the thin disk's surface-brightness weights.
    """
    galaxy = _disk(flows=flows, sigma_kms=10.0)
    m0, m1 = _moment1(render(galaxy, OBS))
    expected = _analytic_moment1(galaxy, flows)
    rows, columns = np.indices(m1.shape)
    ring = (np.hypot(rows - 32, columns - 32) > 3) & (m0 > 1e-3 * m0.max())
    assert np.max(np.abs(m1 - expected)[ring]) <= 1e-3 * 150.0


def test_flows_do_not_change_the_flux():
    """Flows move light in velocity only: the flux in the field is the circular disk's."""
    flows = NonCircularFlows(radial_kms=-30.0, bar_tangential_kms=20.0, bar_angle_deg=10.0)
    cube = render(_disk(flows=flows), OBS)
    assert cube.line_flux_jykms() == pytest.approx(render(_disk(), OBS).line_flux_jykms(), rel=1e-6)
    with pytest.raises(TypeError, match="flows"):
        _disk(flows={"radial_kms": 3})


def test_dataset_spec_draws_flows_from_their_own_stream_and_records_them():
    """Flows change nothing else a seed draws; the table holds them; items rebuild them."""
    from GalCubeCraft import DatasetSpec
    from GalCubeCraft.datasets.items import galaxies_from_params, parameter_names, render_item
    from GalCubeCraft.priors.galaxies import draw_scene

    plain = DatasetSpec(
        n_cubes=2, seed=9, observation={"grid_size": 40, "n_chan": 16}, noise={"peak_snr": None}
    )
    flowing = plain.replace(
        features={"radial_flow_kms": (-30.0, -30.0), "bar_flow_kms": (10.0, 20.0)}
    )
    assert DatasetSpec.from_toml_text(flowing.to_toml()) == flowing
    before, after = draw_scene(plain, 1), draw_scene(flowing, 1)
    assert all(g.flows is None for g in before.galaxies)
    for g0, g1 in zip(before.galaxies, after.galaxies, strict=True):
        assert g1.r_e_kpc == g0.r_e_kpc and g1.pa_deg == g0.pa_deg
        assert g1.flows.radial_kms == -30.0 and 10.0 <= g1.flows.bar_tangential_kms <= 20.0
    item = render_item(flowing, 1)
    row = dict(zip(parameter_names(flowing), item.arrays["params"], strict=True))
    assert row["g1_v_rad_kms"] == -30.0 and 0.0 <= row["g1_bar_angle_deg"] < 180.0
    rebuilt = galaxies_from_params(flowing, item.arrays["params"])
    assert rebuilt[0].flows.bar_angle_deg == pytest.approx(after.galaxies[0].flows.bar_angle_deg)


def test_dispersion_profile_sets_each_radius_line_width():
    """Face-on, a pixel's line is sigma(R) wide (with the channel's top-hat), flux unchanged."""
    profile = lambda r: 10.0 + 30.0 * np.exp(-np.asarray(r) / 3.0)  # noqa: E731
    galaxy = _disk(inclination_deg=0.0, dispersion_profile=profile)
    spectral = SpectralAxis(200, -200, 200)
    cube = render(galaxy, OBS.replace(spectral=spectral))
    width = spectral.channel_width_kms
    v = cube.velocities_kms[:, None, None]
    m0 = cube.data.sum(axis=0)
    m2 = np.sqrt((cube.data * v**2).sum(axis=0) / np.where(m0 > 0, m0, 1.0))
    for pixels in (3, 8, 14):
        radius = pixels * OBS.pixel_kpc
        expected = math.hypot(profile(radius), width / math.sqrt(12.0))
        assert m2[32, 32 + pixels] == pytest.approx(expected, rel=2e-3)
    plain = render(_disk(inclination_deg=0.0), OBS.replace(spectral=spectral))
    assert cube.line_flux_jykms() == pytest.approx(plain.line_flux_jykms(), rel=1e-6)


def test_dispersion_profile_lines_are_gaussian():
    """Face-on, a pixel's line is a Gaussian of width sigma(R), not only its second moment.

    sigma(R) reaches 60 km/s where the narrowest line is 20 km/s: each sample's extra
    variance is 3200 (km/s)^2, deposited as a sampled Gaussian.  Measured: the centre
    pixel's line differs from the Gaussian of its own moments by 5e-5 of its peak (three
    nodes per sample, as before, made it double-peaked: 0.57 of the peak).
    """
    profile = lambda r: 20.0 + 40.0 * np.exp(-np.asarray(r) / 30.0)  # noqa: E731
    galaxy = _disk(inclination_deg=0.0, dispersion_profile=profile)
    observation = OBS.replace(nx=33, ny=33, spectral=SpectralAxis(120, -300, 300))
    cube = render(galaxy, observation)
    v = cube.velocities_kms
    for pixel in ((16, 16), (16, 24)):
        line = cube.data[:, pixel[0], pixel[1]].astype(np.float64)
        mean = (line * v).sum() / line.sum()
        variance = (line * (v - mean) ** 2).sum() / line.sum()
        gaussian = np.exp(-((v - mean) ** 2) / (2.0 * variance))
        gaussian *= line.sum() / gaussian.sum()
        assert math.sqrt(variance) > 55.0
        assert np.max(np.abs(line - gaussian)) < 1e-3 * line.max()


def test_asymmetric_drift_lags_the_rotation_by_the_sersic_form():
    """Along the major axis moment 1 is v_rot sin i, v_rot^2 = v_c^2 - 2 sigma^2 R / R_d."""
    sigma, incl = 40.0, 60.0
    galaxy = _disk(inclination_deg=incl, sigma_kms=sigma, asymmetric_drift=True, pa_deg=0.0)
    m0, m1 = _moment1(render(galaxy, OBS))
    r_d = galaxy.r_e_kpc / b_n(1.0)

    def v_rot(r):
        return np.sqrt(np.maximum(150.0**2 - 2.0 * sigma**2 * r / r_d, 0.0))

    expected = _analytic_moment1(galaxy, NonCircularFlows(), rotation=v_rot)
    rows, columns = np.indices(m1.shape)
    # Beyond R = 16.8 kpc the pressure term exceeds v_c^2 and v_rot stops at 0 with a
    # square-root kink, which the renderer's smooth-pixel rule does not follow to 1e-3
    # (1.7 km/s there): compare where the disk still rotates (m0 above 1% of its peak).
    ring = (np.hypot(rows - 32, columns - 32) > 3) & (m0 > 1e-2 * m0.max())
    assert np.max(np.abs(m1 - expected)[ring]) <= 1e-3 * 150.0
    # PA 0: the receding major axis points north (+y, rows up); the lag is visible.
    assert m1[32 + 14, 32] < 150.0 * math.sin(math.radians(incl)) - 10.0


def test_drifted_curve_equals_the_sersic_form_for_any_index():
    """v_rot from the compiled loop equals the formula: float64 to 1e-10, float32 to 1e-3.

    n = 0.7, 1 and 2.5, with a constant and a radial dispersion; float32 radii take
    their power from the float32 polynomials (largest difference where v_rot meets 0).
    """
    from GalCubeCraft.model.drift import ExponentialDispersion, drifted_curve

    radius = np.linspace(0.0, 20.0, 4001)
    for n, profile in ((0.7, None), (1.0, ExponentialDispersion(60.0, 20.0, 3.0)),
                       (2.5, ExponentialDispersion(60.0, 20.0, 3.0))):  # fmt: skip
        galaxy = _disk(n_sersic=n, sigma_kms=40.0, dispersion_profile=profile,
                       asymmetric_drift=True)  # fmt: skip
        sigma = profile(radius) if profile else 40.0
        pressure = 2.0 * sigma**2 * (b_n(n) / n) * (radius / galaxy.r_e_kpc) ** (1.0 / n)
        expected = np.sqrt(np.maximum(150.0**2 - pressure, 0.0))
        curve = drifted_curve(galaxy)
        np.testing.assert_allclose(curve(radius), expected, rtol=0, atol=1e-10)
        np.testing.assert_allclose(curve(radius.astype(np.float32)), expected, rtol=0, atol=1e-3)


def test_dataset_spec_draws_dispersion_profiles_and_drift():
    """sigma(R) from sigma x ratio at the centre to sigma outside; drift on every galaxy."""
    import pickle

    from GalCubeCraft import DatasetSpec
    from GalCubeCraft.datasets.items import parameter_names, render_item
    from GalCubeCraft.priors.galaxies import draw_scene

    spec = DatasetSpec(
        n_cubes=1,
        seed=3,
        observation={"grid_size": 40, "n_chan": 16},
        noise={"peak_snr": None},
        features={"sigma_centre_ratio": (2.0, 2.0), "asymmetric_drift": True},
    )
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    plain = draw_scene(
        spec.replace(features={"sigma_centre_ratio": (1.0, 1.0), "asymmetric_drift": False}), 0
    )
    for g0, g1 in zip(plain.galaxies, draw_scene(spec, 0).galaxies, strict=True):
        assert g1.asymmetric_drift and g1.sigma_kms == g0.sigma_kms
        assert g1.dispersion_profile(0.0) == pytest.approx(2.0 * g0.sigma_kms)
        assert g1.dispersion_profile(50 * g1.r_e_kpc) == pytest.approx(g0.sigma_kms)
        assert pickle.loads(pickle.dumps(g1)).dispersion_profile(1.0) == g1.dispersion_profile(1.0)
    row = dict(zip(parameter_names(spec), render_item(spec, 0).arrays["params"], strict=True))
    assert row["g1_sigma_centre_kms"] == pytest.approx(2.0 * row["g1_sigma_kms"])


def test_compiled_flow_terms_equal_the_harmonic_bracket():
    """The compiled terms equal Spekkens & Sellwood's bracket from angles (float64, 1e-12).

    Evaluated independently with arctan2 and cos/sin of 2(theta - b) and (theta - l),
    for number and callable amplitudes; a callable giving the wrong number of values is
    refused.
    """
    rng = np.random.default_rng(5)
    radius = rng.uniform(0.1, 10.0, (40, 30))
    theta = rng.uniform(-math.pi, math.pi, radius.shape)
    flows = NonCircularFlows(radial_kms=lambda r: -20.0 * np.exp(-r / 4.0),
                             bar_tangential_kms=25.0, bar_radial_kms=lambda r: 3.0 * r,
                             bar_angle_deg=40.0, lopsided_tangential_kms=12.0,
                             lopsided_radial_kms=-7.0, lopsided_angle_deg=-20.0)  # fmt: skip
    b, lop = math.radians(40.0), math.radians(-20.0)
    expected = (-20.0 * np.exp(-radius / 4.0) * np.sin(theta)
                - 25.0 * np.cos(2 * (theta - b)) * np.cos(theta)
                - 3.0 * radius * np.sin(2 * (theta - b)) * np.sin(theta)
                + 12.0 * np.cos(theta - lop) * np.cos(theta)
                - 7.0 * np.sin(theta - lop) * np.sin(theta))  # fmt: skip
    got = flows.projected(radius, np.cos(theta), np.sin(theta))
    assert got.dtype == np.float64 and got.shape == radius.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    single = flows.projected(radius.astype(np.float32), np.cos(theta).astype(np.float32),
                             np.sin(theta).astype(np.float32))  # fmt: skip
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, expected, rtol=0, atol=2e-5 * np.abs(expected).max())
    wrong = NonCircularFlows(radial_kms=lambda r: np.ones(3))
    with pytest.raises(ValueError, match="one value per radius"):
        wrong.projected(radius, np.cos(theta), np.sin(theta))
