"""Every .npy cube describes itself: its JSON sidecar gives the observation back exactly."""

import json

import numpy as np
import pytest

from GalCubeCraft import GalCubeCraft
from GalCubeCraft.io.sidecar import load_cube, sidecar_path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cubes")
    g = GalCubeCraft(n_cubes=1, seed=9, grid_size=40, n_spectral_slices=16, peak_snr=8,
                     beam_info=(3.0, 5.0, 30.0), fname=folder, verbose=False)  # fmt: skip
    results = g.generate_cubes()
    return g, results, folder / "cube_1.npy"


def test_sidecar_states_axes_beam_units_noise_and_parameters(saved):
    """The JSON holds the channel velocities, pixel scales, beam, unit, rms and parameters."""
    g, results, path = saved
    cube, params = results[0]
    content = json.loads(sidecar_path(path).read_text())
    obs = g.observation(0)
    np.testing.assert_allclose(content["velocities_kms"], params["average_vels"], rtol=0, atol=0)
    assert content["shape"] == [16, 40, 40] and content["axes"] == ["velocity", "y", "x"]
    assert content["pixel_kpc"] == params["pix_spatial_scale"]
    assert content["pixel_arcsec"] == pytest.approx(obs.pixel_arcsec, rel=1e-15)
    # The seed's beam_info (bmin, bmaj, bpa) = (3, 5, 30) is bmaj 5 px, bmin 3 px.
    assert content["beam"]["bmaj_px"] == 5.0 and content["beam"]["bmin_px"] == 3.0
    assert content["beam"]["bmaj_arcsec"] == pytest.approx(5.0 * obs.pixel_arcsec, rel=1e-15)
    assert content["unit"] == "Jy/beam" and content["kind"] == "noisy"
    assert content["noise_rms"] == params["noise_rms"] > 0
    assert content["rest_frequency_hz"] == 230.538e9 and content["redshift"] == 1.0
    assert content["params"]["Re"] == params["Re"].tolist()
    assert content["run"]["seed"] == 9 and content["run"]["run_id"] == g.run_id
    # One convention: index 0 (as in results[0]) is file number 1 (cube_1.npy), said twice.
    assert (content["run"]["index"], content["run"]["file_number"]) == (0, 1)
    assert (content["params"]["index"], content["params"]["file_number"]) == (0, 1)
    assert content["header"]["BUNIT"] == "Jy/beam"


def test_load_cube_rebuilds_the_observation(saved):
    """load_cube gives the array, velocities, pixel size, beam, kind and rms back."""
    g, results, path = saved
    cube = load_cube(path)
    obs = g.observation(0)
    np.testing.assert_array_equal(cube.data, results[0][0])
    np.testing.assert_allclose(cube.velocities_kms, obs.velocities_kms, atol=1e-9)
    assert cube.observation.pixel_kpc == pytest.approx(obs.pixel_kpc, rel=1e-12)
    beam = cube.observation.beam
    assert (beam.bmaj_px, beam.bmin_px, beam.bpa_deg) == pytest.approx((5.0, 3.0, 30.0))
    assert cube.kind == "noisy" and cube.noise_rms == results[0][1]["noise_rms"]


def test_plot_of_an_npy_cube_uses_its_sidecar(saved, tmp_path):
    """`galcubecraft plot cube_1.npy` draws arcsec axes and the file's beam."""
    from GalCubeCraft.cli import main
    from GalCubeCraft.plotting import moment_figure

    g, _, path = saved
    out = tmp_path / "m.png"
    assert main(["-q", "plot", str(path), "--out", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    fig = moment_figure(load_cube(path))
    ellipse = fig.axes[0].patches[0]
    scale = g.observation(0).pixel_arcsec
    assert (ellipse.width, ellipse.height) == pytest.approx((5.0 * scale, 3.0 * scale))
    assert fig.axes[0].get_xlabel().endswith("[arcsec] (west →)")


def test_sidecar_shape_must_match(saved, tmp_path):
    """A sidecar that describes another array is refused."""
    _, _, path = saved
    other = tmp_path / "cube_1.npy"
    np.save(other, np.zeros((2, 3, 4), np.float32))
    sidecar_path(other).write_text(sidecar_path(path).read_text())
    with pytest.raises(ValueError, match="sidecar says"):
        load_cube(other)
