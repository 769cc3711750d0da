"""Kernels compiled ahead of a first cube, in helper processes (fresh interpreters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.kernels import ahead
from GalCubeCraft.kernels.ahead import CompileJob, compile_ahead, helper_count, plan


def _job(name: str, seconds: float) -> CompileJob:
    return CompileJob(f"module_{name}", ((name, "(float64,)"),), seconds)


def test_plan_gives_the_longest_jobs_first_to_whoever_is_done_soonest():
    """Longest first, each to the process done soonest; helpers start 0.5 s late."""
    jobs = [_job(name, seconds) for name, seconds in [("c", 1.0), ("a", 3.0), ("b", 2.0),
                                                       ("d", 0.75)]]  # fmt: skip
    # here: a (0 -> 3); helper: b (0.5 -> 2.5), c (-> 3.5); here: d (3 -> 3.75).
    groups = plan(jobs, 2)
    assert [[job.kernels[0][0] for job in group] for group in groups] == [["a", "d"], ["b", "c"]]
    # Helpers left without a job are not started; this process always has its group.
    assert [len(group) for group in plan(jobs[:1], 4)] == [1]


@pytest.mark.parametrize(
    ("cores", "load", "jobs", "helpers"),
    [
        (4, 0.2, 9, 3),  # idle: one helper per other core
        (4, 1.4, 9, 3),  # 2.6 cores free: 3 not fully busy
        (4, 2.6, 9, 2),
        (4, 3.6, 9, 1),
        (4, 4.2, 9, 0),  # every core busy
        (2, 1.6, 9, 1),  # this machine, another user's job running
        (2, 2.3, 9, 0),
        (1, 0.0, 9, 0),  # one core: nothing to gain
        (8, 0.0, 3, 2),  # never more than the jobs less this process's own
    ],
)
def test_helpers_go_to_cores_not_fully_busy(monkeypatch, cores, load, jobs, helpers):
    """One helper per core beyond this process's that the load average leaves not all busy."""
    monkeypatch.delenv(ahead.HELPERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load), raising=False)
    assert helper_count(jobs) == helpers


def test_a_pool_worker_starts_no_helpers(monkeypatch):
    """A process a pool started leaves the cores to its siblings, which compile too."""
    import multiprocessing

    monkeypatch.delenv(ahead.HELPERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0), raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert helper_count(5) == 3
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert helper_count(5) == 0


def test_the_environment_sets_the_number_of_helpers(monkeypatch):
    """GALCUBECRAFT_COMPILE_HELPERS overrides the rule; a bad value is named."""
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0), raising=False)
    monkeypatch.setenv(ahead.HELPERS_VARIABLE, "2")
    assert helper_count(5) == 2
    monkeypatch.setenv(ahead.HELPERS_VARIABLE, "0")
    assert helper_count(5) == 0
    monkeypatch.setenv(ahead.HELPERS_VARIABLE, "two")
    with pytest.raises(ValueError, match="GALCUBECRAFT_COMPILE_HELPERS.*'two'"):
        helper_count(5)
    # Refused at every call, before anything is looked at: not only on a cold cache.
    with pytest.raises(ValueError, match="GALCUBECRAFT_COMPILE_HELPERS.*'two'"):
        ahead.compile_ahead([])


def test_nothing_is_done_where_the_cache_is_warm_or_unreadable(monkeypatch):
    """A warm cache, or one whose index numba does not let us read: no helper, no compile."""
    from GalCubeCraft.kernels import jit

    def refuse(*args: object) -> None:
        raise AssertionError("nothing should be compiled or started")

    monkeypatch.setattr(ahead, "_start_helper", refuse)
    monkeypatch.setattr(ahead, "_compile", refuse)
    monkeypatch.setenv(ahead.HELPERS_VARIABLE, "3")
    job = CompileJob("GalCubeCraft.instrument.fir", (("convolve_rows", "(float64,)"),), 1.0)
    for state in (True, None):
        monkeypatch.setattr(ahead, "_handled", set())
        monkeypatch.setattr(jit, "is_cached", lambda kernel, types, state=state: state)
        assert compile_ahead([job, job]) == 0
    # Cold, but already looked at in this process: not again.
    monkeypatch.setattr(jit, "is_cached", lambda kernel, types: False)
    assert compile_ahead([job]) == 0


FIRST_CUBE = """
import json, sys, tempfile
import numpy as np
from numba.core import event
from GalCubeCraft import GalCubeCraft
from GalCubeCraft.instrument.kernel_jobs import CUBE_JOBS
from GalCubeCraft.kernels.ahead import compile_ahead
from GalCubeCraft.kernels.jit import argument_types

class Count(event.Listener):
    def __init__(self):
        self.names = []
    def on_start(self, event):
        self.names.append(event.data["dispatcher"].py_func.__qualname__)
    def on_end(self, event):
        pass

helpers = compile_ahead(CUBE_JOBS) if sys.argv[1] == "ahead" else None
count = Count()
g = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=42,
                 fname=tempfile.mkdtemp(), verbose=False, threads=1)
with event.install_listener("numba:compile", count):
    cube, _ = g.generate_cubes()[0]
np.save(sys.argv[2], cube)
# The kernels the cube called with each type of the tables, and those it compiled.
called = [[job.module, name, types] for job in CUBE_JOBS for name, types in job.kernels
          if argument_types(types) in getattr(sys.modules[job.module], name).signatures]
print(json.dumps({"helpers": helpers, "compiled": count.names, "called": called}))
"""


def _first_cube(mode: str, out: Path, cache: Path) -> dict:
    """Make the compatibility class's first cube in a fresh interpreter; return its report."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), ahead.HELPERS_VARIABLE: "1"}
    done = subprocess.run([sys.executable, "-c", FIRST_CUBE, mode, str(out)], env=env,
                          capture_output=True, text=True, timeout=600, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_after_compile_ahead_the_first_cube_compiles_nothing_and_is_the_same(tmp_path):
    """After compile_ahead on a cold cache, the first cube compiles nothing and is unchanged.

    A helper and this process compile the tables' kernels; the cube then compiles none, and
    is bit for bit the cube made in the test's own process.  With the cache warm, the cube
    alone calls every kernel of the tables with its types (no table entry is unused).
    """
    from GalCubeCraft import GalCubeCraft
    from GalCubeCraft.instrument.kernel_jobs import CUBE_JOBS

    cache = tmp_path / "numba"
    cold = _first_cube("ahead", tmp_path / "ahead.npy", cache)
    assert cold["helpers"] == 1
    assert cold["compiled"] == []
    warm = _first_cube("plain", tmp_path / "plain.npy", cache)
    assert warm["compiled"] == []
    every = [[job.module, name, types] for job in CUBE_JOBS for name, types in job.kernels]
    assert warm["called"] == every
    here, _ = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=42,
                           fname=tmp_path / "here", verbose=False, threads=1
                           ).generate_cubes()[0]  # fmt: skip
    for name in ("ahead", "plain"):
        assert np.array_equal(np.load(tmp_path / f"{name}.npy"), here)
