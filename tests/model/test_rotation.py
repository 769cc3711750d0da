"""Rotation curves: the seed's formula and the alternatives behind one interface."""

import numpy as np
import pytest

from GalCubeCraft import (
    ArctanRotationCurve,
    FlatRotationCurve,
    Galaxy,
    GalCubeCraft,
    MilkyWayRotationCurve,
    TabulatedRotationCurve,
)
from GalCubeCraft.model.profiles import b_n


def test_seed_curve_is_1022_v0_at_r0():
    """v(R_0) = 1.022 v_0 with R_0 = 2 R_e / b_n^n, as the seed defines it."""
    r_e, n = 5.0, 1.2
    r_0 = 2 * r_e / b_n(n) ** n
    v = GalCubeCraft.milky_way_rot_curve_analytical(r_0, 200.0, r_e, n)
    assert v == pytest.approx(1.022 * 200.0, rel=1e-14)


def test_seed_curve_power_law_slope():
    """The seed's curve rises as R^0.0803."""
    r = np.array([1.0, 10.0])
    v = GalCubeCraft.milky_way_rot_curve_analytical(r, 200.0, 5.0, 1.0)
    assert np.log(v[1] / v[0]) / np.log(10.0) == pytest.approx(0.0803, rel=1e-12)


def test_class_matches_function():
    """MilkyWayRotationCurve.for_sersic evaluates the seed's function."""
    r = np.linspace(0, 30, 31)
    curve = MilkyWayRotationCurve.for_sersic(180.0, 4.0, 0.8)
    np.testing.assert_allclose(
        curve(r), GalCubeCraft.milky_way_rot_curve_analytical(r, 180.0, 4.0, 0.8), rtol=1e-14
    )


def test_arctan_and_flat_limits():
    """The arctan curve reaches v_flat far out and half of it at r_turn; flat is flat."""
    arctan = ArctanRotationCurve(v_flat_kms=220.0, r_turn_kpc=2.0)
    assert arctan(np.array([2.0]))[0] == pytest.approx(110.0, rel=1e-12)
    assert arctan(np.array([1e6]))[0] == pytest.approx(220.0, rel=1e-5)
    np.testing.assert_array_equal(FlatRotationCurve(150.0)(np.array([0.5, 9.0])), [150.0, 150.0])


def test_tabulated_interpolates_and_validates():
    """A tabulated curve interpolates linearly and refuses unsorted radii."""
    curve = TabulatedRotationCurve((0.0, 2.0, 4.0), (0.0, 100.0, 120.0))
    assert curve(np.array([3.0]))[0] == pytest.approx(110.0)
    with pytest.raises(ValueError, match="ascending"):
        TabulatedRotationCurve((0.0, 2.0, 1.0), (0.0, 1.0, 2.0))


# --- the registry's contract: every rotation curve, one generic test ---------------------

import pickle  # noqa: E402

from GalCubeCraft.model.rotation import ROTATION_CURVES, RotationCurve  # noqa: E402

RADII = np.concatenate([[0.0, 1e-6], np.geomspace(1e-3, 100.0, 63)])


@pytest.mark.parametrize("name", sorted(ROTATION_CURVES))
def test_every_rotation_curve_is_finite_non_negative_and_pickles(name):
    """Each registered curve's example: finite, >= 0 from R = 0 to 100 kpc, a pickled twin."""
    curve = ROTATION_CURVES[name].make()
    assert isinstance(curve, RotationCurve) and isinstance(curve, ROTATION_CURVES[name].cls)
    v = np.asarray(curve(RADII))
    assert v.shape == RADII.shape and np.all(np.isfinite(v)) and np.all(v >= 0.0)
    assert np.isfinite(curve(np.float64(0.0)))
    twin = pickle.loads(pickle.dumps(curve))
    assert twin == curve
    np.testing.assert_array_equal(twin(RADII), v)


@pytest.mark.parametrize("name", sorted(ROTATION_CURVES))
def test_every_rotation_curve_vectorised_equals_scalar(name):
    """One call on an array (1-D or 2-D) equals a call per radius, bit for bit."""
    curve = ROTATION_CURVES[name].make()
    one_by_one = np.array([float(curve(np.float64(r))) for r in RADII])
    np.testing.assert_array_equal(np.asarray(curve(RADII)), one_by_one)
    grid = RADII[1:].reshape(8, 8)
    np.testing.assert_array_equal(np.asarray(curve(grid)), one_by_one[1:].reshape(8, 8))
    assert np.ndim(curve(np.float64(2.0))) == 0


def test_every_exported_rotation_curve_is_registered():
    """The package's public curve classes and the registry's are the same set."""
    import GalCubeCraft

    exported = {getattr(GalCubeCraft, n) for n in dir(GalCubeCraft) if n.endswith("RotationCurve")}
    assert exported == {entry.cls for entry in ROTATION_CURVES.values()}


@pytest.mark.parametrize(
    ("curve", "kind", "message"),
    [
        (lambda r: r * (1 + 1j), TypeError, r"rotation_curve must return real values .*complex"),
        (lambda r: np.sqrt(r - 1.0), ValueError, r"rotation_curve must return finite values"),
        (lambda r: 1e30 * r, ValueError, r"rotation_curve must return finite values in .*km/s"),
        (lambda r: np.full(3, 100.0), ValueError, r"rotation_curve must return one value per"),
        (lambda r: float(r), TypeError, r"rotation_curve must accept an array of radii"),
        (lambda r: r.astype(object), TypeError, r"rotation_curve must return real values"),
    ],
)
def test_user_curves_with_complex_or_non_finite_speeds_are_refused(curve, kind, message):
    """A user's curve is tried once at the Galaxy's construction, not per sample.

    Before, a complex curve rendered silently (its imaginary part dropped in float32).
    """
    with pytest.raises(kind, match=message):
        Galaxy(r_e_kpc=1.0, rotation_curve=curve)
    with pytest.raises(kind, match=message.replace("rotation_curve", "dispersion_profile")):
        Galaxy(r_e_kpc=1.0, dispersion_profile=curve)
    Galaxy(r_e_kpc=1.0, rotation_curve=lambda r: 100.0 + 0.0 * r)  # a plain curve: accepted
    with pytest.raises(ValueError, match=r"dispersion_profile must return finite values in \[0"):
        Galaxy(r_e_kpc=1.0, dispersion_profile=lambda r: -1.0 - r)


@pytest.mark.parametrize("speeds", [(1 + 1j, 2.0), np.array([1 + 1j, 2.0]), (np.nan, 2.0),
                                    (3e5, 1.0)])  # fmt: skip
def test_tables_with_complex_or_non_finite_speeds_are_refused(speeds):
    """A complex table is refused by name (before: a ComplexWarning and the real part)."""
    with pytest.raises((TypeError, ValueError), match="v_kms must"):
        TabulatedRotationCurve((0.0, 1.0), speeds)


@pytest.mark.parametrize(
    ("make", "name"),
    [(lambda: FlatRotationCurve(1e30), "v_flat_kms"),
     (lambda: MilkyWayRotationCurve(v_0_kms=3e5), "v_0_kms")],
)  # fmt: skip
def test_curve_speeds_at_light_speed_are_refused(make, name):
    """The classes' own speeds stay below c, as the Galaxy's do."""
    with pytest.raises(ValueError, match=rf"{name} must lie in \[0, 299792\.458\)"):
        make()


def test_profiles_that_ignore_the_shape_of_their_radii_are_refused():
    """A profile of len(r) values fits 1-D radii but not the renderer's (rows, samples).

    Before, the asymmetric-drift kernel then read its dispersions past their end.
    """
    with pytest.raises(ValueError, match="dispersion_profile must return one value per radius"):
        Galaxy(r_e_kpc=1.0, dispersion_profile=lambda r: np.full(len(r), 30.0))


@pytest.mark.parametrize("r_e", [1e-6, 1e6])
def test_the_default_curve_is_not_blamed_for_extreme_radii(r_e):
    """Only a user's curve is tried: the default one follows r_e_kpc, already checked.

    At the ends of r_e_kpc's range the default curve is never blamed; beyond them
    r_e_kpc itself is refused, by name.
    """
    with pytest.raises(ValueError, match=r"r_e_kpc must lie in \[1e-06, 1000000\]"):
        Galaxy(r_e_kpc=r_e * 1e-3 if r_e < 1 else r_e * 1e3)
    galaxy = Galaxy(r_e_kpc=r_e)
    assert Galaxy(r_e_kpc=r_e, rotation_curve=FlatRotationCurve(100.0)).r_e_kpc == r_e
    assert galaxy.r_e_kpc == r_e
