"""The seed's public API, as its README promises it."""

import numpy as np
import pytest

from GalCubeCraft import GalCubeCraft

SMALL = dict(grid_size=48, n_spectral_slices=20, verbose=False, save=False)


def test_seed_quick_start_runs_unchanged(tmp_cwd):
    """The README's first example gives a (40, 125, 125) cube and the documented keys."""
    g = GalCubeCraft(
        n_gals=None, n_cubes=1, resolution="all", grid_size=125, n_spectral_slices=40, seed=42
    )
    results = g.generate_cubes()
    cube, params_dict = results[0]
    assert cube.shape == (40, 125, 125)
    for key in ("galaxy_centers", "average_vels", "beam_info", "n_gals", "pix_spatial_scale"):
        assert key in params_dict
    assert len(params_dict["average_vels"]) == 40
    assert (tmp_cwd / "data" / "raw_data" / "40x125x125" / "cube_1.npy").exists()
    np.testing.assert_array_equal(np.load(tmp_cwd / "data/raw_data/40x125x125/cube_1.npy"), cube)


def test_cubes_are_float32_finite_non_negative_and_reproducible():
    """Same seed, bit-identical float32 cubes with no negatives, NaN or inf."""
    a = GalCubeCraft(n_cubes=2, seed=7, **SMALL).generate_cubes()
    b = GalCubeCraft(n_cubes=2, seed=7, **SMALL).generate_cubes()
    for (ca, _), (cb, _) in zip(a, b, strict=True):
        assert ca.dtype == np.float32
        assert np.all(np.isfinite(ca)) and ca.min() >= 0.0
        np.testing.assert_array_equal(ca, cb)
    assert not np.array_equal(a[0][0], a[1][0])


def test_cube_depends_only_on_seed_and_index():
    """Cube 0 is the same whether one or three cubes are asked for."""
    one = GalCubeCraft(n_cubes=1, seed=3, **SMALL).generate_cubes()[0][0]
    three = GalCubeCraft(n_cubes=3, seed=3, **SMALL).generate_cubes()[0][0]
    np.testing.assert_array_equal(one, three)


def test_len_attributes_and_priors():
    """len(g) is n_cubes; all_* attributes hold one entry per cube; priors in their ranges."""
    g = GalCubeCraft(n_cubes=300, seed=1, **SMALL)
    assert len(g) == 300
    assert set(g.n_gals) == {1, 2, 3}
    for attribute in (
        "all_Re",
        "all_Se",
        "all_hz",
        "all_n",
        "all_gal_x_angles",
        "all_gal_y_angles",
        "all_gal_vz_sigmas",
        "all_pix_spatial_scales",
        "all_gal_v_0",
    ):
        values = getattr(g, attribute)
        assert len(values) == 300
        assert all(len(v) == k for v, k in zip(values, g.n_gals, strict=True))
    primary_n = np.array([v[0] for v in g.all_n])
    assert primary_n.min() >= 0.5 and primary_n.max() <= 1.5
    primary_incl = np.array([v[0] for v in g.all_gal_x_angles])
    assert primary_incl.min() >= 0 and primary_incl.max() <= 85
    sigmas = np.concatenate(g.all_gal_vz_sigmas)
    assert sigmas.min() >= 30 and sigmas.max() <= 50
    r = np.array([d.resolution for d in g.draws])
    assert r.min() >= 0.25 and r.max() <= 4.0
    # R_e (px) = r * bmin / 2 for the primary.
    np.testing.assert_allclose([v[0] for v in g.all_Re], r * 4 / 2, rtol=1e-12)


def test_fixed_resolution_and_sersic_index():
    """A float resolution and n_sersic are used as given."""
    g = GalCubeCraft(n_cubes=3, resolution=2.0, n_sersic=1.0, seed=0, **SMALL)
    assert all(v[0] == pytest.approx(4.0) for v in g.all_Re)
    assert all(np.all(v == 1.0) for v in g.all_n)


def test_save_to_fname_folder(tmp_path):
    """save=True with fname writes cube_1.npy ... (each with its .json) into that folder."""
    folder = tmp_path / "cubes"
    g = GalCubeCraft(
        n_cubes=2, seed=5, grid_size=48, n_spectral_slices=20, verbose=False, fname=str(folder)
    )
    results = g.generate_cubes()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["cube_1.json", "cube_1.npy", "cube_2.json", "cube_2.npy"]
    np.testing.assert_array_equal(np.load(folder / "cube_2.npy"), results[1][0])


def test_progress_bar_only_on_a_terminal_or_when_asked(capsys):
    """verbose=False is silent; off a terminal verbose=True draws no bar; progress=True does."""
    GalCubeCraft(n_cubes=1, seed=1, **SMALL).generate_cubes()
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    small = {"n_cubes": 1, "seed": 1, "grid_size": 48, "n_spectral_slices": 20, "save": False}
    GalCubeCraft(**small, verbose=True).generate_cubes()
    assert capsys.readouterr().err == ""  # pytest's stderr is no terminal
    GalCubeCraft(**small, verbose=True, progress=True).generate_cubes()
    assert "1/1" in capsys.readouterr().err
    GalCubeCraft(**small, verbose=False, progress=True).generate_cubes()
    assert "1/1" in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress must be True or False"):
        GalCubeCraft(**small, progress="yes")


def test_verbose_draws_the_bar_on_a_terminal(tmp_path):
    """With stderr on a terminal (a pseudo-terminal here) verbose=True draws the bar."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    script = ("from GalCubeCraft import GalCubeCraft\n"
              "GalCubeCraft(n_cubes=1, seed=1, grid_size=32, n_spectral_slices=8, save=False,"
              " verbose=True).generate_cubes()\n")  # fmt: skip
    leader, follower = pty.openpty()
    # A fresh pseudo-terminal is 0 columns wide: give it a terminal's 80 x 24.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen([sys.executable, "-c", script], stderr=follower,
                               stdout=subprocess.DEVNULL, cwd=tmp_path)  # fmt: skip
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    assert b"1/1" in seen


def test_primary_flux_matches_params():
    """The params' line flux of a lone galaxy is what the Jy/pixel model cube holds."""
    from GalCubeCraft import render

    g = GalCubeCraft(n_gals=1, n_cubes=1, seed=11, resolution=1.0, **SMALL)
    obs = g.observation(0)
    model = render(g.draws[0].galaxies, obs)
    assert model.line_flux_jykms() == pytest.approx(g.params(0)["line_flux"][0], rel=2e-3)


def test_facade_cubes_come_from_the_one_factory():
    """The facade's cube i is the factory's noisy cube i of the facade's spec, bit for bit."""
    from GalCubeCraft.factory import make_indexed_cube

    g = GalCubeCraft(n_cubes=2, seed=21, peak_snr=10.0, **SMALL)
    results = g.generate_cubes()
    for index, (cube, params) in enumerate(results):
        made = make_indexed_cube(g.spec, index).products
        np.testing.assert_array_equal(cube, made.noisy.data)
        np.testing.assert_array_equal(g.clean_cubes[index], made.clean.data)
        assert params["noise_rms"] == pytest.approx(made.clean.data.max() / 10.0, rel=1e-12)
    assert g.spec.observation.beam.bmaj_px == 4.0 and g.spec.noise.peak_snr == (10.0, 10.0)


def test_returned_cubes_are_writable_copies():
    """Users may change returned cubes in place (the seed hands out plain arrays)."""
    cube, _ = GalCubeCraft(n_cubes=1, seed=2, **SMALL).generate_cubes()[0]
    cube *= 2.0
    assert cube.flags.writeable


def test_seed_regression_pinned():
    """A given seed gives these cubes (re-pinned for the tilts and pixel-centred galaxies).

    The draws themselves are unchanged, so R_e is as before.  Release 0.1.0 drew fixed
    priors without consuming random numbers; since 0.2.0 every
    prior takes its draw, so a seed's cubes changed (see CHANGELOG.md).
    """
    g = GalCubeCraft(n_cubes=2, seed=2026, grid_size=48, n_spectral_slices=20, verbose=False,
                     save=False)  # fmt: skip
    results = g.generate_cubes()
    assert g.n_gals == [PINNED["n_gals"][0], PINNED["n_gals"][1]]
    for (cube, params), total, peak, re in zip(
        results, PINNED["sum"], PINNED["max"], PINNED["re"], strict=True
    ):
        assert float(cube.sum(dtype=np.float64)) == pytest.approx(total, rel=1e-5)
        assert float(cube.max()) == pytest.approx(peak, rel=1e-5)
        np.testing.assert_allclose(params["Re"], re, rtol=1e-12)


PINNED = {
    "n_gals": [2, 3],
    "sum": [0.13755191469216216, 0.2724859129515231],
    "max": [0.0009277402423322201, 0.001981382491067052],
    "re": [[0.5291550515475582, 0.22587300794445986],
           [0.7748542372119704, 0.3071806832388323, 0.29341993772474184]],
}  # fmt: skip
