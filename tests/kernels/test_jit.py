"""Where the kernels are cached, and the notice while they compile (fresh interpreters)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from GalCubeCraft.kernels.jit import fallback_cache_dir

# One small kernel, compiled (or loaded) by its first call; the notice goes to stdout.
CALL_ONE_KERNEL = """
import numpy as np
from GalCubeCraft.kernels.jit import compile_notice
from GalCubeCraft.renderer.velocity_kernel import circular_velocity
with compile_notice(print):
    v = circular_velocity(np.ones(3), np.full(3, 2.0), np.full(3, 100.0), 0.5, 10.0)
assert np.allclose(v, 35.0), v
"""

# numba with no cache place of its own: only NUMBA_CACHE_DIR, which is unset (as when
# neither the package's folder nor the home directory can be written).
NO_PLACE = """
import numba.core.caching as caching
def named(name):  # public in numba 0.68, underscored before
    return getattr(caching, name, None) or getattr(caching, "_" + name)
named("CacheImpl")._locator_classes = [named("UserProvidedCacheLocator")]
"""


def _run(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``environment`` added; return it, finished."""
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, env=env, check=True)  # fmt: skip


def _indexes(folder: Path) -> list[Path]:
    """Return numba's cache index files under ``folder``."""
    return sorted(folder.rglob("*.nbi"))


def test_a_cold_cache_is_announced_once_and_a_warm_one_not_at_all(tmp_path):
    """The first run says it compiles and caches in NUMBA_CACHE_DIR; the second says nothing."""
    cache = tmp_path / "numba"
    first = _run(CALL_ONE_KERNEL, NUMBA_CACHE_DIR=str(cache)).stdout.splitlines()
    assert len(first) == 2
    assert first[0].startswith("compiling the renderer's kernels (first run only")
    assert first[1].startswith("compiled 1 kernels in ")
    assert [p.name.split(".")[0] for p in _indexes(cache)] == ["velocity_kernel"]
    assert _run(CALL_ONE_KERNEL, NUMBA_CACHE_DIR=str(cache)).stdout == ""


def test_kernels_cache_in_the_temporary_folder_when_numba_has_no_place(tmp_path):
    """Where numba would refuse to cache, the kernel compiles and caches in the user's folder."""
    cold = _run(NO_PLACE + CALL_ONE_KERNEL, TMPDIR=str(tmp_path))
    folder = tmp_path / f"GalCubeCraft-numba-{os.getuid()}"
    assert len(_indexes(folder)) == 1
    assert "compiling" in cold.stdout
    warm = _run(NO_PLACE + CALL_ONE_KERNEL, TMPDIR=str(tmp_path))
    assert warm.stdout == ""  # loaded from there


def test_the_fallback_folder_is_private_and_reused(tmp_path, monkeypatch):
    """The fallback folder is made with mode 700 and the same one is returned again."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    folder = fallback_cache_dir()
    assert folder == tmp_path / f"GalCubeCraft-numba-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert fallback_cache_dir() == folder


def test_a_fallback_folder_others_may_write_is_not_used(tmp_path, monkeypatch):
    """A folder of that name writable by others (cache files are pickles) is passed over."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    shared = tmp_path / f"GalCubeCraft-numba-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)
    folder = fallback_cache_dir()
    assert folder != shared
    assert folder.parent == tmp_path
    assert folder.stat().st_mode & 0o077 == 0


def test_a_long_compile_says_which_kernel_every_few_seconds(monkeypatch):
    """While kernels compile, a line at most every 3 s names the next one and the time so far.

    The time runs from the first compile (it is what the user has waited).
    """
    from types import SimpleNamespace

    from GalCubeCraft.kernels import jit

    def kernel(module: str, name: str) -> SimpleNamespace:
        function = SimpleNamespace(__module__=module, __qualname__=name)
        return SimpleNamespace(data={"dispatcher": SimpleNamespace(py_func=function)})

    # (start, end) of each compile: lines at 3 s and 9 s after the first began, not at 1.5.
    clock = iter([0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 9.0, 9.5])
    monkeypatch.setattr(jit.time, "perf_counter", lambda: next(clock))
    said: list[str] = []
    watch = jit._CompileWatch(said.append)
    for module, name in [("GalCubeCraft.renderer.los_kernel", "first"),
                         ("GalCubeCraft.renderer.los_kernel", "second"),
                         ("GalCubeCraft.renderer.kernels", "third"),
                         ("GalCubeCraft.model.flow_kernel", "fourth")]:  # fmt: skip
        watch.on_start(kernel(module, name))
        watch.on_end(kernel(module, name))
    assert said == [
        "compiling the renderer's kernels (first run only: numba caches them; this takes "
        "several seconds)...",
        "  ... compiling renderer.kernels.third (2 kernels, 3 s so far)",
        "  ... compiling model.flow_kernel.fourth (3 kernels, 9 s so far)",
    ]
    assert watch.count == 4 and watch.seconds == 3.0  # the final line's compile time
