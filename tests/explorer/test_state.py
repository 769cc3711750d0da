"""The explorer's controls: 1.2.1's window covered; the state is a spec remaking the cube."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from GalCubeCraft.cli import main
from GalCubeCraft.datasets import StoreDataset
from GalCubeCraft.explorer.app import LiveRender
from GalCubeCraft.explorer.export import toml_text
from GalCubeCraft.explorer.shown import from_indexed, overlays
from GalCubeCraft.explorer.state import CONTROLS, spec_from_controls
from GalCubeCraft.factory import make_indexed_cube
from GalCubeCraft.priors.spec import DatasetSpec

ORIGINAL_CONTROLS = {
    # 1.2.1's gui.py, label -> (low, high) of its slider (None: an entry box or a switch)
    "Number of galaxies": (1, 6),
    "Spatial Resolution [kpc/px]": (0.72, 9.0),
    "Field of View [kpc]": None,
    "Beam bmin [kpc]": None,
    "Beam bmaj [kpc]": None,
    "Beam bpa [deg]": None,
    "Sérsic index (n)": (0.5, 1.5),
    "Scale height (h_z) [kpc]": (0.4, 9.0),
    "Central effective flux density (S_e) [Jy]": None,
    "Spectral Resolution [km/s]": (5, 40),
    "Satellite size fraction of central": (0.1, 1.0),
    "Satellite offset from centre [kpc]": (5.0, 100.0),
    "Velocity dispersion [km/s]": (30.0, 60.0),
    "Inclination angle (θ_X) [deg]": (0, 90),  # 1.2.1: a tilt 0-359; beyond 90 it repeats
    "Azimuthal angle (φ_Y) [deg]": (0, 359),
    "Diffuse emission: Enabled": None,
    "halo S_e factor": (0.0, 0.3),
    "halo R_e factor": (1.0, 5.0),
    "halo h_z factor": (1.0, 5.0),
    "halo σ": (0.0, 150.0),
    "bridge S_e factor": (0.0, 0.3),
    "bridge width (start)": (0.5, 4.0),
    "bridge width (end)": (0.3, 3.0),
    "tail S_e factor": (0.0, 1.0),
    "tail length": (0.0, 3.0),
    "tail curvature": (0.0, 1.5),
}


def test_every_control_of_the_original_window_is_there_with_its_range():
    """Each of 1.2.1's controls has one control here, over at least the original's range."""
    by_original = {c.in_1_2: c for c in CONTROLS if c.in_1_2}
    assert set(by_original) == set(ORIGINAL_CONTROLS)
    for label, bounds in ORIGINAL_CONTROLS.items():
        if bounds is not None:
            control = by_original[label]
            assert control.low <= bounds[0] and control.high >= bounds[1], label


def test_every_numeric_control_names_its_unit_or_is_a_pure_number():
    """Labels carry a unit in brackets unless the quantity has none (counts, ratios, seed)."""
    unitless = {
        "seed",
        "n_gals",
        "redshift",
        "n_sersic",
        "satellite_fraction",
        "peak_snr",
        "clump_count",
        "clump_fraction",
        "arm_contrast",
        "arm_count",
        "lens_axis_ratio",
        "lens_shear",
        "halo_Se_factor",
        "halo_Re_factor",
        "halo_hz_factor",
        "bridge_Se_factor",
        "tail_Se_factor",
        "tail_curvature",
    }
    for c in CONTROLS:
        if c.kind in ("float", "int") and c.name not in unitless:
            assert "[" in c.label and c.label.endswith("]"), c.label


def test_the_pixel_scale_is_the_control_value_not_truncated():
    """3.8 kpc/px stays 3.8 (1.2.1 truncated it to 3 with int())."""
    spec = spec_from_controls(
        {"pixel_kpc": 3.8, "fov_kpc": 243.2, "bmin_kpc": 11.0, "bmaj_kpc": 13.0}
    )
    draw = make_indexed_cube(spec, 0).draw
    assert draw.pixel_kpc == pytest.approx(3.8, rel=1e-12)
    assert spec.observation.grid_size == 64
    assert spec.observation.beam.bmin_px == pytest.approx(11.0 / 3.8)


def test_the_controls_fix_the_primary_exactly():
    """The drawn primary has the controls' R_e, h_z, n, dispersion, angles, v_0 and S_e."""
    values = {
        "r_e_kpc": 4.2,
        "h_z_kpc": 0.7,
        "n_sersic": 1.3,
        "sigma_kms": 44.0,
        "inclination_deg": 63.0,
        "pa_deg": 211.0,
        "v_0_kms": 180.0,
        "s_e": 0.05,
    }
    drawn = make_indexed_cube(spec_from_controls(values), 0).draw.drawn[0]
    g = drawn.galaxy
    assert (g.r_e_kpc, g.h_z_kpc, g.n_sersic, g.sigma_kms) == (4.2, 0.7, 1.3, 44.0)
    assert (g.inclination_deg, g.pa_deg) == (63.0, 211.0)
    assert g.rotation_curve.v_0_kms == 180.0
    assert drawn.s_e_per_voxel == pytest.approx(0.05, rel=1e-12)


def test_satellites_follow_the_size_fraction_rule():
    """Satellites' R_e lie in [f/2, f] times the primary's (1.2.1's rule)."""
    spec = spec_from_controls({"n_gals": 6, "satellite_fraction": 0.4})
    galaxies = make_indexed_cube(spec, 0).draw.galaxies
    ratios = np.array([g.r_e_kpc for g in galaxies[1:]]) / galaxies[0].r_e_kpc
    assert len(galaxies) == 6 and np.all((ratios >= 0.2) & (ratios <= 0.4))


def test_noise_given_as_rms_after_the_beam_is_that_rms():
    """The rms control sets the added noise's standard deviation in Jy/beam."""
    made = make_indexed_cube(spec_from_controls({"noise": "rms", "rms_mjy_beam": 2.5}), 0)
    noise = made.products.noisy.data - made.products.clean.data
    assert made.products.noise_rms == 2.5e-3
    assert np.std(noise) == pytest.approx(2.5e-3, rel=0.05)


def test_the_exported_toml_remakes_the_cube_bit_for_bit_through_the_command_line(tmp_path):
    """`galcubecraft dataset` on the page's TOML writes the very cube the page shows."""
    values = {"seed": 7, "n_gals": 2, "noise": "peak S/N", "peak_snr": 12.0, "diffuse": True}
    spec = spec_from_controls(values)
    shown = make_indexed_cube(spec, 0).products.noisy.data
    path = tmp_path / "spec.toml"
    path.write_text(toml_text(spec))
    assert DatasetSpec.from_toml(path) == spec
    out = tmp_path / "store"
    assert (
        main(["-q", "dataset", str(path), "--format", "npy", "--workers", "0", "--out", str(out)])
        == 0
    )
    stored = StoreDataset(out, arrays=("noisy",))[0]["noisy"]
    assert stored.dtype == shown.dtype and np.array_equal(stored, shown)


def test_the_r_e_ellipse_and_axis_point_along_the_position_angle():
    """The overlay's major axis runs along the PA (north +y, east -x) through the centre."""
    shown = from_indexed(
        make_indexed_cube(spec_from_controls({"pa_deg": 90.0, "inclination_deg": 60.0}), 0)
    )
    shapes = overlays(shown)
    cx, cy = shown.centre_px
    xs, ys = np.array(shapes["ellipse"]["x"]), np.array(shapes["ellipse"]["y"])
    r_e_px = shown.galaxies[0].r_e_kpc / shown.pixel_kpc
    # PA 90: the major axis is the x axis (east is -x); the minor one is cos(60) = 0.5 of it.
    assert np.max(np.abs(xs - cx)) == pytest.approx(r_e_px, rel=1e-3)
    assert np.max(np.abs(ys - cy)) == pytest.approx(0.5 * r_e_px, rel=1e-3)
    assert shapes["axis"]["y"] == pytest.approx([cy, cy], abs=1e-9)


def test_moment_1_is_masked_where_the_noiseless_cube_is_below_the_noise():
    """Moment 1 is NaN off the galaxy (the package's clean mask), finite at its centre."""
    shown = from_indexed(make_indexed_cube(spec_from_controls({"peak_snr": 10.0}), 0))
    m1 = shown.moment_maps.m1
    cx, cy = (int(c) for c in shown.centre_px)
    assert np.isfinite(m1[cy, cx]) and np.isnan(m1[0, 0])


def test_a_newer_request_supersedes_a_running_render():
    """While a render runs, later requests collapse to the newest; only its result is applied."""
    release = threading.Event()
    started = threading.Event()
    applied: list[tuple[int, object]] = []
    done = threading.Event()

    def work(payload):
        if payload == "first":
            started.set()
            release.wait(10)
        return payload

    def apply(generation, result):
        applied.append((generation, result))
        done.set()

    live = LiveRender(work, apply, lambda g, e: None)
    live.request("first")
    assert started.wait(10)
    live.request("second")
    live.request("third")
    release.set()
    assert done.wait(10)
    assert applied == [(3, "third")]
    assert live.dropped == 1  # "first" was dropped; "second" never started


def test_the_npy_download_reads_back_with_its_sidecar(tmp_path):
    """The zip's .npy and .json read back (load_cube) as the shown cube, beam included."""
    import zipfile

    from GalCubeCraft.explorer.export import npy_zip_bytes, png_bytes
    from GalCubeCraft.io.sidecar import load_cube

    spec = spec_from_controls({"seed": 3})
    shown = from_indexed(make_indexed_cube(spec, 0))
    archive = tmp_path / "cube.zip"
    archive.write_bytes(npy_zip_bytes(shown, spec))
    zipfile.ZipFile(archive).extractall(tmp_path)
    cube = load_cube(tmp_path / "cube.npy")
    assert np.array_equal(cube.data, shown.cube.data)
    assert cube.observation.beam == shown.cube.observation.beam
    assert png_bytes(shown, shown.kinematic_pa_deg).startswith(b"\x89PNG")
