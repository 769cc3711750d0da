"""Channel response: top-hat, Hanning and the original's Gaussian smoothing."""

import math

import numpy as np
import pytest
from conftest import render_array

from GalCubeCraft import Galaxy, Observation, SpectralAxis
from GalCubeCraft.instrument.line_spread import apply_line_spread


def _spike(n_chan=21):
    cube = np.zeros((n_chan, 3, 3))
    cube[10, 1, 1] = 1.0
    return cube


def test_tophat_is_identity_and_hanning_is_quarter_half_quarter():
    """'tophat' leaves channels alone; 'hanning' spreads a spike as (1/4, 1/2, 1/4)."""
    np.testing.assert_array_equal(apply_line_spread(_spike(), "tophat"), _spike())
    out = apply_line_spread(_spike(), "hanning")[:, 1, 1]
    np.testing.assert_allclose(out[9:12], [0.25, 0.5, 0.25])
    assert out.sum() == pytest.approx(1.0)


def test_gaussian_line_spread_has_the_requested_width_and_keeps_flux():
    """The sigma = 0.6 channel response keeps flux and is the Gaussian sampled per channel.

    As in the original (scipy's gaussian_filter1d), the kernel is the Gaussian sampled at
    whole-channel offsets out to 4 sigma and renormalised, so its variance is 0.3516, not
    0.36: that is the sampling, and the test pins it.
    """
    out = apply_line_spread(_spike(), "gaussian", 0.6)[:, 1, 1]
    k = np.arange(21) - 10
    sampled = np.where(np.abs(k) <= 2, np.exp(-(k**2) / (2 * 0.6**2)), 0.0)
    sampled /= sampled.sum()
    assert out.sum() == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(out, sampled, atol=1e-12)
    assert (out * k**2).sum() == pytest.approx(0.3516, abs=1e-4)
    with pytest.raises(ValueError, match="kind"):
        apply_line_spread(_spike(), "boxcar")


def test_line_flux_can_be_set_directly():
    """Galaxy.with_line_flux renders a cube holding that many Jy km/s."""
    galaxy = Galaxy.with_line_flux(2.5, r_e_kpc=3.0, inclination_deg=40.0, pa_deg=10.0)
    assert galaxy.line_flux == pytest.approx(2.5, rel=1e-12)
    obs = Observation(nx=65, ny=65, pixel_kpc=1.0, spectral=SpectralAxis(48, -480, 480))
    cube = render_array(galaxy, obs)
    assert cube.sum() * obs.spectral.channel_width_kms == pytest.approx(2.5, rel=1e-3)


def test_wide_samples_are_deposited_as_sampled_gaussians():
    """A sample wider than a fine step lands as a Gaussian: flux, mean and variance exact.

    Spreads from just above the three-node limit to 900 steps^2, at fractional positions:
    the deposited nodes' sum equals the sample's flux to 1e-10 (measured 1.2e-12, the
    recurrence's round-off over 481 nodes), their mean and variance
    the sample's to 1e-6 (measured 1.8e-7 at one node per sigma, the worst case; 1e-11
    and better from 3.7 steps^2), and their fourth moment is the Gaussian's 3 V^2 to 1e-5
    (three nodes give V d^2, here up to 3x off).  Without a line width of its own
    (``line2 = 0``) the nodes are one fine step apart, the densest the grid allows.
    """
    from GalCubeCraft.renderer.kernels import WIDE_SPREAD
    from GalCubeCraft.renderer.wide_kernel import deposit_wide

    for spread in (WIDE_SPREAD * 1.01, 3.7, 40.0, 900.0):
        for position in (100.0, 100.3, 99.5):
            row = np.zeros(1000)  # node 0 is fine step -400: room for +-7 sigma
            deposit_wide(row, np.float32(position), np.float32(spread), 0.0, 2.5, -400)
            nodes = np.arange(row.size) - 400.0
            x = float(np.float32(position))
            v = float(np.float32(spread))
            assert row.sum() == pytest.approx(2.5, rel=1e-10)
            mean = (row * nodes).sum() / row.sum()
            assert mean == pytest.approx(x, abs=1e-6 * math.sqrt(v))
            variance = (row * (nodes - mean) ** 2).sum() / row.sum()
            assert variance == pytest.approx(v, rel=1e-6)
            fourth = (row * (nodes - mean) ** 4).sum() / row.sum()
            assert fourth == pytest.approx(3.0 * v * v, rel=1e-5)


def test_wide_samples_summed_with_the_line_width_are_gaussian():
    """A wide sample widened by the line's own Gaussian is the Gaussian of both (1e-9).

    The node spacing resolves the narrower of the two widths: a spacing of s / 1.5 alone
    left a 1.4% ripple for s = 22.6 steps against a line 8 steps wide.
    """
    from GalCubeCraft.renderer.wide_kernel import deposit_wide

    v = np.linspace(-150.0, 150.0, 6001)
    for s, line in ((22.6, 8.0), (5.0, 8.0), (1.2, 8.0), (40.0, 3.0), (3.0, 30.0)):
        row = np.zeros(1000)
        deposit_wide(row, np.float32(0.3), np.float32(s * s), line * line, 1.0, -500)
        nodes = np.arange(row.size) - 500.0
        used = row != 0.0
        profile = (row[used, None] * np.exp(-((v[None, :] - nodes[used, None]) ** 2)
                                            / (2.0 * line * line))).sum(axis=0)  # fmt: skip
        total = math.sqrt(float(np.float32(s * s)) + line * line)  # the spread as stored
        expected = line / total * np.exp(-((v - float(np.float32(0.3))) ** 2) / (2 * total**2))
        assert np.max(np.abs(profile - expected)) < 1e-9 * expected.max()


def test_five_node_samples_keep_four_moments_and_follow_the_gaussian():
    """Spreads of 0.25-1 step^2 land on five nodes with a Gaussian's first four moments.

    Widened by a line 8 steps wide, the result is the Gaussian of both widths to 1e-5 of
    its peak (measured 3.9e-6 at 1 step^2; three nodes were 1.7e-4 off).
    """
    from GalCubeCraft.renderer.kernels import FIVE_SPREAD, WIDE_SPREAD, _five_nodes

    v = np.linspace(-60.0, 60.0, 4001)
    for spread in (FIVE_SPREAD * 1.01, 0.5, WIDE_SPREAD):
        for position in (10.0, 10.2, 9.5, -3.45):
            x32, v32 = np.float32(position), np.float32(spread)
            centre, *weights = _five_nodes(x32, v32)
            nodes = centre + np.arange(-2, 3)
            w = np.array(weights)
            f, var = float(x32), float(v32)
            moments = [(w * (nodes - f) ** k).sum() for k in range(5)]
            np.testing.assert_allclose(moments, [1.0, 0.0, var, 0.0, 3.0 * var * var],
                                       rtol=0, atol=1e-12)  # fmt: skip
            profile = (w[:, None] * np.exp(-((v[None, :] - nodes[:, None]) ** 2) / 128.0)).sum(0)
            total = math.sqrt(64.0 + var)
            expected = 8.0 / total * np.exp(-((v - f) ** 2) / (2.0 * total**2))
            assert np.max(np.abs(profile - expected)) < 1e-5 * expected.max()


@pytest.mark.parametrize("kind", ["hanning", "gaussian"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_line_spread_is_scipys_filter_in_place(kind, dtype):
    """The compiled tap convolution equals SciPy's filter (float32 3e-7 of the peak, float64 1e-14).

    Spectra go through in blocks of pixels (1,200 pixels: a block of 1,024 ends mid-row,
    the next is partial); writing into the cube itself gives the same result as a new
    array.
    """
    from scipy import ndimage

    from GalCubeCraft.instrument import fir

    assert 40 * 30 > fir._SPECTRA_BLOCK and fir._SPECTRA_BLOCK % 30
    cube = np.random.default_rng(5).random((2, 45, 40, 30)).astype(dtype)
    if kind == "hanning":
        expected = ndimage.convolve1d(cube.astype(np.float64), [0.25, 0.5, 0.25], axis=-3,
                                      mode="constant")  # fmt: skip
    else:
        expected = ndimage.gaussian_filter1d(cube.astype(np.float64), 0.8, axis=-3,
                                             mode="constant")  # fmt: skip
    fresh = apply_line_spread(cube, kind, 0.8)
    assert fresh.dtype == dtype
    tolerance = 3e-7 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(fresh, expected, rtol=0, atol=tolerance * expected.max())
    same = cube.copy()
    assert apply_line_spread(same, kind, 0.8, out=same) is same
    np.testing.assert_array_equal(same, fresh)


# --- the registry's contract: every line spread, one generic test ------------------------
# Adding a line spread to LINE_SPREADS runs it through these tests with nothing else to add.

from GalCubeCraft.observation.line_spreads import LINE_SPREADS, channel_taps  # noqa: E402

SIGMAS = (0.6, 1.5)


@pytest.mark.parametrize("name", sorted(LINE_SPREADS))
def test_every_line_spread_has_flux_conserving_symmetric_taps(name):
    """Each registered spread's taps are finite, odd in number, symmetric and sum to 1 (1e-12)."""
    for sigma in SIGMAS:
        taps = channel_taps(name, sigma)
        assert taps.ndim == 1 and taps.size % 2 == 1 and np.all(np.isfinite(taps))
        assert np.all(taps >= 0.0)
        assert taps.sum() == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(taps, taps[::-1], rtol=0, atol=1e-15)
        if not LINE_SPREADS[name].uses_sigma:
            np.testing.assert_array_equal(taps, channel_taps(name, 2.0 * sigma))


@pytest.mark.parametrize("name", sorted(LINE_SPREADS))
def test_every_line_spread_applies_its_taps_and_keeps_a_rendered_cube_s_flux(name):
    """A spike becomes the taps; a cube observed with the spread keeps its flux (2e-5)."""
    from GalCubeCraft import observe, render

    taps = channel_taps(name, 0.9)
    reach = taps.size // 2
    spread = apply_line_spread(_spike(), name, 0.9)[10 - reach : 11 + reach, 1, 1]
    np.testing.assert_allclose(spread, taps, rtol=0, atol=1e-15)
    obs = Observation(nx=33, ny=33, pixel_kpc=0.5, spectral=SpectralAxis(40, -480.0, 480.0),
                      line_spread=name, line_spread_sigma_chan=0.9)  # fmt: skip
    model = render(Galaxy(r_e_kpc=2.0, inclination_deg=40.0), obs)
    observed = observe(model)
    # The line sits well inside the band, so nothing is spread out of it; what is lost is
    # the round-off floor's (values below 2**-20 of the peak set to 0): measured 3.5e-6
    # for the widest spread, 0 to float32 rounding for the others.
    assert observed.line_flux_jykms() == pytest.approx(model.line_flux_jykms(), rel=2e-5)


@pytest.mark.parametrize("name", sorted(LINE_SPREADS))
def test_every_line_spread_round_trips_through_the_fits_header(name):
    """LINESPR (and LSSIGMA for a spread with a width) read back as the same spread."""
    obs = Observation.from_angular(n_pix=16, n_chan=8, line_spread=name)
    obs = obs.replace(line_spread_sigma_chan=1.25)
    header = obs.fits_header()
    assert header["LINESPR"] == name
    assert ("LSSIGMA" in header) == LINE_SPREADS[name].uses_sigma
    back = Observation.from_fits_header(header)
    assert back.line_spread == name
    if LINE_SPREADS[name].uses_sigma:
        assert back.line_spread_sigma_chan == 1.25


def test_observation_accepts_only_registered_line_spreads():
    """An unregistered name is refused, naming the argument and the registry's keys."""
    with pytest.raises(ValueError, match=r"line_spread must be one of \('tophat', 'hanning'"):
        Observation(line_spread="boxcar")
    from GalCubeCraft.observation.line_spreads import describe_line_spreads

    lines = describe_line_spreads().splitlines()
    assert [line.split(":")[0] for line in lines] == list(LINE_SPREADS)
