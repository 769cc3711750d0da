"""The galcubecraft command line."""

import numpy as np
import pytest
from astropy.io import fits

from GalCubeCraft import Cube
from GalCubeCraft.cli import build_parser, main


def test_demo_writes_a_cube_a_noisy_fits_cube_and_a_png(tmp_path, capsys):
    """`galcubecraft demo` writes cube_1.npy, framed, the same cube with noise as FITS, a PNG.

    The FITS cube is what spectral-cube reads as an observation: Jy/beam, the beam, the
    observed frequencies of CO(2-1) at z = 1; its noise is the npy cube's difference from it.
    """
    from astropy import units as u
    from spectral_cube import SpectralCube

    assert main(["demo", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().err
    assert "demo: rendering one disk galaxy" in said and "adding beam-correlated noise" in said
    cube = np.load(tmp_path / "cube_1.npy")
    assert cube.shape == (40, 64, 64) and cube.max() > 0
    # The galaxy (moment 0 above 1% of its peak) spans a sensible part of the frame.
    m0 = cube.sum(axis=0)
    rows, cols = np.nonzero(m0 > 0.01 * m0.max())
    span = max(np.ptp(rows), np.ptp(cols)) + 1
    assert 0.3 * 64 <= span <= 0.9 * 64
    noisy = SpectralCube.read(tmp_path / "demo_noisy.fits")
    assert noisy.unit == u.Jy / u.beam and noisy.beam.major > 0 * u.arcsec
    frequencies = noisy.with_spectral_unit(u.GHz).spectral_axis.value
    assert 115.0 < frequencies.min() < frequencies.max() < 115.6  # 230.538 GHz / 2
    header = fits.getheader(tmp_path / "demo_noisy.fits")
    noise = noisy.unmasked_data[:].value - cube
    assert header["NOISERMS"] == pytest.approx(cube.max() / 10, rel=1e-6)
    assert np.std(noise) == pytest.approx(header["NOISERMS"], rel=0.05)
    assert (tmp_path / "demo_moments.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cube_1.json", "cube_1.npy", "demo_moments.png", "demo_noisy.fits",
    ]  # fmt: skip


def test_generate_from_toml_config_to_fits(tmp_path):
    """`generate --config` reads a TOML file; FITS files carry the cubes."""
    config = tmp_path / "run.toml"
    out = tmp_path / "cubes"
    config.write_text(
        f'n_cubes = 2\ngrid_size = 48\nchannels = 20\nseed = 3\nformat = "fits"\nout = "{out}"\n'
    )
    assert main(["-q", "generate", "--config", str(config)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["cube_1.fits", "cube_2.fits"]
    with fits.open(out / "cube_1.fits") as hdul:
        hdul.verify("exception")
        assert hdul[0].data.shape == (20, 48, 48)
        # 60 km/s channels, labelled by observed frequency: CO(2-1) at the facade's z = 1.
        assert hdul[0].header["CTYPE3"] == "FREQ"
        assert hdul[0].header["CDELT3"] == pytest.approx(-230.538e9 / 2 * 60 / 299792.458)
        assert hdul[0].header["BMAJ"] == pytest.approx(4 * hdul[0].header["CDELT2"])
    assert Cube.from_fits(out / "cube_1.fits").observation.spectral.channel_width_kms == (
        pytest.approx(60.0, rel=1e-9)
    )


def test_generate_has_one_meaning_and_dataset_its_own_verb(tmp_path):
    """`generate --format zarr` is refused; `dataset` writes a store whose items match."""
    from GalCubeCraft.datasets import DatasetSpec, StoreDataset, render_item

    with pytest.raises(SystemExit):
        main(["-q", "generate", "--format", "zarr"])
    spec = DatasetSpec(n_cubes=3, seed=4, observation={"grid_size": 32, "n_chan": 12})
    spec_file = spec.write_toml(tmp_path / "spec.toml")
    out = tmp_path / "d.zarr"
    argv = ["-q", "dataset", str(spec_file), "--n-cubes", "2", "--workers", "0", "--out", str(out)]
    assert main(argv) == 0
    stored = StoreDataset(out)
    assert stored.spec == spec.replace(n_cubes=2)
    np.testing.assert_array_equal(stored[1]["noisy"], render_item(stored.spec, 1).arrays["noisy"])


def test_quiet_flag_works_after_the_verb_and_version_prints(tmp_path, capsys):
    """`generate -q` is as quiet as `-q generate`; --version names the package version."""
    from GalCubeCraft import __version__

    argv = ["generate", "-q", "--n-cubes", "1", "--grid-size", "48", "--channels", "8",
            "--seed", "1", "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_generate_npy_and_plot(tmp_path):
    """`generate` writes .npy cubes and `plot` draws each figure kind from one."""
    assert (
        main(
            [
                "-q",
                "generate",
                "--n-cubes",
                "1",
                "--grid-size",
                "48",
                "--channels",
                "20",
                "--seed",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    cube = tmp_path / "cube_1.npy"
    for kind in ("moments", "spectrum", "channels", "pv", "overview"):
        out = tmp_path / f"{kind}.png"
        assert main(["-q", "plot", str(cube), "--kind", kind, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "--n-cubes", "zero"],
        ["generate", "--grid-size", "8"],
        ["generate", "--beam-info", "5", "4", "0"],
        ["plot", "missing.npy"],
        ["generate", "--resolution", "blurry"],
        ["frobnicate"],
    ],
)
def test_bad_options_give_one_line_and_exit_2(argv, capsys, tmp_path, monkeypatch):
    """Bad options end with a one-line error on stderr and exit code 2."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err
    assert list(tmp_path.iterdir()) == []


def test_unknown_config_key_is_refused(tmp_path, capsys):
    """A TOML key that is not an option is named in the error, exit 2."""
    config = tmp_path / "bad.toml"
    config.write_text("n_cubez = 3\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--config", str(config)])
    assert exit_info.value.code == 2
    assert "n_cubez" in capsys.readouterr().err


def test_help_explains_every_option():
    """Each subcommand's --help lists every one of its options with a help text."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        text = subparser.format_help()
        for action in subparser._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{name} {action.option_strings} has no help"
                assert action.option_strings[-1] in text


def test_dataset_run_prints_one_line_per_stage_and_no_chatter(tmp_path):
    """Off a terminal a dataset run prints one line per stage and no Dask log lines.

    With -q and --log-file the same lines go, time-stamped, to the file alone.
    """
    import subprocess
    import sys

    from GalCubeCraft.datasets import DatasetSpec

    spec_file = DatasetSpec(
        n_cubes=4,
        seed=1,
        observation={"grid_size": 24, "n_chan": 8},
        galaxies={"resolution": (0.5, 2.0)},
    ).write_toml(tmp_path / "s.toml")
    command = [sys.executable, "-m", "GalCubeCraft", "dataset", str(spec_file), "--workers", "1",
               "--out", str(tmp_path / "d.zarr")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert "4 items, 0 done, 4 to do" in lines[0]
    assert lines[1].startswith("dask: 1 local workers started in")
    assert "wrote 4 items in" in lines[2] and "cubes/s" in lines[2]
    log_file = tmp_path / "run.log"
    quiet = command[:3] + ["-q", "--log-file", str(log_file)] + command[3:]
    quiet[quiet.index("--out") + 1] = str(tmp_path / "e.zarr")
    result = subprocess.run(quiet, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == ""
    logged = log_file.read_text().splitlines()
    assert len(logged) == 3 and all(line[:2] == "20" and " INFO " in line for line in logged)


@pytest.mark.parametrize("workers", ["0", "1"])
def test_ctrl_c_stops_with_one_line_and_resumes(tmp_path, workers):
    """Ctrl-C (SIGINT to the process group) exits 130 with one line, and the run resumes.

    The line names the items done and the command that resumes; resuming gives the items
    of an uninterrupted run.
    """
    import os
    import signal
    import subprocess
    import sys
    import time

    from GalCubeCraft.datasets import DatasetSpec, StoreDataset, render_item
    from GalCubeCraft.datasets.batch import generate_dataset

    spec = DatasetSpec(
        n_cubes=40,
        seed=3,
        observation={"grid_size": 24, "n_chan": 8},
        galaxies={"resolution": (0.5, 2.0)},
    )
    spec_file = spec.write_toml(tmp_path / "s.toml")
    out = tmp_path / "d.zarr"
    command = [sys.executable, "-m", "GalCubeCraft", "-q", "dataset", str(spec_file),
               "--workers", workers, "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and len(StoreDataset(out).done_indices()) >= 3:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    done = len(StoreDataset(out).done_indices())
    assert 0 < done < spec.n_cubes
    assert f"{done} of 40 items are in {out}" in lines[0]
    assert lines[0].endswith(f"resume with: galcubecraft -q dataset {spec_file} --workers "
                             f"{workers} --out {out}")  # fmt: skip
    report = generate_dataset(spec, out, workers=0, progress=False)
    assert report.skipped == done
    stored = StoreDataset(out)
    for index in range(spec.n_cubes):
        np.testing.assert_array_equal(
            stored[index]["noisy"], render_item(spec, index).arrays["noisy"]
        )


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--channels", "-5"], "--channels must lie in [1, inf]; got -5"),
        (["--n-cubes", "0"], "--n-cubes must lie in [1, inf]; got 0"),
        (["--beam-info", "5", "4", "0"], "--beam-info bmin must not exceed bmaj"),
        (["--grid-size", "20"], "--grid-size must be >= 28"),
    ],
)
def test_generate_errors_name_the_option_as_typed(tmp_path, capsys, argv, named):
    """An out-of-range value is reported under the option the user typed, before any cube."""
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--out", str(tmp_path / "out"), *argv])
    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_command_line_wins_over_the_toml_config(tmp_path):
    """A value given on the command line overrides the same key in --config."""
    config = tmp_path / "run.toml"
    config.write_text(
        f'n_cubes = 3\ngrid_size = 48\nchannels = 20\nseed = 3\nout = "{tmp_path / "a"}"\n'
    )
    argv = ["-q", "generate", "--config", str(config), "--n-cubes", "1", "--channels", "8",
            "--out", str(tmp_path / "b")]  # fmt: skip
    assert main(argv) == 0
    assert not (tmp_path / "a").exists()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["cube_1.json", "cube_1.npy"]
    assert np.load(tmp_path / "b" / "cube_1.npy").shape == (8, 48, 48)


def test_generate_refuses_a_folder_that_holds_cubes_unless_overwrite(tmp_path, capsys):
    """A second run into the same folder is refused, untouched; --overwrite replaces."""
    argv = ["-q", "generate", "--n-cubes", "1", "--grid-size", "48", "--channels", "8",
            "--out", str(tmp_path)]  # fmt: skip
    assert main([*argv, "--seed", "1"]) == 0
    before = (tmp_path / "cube_1.npy").stat().st_mtime_ns
    first = np.load(tmp_path / "cube_1.npy")
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--seed", "2"])
    assert exit_info.value.code == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "cube_1.npy").stat().st_mtime_ns == before
    assert main([*argv, "--seed", "2", "--overwrite"]) == 0
    assert not np.array_equal(np.load(tmp_path / "cube_1.npy"), first)


def test_overwrite_clears_the_old_run_and_resume_adds_only_what_is_missing(tmp_path, capsys):
    """--overwrite leaves no old cube; --resume adds only the missing ones, as one run would.

    The seed is read from the folder; another run's folder, or format, is refused.
    """
    argv = ["-q", "generate", "--grid-size", "32", "--channels", "8", "--out", str(tmp_path)]
    assert main([*argv, "--n-cubes", "3", "--seed", "4"]) == 0
    assert main([*argv, "--n-cubes", "1", "--seed", "5", "--overwrite"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cube_1.json", "cube_1.npy"]
    first = (tmp_path / "cube_1.npy").stat().st_mtime_ns
    assert main([*argv, "--n-cubes", "3", "--resume"]) == 0  # the seed, 5, comes from the folder
    assert (tmp_path / "cube_1.npy").stat().st_mtime_ns == first  # not made again
    whole = tmp_path / "whole"
    assert main(["-q", "generate", "--grid-size", "32", "--channels", "8", "--out", str(whole),
                 "--n-cubes", "3", "--seed", "5"]) == 0  # fmt: skip
    for k in (1, 2, 3):
        np.testing.assert_array_equal(np.load(tmp_path / f"cube_{k}.npy"),
                                      np.load(whole / f"cube_{k}.npy"))  # fmt: skip
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([*argv, "--n-cubes", "4", "--resume", "--seed", "6"])
    assert "was made by another run (seed 5" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "--n-cubes", "4", "--resume", "--format", "fits"])
    assert "is not a fits cube" in capsys.readouterr().err
    assert not (tmp_path / "cube_4.npy").exists() and not (tmp_path / "cube_4.fits").exists()


def test_ctrl_c_during_generate_prints_the_resume_command(tmp_path):
    """SIGINT stops `generate` with one line naming the command that resumes; it works.

    The command carries --resume and --seed; running it completes the folder.
    """
    import os
    import shlex
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "cubes"
    command = [sys.executable, "-m", "GalCubeCraft", "-q", "generate", "--n-cubes", "200",
               "--grid-size", "32", "--channels", "8", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.npy"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    done = len(list(out.glob("cube_*.npy")))
    assert f"interrupted; {done} of 200 cubes are in {out}" in lines[0]
    resume = shlex.split(lines[0].split("resume with: galcubecraft ")[1])
    assert "--resume" in resume and "--seed" in resume
    assert main([*resume[:resume.index("--n-cubes") + 1], "8",
                 *resume[resume.index("--n-cubes") + 2:]]) == 0  # fmt: skip
    assert len(list(out.glob("cube_*.npy"))) == max(done, 8)


def test_observe_writes_the_interferometric_products(tmp_path, capsys):
    """`observe MODEL.fits` writes the dirty cube and its products; bad arrays exit 2."""
    from GalCubeCraft import Galaxy, Observation, render

    obs = Observation.from_angular(n_pix=48, pixel_arcsec=0.1, beam_arcsec=None, n_chan=4,
                                   channel_width_kms=50, line="[CII]158",
                                   redshift=7.26)  # fmt: skip
    model = render(Galaxy.with_line_flux(1.0, r_e_kpc=2.0, inclination_deg=40), obs)
    path = model.write_fits(tmp_path / "model.fits")
    assert main(["-q", "observe", str(path), "--array", "alma_c3", "--seed", "1"]) == 0
    with fits.open(tmp_path / "model_alma_c3.fits") as hdul:
        assert hdul[0].header["CUBEKIND"] == "dirty" and hdul[0].header["ARRAY"] == "alma_c3"
        assert hdul["RESTORED"].data.shape == (4, 48, 48)
    with pytest.raises(SystemExit) as stop:
        main(["-q", "observe", str(path), "--array", "alma_c42"])
    err = capsys.readouterr().err  # the choices come from the array registry
    assert stop.value.code == 2 and "--array: invalid choice: 'alma_c42'" in err
    assert all(f"'{name}'" in err for name in ("aca", "alma_c10", "meerkat", "vla_d"))


def test_threads_limit_the_blas_pool_while_cubes_are_made(monkeypatch, tmp_path):
    """The facade (default 1) and `--threads` set the BLAS threads seen while a cube is made."""
    from threadpoolctl import threadpool_info

    import GalCubeCraft.compat.facade as facade
    import GalCubeCraft.compat.make as make

    seen = []
    original = make.make_indexed_cube

    def spying(*args, **kwargs):
        seen.append(max(pool["num_threads"] for pool in threadpool_info()
                        if pool["user_api"] == "blas"))  # fmt: skip
        return original(*args, **kwargs)

    monkeypatch.setattr(make, "make_indexed_cube", spying)
    small = dict(n_gals=1, n_cubes=1, grid_size=32, n_spectral_slices=4, seed=3, verbose=False,
                 save=False)  # fmt: skip
    facade.GalCubeCraft(**small).generate_cubes()
    facade.GalCubeCraft(**small, threads=3).generate_cubes()
    assert seen == [1, 3]
    with pytest.raises(ValueError, match="threads"):
        facade.GalCubeCraft(**small, threads=0)
    assert main(["--threads", "2", "generate", "--n-cubes", "1", "--grid-size", "32",
                 "--channels", "4", "--out", str(tmp_path / "c"), "-q"]) == 0  # fmt: skip
    assert seen[-1] == 2


def test_generate_accuracy_fast_renders_with_the_fast_preset(tmp_path):
    """`generate --accuracy fast` writes the cube the facade makes with RenderSettings.fast()."""
    from GalCubeCraft import GalCubeCraft, RenderSettings

    out = tmp_path / "fast"
    assert main(["generate", "--n-cubes", "1", "--n-gals", "1", "--grid-size", "32",
                 "--channels", "8", "--seed", "5", "--accuracy", "fast", "--out", str(out),
                 "-q"]) == 0  # fmt: skip
    facade = GalCubeCraft(n_gals=1, grid_size=32, n_spectral_slices=8, seed=5, save=False,
                          verbose=False, settings=RenderSettings.fast())  # fmt: skip
    np.testing.assert_array_equal(np.load(out / "cube_1.npy"), facade.generate_cubes()[0][0])
    with pytest.raises(SystemExit):
        main(["generate", "--accuracy", "quick", "--out", str(tmp_path / "x")])


def test_every_spec_key_is_a_dataset_option_with_unit_range_and_default():
    """`dataset` has one option per declared spec key; its help says unit, range and default."""
    from GalCubeCraft.cli.spec_flags import option_name, spec_keys

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    options = {s: a for a in sub.choices["dataset"]._actions for s in a.option_strings}
    for key, declared, _default in spec_keys():
        if key == "features.diffuse":  # a table: written in the spec file
            assert option_name(key) not in options
            continue
        action = options[option_name(key)]
        assert declared.help in action.help and "default" in action.help, key
        assert declared.unit in action.help and (declared.allowed in action.help
                                                 or declared.choices is not None), key  # fmt: skip


def test_dataset_options_override_the_spec_file(tmp_path):
    """Options set keys of any table over the spec file's; 'none' and one-value ranges work."""
    from GalCubeCraft.datasets import DatasetSpec, StoreDataset

    spec = DatasetSpec(n_cubes=3, seed=4, observation={"grid_size": 16, "n_chan": 6},
                       galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0})  # fmt: skip
    spec_file = spec.write_toml(tmp_path / "spec.toml")
    out = tmp_path / "d.zarr"
    argv = ["-q", "dataset", str(spec_file), "--n-cubes", "1", "--observation.n-chan", "4",
            "--galaxies.n-sersic", "1.0", "--noise.peak-snr", "none",
            "--observation.beam", "4", "3", "30", "--features.asymmetric-drift",
            "--workers", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    expected = spec.replace(
        n_cubes=1,
        observation={"n_chan": 4, "beam": (4.0, 3.0, 30.0)},
        galaxies={"n_sersic": 1.0},
        noise={"peak_snr": None},
        features={"asymmetric_drift": True},
    )
    assert StoreDataset(out).spec == expected


def test_dataset_preset_under_a_spec_file_under_options(tmp_path):
    """--preset is the base; a spec file changes only its keys; options change the result."""
    from GalCubeCraft.datasets import DatasetSpec, StoreDataset

    spec_file = tmp_path / "small.toml"
    spec_file.write_text("n_cubes = 2\n[observation]\ngrid_size = 32\nn_chan = 6\n")
    out = tmp_path / "d.zarr"
    argv = ["-q", "dataset", str(spec_file), "--preset", "lahiry2026-denoising",
            "--observation.n-chan", "4", "--workers", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    expected = DatasetSpec.from_preset(
        "lahiry2026-denoising", n_cubes=2, observation={"grid_size": 32, "n_chan": 4}
    )
    stored = StoreDataset(out)
    assert stored.spec == expected and len(stored) == 2
    assert stored.spec.noise.peak_snr == (2.5, 8.0)  # the preset's, kept under the file


def test_dataset_refuses_an_unknown_preset_listing_them(capsys, tmp_path):
    """An unknown --preset is one line listing the presets; nothing is made."""
    out = tmp_path / "d.zarr"
    with pytest.raises(SystemExit) as exit_info:
        main(["dataset", "--preset", "lahiry2025", "--out", str(out)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(
        "--preset: must be one of alma-point-sources, galcubecraft-1.2, lahiry2026-denoising; "
        "got 'lahiry2025'"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "argv", "said"),
    [
        ("", ["--observation.n-chan", "0"], "error: --observation.n-chan must lie in [1, inf]"),
        ("", ["--galaxies.n-gals", "-1", "2"], "error: --galaxies.n-gals[0] must lie in [0, 10]"),
        ("", ["--galaxies.n-gals", "0", "2"], "error: --galaxies.n-gals may start at 0 (fields "
                                              "of noise only) only with noise.peak_snr = none"),
        ("", ["--observation.grid-size", "9"], "error: --observation.grid-size must be >= "),
        ("[observation]\nn_chan = 0\n", [], "spec.toml: observation.n_chan must lie in [1, inf]"),
        ("[observation]\ngrid_size = 9\n", [], "spec.toml: observation.grid_size must be >= "),
        ("track_hours = 1.0\n", [], "spec.toml: track_hours moved: write it as duration_h under "
                                    "[interferometer]"),
    ],
)  # fmt: skip
def test_dataset_errors_name_the_option_or_the_config_key(tmp_path, capsys, text, argv, said):
    """An error is said of the option the user typed, or of the spec file's key; nothing made."""
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text("n_cubes = 1\n[galaxies]\nresolution = [0.5, 1.0]\noffset_gals = 2.0\n"
                         "[observation]\ngrid_size = 16\n" if not text else text)  # fmt: skip
    out = tmp_path / "d.zarr"
    with pytest.raises(SystemExit) as exit_info:
        main(["dataset", str(spec_file), *argv, "--workers", "0", "--out", str(out)])
    assert exit_info.value.code == 2
    assert said in capsys.readouterr().err
    assert not out.exists()


def _refused(argv, capsys):
    """Return stderr of a command that must exit 2 with one line."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_generate_checks_the_memory_budget_before_announcing(tmp_path, capsys, caplog):
    """--grid-size 100000 is refused before 'cube(s) to make' is said or a folder made."""
    out = tmp_path / "big"
    err = _refused(["generate", "--grid-size", "100000", "--out", str(out)], capsys)
    assert "--grid-size" in err and "limit" in err
    assert "to make" not in caplog.text and not out.exists()


def test_config_errors_name_the_file_and_its_keys(tmp_path, capsys):
    """Bad TOML or bytes name the file; a bad value is said of the file's key, not an option."""
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"grid_size = \xff\n")
    assert f"--config {bad}" in _refused(["generate", "--config", str(bad)], capsys)
    bad.write_text("grid_size = [\n")
    assert f"--config {bad}" in _refused(["generate", "--config", str(bad)], capsys)
    bad.write_text("grid_size = 8\n")
    err = _refused(["generate", "--config", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert f"{bad}: grid_size" in err and "--grid-size" not in err
    bad.write_text("beam_info = 0\n")  # one number: a round beam, refused by name
    err = _refused(["generate", "--config", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert f"{bad}: beam_info" in err and "not iterable" not in err


def test_plot_refuses_nan_angles_and_complex_cubes(tmp_path, capsys):
    """`plot --pa nan` and a complex .npy are refused with the option or file named."""
    cube = tmp_path / "c.npy"
    np.save(cube, np.ones((4, 8, 8), dtype=np.complex64))
    assert "must hold real numbers" in _refused(["plot", str(cube)], capsys)
    np.save(cube, np.ones((4, 8, 8), dtype=np.float32))
    err = _refused(["plot", str(cube), "--kind", "pv", "--pa", "nan"], capsys)
    assert "--pa" in err and "finite" in err
    assert "--v-max" in _refused(["plot", str(cube), "--v-min", "700"], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npy"]


def test_a_missing_extra_is_one_line_and_exit_2(tmp_path):
    """`observe` without finufft: exit 2, one line naming the extra to install, no traceback."""
    import subprocess
    import sys

    from GalCubeCraft import Galaxy, Observation, render

    obs = Observation.from_angular(n_pix=16, pixel_arcsec=0.1, beam_arcsec=None, n_chan=4,
                                   channel_width_kms=50.0)  # fmt: skip
    model = render(Galaxy(r_e_kpc=0.3), obs).write_fits(tmp_path / "m.fits")
    # None in sys.modules makes `import finufft` fail as if it were not installed.
    script = ("import sys; sys.modules['finufft'] = None\n"
              "from GalCubeCraft.cli import main\n"
              f"sys.exit(main(['observe', {str(model)!r}]))\n")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "galcubecraft observe: error: finufft is needed for interferometric imaging: "
        "pip install 'GalCubeCraft[interferometry]'"
    ]
    assert not (tmp_path / "m_alma_c5.fits").exists()


@pytest.mark.parametrize("to", ["process", "group"])
def test_sigterm_stops_a_dataset_run_cleanly_and_it_resumes(tmp_path, to):
    """SIGTERM (to the command, or to its whole process group) mid-run: exit 143, one line.

    No traceback and no "leaked semaphore" warning (there were 13-14 before the workers
    were shut down on SIGTERM); a rerun of the same command finishes the store, whose items
    equal an uninterrupted run's.
    """
    import os
    import signal
    import subprocess
    import sys
    import time

    from GalCubeCraft.datasets import DatasetSpec, StoreDataset, render_item

    spec = DatasetSpec(n_cubes=40, seed=3, observation={"grid_size": 24, "n_chan": 8},
                       galaxies={"resolution": (0.5, 2.0)})  # fmt: skip
    spec_file = spec.write_toml(tmp_path / "s.toml")
    out = tmp_path / "d.zarr"
    command = [sys.executable, "-m", "GalCubeCraft", "-q", "dataset", str(spec_file),
               "--workers", "2", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and len(StoreDataset(out).done_indices()) >= 3:
            break
        time.sleep(0.02)
    if to == "group":
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.send_signal(signal.SIGTERM)
    stderr = process.communicate(timeout=90)[1]
    assert process.returncode == 143, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    done = len(StoreDataset(out).done_indices())
    assert 0 < done < spec.n_cubes
    assert lines[0].startswith(f"galcubecraft dataset: terminated; {done} of 40 items are in")
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0 and rerun.stderr == "", rerun.stderr
    stored = StoreDataset(out)
    assert len(stored.done_indices()) == spec.n_cubes
    for index in (0, done, spec.n_cubes - 1):
        np.testing.assert_array_equal(
            stored[index]["noisy"], render_item(spec, index).arrays["noisy"]
        )


def test_progress_bars_only_on_a_terminal_unless_asked(tmp_path):
    """Off a terminal `generate` draws no bar; --progress draws it anyway; -q never."""
    import subprocess
    import sys

    base = [sys.executable, "-m", "GalCubeCraft", "generate", "--n-cubes", "1", "--grid-size",
            "32", "--channels", "8", "--seed", "1"]  # fmt: skip
    plain = subprocess.run([*base, "--out", str(tmp_path / "a")], capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    asked = subprocess.run([*base, "--out", str(tmp_path / "b"), "--progress"],
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    quiet = subprocess.run([*base, "-q", "--out", str(tmp_path / "c"), "--progress"],
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert plain.returncode == asked.returncode == quiet.returncode == 0
    assert "1/1" not in plain.stderr and "cube/s" not in plain.stderr
    assert "1/1" in asked.stderr
    assert quiet.stderr == ""
