"""A ``galcubecraft survey`` process killed (SIGKILL) at a random point, then resumed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import zarr

import GalCubeCraft
from GalCubeCraft._support.lock import lock_path
from GalCubeCraft.survey import load_field_spec, make_field
from GalCubeCraft.survey.tiles import TILES, marker_path, tile_origins

SPEC = """
[field]
nx = 64
ny = 64
pixel_arcsec = 2.8
ra_deg = 180.0
dec_deg = -30.0
[band]
n_chan = 64
start_hz = 1.14e9
channel_width_hz = 30e3
[instrument]
beam_arcsec = 7.0
noise_rms_jy_beam = 3e-5
[population]
n_galaxies = 10
[run]
seed = 5
tile = [16, 16, 16]
"""
N_GALAXIES, N_TILES = 10, 64

# Where the run is killed, drawn once from a seeded stream: after the k-th stamp file
# appears (the stamps phase), or after the k-th tile marker; a k well before the phase's
# end, so that the kill lands while the run still has work to do.
_DRAW = np.random.default_rng(20_290)
KILL_POINTS = [
    ("stamps", int(_DRAW.integers(1, N_GALAXIES - 3))),
    ("tiles", int(_DRAW.integers(1, N_TILES // 3))),
    ("tiles", int(_DRAW.integers(N_TILES // 3, 2 * N_TILES // 3))),
]


def _arrays(path: Path) -> dict[str, np.ndarray]:
    group = zarr.open_group(path / "field.zarr", mode="r")
    return {name: group[name][:] for name in group.array_keys()}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """Return the spec file and the field made from it in one go (in this process)."""
    folder = tmp_path_factory.mktemp("kill")
    spec_file = folder / "spec.toml"
    spec_file.write_text(SPEC)
    run = make_field(load_field_spec(spec_file), folder / "reference", workers=0, progress=False)
    assert run.complete and (run.n_galaxies, run.n_tiles) == (N_GALAXIES, N_TILES)
    truth = (folder / "reference" / "truth_sdc2.txt").read_text()
    return spec_file, _arrays(folder / "reference"), truth


def _kill_at(spec_file: Path, out: Path, phase: str, k: int, log: Path) -> int:
    """Start the survey verb in a subprocess; SIGKILL it once ``k`` files of ``phase`` exist."""
    source = str(Path(GalCubeCraft.__file__).parents[1])  # this checkout's package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (source, os.environ.get("PYTHONPATH")) if p)}  # fmt: skip
    folder, pattern = (out / "stamps", "*.npy") if phase == "stamps" else (out / TILES, "*.done")
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "GalCubeCraft", "--quiet", "survey", str(spec_file),
             str(out), "--workers", "0"],
            stdout=subprocess.DEVNULL, stderr=errors, env=env,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120.0
            while len(list(folder.glob(pattern))) < k:
                assert process.poll() is None, f"the run ended first: {log.read_text()}"
                assert time.monotonic() < deadline, "no kill point within 120 s"
                time.sleep(0.002)
        finally:
            process.kill()
            process.wait()
    return process.pid


@pytest.mark.parametrize(("phase", "k"), KILL_POINTS, ids=[f"{p}-{k}" for p, k in KILL_POINTS])
def test_a_run_killed_at_a_random_point_resumes_to_the_uninterrupted_field(
    uninterrupted, tmp_path, phase, k
):
    """Killed, then resumed: the field, labels and truth of an uninterrupted run, bit for bit.

    The dead writer's lock is taken over; finished tiles and stamps are kept (mtimes
    unchanged, none redone), the others made; no temporary file is left.
    """
    spec_file, expected, truth = uninterrupted
    out = tmp_path / "field"
    pid = _kill_at(spec_file, out, phase, k, tmp_path / "stderr.txt")
    assert not (out / "truth_sdc2.txt").exists(), "the kill came after the run's end"
    assert json.loads(lock_path(out).read_text())["pid"] == pid  # the dead writer's lock
    spec = load_field_spec(spec_file)
    done = [o for o in tile_origins(spec) if marker_path(out, o).exists()]
    assert len(done) == 0 if phase == "stamps" else k <= len(done) < N_TILES
    markers = {o: marker_path(out, o).stat().st_mtime_ns for o in done}
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "stamps").glob("*.npy")}
    # What a kill inside a write leaves (the kill rarely lands there, so both are made):
    # a stamp's temporary file, and a Zarr chunk's.
    (out / "stamps" / ".g00000001.npy.x7k2q9.part").write_bytes(b"half a stamp")
    chunk = out / "field.zarr" / "field" / "c" / "0" / "0"
    chunk.mkdir(parents=True, exist_ok=True)
    (chunk / f"0.{'0' * 32}.partial").write_bytes(b"half a chunk")

    run = make_field(spec, out, workers=0, progress=False)

    assert run.complete and run.tiles_made == N_TILES - len(done)
    assert {o: marker_path(out, o).stat().st_mtime_ns for o in done} == markers
    assert {p.name: p.stat().st_mtime_ns for p in (out / "stamps").glob("*.npy")
            if p.name in stamps} == stamps  # fmt: skip
    assert [p for p in out.rglob("*") if p.name.endswith((".part", ".partial"))] == []
    assert not lock_path(out).exists()
    got = _arrays(out)
    assert np.array_equal(got["field"].view(np.uint32), expected["field"].view(np.uint32))
    np.testing.assert_array_equal(got["labels"], expected["labels"])
    np.testing.assert_array_equal(got["moment0"], expected["moment0"])
    assert (out / "truth_sdc2.txt").read_text() == truth
