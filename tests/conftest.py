"""Shared helpers for the tests: small observations and analytic moments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft import Observation, SpectralAxis


def wide_observation(n: int = 65, pixel_kpc: float = 1.0, n_chan: int = 60, v: float = 600.0):
    """Return a beamless observation whose band holds every velocity of a 200 km/s disk."""
    return Observation(nx=n, ny=n, pixel_kpc=pixel_kpc, spectral=SpectralAxis(n_chan, -v, v))


def moment_maps(cube: np.ndarray, velocities: np.ndarray):
    """Return (moment 0 summed over channels, intensity-weighted mean velocity)."""
    m0 = cube.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        m1 = np.tensordot(velocities, cube, axes=(0, 0)) / m0
    return m0, m1


def run_script(text: str, folder: Path, name: str) -> subprocess.CompletedProcess[str]:
    """Run ``text`` as a user would: saved as ``<folder>/<name>.py``, in that empty folder.

    A fresh interpreter with the Agg backend; returns the finished process.
    """
    script = folder / f"{name}.py"
    script.write_text(text)
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(script)], cwd=folder, capture_output=True,
                          text=True, timeout=300, env=environment)  # fmt: skip


@pytest.fixture
def tmp_cwd(tmp_path, monkeypatch):
    """Run a test inside an empty temporary directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def render_array(galaxies, observation, settings=None):
    """Return the rendered model cube's data (Jy/pixel) as a plain array."""
    from GalCubeCraft import render

    return np.asarray(render(galaxies, observation, settings).data)


@pytest.fixture(scope="session")
def dask_scheduler():
    """One 2-worker Dask cluster shared by every test that needs one; yields its address."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def dask_client(dask_scheduler):
    """Yield a client of the one shared cluster (the survey tests pass it to make_field)."""
    from dask.distributed import Client

    with Client(dask_scheduler) as client:
        yield client


def assert_items_equal(spec, got, expected):
    """Assert two items of ``spec`` hold bit-identical arrays, every one the spec defines."""
    from GalCubeCraft.datasets.items import array_names

    for name in array_names(spec):
        np.testing.assert_array_equal(np.asarray(got[name]), expected[name], err_msg=name)


def assert_store_reads_back(spec, items, fmt, folder):
    """Write ``spec`` in format ``fmt`` under ``folder``; each item reads back as ``items``."""
    from GalCubeCraft.datasets import StoreDataset, parameter_table
    from GalCubeCraft.datasets.batch import generate_dataset
    from GalCubeCraft.datasets.items import array_names, parameter_names
    from GalCubeCraft.datasets.stores import STORES

    path = folder / f"store{STORES[fmt].suffix}"
    generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    dataset = StoreDataset(path)
    for index, expected in enumerate(items):
        got = dataset[index]
        assert set(got) == {"index", *array_names(spec)}
        assert_items_equal(spec, got, expected)
    assert list(parameter_table(path).wide().columns) == parameter_names(spec)
    return path
