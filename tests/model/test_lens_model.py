"""The lens models: deflections and Hessians against lenstronomy, limits, and refusals."""

import math

import numpy as np
import pytest
from lenstronomy.LensModel.lens_model import LensModel
from lenstronomy.Util import param_util

from GalCubeCraft.model.lens import (
    SIE,
    ConvergenceSheet,
    ExternalShear,
    Lens,
    PowerLawEllipsoid,
    distance_ratio,
)

CASES = [  # (axis ratio, PA, shear, shear angle)
    (1.0, 0.0, 0.0, 0.0),
    (0.8, 30.0, 0.05, 10.0),
    (0.5, -70.0, 0.12, 100.0),
    (0.25, 145.0, 0.2, 233.0),
    (0.999, 123.0, 0.03, 45.0),
]


def _lenstronomy(q, pa, gamma, angle, theta_e=1.3, centre=(0.3, -0.2)):
    """Return lenstronomy's model and keywords for our parameters (the mapping documented)."""
    e1, e2 = param_util.phi_q2_ellipticity(math.radians(pa + 90.0), q)
    g1, g2 = param_util.shear_polar2cartesian(math.radians(angle + 90.0), gamma)
    kwargs = [
        {"theta_E": theta_e, "e1": e1, "e2": e2, "center_x": centre[0], "center_y": centre[1]},
        {"gamma1": g1, "gamma2": g2},
    ]
    return LensModel(["SIE", "SHEAR"]), kwargs


def _grid():
    rng = np.random.default_rng(7)
    return rng.uniform(-4.0, 4.0, 4000), rng.uniform(-4.0, 4.0, 4000)


@pytest.mark.parametrize(("q", "pa", "gamma", "angle"), CASES)
def test_deflection_equals_lenstronomy(q, pa, gamma, angle):
    """SIE + shear deflections equal lenstronomy's to 1e-6 of the Einstein radius."""
    x, y = _grid()
    lens = Lens((SIE(1.3, q, pa, 0.3, -0.2), ExternalShear(gamma, angle)))
    model, kwargs = _lenstronomy(q, pa, gamma, angle)
    ref_x, ref_y = model.alpha(x, y, kwargs)
    ours_x, ours_y = lens.deflection(x, y)
    assert np.max(np.abs(ours_x - ref_x)) < 1e-6 * 1.3
    assert np.max(np.abs(ours_y - ref_y)) < 1e-6 * 1.3


@pytest.mark.parametrize(("q", "pa", "gamma", "angle"), CASES)
def test_hessian_is_the_derivative_of_the_deflection(q, pa, gamma, angle):
    """The closed-form Hessian equals central differences of the deflection (1e-6).

    And lenstronomy's Hessian to 1e-4 (it takes one-sided differences with a 1e-10 step,
    good to about 1e-5).
    """
    x, y = _grid()
    lens = Lens((SIE(1.3, q, pa, 0.3, -0.2), ExternalShear(gamma, angle)))
    h = 1e-5
    ax_p, ay_p = lens.deflection(x + h, y)
    ax_m, ay_m = lens.deflection(x - h, y)
    bx_p, by_p = lens.deflection(x, y + h)
    bx_m, by_m = lens.deflection(x, y - h)
    f_xx, f_xy, f_yy = lens.hessian(x, y)
    far = np.hypot(x - 0.3, y + 0.2) > 0.05  # differences across the centre are meaningless
    assert np.max(np.abs(f_xx - (ax_p - ax_m) / (2 * h))[far]) < 1e-6
    assert np.max(np.abs(f_yy - (by_p - by_m) / (2 * h))[far]) < 1e-6
    assert np.max(np.abs(f_xy - (bx_p - bx_m) / (2 * h))[far]) < 1e-6
    assert np.max(np.abs(f_xy - (ay_p - ay_m) / (2 * h))[far]) < 1e-6
    model, kwargs = _lenstronomy(q, pa, gamma, angle)
    r_xx, r_xy, _, r_yy = model.hessian(x, y, kwargs)
    for ours, ref in ((f_xx, r_xx), (f_xy, r_xy), (f_yy, r_yy)):
        assert np.max(np.abs(ours - ref)[far]) < 1e-4


def test_convergence_sheet_equals_lenstronomy():
    """A uniform sheet deflects as lenstronomy's CONVERGENCE, magnifying by (1-kappa)^-2."""
    x, y = _grid()
    sheet = Lens((ConvergenceSheet(0.3, 0.1, -0.4),))
    ref_x, ref_y = LensModel(["CONVERGENCE"]).alpha(
        x, y, [{"kappa": 0.3, "ra_0": 0.1, "dec_0": -0.4}]
    )
    ours_x, ours_y = sheet.deflection(x, y)
    assert np.max(np.abs(ours_x - ref_x)) < 1e-12
    assert np.max(np.abs(ours_y - ref_y)) < 1e-12
    np.testing.assert_allclose(sheet.magnification(x, y), 1.0 / 0.7**2, rtol=1e-12)


def test_sphere_deflects_by_the_einstein_radius_toward_the_centre():
    """The singular isothermal sphere: |alpha| = theta_E everywhere, pointing to the centre."""
    x, y = _grid()
    sis = SIE(0.9, 1.0, 17.0, 0.2, 0.1)
    ax, ay = sis.deflection(x, y)
    np.testing.assert_allclose(np.hypot(ax, ay), 0.9, rtol=1e-13)
    np.testing.assert_allclose(ax * (y - 0.1) - ay * (x - 0.2), 0.0, atol=1e-12)
    # On the Einstein circle the tangential eigenvalue vanishes: det A = 0.
    phi = np.linspace(0, 2 * np.pi, 50)
    det = Lens((sis,)).jacobian_determinant(0.2 + 0.9 * np.cos(phi), 0.1 + 0.9 * np.sin(phi))
    np.testing.assert_allclose(det, 0.0, atol=1e-12)


def test_shear_angle_points_away_from_the_perturber():
    """A point mass along +x shears like ExternalShear(angle_deg=0): mass lies along PA + 90.

    A mass at position angle 270 (along +x, west) has Hessian (-k, 0, +k) at the origin
    with ``k = theta_E^2 / D^2``; ExternalShear(gamma, 0) must give the same signs.
    """
    f_xx, f_xy, f_yy = Lens((ExternalShear(0.1, 0.0),)).hessian(np.zeros(1), np.zeros(1))
    assert f_xx[0] == pytest.approx(-0.1) and f_yy[0] == pytest.approx(0.1)
    assert f_xy[0] == pytest.approx(0.0, abs=1e-15)


def test_einstein_radius_from_velocity_dispersion():
    """theta_E = 4 pi (sigma/c)^2 D_ls/D_s: 250 km/s at z = 0.5 behind z = 2 gives ~1.0 arcsec."""
    sie = SIE.from_velocity_dispersion(250.0, 0.5, 2.0, axis_ratio=0.8)
    arcsec = 180 * 3600 / math.pi
    expected = 4 * math.pi * (250.0 / 299792.458) ** 2 * distance_ratio(0.5, 2.0) * arcsec
    assert sie.theta_e_arcsec == pytest.approx(expected, rel=1e-9)
    assert 0.9 < sie.theta_e_arcsec < 1.2 and sie.axis_ratio == 0.8
    with pytest.raises(ValueError, match="z_lens must be below z_source"):
        SIE.from_velocity_dispersion(250.0, 2.0, 0.5)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SIE(-1.0), "theta_e_arcsec"),
        (lambda: SIE(1.0, axis_ratio=0.0), "axis_ratio"),
        (lambda: SIE(1.0, axis_ratio=1.2), "axis_ratio"),
        (lambda: PowerLawEllipsoid(1.0, slope=3.0), "slope"),
        (lambda: ExternalShear(1.0), "gamma"),
        (lambda: ConvergenceSheet(-0.1), "kappa"),
        (lambda: Lens(()), "at least one"),
        (lambda: Lens((SIE(1.0), "shear")), "components\\[1\\]"),
        (lambda: Lens((SIE(1.0),), z_lens=-1.0), "z_lens"),
    ],
)
def test_bad_lens_parameters_are_refused(build, message):
    """Each bad lens parameter is refused by name."""
    with pytest.raises((TypeError, ValueError), match=message):
        build()


@pytest.mark.parametrize(
    ("slope", "q", "pa"), [(2.0, 0.7, 30.0), (1.8, 0.5, -70.0), (2.3, 0.9, 123.0), (1.5, 0.3, 10.0)]
)
def test_power_law_ellipsoid_equals_lenstronomy_epl(slope, q, pa):
    """EPL deflections (1e-6 of theta_E) and Hessians (1e-9) equal lenstronomy's 'EPL'.

    Measured to 1e-15 and 4e-14: both evaluate the same closed form with scipy's 2F1.
    """
    x, y = _grid()
    epl = PowerLawEllipsoid(1.2, slope, q, pa, 0.3, -0.2)
    e1, e2 = param_util.phi_q2_ellipticity(math.radians(pa + 90.0), q)
    kwargs = [{"theta_E": 1.2, "gamma": slope, "e1": e1, "e2": e2, "center_x": 0.3,
               "center_y": -0.2}]  # fmt: skip
    model = LensModel(["EPL"])
    ref_x, ref_y = model.alpha(x, y, kwargs)
    ours_x, ours_y = epl.deflection(x, y)
    assert np.max(np.hypot(ours_x - ref_x, ours_y - ref_y)) < 1e-6 * 1.2
    r_xx, r_xy, _, r_yy = model.hessian(x, y, kwargs)
    for ours, ref in zip(epl.hessian(x, y), (r_xx, r_xy, r_yy), strict=True):
        np.testing.assert_allclose(ours, ref, atol=1e-9)


def test_isothermal_power_law_is_the_sie():
    """Slope 2 is the SIE: deflections and Hessians equal to 1e-12."""
    x, y = _grid()
    sie, epl = SIE(1.1, 0.6, 40.0, -0.1, 0.2), PowerLawEllipsoid(1.1, 2.0, 0.6, 40.0, -0.1, 0.2)
    np.testing.assert_allclose(np.array(epl.deflection(x, y)), np.array(sie.deflection(x, y)),
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(np.array(epl.hessian(x, y)), np.array(sie.hessian(x, y)),
                               atol=1e-12)  # fmt: skip


# --- the registry's contract: every lens model, one generic test -------------------------
# Adding a model to LENS_MODELS runs it through these tests with nothing else to add.

import pickle  # noqa: E402

from GalCubeCraft.model.lens import LENS_COMPONENTS, LENS_MODELS  # noqa: E402


def _far_from(component, x, y, distance=0.05):
    """Positions away from a singular centre (differences across it are meaningless)."""
    if not component.singular_at_centre:
        return np.ones(x.shape, dtype=bool)
    return np.hypot(x - component.x_arcsec, y - component.y_arcsec) > distance


@pytest.mark.parametrize("name", sorted(LENS_MODELS))
def test_every_lens_model_is_a_potential_gradient_with_its_hessian(name):
    """The deflection is curl-free and its central differences are the Hessian (1e-6)."""
    component = LENS_MODELS[name].make()
    x, y = _grid()
    h = 1e-5
    ax_p, ay_p = component.deflection(x + h, y)
    ax_m, ay_m = component.deflection(x - h, y)
    bx_p, by_p = component.deflection(x, y + h)
    bx_m, by_m = component.deflection(x, y - h)
    f_xx, f_xy, f_yy = component.hessian(x, y)
    far = _far_from(component, x, y)
    # Measured: curl 1.2e-7, Hessian 2.8e-7 at most (the differences' own error).
    np.testing.assert_allclose(((ay_p - ay_m) / (2 * h))[far], ((bx_p - bx_m) / (2 * h))[far],
                               rtol=0, atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(f_xx[far], ((ax_p - ax_m) / (2 * h))[far], rtol=0, atol=1e-6)
    np.testing.assert_allclose(f_yy[far], ((by_p - by_m) / (2 * h))[far], rtol=0, atol=1e-6)
    np.testing.assert_allclose(f_xy[far], ((bx_p - bx_m) / (2 * h))[far], rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", sorted(LENS_MODELS))
def test_every_lens_model_equals_lenstronomy(name):
    """Through the registry's mapping: lenstronomy's deflection (3e-8 of its largest), Hessian."""
    entry = LENS_MODELS[name]
    component = entry.make()
    model_name, kwargs = entry.lenstronomy(component)
    model = LensModel([model_name])
    x, y = _grid()
    ref_x, ref_y = model.alpha(x, y, [kwargs])
    ours_x, ours_y = component.deflection(x, y)
    # Measured 2.8e-9 (SIE), 1e-15 and better for the others.
    assert np.max(np.hypot(ours_x - ref_x, ours_y - ref_y)) < 3e-8 * np.max(np.hypot(ref_x, ref_y))
    r_xx, r_xy, _, r_yy = model.hessian(x, y, [kwargs])
    far = _far_from(component, x, y)
    for ours, ref in zip(component.hessian(x, y), (r_xx, r_xy, r_yy), strict=True):
        # lenstronomy's SIE Hessian is a one-sided difference: measured 8.3e-6 off.
        assert np.max(np.abs(ours - ref)[far]) < 5e-5


@pytest.mark.parametrize("name", sorted(LENS_MODELS))
def test_every_lens_model_is_point_symmetric_about_its_centre(name):
    """alpha(c + d) = -alpha(c - d) and the Hessian is even, to 1e-14 (measured 9e-16)."""
    component = LENS_MODELS[name].make()
    dx, dy = _grid()
    cx, cy = component.x_arcsec, component.y_arcsec
    plus = np.array(component.deflection(cx + dx, cy + dy))
    minus = np.array(component.deflection(cx - dx, cy - dy))
    np.testing.assert_allclose(plus, -minus, rtol=0, atol=1e-14)
    even_plus = np.array(component.hessian(cx + dx, cy + dy))
    even_minus = np.array(component.hessian(cx - dx, cy - dy))
    np.testing.assert_allclose(even_plus, even_minus, rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", sorted(LENS_MODELS))
def test_every_lens_model_pickles_and_joins_a_lens(name):
    """Pickled, the example is equal and deflects alike; a Lens of it deflects as it does."""
    component = LENS_MODELS[name].make()
    assert isinstance(component, LENS_COMPONENTS) and not component.is_null
    twin = pickle.loads(pickle.dumps(component))
    assert twin == component
    x, y = _grid()
    np.testing.assert_array_equal(np.array(twin.deflection(x, y)),
                                  np.array(component.deflection(x, y)))  # fmt: skip
    lens = Lens((component,))
    np.testing.assert_array_equal(np.array(lens.deflection(x, y)),
                                  np.array(component.deflection(x, y)))  # fmt: skip
    singular = lens.singular_points()
    assert singular == ([(component.x_arcsec, component.y_arcsec)]
                        if component.singular_at_centre else [])  # fmt: skip


def test_a_lens_refuses_an_unregistered_component():
    """Anything outside the registry is refused, naming the kinds it accepts."""
    with pytest.raises(TypeError, match="must be one of SIE, PowerLawEllipsoid"):
        Lens((object(),))
