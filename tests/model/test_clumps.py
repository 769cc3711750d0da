"""Clumps: co-rotating Gaussian knots that take their flux from the smooth disk."""

import math

import numpy as np
import pytest

from GalCubeCraft import FlatRotationCurve, Galaxy, Observation, SpectralAxis, render
from GalCubeCraft.model.clumps import Clump

OBS = Observation(nx=97, ny=97, pixel_kpc=0.5, spectral=SpectralAxis(100, -500, 500))
CLUMPS = (
    Clump(radius_kpc=4.0, azimuth_deg=60.0, sigma_kpc=0.4, flux_fraction=0.1),
    Clump(radius_kpc=6.0, azimuth_deg=-120.0, sigma_kpc=0.6, flux_fraction=0.05,
          v_offset_kms=30.0, sigma_kms=25.0),
)  # fmt: skip


def _galaxy(clumps=()):
    return Galaxy(r_e_kpc=3.0, h_z_kpc=0.2, inclination_deg=50.0, pa_deg=40.0, sigma_kms=15.0,
                  rotation_curve=FlatRotationCurve(160.0), clumps=clumps)  # fmt: skip


def test_clumps_keep_the_galaxys_line_flux():
    """Disk dimmed by 15% plus clumps holding 15%: the total stays line_flux (1e-3)."""
    cube = render(_galaxy(CLUMPS), OBS)
    assert cube.line_flux_jykms() == pytest.approx(_galaxy().line_flux, rel=1e-3)
    plain = render(_galaxy(), OBS)
    assert cube.line_flux_jykms() == pytest.approx(plain.line_flux_jykms(), rel=1e-6)


def test_each_clump_sits_where_it_is_and_moves_with_the_disk():
    """Clump light peaks on each clump's projected position, at its co-rotating velocity.

    The clump light is the cube less 85% of the smooth disk; its line is centred on
    v_c cos(theta) sin i plus the clump's offset.
    """
    incl, pa = math.radians(50.0), math.radians(40.0)
    clumpy = render(_galaxy(CLUMPS), OBS).data
    smooth = render(_galaxy(), OBS).data * (1.0 - 0.15)
    light = clumpy - smooth
    v = OBS.velocities_kms
    for clump in CLUMPS:
        theta = math.radians(clump.azimuth_deg)
        a = clump.radius_kpc * math.cos(theta)  # along the receding major axis
        b = clump.radius_kpc * math.sin(theta) * math.cos(incl)  # minor axis, far side +
        x = -a * math.sin(pa) + b * math.cos(pa)
        y = a * math.cos(pa) + b * math.sin(pa)
        column, row = int(round(x / 0.5 + 48)), int(round(y / 0.5 + 48))
        window = light[:, row - 2 : row + 3, column - 2 : column + 3]
        m0 = window.sum(axis=0)
        assert np.unravel_index(np.argmax(m0), m0.shape) == (2, 2)
        spectrum = window.sum(axis=(1, 2))
        mean = np.sum(spectrum * v) / spectrum.sum()
        expected = 160.0 * math.cos(theta) * math.sin(incl) + clump.v_offset_kms
        assert mean == pytest.approx(expected, abs=1.0)


def test_clumps_are_checked():
    """More than the whole flux, or something that is not a Clump, is refused."""
    with pytest.raises(ValueError, match="at most 1"):
        _galaxy((Clump(1.0, 0.0, 0.3, 0.7), Clump(2.0, 0.0, 0.3, 0.5)))
    with pytest.raises(TypeError, match="clumps"):
        _galaxy(({"radius_kpc": 1.0},))
    with pytest.raises(ValueError, match="sigma_kpc"):
        Clump(1.0, 0.0, 0.0, 0.1)


def test_dataset_spec_draws_clumps_and_records_them():
    """Clumps come from their own stream and sum to the drawn share of each galaxy."""
    from GalCubeCraft import DatasetSpec
    from GalCubeCraft.datasets.items import parameter_names, render_item
    from GalCubeCraft.priors.galaxies import draw_scene

    plain = DatasetSpec(
        n_cubes=2, seed=4, observation={"grid_size": 40, "n_chan": 16}, noise={"peak_snr": None}
    )
    clumpy = plain.replace(features={"clump_count": (3, 5), "clump_fraction": (0.2, 0.2)})
    assert DatasetSpec.from_toml_text(clumpy.to_toml()) == clumpy
    before, after = draw_scene(plain, 0), draw_scene(clumpy, 0)
    for g0, g1 in zip(before.galaxies, after.galaxies, strict=True):
        assert g0.clumps == () and 3 <= len(g1.clumps) <= 5
        assert sum(c.flux_fraction for c in g1.clumps) == pytest.approx(0.2)
        assert all(c.radius_kpc <= 2 * g1.r_e_kpc for c in g1.clumps)
        assert g1.inclination_deg == g0.inclination_deg
    item = render_item(clumpy, 0)
    row = dict(zip(parameter_names(clumpy), item.arrays["params"], strict=True))
    assert row["g1_n_clumps"] == len(after.galaxies[0].clumps)
    assert row["g1_clump_fraction"] == pytest.approx(0.2)
