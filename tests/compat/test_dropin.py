"""Scripts written for the original (0.1.2's README, 1.2.1's API) run unchanged.

Each script is run as a user would run it: saved to a file and executed in an empty
folder, in a fresh interpreter.  Behaviour the scripts rely on (noise levels, beam
area, masks, the slider) is then checked against what the original documents.
"""

import numpy as np
import pytest
from conftest import run_script

SCRIPTS = {
    "quick_start_0_1_2": """
from GalCubeCraft import GalCubeCraft
g = GalCubeCraft(n_gals=None, n_cubes=1, resolution='all', grid_size=32,
                 n_spectral_slices=12, seed=42)
results = g.generate_cubes()
cube, params_dict = results[0]
print('cube shape (nz, ny, nx) =', cube.shape)
assert cube.shape == (12, 32, 32)
for key in ('average_vels', 'beam_info', 'pix_spatial_scale', 'galaxy_centers'):
    assert key in params_dict, key
import os
assert os.path.exists('data/raw_data/12x32x32/cube_1.npy')
g.visualise(results, idx=0, save=True)
assert os.path.isdir('figures/12x32x32')
""",
    "visualise_module_1_2_1": """
import matplotlib
matplotlib.use('Agg')
from GalCubeCraft import GalCubeCraft
from GalCubeCraft.compat.visualise import moment0, moment1, spectrum, slice_view
g = GalCubeCraft(n_gals=1, n_cubes=1, grid_size=32, n_spectral_slices=12, seed=3, save=False)
results = g.generate_cubes()
fig, ax = moment0(results, 0, save=True)
fig, ax = moment1(results, 0, save=True)
fig, ax = spectrum(results, 0, save=True, fname_save='plots')
fig, ax = slice_view(results, idx=0, channel=5)
import os
assert sorted(os.listdir('figures/12x32x32')) == ['moment0.pdf', 'moment1.pdf']
assert os.listdir('plots') == ['spectrum.pdf']
""",
    "utils_noise_recipe_1_2_1": """
import numpy as np
from GalCubeCraft import GalCubeCraft
from GalCubeCraft.compat.utils import (convolve_beam, apply_noise, apply_and_convolve_noise,
                                add_beam, create_circular_aperture_mask)
g = GalCubeCraft(n_gals=1, n_cubes=1, grid_size=32, n_spectral_slices=12, seed=5, save=False)
cube, params = g.generate_cubes()[0]
np.random.seed(0)
noisy = apply_and_convolve_noise(cube, params['beam_info'], 10)
np.random.seed(0)
again = apply_and_convolve_noise(cube, params['beam_info'], 10)
assert np.array_equal(noisy, again)
white = apply_noise(cube, 5)
mask = create_circular_aperture_mask(cube, R_e=params['Re'][0], beam_width_px=4)
print(noisy.shape, white.shape, mask.sum())
""",
    "init_and_ranges_1_2_1": """
import numpy as np
import GalCubeCraft
g = GalCubeCraft.init(n_gals=(1, 3), n_cubes=6, grid_size=32, n_spectral_slices=8, seed=11,
                      diffuse_params={'enabled': False})
results = g.generate_cubes()
counts = [p['n_gals'] for _, p in results]
assert set(counts) <= {1, 2, 3} and len(set(counts)) > 1, counts
for cube, p in results:
    assert p['per_galaxy_cubes'].shape == (p['n_gals'],) + cube.shape
    assert len(p['systemic_vels']) == p['n_gals'] and p['diffuse_emission'] is False
    assert np.allclose(p['per_galaxy_cubes'].sum(axis=0), cube, atol=1e-6 * cube.max())
S = g.sersic_flux_density_3d(x=1.0, y=0.0, z=0.0, Se=2.0, Re=1.0, n=1.0, hz=0.5)
assert abs(S - 2.0) < 1e-12
""",
    "hdf5_save_and_read_1_2_1": """
import h5py
import numpy as np
from GalCubeCraft import init
g = init(n_gals=2, n_cubes=1, grid_size=32, n_spectral_slices=12, save=True, fname='out', seed=9)
results = g.generate_cubes()
with h5py.File('out/cube_1.h5', 'r') as f:
    cube = f['cube'][...]
    velocities = f['channel_velocities_km_s'][...]
    positions = f['galaxies/positions_xyz_px'][...]
    per_galaxy = f['galaxies/cubes'][...]
    hz_px = f['galaxies/hz_px'][...]
    bmaj = f['beam'].attrs['bmaj_px']
    n_sat = f.attrs['n_satellites']
assert np.array_equal(cube, results[0][0])
assert np.array_equal(velocities, results[0][1]['average_vels'])
assert positions.shape == (2, 3) and positions.dtype.kind == 'i'
assert per_galaxy.shape == (2,) + cube.shape and n_sat == 1 and bmaj == 4.0
assert np.allclose(hz_px, g.all_hz[0])
""",
    "diffuse_emission_1_2_1": """
import numpy as np
from GalCubeCraft import GalCubeCraft
g = GalCubeCraft(n_gals=2, n_cubes=1, grid_size=40, n_spectral_slices=16, seed=3, save=False,
                 diffuse_params={'enabled': True, 'tail_curvature': 0.3})
cube, params = g.generate_cubes()[0]
assert params['diffuse_emission'] and g.diffuse_params['tail_curvature'] == 0.3
assert np.allclose(params['per_galaxy_cubes'].sum(0) + params['diffuse_cube'], cube,
                   atol=1e-6 * cube.max())
""",
    "physical_units_1_2_1": """
import numpy as np
import GalCubeCraft
from GalCubeCraft import GalCubeCraft_Phy
g = GalCubeCraft.init_phy(n_gals=2, n_cubes=1, spatial_resolution=2.0, spectral_resolution=15,
                          offset_gals=10, beam_info=[8, 10, 0], fov=80, seed=4)
cube, params = g.generate_cubes()[0]
assert cube.shape == (80, 40, 40)
assert params['pix_spatial_scale'] == 2.0 and params['beam_info'] == [4.0, 5.0, 0.0]
g2 = GalCubeCraft_Phy(n_cubes=1, seed=4, verbose=False)
assert g2.generate_cubes()[0][0].shape == (120, 27, 27)
""",
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_original_users_script_runs_unchanged(name, tmp_path):
    """The script exits 0 in an empty folder (its own asserts check what it relies on)."""
    result = run_script(SCRIPTS[name], tmp_path, name)
    assert result.returncode == 0, result.stderr[-3000:]


def test_bad_n_gals_and_diffuse_params_are_refused():
    """A reversed range or a non-dict diffuse_params is refused by name, before any work."""
    from GalCubeCraft import GalCubeCraft

    with pytest.raises(TypeError, match="diffuse_params"):
        GalCubeCraft(n_cubes=1, diffuse_params=[1])
    with pytest.raises(ValueError, match="n_gals"):
        GalCubeCraft(n_cubes=1, n_gals=(3, 1))


def test_convolve_beam_keeps_flux_times_beam_area_and_the_originals_angle():
    """Jy/pixel in, Jy/beam out: total x pi bmaj bmin / (4 ln 2); theta from +x."""
    from GalCubeCraft.compat.utils import convolve_beam

    cube = np.zeros((2, 65, 65))
    cube[:, 32, 32] = 1.0
    out = convolve_beam(cube, [3.0, 8.0, 0.0])
    area = np.pi * 8.0 * 3.0 / (4.0 * np.log(2.0))
    # 1e-6 of a narrow (3 px) beam's ringing tail falls beyond the 65-px field.
    assert out.sum() == pytest.approx(2.0 * area, rel=1e-5)
    # theta = 0: the major axis lies along x (columns), as the original's kernel.
    assert out[0, 32, 36] > out[0, 36, 32]
    rotated = convolve_beam(cube, [3.0, 8.0, 90.0])
    np.testing.assert_allclose(rotated[0], out[0].T, atol=1e-12 * out.max())
    round_beam = convolve_beam(cube, 4.0)
    assert round_beam[0, 32, 34] == pytest.approx(round_beam[0, 34, 32], rel=1e-9)


def test_noise_recipes_have_the_asked_rms_and_correlation():
    """Both give rms = peak / peak_snr; the convolved noise is beam-correlated."""
    from GalCubeCraft.compat.utils import apply_and_convolve_noise, apply_noise

    cube = np.zeros((16, 96, 96))
    cube[8, 48, 48] = 2.0
    rng = np.random.default_rng(1)
    white = apply_noise(cube, 4.0, rng=rng) - cube
    assert white.std() == pytest.approx(0.5, rel=0.01)
    correlated = apply_and_convolve_noise(cube, [4.0, 4.0, 0.0], 4.0, rng=rng) - cube
    assert correlated.std() == pytest.approx(0.5, rel=0.05)
    neighbours = np.corrcoef(correlated[:, :, :-1].ravel(), correlated[:, :, 1:].ravel())[0, 1]
    # A 4-px FWHM beam correlates neighbours by exp(-1 / (4 sigma^2)) of the convolved
    # field: sigma_noise = FWHM / 2.3548 * sqrt(2) -> about 0.84.
    sigma = 4.0 / (2.0 * np.sqrt(2.0 * np.log(2.0))) * np.sqrt(2.0)
    assert neighbours == pytest.approx(np.exp(-1.0 / (2.0 * sigma**2)), abs=0.02)
    assert abs(np.corrcoef(white[:, :, :-1].ravel(), white[:, :, 1:].ravel())[0, 1]) < 0.01


def test_aperture_mask_radius_and_centre():
    """Radius max(2 R_e, beam); a centre at column 0 is honoured (the original ignored it)."""
    from GalCubeCraft.compat.utils import create_circular_aperture_mask

    cube = np.zeros((3, 41, 51))
    mask = create_circular_aperture_mask(cube, R_e=5.0, beam_width_px=4.0)
    assert mask.shape == cube.shape and np.array_equal(mask[0], mask[2])
    assert mask[0, 20, 25] and mask[0, 20, 35] and not mask[0, 20, 36]
    small = create_circular_aperture_mask(cube, R_e=1.0, beam_width_px=6.0, x_center=0, y_center=0)
    assert small[0, 0, 6] and not small[0, 0, 7] and not small[0, 20, 25]


def test_add_beam_draws_the_originals_ellipse():
    """Width bmaj, height bmin, angle bpa (from +x), at the lower-left limits + offset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from GalCubeCraft.compat.utils import add_beam

    fig, ax = plt.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 50)
    ellipse = add_beam(ax, 3.0, 6.0, 30.0, xy_offset=(10, 5))
    assert (ellipse.width, ellipse.height, ellipse.angle) == (6.0, 3.0, 30.0)
    assert tuple(ellipse.center) == (10.0, 5.0)
    major = ax.lines[0]
    dx = np.ptp(major.get_xdata())
    dy = np.ptp(major.get_ydata())
    assert np.degrees(np.arctan2(dy, dx)) == pytest.approx(30.0)
    plt.close(fig)


def test_slice_view_slider_moves_through_the_channels():
    """The slider shows channel c's image and velocity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from GalCubeCraft import GalCubeCraft
    from GalCubeCraft.compat.visualise import slice_view

    g = GalCubeCraft(n_gals=1, n_cubes=1, grid_size=32, n_spectral_slices=10, seed=2,
                     save=False, verbose=False)  # fmt: skip
    results = g.generate_cubes()
    fig, ax = slice_view(results, 0)
    cube, params = results[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), cube[5])
    fig.slider.set_val(7)
    np.testing.assert_array_equal(ax.images[0].get_array(), cube[7])
    assert f"{params['average_vels'][7]:.1f}" in ax.get_title()
    plt.close(fig)


def test_hdf5_file_reads_back_whole_and_is_written_atomically(tmp_path):
    """Everything 1.2.1's layout holds comes back; no temporary file is left."""
    from GalCubeCraft import GalCubeCraft
    from GalCubeCraft.compat.original_h5 import read_original_h5

    g = GalCubeCraft(n_gals=3, n_cubes=1, grid_size=32, n_spectral_slices=10, seed=6,
                     fname=tmp_path, save_format="h5", verbose=False)  # fmt: skip
    cube, params = g.generate_cubes()[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube_1.h5"]
    stored, contents = read_original_h5(tmp_path / "cube_1.h5")
    np.testing.assert_array_equal(stored, cube)
    galaxies = contents["galaxies"]
    assert list(galaxies["types"]) == ["central", "satellite", "satellite"]
    np.testing.assert_array_equal(galaxies["positions_xyz_px"], np.array(params["galaxy_centers"]))
    np.testing.assert_allclose(galaxies["inclination_deg"], params["inclination"])
    np.testing.assert_array_equal(galaxies["cubes"], params["per_galaxy_cubes"])
    assert galaxies["channel_index"][0] == np.argmin(np.abs(params["average_vels"]))
    expected_distance = np.linalg.norm(
        np.array(params["galaxy_centers"]) - params["galaxy_centers"][0], axis=1
    )
    np.testing.assert_allclose(galaxies["distance_to_central_px"], expected_distance)
    assert contents["n_gals"] == 3 and contents["seed"] == 6 and not contents["diffuse_emission"]
    assert contents["beam"] == {"bmin_px": 4.0, "bmaj_px": 4.0, "bpa_deg": 0.0}
    assert contents["diffuse_params"]["enabled"] == False  # noqa: E712 - numpy bool
    assert contents["diffuse_params"]["halo_Re_factor"] == 3.0


@pytest.mark.parametrize("width", [10.0, 7.0])
def test_physical_generator_keeps_its_units(width):
    """Units kept: kpc per pixel, km/s per channel (any width), R_e = 5 kpc, h_z 0.4-9 kpc."""
    from GalCubeCraft import GalCubeCraft_Phy

    g = GalCubeCraft_Phy(n_gals=(1, 3), n_cubes=4, spatial_resolution=1.5,
                         spectral_resolution=width, beam_info=[6.0, 7.5, 30.0], fov=60,
                         seed=3, verbose=False)  # fmt: skip
    assert g.grid_size == 40 and g.n_spectral_slices == int(1200 // width)
    for index in range(4):
        params = g.params(index)
        velocities = params["average_vels"]
        np.testing.assert_allclose(np.diff(velocities), width, rtol=1e-12)
        assert velocities[0] == pytest.approx(-velocities[-1])
        assert params["pix_spatial_scale"] == pytest.approx(1.5, rel=1e-12)
        assert params["Re"][0] * params["pix_spatial_scale"] == pytest.approx(5.0, rel=1e-12)
        assert 0.4 <= params["hz_kpc"][0] <= 9.0
        assert params["beam_info"] == pytest.approx([4.0, 5.0, 30.0])
    with pytest.raises(ValueError, match="spectral_resolution"):
        GalCubeCraft_Phy(spectral_resolution=2000)


def _original_formula_face_on(params, grid, n_chan, sub=4):
    """Return the original's amplitude for a face-on disk, on a grid ``sub`` times finer.

    Per fine voxel the original adds ``S_e profile`` (flux per voxel) to the channel its
    velocity falls in; face-on the velocity is the dispersion alone, so a column's
    flux spreads over channels with the Gaussian's probabilities.  Each channel is the
    mean of five fine bins (its sum / 5); then the beam (unit sum) times its area, and
    the 0.6-channel Gaussian line spread.
    """
    from scipy.ndimage import gaussian_filter1d
    from scipy.special import erf

    from GalCubeCraft.compat.utils import convolve_beam
    from GalCubeCraft.model.profiles import b_n

    s_e, r_e, h_z, n = (float(params[k][0]) for k in ("Se", "Re", "hz", "n"))
    sigma = float(params["gal_vz_sigma"][0])
    centre = np.array(params["galaxy_centers"][0][:2], dtype=float)  # (row, column)
    offsets = (np.arange(sub) + 0.5) / sub - 0.5
    rows = (np.arange(grid)[:, None] + offsets[None, :]).ravel() - centre[0]
    columns = (np.arange(grid)[:, None] + offsets[None, :]).ravel() - centre[1]
    radius = np.hypot(rows[:, None], columns[None, :])
    # Column of the vertical exponential, summed over voxels of one pixel in depth:
    # the integral 2 h_z (exact for a fine depth grid), in voxels.
    surface = s_e * np.exp(-b_n(n) * ((radius / r_e) ** (1.0 / n) - 1.0)) * 2.0 * h_z
    column = surface.reshape(grid, sub, grid, sub).sum(axis=(1, 3)) / sub**2
    edges = np.linspace(-600.0, 600.0, n_chan + 1)
    cdf = 0.5 * (1.0 + erf(edges / (np.sqrt(2.0) * sigma)))
    fractions = np.diff(cdf)
    cube = fractions[:, None, None] * column[None, :, :] / 5.0
    cube = convolve_beam(cube, params["beam_info"])
    return gaussian_filter1d(cube, 0.6, axis=0, mode="constant")


def test_original_units_match_the_originals_formula_for_a_face_on_disk():
    """units='original' is the Jy/beam cube times width / 5.

    Against the original's formula (its voxel sums, on a 4x finer grid) for the same
    face-on disk: every voxel within 0.5% of the peak (measured 0.05-0.14% for
    resolutions 0.5-2; the issue asks 2%), and the total within 0.5%.
    """
    from GalCubeCraft import GalCubeCraft

    kwargs = dict(n_gals=1, n_cubes=1, grid_size=48, n_spectral_slices=40, seed=5,
                  resolution=2.0, save=False, verbose=False)  # fmt: skip
    g = GalCubeCraft(units="original", **kwargs)
    g.spec = g.spec.replace(galaxies={"inclination_deg": (0.0, 0.0), "pa_deg": (0.0, 0.0)})
    cube, params = g.generate_cubes()[0]
    assert g.original_units_per_jy_beam == pytest.approx(30.0 / 5.0)
    assert params["bunit"] == "original"
    reference = GalCubeCraft(**kwargs)
    reference.spec = g.spec
    jy_beam, _ = reference.generate_cubes()[0]
    np.testing.assert_allclose(cube, jy_beam * 6.0, rtol=1e-6)
    expected = _original_formula_face_on(params, 48, 40)
    assert np.max(np.abs(cube - expected)) <= 0.005 * expected.max()
    assert cube.sum() == pytest.approx(expected.sum(), rel=0.005)


def test_original_units_round_trip_through_the_sidecar(tmp_path):
    """The .npy holds the original's amplitude; load_cube gives back Jy/beam."""
    from GalCubeCraft import GalCubeCraft
    from GalCubeCraft.io.sidecar import load_cube

    g = GalCubeCraft(n_gals=1, n_cubes=1, grid_size=32, n_spectral_slices=12, seed=1,
                     fname=tmp_path, units="original", verbose=False)  # fmt: skip
    cube, _ = g.generate_cubes()[0]
    np.testing.assert_array_equal(np.load(tmp_path / "cube_1.npy"), cube)
    back = load_cube(tmp_path / "cube_1.npy")
    assert back.unit == "Jy/beam"
    np.testing.assert_allclose(back.data * g.original_units_per_jy_beam, cube, rtol=1e-6)
    with pytest.raises(ValueError, match="units='original'"):
        GalCubeCraft(n_cubes=1, units="original", save_format="fits")


def test_resolution_visualise_gives_0_1_2s_fixed_set():
    """'visualise': R_e / (bmin / 2) = 0.3, 1.2, 2, 3, 5 for cubes 1-5, then again."""
    from GalCubeCraft import DatasetSpec, GalCubeCraft

    g = GalCubeCraft(resolution="visualise", n_cubes=7, n_gals=1, seed=1, save=False,
                     verbose=False)  # fmt: skip
    assert [d.resolution for d in g.draws] == [0.3, 1.2, 2.0, 3.0, 5.0, 0.3, 1.2]
    np.testing.assert_allclose([p[0] for p in g.all_Re[:5]], [0.6, 2.4, 4.0, 6.0, 10.0])
    assert DatasetSpec.from_toml_text(g.spec.to_toml()) == g.spec
    with pytest.raises(ValueError, match="resolution_cycle"):
        DatasetSpec(galaxies={"resolution_cycle": (9.0,)})
