"""Compile a cube's kernels before it renders, in helper processes on cores not fully busy.

On a fresh install numba compiles each kernel a cube calls at its first call, one after
the other: ~6-7 s of CPU for the demo's first cube, nearly all of its wait.  One process
compiles one kernel at a time (numba holds a global lock), but numba's cache is shared by
processes, and a kernel another process compiled loads from it in milliseconds.  So
:func:`compile_ahead`, given the kernels a cube will call and their argument types
(:class:`CompileJob`, one per kernel module), splits those not yet in the cache between
this process and helper processes (fresh interpreters, one per spare core), compiles its
own share, waits for the helpers and returns; the cube then finds every kernel compiled
here or cached by a helper.

Helpers start only where they help: for kernels the cache does not hold, where a core
is not fully busy (the load average below the cores), and where numba's cache
index can be read at all (where it cannot, nothing is done ahead: the render compiles at
first call as always).  ``GALCUBECRAFT_COMPILE_HELPERS`` sets the number of helpers
(``0``: none).  The argument types of a job must be those of the render's own calls, or
the render compiles again (``tests/kernels/test_ahead.py`` checks the tables).

This module imports numba only when kernels are compiled, so the tables of jobs can be
imported anywhere.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("GalCubeCraft")

HELPERS_VARIABLE = "GALCUBECRAFT_COMPILE_HELPERS"
"""Environment variable: the number of helper processes (``0``: none; unset: spare cores)."""

HELPER_START_S = 0.5
"""CPU seconds a helper spends before it compiles (Python, NumPy, numba, kernel modules)."""

HELPER_TIMEOUT_S = 120.0
"""Longest wait for a helper after this process's own share; then it is stopped."""


@dataclass(frozen=True)
class CompileJob:
    """The kernels of one kernel module that a cube calls, with their argument types.

    Parameters
    ----------
    module : str
        The kernel module, e.g. ``"GalCubeCraft.renderer.los_kernel"``.
    kernels : tuple of (str, str)
        ``(kernel name, argument types)`` pairs, the types in numba's notation, e.g.
        ``"(float32[::1], float32[:, ::1], int64)"``.
    seconds : float
        The CPU seconds they take to compile, callees included (measured): only used to
        share the jobs out evenly.
    """

    module: str
    kernels: tuple[tuple[str, str], ...]
    seconds: float


_handled: set[CompileJob] = set()
_lock = threading.Lock()


def compile_ahead(jobs: Iterable[CompileJob]) -> int:
    """Compile the kernels of ``jobs`` the cache lacks, here and in helpers; wait for them.

    Each job is looked at once per process; later calls with it return at once.

    Parameters
    ----------
    jobs : iterable of CompileJob
        The kernels a coming render calls.

    Returns
    -------
    int
        The number of helper processes used (0 where the cache held every kernel, where
        every core was busy, or where the cache could not be read: the render then compiles
        at first call, as without this).
    """
    _helpers_setting()  # a bad setting is refused at every call, warm cache or cold
    with _lock:
        todo = [job for job in dict.fromkeys(jobs) if job not in _handled]
        _handled.update(todo)
        cold = _cold(todo)
        helpers = helper_count(len(cold)) if cold else 0
        if helpers == 0:
            return 0
        mine, *theirs = plan(cold, helpers + 1)
        log.debug("compiling %d kernel modules here and %d in %d helper processes",
                  len(mine), sum(map(len, theirs)), len(theirs))  # fmt: skip
        processes = []
        for group in theirs:
            process = _start_helper(group)
            if process is None:
                mine += group
            else:
                processes.append(process)
        try:
            for job in mine:
                _compile(job)
            for process in processes:
                process.wait(timeout=HELPER_TIMEOUT_S)
                if process.returncode:
                    log.debug("a kernel helper exited with %d", process.returncode)
        except subprocess.TimeoutExpired:
            log.debug("a kernel helper took over %.0f s: stopped", HELPER_TIMEOUT_S)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        return len(processes)


def helper_count(jobs: int) -> int:
    """Return how many helper processes to start for ``jobs`` cold jobs.

    ``GALCUBECRAFT_COMPILE_HELPERS`` where set; else none in a worker process of a pool
    (``multiprocessing``, Dask: its siblings compile too), and elsewhere one per core
    beyond this process's that the load average leaves not fully busy
    (``ceil(cores - load)``; on the 2-core development machine one helper cut the wait by
    a third up to a load of ~2, and gained nothing reliable above 3).  Never more than
    ``jobs - 1``: this process takes a share.
    """
    setting = _helpers_setting()
    if setting is not None:
        wanted = setting
    elif multiprocessing.parent_process() is not None or getattr(sys, "frozen", False):
        # A pool's worker (its siblings compile too), or a frozen application, where
        # sys.executable is the application itself, not a Python to run helpers in.
        wanted = 0
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cores = cores or os.cpu_count() or 1
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        wanted = min(cores - 1, math.ceil(cores - load))
    return max(0, min(wanted, jobs - 1))


def _helpers_setting() -> int | None:
    """Return ``GALCUBECRAFT_COMPILE_HELPERS`` as a number, None when unset; refuse others."""
    setting = os.environ.get(HELPERS_VARIABLE, "").strip()
    if not setting:
        return None
    if not setting.isdigit():
        raise ValueError(f"{HELPERS_VARIABLE} must be a whole number >= 0 (0: no "
                         f"helper processes); got {setting!r}")  # fmt: skip
    return int(setting)


def plan(jobs: list[CompileJob], processes: int) -> list[list[CompileJob]]:
    """Share ``jobs`` out between this process (first group) and ``processes - 1`` helpers.

    Longest first, each to the process that would be done soonest, helpers counted from
    :data:`HELPER_START_S` (their start-up); helpers left without a job are dropped.
    """
    groups: list[list[CompileJob]] = [[] for _ in range(processes)]
    done_at = [0.0] + [HELPER_START_S] * (processes - 1)
    for job in sorted(jobs, key=lambda job: -job.seconds):
        soonest = min(range(processes), key=done_at.__getitem__)
        groups[soonest].append(job)
        done_at[soonest] += job.seconds
    return groups[:1] + [group for group in groups[1:] if group]


def _cold(jobs: list[CompileJob]) -> list[CompileJob]:
    """Return the jobs with a kernel the cache lacks; none if the cache cannot be read."""
    from .jit import is_cached

    cold = []
    for job in jobs:
        module = importlib.import_module(job.module)
        states = {is_cached(getattr(module, name), types) for name, types in job.kernels}
        if None in states:
            return []
        if False in states:
            cold.append(job)
    return cold


def _compile(job: CompileJob) -> None:
    """Compile ``job``'s kernels in this process; a failure leaves them to the render."""
    from .jit import compile_for

    module = importlib.import_module(job.module)
    for name, types in job.kernels:
        try:
            compile_for(getattr(module, name), types)
        except Exception:  # the render compiles the kernel at its call, and says why not
            log.debug("compiling %s.%s%s ahead failed", job.module, name, types, exc_info=True)


def _start_helper(jobs: list[CompileJob]) -> subprocess.Popen[bytes] | None:
    """Start a helper process compiling ``jobs`` into the shared kernel cache (None: cannot)."""
    from .jit import cache_directory

    env = dict(os.environ)
    # The helper must import this very copy of the package (a source tree may be on this
    # process's path only; an installed copy is found anyway, and its site-packages put
    # first could hide the standard library) and cache where this process does (a folder
    # numba was given after its import: the fallback of jit.njit).
    root = Path(__file__).resolve().parents[2]
    if root.name not in ("site-packages", "dist-packages"):
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    folder = cache_directory()
    if folder:
        env["NUMBA_CACHE_DIR"] = folder
    # No one reads a helper's error messages, and numba builds thousands while it tries
    # overloads, each coloured through colorama where that is installed (~0.1 s of CPU).
    env["NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"] = "1"
    kernels = [[job.module, name, types] for job in jobs for name, types in job.kernels]
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import run_helper; run_helper()"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
    except OSError:  # no interpreter to start (an embedded Python): compiled here instead
        log.debug("no kernel helper could be started", exc_info=True)
        return None
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps(kernels).encode())  # a few kB: fits the pipe
        process.stdin.close()
    except OSError:  # it ended at once: its kernels are compiled here instead
        process.kill()
        process.wait()
        return None
    return process


def run_helper() -> None:
    """Compile the kernels listed on standard input: a helper process's whole work.

    The input is JSON, ``[[module, kernel, argument types], ...]``.
    """
    from .jit import compile_for

    for module, name, types in json.load(sys.stdin):
        compile_for(getattr(importlib.import_module(module), name), types)
