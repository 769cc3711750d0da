"""The renderer's physics: flux, geometry conventions, line profiles."""

import functools
import math

import numpy as np
import pytest
from conftest import moment_maps, render_array, wide_observation
from scipy import special

from GalCubeCraft import FlatRotationCurve, Galaxy, Observation, SpectralAxis
from GalCubeCraft.model.profiles import b_n


def _flux(cube, obs):
    return cube.sum() * obs.spectral.channel_width_kms


@pytest.mark.parametrize("inclination", [0.0, 45.0, 90.0])
@pytest.mark.parametrize("n", [0.5, 1.0, 1.5])
def test_flux_conserved_for_resolved_disks(inclination, n):
    """Total cube flux equals the analytic volume integral within 1e-3."""
    obs = wide_observation(n=129, pixel_kpc=1.5)
    galaxy = Galaxy(r_e_kpc=5.0, n_sersic=n, h_z_kpc=0.6, inclination_deg=inclination, pa_deg=35.0)
    assert _flux(render_array(galaxy, obs), obs) == pytest.approx(galaxy.line_flux, rel=1e-3)


@pytest.mark.parametrize("inclination", [0.0, 45.0, 90.0])
def test_flux_conserved_for_compact_source(inclination):
    """A disk with R_e below one pixel keeps its flux within 1e-3 (sub-pixel refinement)."""
    obs = wide_observation(n=33, pixel_kpc=1.0)
    galaxy = Galaxy(
        r_e_kpc=0.4, n_sersic=1.2, h_z_kpc=0.1, inclination_deg=inclination, pa_deg=10.0
    )
    assert _flux(render_array(galaxy, obs), obs) == pytest.approx(galaxy.line_flux, rel=1e-3)


def test_face_on_spectrum_is_channel_integrated_gaussian():
    """A face-on disk's spectrum is a Gaussian of width sigma integrated over each channel."""
    obs = Observation(nx=65, ny=65, pixel_kpc=1.0, spectral=SpectralAxis(64, -320.0, 320.0))
    galaxy = Galaxy(r_e_kpc=4.0, h_z_kpc=0.5, inclination_deg=0.0, sigma_kms=35.0, v_sys_kms=12.0)
    spectrum = render_array(galaxy, obs).sum(axis=(1, 2))
    edges = obs.spectral.edges_kms
    cdf = special.ndtr((edges - 12.0) / 35.0)
    expected = galaxy.line_flux * np.diff(cdf) / obs.spectral.channel_width_kms
    scale = spectrum.sum()
    np.testing.assert_allclose(
        spectrum / scale, expected / expected.sum(), atol=1e-3 * expected.max() / expected.sum()
    )
    assert np.max(np.abs(spectrum - expected)) < 1e-3 * expected.max()


def test_face_on_disk_has_no_velocity_gradient():
    """Face-on, every pixel's mean velocity is the systemic velocity.

    To 1e-4 km/s: the float32 model rounds each channel to 6e-8 of its value, which
    moves a mean over channels spanning +-600 km/s by up to ~1e-5 km/s.
    """
    obs = wide_observation(n=41)
    cube = render_array(Galaxy(r_e_kpc=4.0, inclination_deg=0.0, v_sys_kms=-30.0), obs)
    m0, m1 = moment_maps(cube, obs.spectral.centres_kms)
    bright = m0 > 1e-4 * m0.max()
    np.testing.assert_allclose(m1[bright], -30.0, atol=1e-4)


@pytest.mark.parametrize("pa", [0.0, 90.0, 200.0, 315.0])
def test_receding_side_lies_along_pa(pa):
    """Moment 1 is positive (receding) on the side the PA points to, north through east."""
    obs = wide_observation(n=41)
    cube = render_array(Galaxy(r_e_kpc=4.0, inclination_deg=60.0, pa_deg=pa), obs)
    _, m1 = moment_maps(cube, obs.spectral.centres_kms)
    centre = 20
    # PA 0 is north (+y, larger row); PA 90 is east (-x, smaller column).
    dx = -math.sin(math.radians(pa))
    dy = math.cos(math.radians(pa))
    ix, iy = round(centre + 8 * dx), round(centre + 8 * dy)
    jx, jy = round(centre - 8 * dx), round(centre - 8 * dy)
    assert m1[iy, ix] > 50.0
    assert m1[jy, jx] < -50.0


def test_pa_plus_180_mirrors_the_velocity_axis():
    """Turning a disk by 180 degrees mirrors its cube in velocity (symmetric band)."""
    obs = wide_observation(n=41, n_chan=40)
    a = render_array(Galaxy(r_e_kpc=4.0, inclination_deg=55.0, pa_deg=30.0), obs)
    b = render_array(Galaxy(r_e_kpc=4.0, inclination_deg=55.0, pa_deg=210.0), obs)
    # Rounding in the refinement decisions leaves differences of up to 4e-9 of the peak.
    np.testing.assert_allclose(b, a[::-1], atol=2e-8 * a.max())


def test_moment1_amplitude_scales_with_sin_i():
    """On the major axis of a thin disk with a flat curve, moment 1 is v_flat sin i."""
    obs = wide_observation(n=61, n_chan=120)
    values = {}
    for inclination in (30.0, 60.0):
        galaxy = Galaxy(
            r_e_kpc=6.0,
            h_z_kpc=0.05,
            inclination_deg=inclination,
            pa_deg=0.0,
            sigma_kms=20.0,
            rotation_curve=FlatRotationCurve(200.0),
        )
        _, m1 = moment_maps(render_array(galaxy, obs), obs.spectral.centres_kms)
        values[inclination] = m1[30 + 10, 30]
    for inclination, v in values.items():
        assert v == pytest.approx(200.0 * math.sin(math.radians(inclination)), rel=0.02)
    ratio = values[60.0] / values[30.0]
    assert ratio == pytest.approx(math.sin(math.radians(60)) / math.sin(math.radians(30)), rel=0.01)


def _second_moments(image):
    ny, nx = image.shape
    y, x = np.mgrid[0:ny, 0:nx]
    total = image.sum()
    xc, yc = (image * x).sum() / total, (image * y).sum() / total
    return (
        (image * (x - xc) ** 2).sum() / total,
        (image * (y - yc) ** 2).sum() / total,
        (image * (x - xc) * (y - yc)).sum() / total,
    )


def test_face_on_is_round_and_edge_on_has_the_analytic_axis_ratio():
    """Face-on moment 0 is round; edge-on its minor/major rms ratio is sqrt(2 h_z^2 / (3 h^2))."""
    obs = wide_observation(n=129, pixel_kpc=0.5)
    face = render_array(
        Galaxy(r_e_kpc=4.0, n_sersic=1.0, h_z_kpc=0.4, inclination_deg=0.0), obs
    ).sum(0)
    xx, yy, xy = _second_moments(face)
    assert xx / yy == pytest.approx(1.0, abs=1e-6)
    assert abs(xy) < 1e-6 * xx
    edge = render_array(
        Galaxy(r_e_kpc=4.0, n_sersic=1.0, h_z_kpc=0.4, inclination_deg=90.0, pa_deg=0.0), obs
    ).sum(0)
    xx, yy, _ = _second_moments(edge)
    scale_length = 4.0 / b_n(1.0)
    # Exponential disk along the major axis (y at PA 0): <a^2> = 3 h^2, plus Sheppard's
    # 1/12 px^2 for pixel integration of a smooth profile.
    expected_major = 3 * scale_length**2 / 0.5**2 + 1 / 12
    # Across it, exp(-|b| / h_z) integrated over pixels: the exact discrete variance.
    h_px = 0.4 / 0.5
    k = np.arange(-64, 65)
    cdf = np.where(
        k + 0.5 >= 0, 1 - 0.5 * np.exp(-(k + 0.5) / h_px), 0.5 * np.exp((k + 0.5) / h_px)
    )
    cdf_low = np.concatenate([[0.0], cdf[:-1]])
    expected_minor = float(((cdf - cdf_low) * k**2).sum())
    assert yy == pytest.approx(expected_major, rel=5e-3)
    assert xx == pytest.approx(expected_minor, rel=5e-3)


@pytest.mark.parametrize(("inclination", "pa"), [(30.0, 20.0), (60.0, 130.0), (80.0, 250.0)])
def test_kinematic_and_photometric_major_axes_coincide(inclination, pa):
    """The velocity gradient points along the photometric major axis, at the PA."""
    obs = wide_observation(n=61)
    cube = render_array(Galaxy(r_e_kpc=5.0, inclination_deg=inclination, pa_deg=pa), obs)
    m0, m1 = moment_maps(cube, obs.spectral.centres_kms)
    xx, yy, xy = _second_moments(m0)
    photometric = 0.5 * math.atan2(2 * xy, xx - yy)  # angle of the long axis from +x
    y, x = np.mgrid[0:61, 0:61] - 30.0
    bright = m0 > 1e-3 * m0.max()
    weight = np.where(bright, m0, 0.0)
    m1 = np.where(bright, m1, 0.0)
    gx, gy = (weight * m1 * x).sum(), (weight * m1 * y).sum()
    kinematic_pa = math.degrees(math.atan2(-gx, gy)) % 360.0  # north through east
    assert kinematic_pa == pytest.approx(pa % 360.0, abs=0.5)
    long_axis_pa = (math.degrees(photometric) - 90.0) % 180.0
    # The photometric axis is defined modulo 180 degrees.
    assert min(abs(long_axis_pa - pa % 180.0), 180 - abs(long_axis_pa - pa % 180.0)) < 0.5


def test_multiple_galaxies_add():
    """Two galaxies render as the sum of their separate cubes (to float32 rounding).

    Round-off of either sign below ~1e-27 of the peak is clamped to 0 in each render, so
    there the sum and its parts may differ by that much (measured 3.3e-29 absolute).
    """
    obs = wide_observation(n=41)
    g1 = Galaxy(r_e_kpc=3.0, inclination_deg=40.0, pa_deg=10.0)
    g2 = Galaxy(
        r_e_kpc=1.5, inclination_deg=70.0, pa_deg=100.0, x_kpc=5.0, y_kpc=-3.0, v_sys_kms=80.0
    )
    parts = render_array(g1, obs) + render_array(g2, obs)
    np.testing.assert_allclose(
        render_array([g1, g2], obs), parts, rtol=3e-7, atol=1e-20 * float(parts.max())
    )


# Per-voxel agreement of the default render with RenderSettings.converged(), as measured
# on 24 x 24 x 24 cubes: face-on 5.1e-5, 60 deg 6.8e-5, edge-on 1.9e-4, compact 5.7e-5 of
# the peak.  The converged render agrees with a brute-force integration (32^2 sub-pixels,
# 20,000 steps per sight line) to 1e-5 - 8e-5 of the peak away from the centre pixel.
# Edge-on, the largest differences sit in the pixels around the centre, where a rotation
# curve that is flat to R = 0 jumps from -v to +v (see CHANGELOG.md).
PER_VOXEL = {
    "face-on": (dict(inclination_deg=0.0), 1e-4),
    "60 deg": (dict(inclination_deg=60.0, pa_deg=30.0), 1e-4),
    "edge-on": (dict(inclination_deg=90.0, pa_deg=120.0, h_z_kpc=0.2), 3e-4),
    "compact": (dict(r_e_kpc=0.4, inclination_deg=45.0, pa_deg=10.0), 1e-4),
}


@functools.cache
def _per_voxel_scene(case: str) -> tuple[Galaxy, Observation, np.ndarray]:
    """Return the galaxy, observation and converged render of a ``PER_VOXEL`` case."""
    from GalCubeCraft import RenderSettings

    geometry, _ = PER_VOXEL[case]
    obs = Observation(nx=24, ny=24, pixel_kpc=0.5, spectral=SpectralAxis(24, -360.0, 360.0))
    galaxy = Galaxy(**{"r_e_kpc": 2.0, "n_sersic": 1.0, "h_z_kpc": 0.4, "sigma_kms": 30.0,
                       **geometry})  # fmt: skip
    return galaxy, obs, render_array(galaxy, obs, RenderSettings.converged())


@pytest.mark.parametrize("case", list(PER_VOXEL))
def test_default_render_matches_converged_render_in_every_voxel(case):
    """Every voxel of the default render lies within a stated fraction of the converged peak."""
    galaxy, obs, converged = _per_voxel_scene(case)
    default = render_array(galaxy, obs)
    assert np.abs(default - converged).max() <= PER_VOXEL[case][1] * converged.max()


# The fast preset on the same cubes: measured 2.2e-4, 1.4e-3, 4.4e-3 and 3.6e-4 of the
# peak; flux within 4.4e-4.
FAST_PER_VOXEL = {"face-on": 5e-4, "60 deg": 3e-3, "edge-on": 1e-2, "compact": 1e-3}


@pytest.mark.parametrize("case", list(PER_VOXEL))
def test_fast_preset_matches_converged_render_to_its_stated_accuracy(case):
    """RenderSettings.fast() keeps every voxel within its documented fraction of the peak."""
    from GalCubeCraft import RenderSettings

    galaxy, obs, converged = _per_voxel_scene(case)
    fast = render_array(galaxy, obs, RenderSettings.fast())
    assert np.abs(fast - converged).max() <= FAST_PER_VOXEL[case] * converged.max()
    flux = fast.sum(dtype=np.float64) / converged.sum(dtype=np.float64)
    assert flux == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize(
    "a, r, v_c, sin_i",
    [
        (np.float32([[1.0], [-2.0], [0.0]]), np.float32([[2.0, 0.0], [3.0, 1.0], [0.0, 4.0]]),
         np.float32([[100.0, 0.0], [150.0, 120.0], [0.0, 200.0]]), 0.8),
        (np.array([0.5, -1.5, 2.0]), np.array([1.0, 2.0, 0.0]), np.full(3, 180.0), 0.25),
        (np.float32([0.5, -1.5]), np.float32([1.0, 2.0]), np.float64([180.0, 90.0]),
         np.array([0.3, 0.9])),
    ],
)  # fmt: skip
def test_circular_velocity_is_the_numpy_expression_bit_for_bit(a, r, v_c, sin_i):
    """The compiled circular velocity equals v_sys + v_c (a / r) sin i, types and bits."""
    from GalCubeCraft.renderer.velocity_kernel import circular_velocity

    with np.errstate(invalid="ignore", divide="ignore"):
        expected = 37.5 + v_c * np.where(r > 0.0, a / r, 0.0) * sin_i
    got = circular_velocity(a, r, v_c, sin_i, 37.5)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
