"""The default priors: isotropic inclinations, PA over the circle, drawn rotation speeds."""

import math

import numpy as np
import pytest
from scipy import stats

from GalCubeCraft.model.profiles import total_flux
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.spec import DatasetSpec
from GalCubeCraft.priors.tully_fisher import (
    TULLY_FISHER_A,
    tully_fisher_log_mass,
    tully_fisher_speed_kms,
)

N = 3000
"""Draws per population test (a KS test then resolves a 3% departure of the CDF)."""


def _galaxies(n_gals=(1, 1), n=N, seed=21, **galaxies):
    """Return every galaxy drawn by ``n`` noiseless cubes of a spec with these priors."""
    spec = DatasetSpec(n_cubes=n, seed=seed, noise={"peak_snr": None},
                       galaxies={"n_gals": n_gals, **galaxies})  # fmt: skip
    return [d for i in range(n) for d in draw_scene(spec, i).drawn]


def _cos_i(drawn):
    return np.cos(np.radians([d.galaxy.inclination_deg for d in drawn]))


def test_default_inclinations_are_isotropic():
    """The default primaries' cos i is uniform on [0, 1] (KS); degrees-uniform is not."""
    assert stats.kstest(_cos_i(_galaxies()), "uniform").pvalue > 0.01
    # The same test rejects the original's population (i uniform in degrees): it can fail.
    uniform = _galaxies(inclination_prior="uniform")
    assert stats.kstest(_cos_i(uniform), "uniform").pvalue < 1e-6


def test_a_narrower_range_is_isotropic_within_it():
    """Over [30, 60] deg, cos i is uniform between cos 60 and cos 30, and stays inside."""
    drawn = _galaxies(inclination_deg=(30.0, 60.0), n=1500)
    cosines = _cos_i(drawn)
    low, high = math.cos(math.radians(60.0)), math.cos(math.radians(30.0))
    assert low - 1e-12 <= cosines.min() and cosines.max() <= high + 1e-12
    assert stats.kstest(cosines, "uniform", args=(low, high - low)).pvalue > 0.01
    fixed = _galaxies(inclination_deg=(37.5, 37.5), n=5)
    assert {d.galaxy.inclination_deg for d in fixed} == {37.5}


def test_satellites_are_isotropic_too():
    """Satellites' cos i is uniform as well (their angles are not the primary's)."""
    spec = DatasetSpec(n_cubes=1000, seed=5, galaxies={"n_gals": 3}, noise={"peak_snr": None})
    satellites = [d for i in range(spec.n_cubes) for d in draw_scene(spec, i).drawn[1:]]
    assert stats.kstest(_cos_i(satellites), "uniform").pvalue > 0.01


def test_two_isotropic_tilts_give_isotropic_inclinations():
    """The original's two tilts, drawn isotropically over [0, 90] x [0, 360]: cos i uniform."""
    drawn = _galaxies(orientation="tilts", n=2000)
    assert stats.kstest(_cos_i(drawn), "uniform").pvalue > 0.01


def test_position_angles_cover_the_circle_and_both_receding_sides():
    """PA is uniform on [0, 360): each projected major axis recedes on either side.

    A disk at (i, PA) and at (i, PA + 180) has the same moment 0 and the opposite velocity
    field: both senses of rotation on the sky.  The original's 0-85 deg gave one.
    """
    pa = np.array([d.galaxy.pa_deg for d in _galaxies()])
    assert stats.kstest(pa, "uniform", args=(0.0, 360.0)).pvalue > 0.01
    flipped = np.mean(pa >= 180.0)
    assert abs(flipped - 0.5) < 0.03  # 3000 draws: the binomial sigma is 0.009
    seed_preset = DatasetSpec.from_preset("galcubecraft-1.2", n_cubes=500, noise={"peak_snr": None})
    seed_pa = np.array([draw_scene(seed_preset, i).galaxies[0].pa_deg for i in range(500)])
    assert np.mean(seed_pa >= 180.0) < 0.45  # the original's tilts recede mostly one way


def test_default_rotation_speeds_are_uniform_in_their_range():
    """v_0 is drawn uniformly in 50-300 km/s by default."""
    v_0 = np.array([d.galaxy.rotation_curve.v_0_kms for d in _galaxies()])
    assert v_0.min() >= 50.0 and v_0.max() <= 300.0
    assert stats.kstest(v_0, "uniform", args=(50.0, 250.0)).pvalue > 0.01
    assert all(math.isnan(d.log_mass_msun) for d in _galaxies(n=10))


def test_tully_fisher_speeds_follow_the_relation_within_its_scatter():
    """The offset log M_b - log A - 4 log v_0 is Gaussian of the asked scatter."""
    drawn = _galaxies(n_gals=(1, 3), v_0_prior="tully_fisher", tully_fisher_scatter_dex=0.1)
    log_mass = np.array([d.log_mass_msun for d in drawn])
    v_0 = np.array([d.galaxy.rotation_curve.v_0_kms for d in drawn])
    offset = log_mass - math.log10(TULLY_FISHER_A) - 4.0 * np.log10(v_0)
    assert abs(np.mean(offset)) < 0.01  # sigma of the mean: 0.1 / sqrt(6000) = 0.0013
    assert np.std(offset) == pytest.approx(0.1, rel=0.05)
    assert stats.kstest(offset, "norm", args=(0.0, 0.1)).pvalue > 0.01
    assert stats.kstest(log_mass, "uniform", args=(8.5, 3.0)).pvalue > 0.01
    exact = _galaxies(n=50, v_0_prior="tully_fisher", tully_fisher_scatter_dex=0.0)
    for d in exact:
        speed = d.galaxy.rotation_curve.v_0_kms
        assert speed == pytest.approx((10.0**d.log_mass_msun / 47.0) ** 0.25, rel=1e-12)
    # McGaugh 2012's normalisation: a 10^10.5 M_sun disk turns at 161.06 km/s.
    assert tully_fisher_speed_kms(10.5) == pytest.approx(161.06, abs=0.01)
    assert tully_fisher_log_mass(tully_fisher_speed_kms(9.7, 0.0)) == pytest.approx(9.7)


def test_a_line_flux_prior_sets_each_galaxys_total_flux():
    """Each galaxy's line flux is its uniform draw from the range (Jy km/s)."""
    drawn = _galaxies(n_gals=(1, 3), n=600, line_flux_jykms=(0.1, 2.0))
    flux = np.array([d.galaxy.line_flux for d in drawn])
    assert flux.min() >= 0.1 - 1e-12 and flux.max() <= 2.0 + 1e-12
    assert stats.kstest(flux, "uniform", args=(0.1, 1.9)).pvalue > 0.01
    for d in drawn[:20]:  # the per-voxel emissivity is the same galaxy's
        g = d.galaxy
        per_kpc3 = total_flux(1.0, g.r_e_kpc, g.n_sersic, g.h_z_kpc)
        assert g.s_e * per_kpc3 == pytest.approx(g.line_flux, rel=1e-12)


@pytest.mark.parametrize(
    "changed",
    [
        {"inclination_prior": "uniform"},
        {"v_0_prior": "tully_fisher"},
        {"line_flux_jykms": (0.5, 1.0)},
    ],
)
def test_switching_a_prior_moves_no_other_draw(changed):
    """Only the parameter a prior governs changes: the cube's other draws stay put."""
    base = DatasetSpec(n_cubes=20, seed=4, noise={"peak_snr": (5.0, 9.0)})
    other = base.replace(galaxies=changed)
    kept = ("r_e_kpc", "n_sersic", "h_z_kpc", "sigma_kms", "x_kpc", "y_kpc", "v_sys_kms")
    moved = {"inclination_prior": "inclination_deg", "v_0_prior": "rotation_curve",
             "line_flux_jykms": "s_e"}[next(iter(changed))]  # fmt: skip
    differs = 0
    for i in range(base.n_cubes):
        a, b = draw_scene(base, i), draw_scene(other, i)
        assert (a.resolution, a.pixel_kpc, a.peak_snr) == (b.resolution, b.pixel_kpc, b.peak_snr)
        for x, y in zip(a.galaxies, b.galaxies, strict=True):
            assert all(getattr(x, k) == getattr(y, k) for k in kept)
            differs += getattr(x, moved) != getattr(y, moved)
    assert differs > 10
