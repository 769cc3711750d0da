"""The sky conventions, tested on their own: east is -x, PA runs north through east."""

import math

import numpy as np
import pytest
from matplotlib.patches import Ellipse

from GalCubeCraft import Beam
from GalCubeCraft.conventions import (
    disk_to_sky,
    major_minor_to_sky,
    pa_to_matplotlib_angle,
    pa_unit_vector,
    sky_to_disk,
    sky_to_major_minor,
)
from GalCubeCraft.instrument.beam import beam_kernel_image


def test_north_is_plus_y_and_east_is_minus_x():
    """PA 0 points to +y (north), PA 90 to -x (east), PA 180 to -y, PA 270 to +x."""
    np.testing.assert_allclose(pa_unit_vector(0.0), (0.0, 1.0), atol=1e-15)
    np.testing.assert_allclose(pa_unit_vector(90.0), (-1.0, 0.0), atol=1e-15)
    np.testing.assert_allclose(pa_unit_vector(180.0), (0.0, -1.0), atol=1e-15)
    np.testing.assert_allclose(pa_unit_vector(270.0), (1.0, 0.0), atol=1e-15)


@pytest.mark.parametrize("pa", [0.0, 33.0, 90.0, 212.5])
def test_major_axis_coordinate_grows_toward_the_pa(pa):
    """A point one unit along the PA has a = 1, b = 0; the two maps are inverse."""
    dx, dy = pa_unit_vector(pa)
    a, b = sky_to_major_minor(np.array(dx), np.array(dy), pa)
    assert (float(a), float(b)) == pytest.approx((1.0, 0.0), abs=1e-12)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 50))
    back = major_minor_to_sky(*sky_to_major_minor(x, y, pa), pa)
    np.testing.assert_allclose(back, (x, y), atol=1e-12)


@pytest.mark.parametrize("inclination", [0.0, 37.0, 90.0])
def test_sky_disk_round_trip_and_geometry(inclination):
    """Sky -> disk -> sky is the identity; the disk plane (z = 0) projects to b = y_disk cos i."""
    incl = math.radians(inclination)
    cos_i, sin_i = math.cos(incl), math.sin(incl)
    rng = np.random.default_rng(2)
    a, b, s = rng.normal(size=(3, 40))
    disk = sky_to_disk(a, b, s, cos_i, sin_i)
    np.testing.assert_allclose(disk_to_sky(*disk, cos_i, sin_i), (a, b, s), atol=1e-12)
    # A rotation: distances are kept.
    np.testing.assert_allclose(np.sum(np.square(disk), axis=0), a**2 + b**2 + s**2, rtol=1e-12)
    x_d, y_d = rng.normal(size=(2, 40))
    a2, b2, _ = disk_to_sky(x_d, y_d, np.zeros(40), cos_i, sin_i)
    np.testing.assert_allclose(a2, x_d)
    np.testing.assert_allclose(b2, y_d * cos_i, atol=1e-12)


@pytest.mark.parametrize("bpa", [0.0, 30.0, 90.0, 160.0])
def test_plot_ellipse_and_kernel_share_the_beam_axis(bpa):
    """The matplotlib ellipse's major axis and the convolution kernel's both lie along the BPA."""
    beam = Beam(9.0, 3.0, bpa)
    patch = Ellipse(**beam.ellipse((0.0, 0.0)))
    vertices = patch.get_patch_transform().transform([[1.0, 0.0]])[0]  # end of the width axis
    direction = vertices / np.hypot(*vertices)
    np.testing.assert_allclose(direction * np.sign(direction @ pa_unit_vector(bpa)),
                               pa_unit_vector(bpa), atol=1e-12)  # fmt: skip
    assert np.hypot(*vertices) == pytest.approx(4.5)  # half the major FWHM
    assert pa_to_matplotlib_angle(bpa) == pytest.approx(90.0 + bpa)
    kernel = beam_kernel_image(beam, size=61)
    y, x = np.mgrid[-30:31, -30:31]
    dx, dy = pa_unit_vector(bpa)
    along = (kernel * (x * dx + y * dy) ** 2).sum()
    assert along == pytest.approx(beam.sigma_major_px**2, rel=1e-4)
