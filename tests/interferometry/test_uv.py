"""Tracks and uv coverage against the standard formula (Thompson, Moran & Swenson, eq. 4.1)."""

import math

import numpy as np
import pytest

from GalCubeCraft.interferometry.arrays import load_array
from GalCubeCraft.interferometry.uv import SIDEREAL_DEG_PER_HOUR, Track, uvw_m


def _uvw_from_sky_vectors(enu, latitude_deg, hour_angle_rad, declination_deg):
    """(u, v, w) as projections of the baselines on the source's local sky axes.

    Built independently of the package: the unit vector to the source in (east, north,
    up) at hour angle H and declination delta, and the unit vectors of increasing right
    ascension (u) and declination (v) beside it.
    """
    phi, delta, h = math.radians(latitude_deg), math.radians(declination_deg), hour_angle_rad
    sp, cp, sd, cd, sh, ch = (math.sin(phi), math.cos(phi), math.sin(delta), math.cos(delta),
                              math.sin(h), math.cos(h))  # fmt: skip
    source = np.array([-cd * sh, cp * sd - sp * cd * ch, sp * sd + cp * cd * ch])
    east_on_sky = np.array([ch, -sp * sh, cp * sh])
    north_on_sky = np.array([sd * sh, cp * cd + sp * sd * ch, sp * cd - cp * sd * ch])
    return np.column_stack([enu @ east_on_sky, enu @ north_on_sky, enu @ source])


def test_an_hour_angle_of_two_hours_is_thirty_degrees():
    """The track's centre is an hour angle (15 deg/h): 2 h is 30.000 deg, not 30.082."""
    track = Track(declination_deg=-30, duration_h=1 / 60, integration_s=60, hour_angle_centre_h=2)
    assert math.degrees(track.hour_angles_rad()[0]) == pytest.approx(30.0, abs=1e-12)


def test_elapsed_time_advances_the_hour_angle_at_the_sidereal_rate():
    """Integrations 30 s apart are 30 s x 15.041 deg/h apart, about the centre's 15 deg/h."""
    track = Track(declination_deg=-30, duration_h=1.0, integration_s=30.0, hour_angle_centre_h=-3)
    angles = np.degrees(track.hour_angles_rad())
    np.testing.assert_allclose(np.diff(angles), 30.0 / 3600.0 * SIDEREAL_DEG_PER_HOUR,
                               rtol=1e-12)  # fmt: skip
    assert angles.mean() == pytest.approx(-45.0, abs=1e-12)
    assert SIDEREAL_DEG_PER_HOUR == pytest.approx(15.0410686, abs=1e-7)


@pytest.mark.parametrize(("declination", "hour_angle_h"), [(-30.0, 2.0), (-60.0, -3.5),
                                                            (10.0, 0.0)])  # fmt: skip
def test_uvw_follow_the_standard_formula_off_transit(declination, hour_angle_h):
    """uvw_m equals the baselines projected on the source's sky axes at H = 15 deg/h x h (1e-9)."""
    array = load_array("alma_c5")
    track = Track(declination, duration_h=0.5, integration_s=600.0,
                  hour_angle_centre_h=hour_angle_h)  # fmt: skip
    uvw = uvw_m(array, track).reshape(track.n_integrations, -1, 3)
    offsets_h = (np.arange(3) - 1.0) * 600.0 / 3600.0
    for t, offset in enumerate(offsets_h):
        h = math.radians(15.0 * hour_angle_h + offset * SIDEREAL_DEG_PER_HOUR)
        expected = _uvw_from_sky_vectors(array.baselines_enu_m(), array.latitude_deg, h,
                                         declination)  # fmt: skip
        scale = array.longest_baseline_m()
        np.testing.assert_allclose(uvw[t], expected, rtol=0, atol=1e-9 * scale)
