"""One resumable cube-folder writer, for the facade and the ``generate`` command."""

import numpy as np
import pytest

from GalCubeCraft import Cube, Galaxy, Observation, SpectralAxis
from GalCubeCraft.io.cube_folder import CUBE_WRITERS, CubeFolder
from GalCubeCraft.io.sidecar import load_cube, read_sidecar, sidecar_path
from GalCubeCraft.observation.records import AngularScale

OBS = Observation(nx=16, ny=16, pixel_kpc=0.5, spectral=SpectralAxis(6),
                  sky=AngularScale(redshift=1.0))  # fmt: skip
CUBE = Cube(np.random.default_rng(0).random(OBS.shape).astype(np.float32), OBS,
            kind="observed", galaxies=(Galaxy(r_e_kpc=2.0),))  # fmt: skip
RUN = {"seed": 7, "run_id": "abc"}


@pytest.mark.parametrize("fmt", sorted(CUBE_WRITERS))
def test_written_cubes_record_their_run_and_resume(tmp_path, fmt):
    """A written cube records (seed, index, run id); done() lists it for the same run only."""
    folder = CubeFolder(tmp_path / "out", fmt)
    path = folder.write(1, CUBE, {"n_gals": 1}, RUN)
    assert path == tmp_path / "out" / f"cube_2.{fmt}" and folder.existing() == {1: path}
    assert folder.done("abc", n_cubes=3) == {1}
    assert folder.done("abc", n_cubes=1) == set()
    assert folder.recorded_seed() == 7
    with pytest.raises(ValueError, match="made by another run"):
        folder.done("other", n_cubes=3)
    other = "fits" if fmt == "npy" else "npy"
    with pytest.raises(ValueError, match=f"is not a {other} cube"):
        CubeFolder(tmp_path / "out", other).done("abc", n_cubes=3)
    assert folder.clear() == (2 if fmt == "npy" else 1) and folder.existing() == {}


@pytest.mark.parametrize("fmt", sorted(CUBE_WRITERS))
def test_files_state_both_the_index_and_the_file_number(tmp_path, fmt):
    """cube_3 is index 2: its sidecar's run (or its FITS header) says both, 2 and 3."""
    from astropy.io import fits

    path = CubeFolder(tmp_path, fmt).write(2, CUBE, {"n_gals": 1}, RUN)
    assert path.name == f"cube_3.{fmt}"
    if fmt == "npy":
        run = read_sidecar(sidecar_path(path))["run"]
        assert (run["index"], run["file_number"]) == (2, 3)
    else:
        header = fits.getheader(path)
        assert (header["CUBEIDX"], header["CUBENUM"]) == (2, 3)


def test_npy_cube_with_a_scale_loads_back_in_jy_per_beam(tmp_path):
    """The stored array carries ``scale``; its description records it and load_cube undoes it."""
    path = CubeFolder(tmp_path, "npy").write(0, CUBE, {}, RUN, scale=6.0)
    np.testing.assert_array_equal(np.load(path), CUBE.data * np.float32(6.0))
    assert read_sidecar(sidecar_path(path))["data_per_jy_beam"] == 6.0
    np.testing.assert_allclose(load_cube(path).data, CUBE.data, rtol=1e-6)
    with pytest.raises(ValueError, match="Jy/beam"):
        CubeFolder(tmp_path, "fits").write(0, CUBE, {}, RUN, scale=6.0)


def test_a_sidecar_of_2_0_with_its_factor_among_the_params_still_loads(tmp_path):
    """Older sidecars recorded the factor as a params key: it is still honoured."""
    import json

    path = CubeFolder(tmp_path, "npy").write(0, CUBE, {}, RUN, scale=6.0)
    content = read_sidecar(sidecar_path(path))
    del content["data_per_jy_beam"]
    content["params"]["original_per_jy_beam"] = 6.0
    sidecar_path(path).write_text(json.dumps(content))
    np.testing.assert_allclose(load_cube(path).data, CUBE.data, rtol=1e-6)


def test_callers_register_more_formats(tmp_path):
    """A writer passed in is a format like the others; unknown formats are refused."""

    def write_txt(path, cube, params, run, scale, extras):
        path.write_text(f"{run['seed']} {run['index']} {sorted(extras)}")
        return path

    folder = CubeFolder(tmp_path, "txt", {**CUBE_WRITERS, "txt": write_txt})
    path = folder.write(0, CUBE, {}, RUN, extras={"galaxy_clean": np.zeros(1)})
    assert path.read_text() == "7 0 ['galaxy_clean']"
    with pytest.raises(ValueError, match="format must be one of"):
        CubeFolder(tmp_path, "zarr")


def test_a_folder_written_by_another_process_is_refused(tmp_path):
    """One writer per cube folder: while another process holds it, we are refused.

    Writing and clearing are refused naming the owner, before anything is written; once
    the owner is gone, the folder is ours.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from GalCubeCraft._support.lock import LockedError, lock_path

    hold = (
        "import sys, time\nfrom GalCubeCraft.io.cube_folder import CubeFolder\n"
        "CubeFolder(sys.argv[1], 'npy').clear()\nprint('held', flush=True)\ntime.sleep(60)\n"
    )
    src = str(Path(__file__).parents[2] / "src")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(tmp_path / "out")],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": src})  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        folder = CubeFolder(tmp_path / "out", "npy")
        with pytest.raises(LockedError, match=f"being written by process {holder.pid} on host"):
            folder.write(0, CUBE, {"n_gals": 1}, RUN)
        with pytest.raises(LockedError, match=f"process {holder.pid}"):
            folder.clear()
        assert not (tmp_path / "out").exists()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    folder.write(0, CUBE, {"n_gals": 1}, RUN)  # the dead holder's lock is taken over
    assert folder.existing() == {0: tmp_path / "out" / "cube_1.npy"}
    folder.release()
    assert not lock_path(tmp_path / "out").exists()
