"""The seed API's labels mean what the original's meant (pixels, indices, two tilts)."""

import math

import numpy as np
import pytest
from scipy import stats

from GalCubeCraft import DatasetSpec, GalCubeCraft
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.priors.orientation import tilts_to_inclination_pa


@pytest.mark.parametrize("grid", [48, 49])
def test_each_galaxys_moment0_peak_is_its_galaxy_center(grid):
    """galaxy_centers are integer (row, column, depth) indices of the galaxies' centres.

    For an even grid the primary sits on pixel grid // 2 (above and right of the
    geometric centre).  Each galaxy's own clean cube peaks, in moment 0, on its centre.
    """
    g = GalCubeCraft(n_gals=3, n_cubes=2, grid_size=grid, n_spectral_slices=16, seed=8,
                     resolution="resolved", save=False, verbose=False)  # fmt: skip
    for _, params in g.generate_cubes():
        centres = params["galaxy_centers"]
        assert tuple(centres[0][:2]) == (grid // 2, grid // 2)
        for centre, own in zip(centres, params["per_galaxy_cubes"], strict=True):
            assert centre.dtype.kind == "i"
            m0 = own.sum(axis=0)
            row, column = np.unravel_index(np.argmax(m0), m0.shape)
            assert (row, column) == (centre[0], centre[1])


def test_all_hz_is_in_pixels():
    """all_hz x the pixel scale is the scale height the galaxy was rendered with (kpc)."""
    g = GalCubeCraft(n_gals=2, n_cubes=3, grid_size=40, seed=4, save=False, verbose=False)
    for hz_px, scales, draw in zip(g.all_hz, g.all_pix_spatial_scales, g.draws, strict=True):
        used = np.array([galaxy.h_z_kpc for galaxy in draw.galaxies])
        np.testing.assert_allclose(hz_px * scales, used, rtol=1e-12)


def test_inclination_population_of_the_two_tilts():
    """Inclination = arccos |cos a cos b| exactly per draw; KS test on 2,000 primaries."""
    spec = DatasetSpec.from_preset(
        "galcubecraft-1.2", n_cubes=2000, seed=12, galaxies={"n_gals": (1, 1)}
    )
    drawn = [draw_scene(spec, i) for i in range(spec.n_cubes)]
    a = np.radians([d.drawn[0].angles_deg[0] for d in drawn])
    b = np.radians([d.drawn[0].angles_deg[1] for d in drawn])
    inclinations = np.array([d.galaxies[0].inclination_deg for d in drawn])
    np.testing.assert_allclose(
        inclinations, np.degrees(np.arccos(np.abs(np.cos(a) * np.cos(b)))), atol=1e-9
    )
    rng = np.random.default_rng(0)
    x, y = np.radians(rng.uniform(0, 85, (2, 20000)))
    expected = np.degrees(np.arccos(np.cos(x) * np.cos(y)))
    assert stats.ks_2samp(inclinations, expected).pvalue > 0.01
    assert 60.0 < np.median(inclinations) < 70.0  # the original's population (median ~65)


@pytest.mark.parametrize("tilts", [(40.0, 0.0), (0.0, 50.0), (35.0, -60.0), (150.0, 20.0)])
def test_photometric_and_kinematic_axes_follow_the_tilts(tilts):
    """Rendered from the derived (inclination, PA), the disk looks as the tilts say.

    The tilted normal is n = (sin a, -cos a sin b, cos a cos b) in (row, column, depth):
    moment 0's minor axis lies along (n_row, n_column) and the receding side (the spin
    L = -n, depth away from the observer) along (n_column, -n_row).
    """
    from GalCubeCraft import Galaxy, Observation, SpectralAxis, render

    inclination, pa = tilts_to_inclination_pa(*tilts)
    a, b = np.radians(tilts)
    normal = np.array([math.sin(a), -math.cos(a) * math.sin(b)])
    galaxy = Galaxy(r_e_kpc=3.0, h_z_kpc=0.1, inclination_deg=inclination, pa_deg=pa,
                    sigma_kms=10.0)  # fmt: skip
    obs = Observation(nx=65, ny=65, pixel_kpc=0.5, spectral=SpectralAxis(48, -360, 360))
    cube = render(galaxy, obs)
    m0 = cube.data.sum(axis=0)
    rows, columns = np.indices(m0.shape) - 32.0
    w = m0 / m0.sum()
    inertia = np.array([[np.sum(w * rows * rows), np.sum(w * rows * columns)],
                        [np.sum(w * rows * columns), np.sum(w * columns * columns)]])  # fmt: skip
    values, vectors = np.linalg.eigh(inertia)
    minor = vectors[:, 0]
    assert abs(abs(minor @ normal) / np.linalg.norm(normal) - 1.0) < 1e-3
    v = cube.velocities_kms[:, None, None]
    m1 = (cube.data * v).sum(axis=0) / np.where(m0 > 0, m0, 1.0)
    receding = np.array([np.sum(w * rows * m1), np.sum(w * columns * m1)])
    expected = np.array([normal[1], -normal[0]])
    cosine = receding @ expected / (np.linalg.norm(receding) * np.linalg.norm(expected))
    assert cosine > 0.999
