"""The package's one door to numba: its ``njit``, where kernels are cached, and the compile notice.

Importing numba (and llvmlite) costs ~0.1-0.15 s, a third of ``import GalCubeCraft``.
So the compiled kernels live in modules of their own (``renderer/los_kernel.py``,
``renderer/velocity_kernel.py``, ``renderer/kernels.py``, ``model/*_kernel.py``,
``instrument/fir.py`` and :mod:`.float32_math`), which decorate through :func:`njit`
here, and the rest of the package imports them inside the functions that call them.
``import GalCubeCraft`` therefore loads no numba, and a render compiles only the
kernels it calls: numba compiles a kernel at its first call, for that call's argument
types.

Where compiled kernels are cached: numba's own choice, which is the first of

1. ``NUMBA_CACHE_DIR``, when set (CI sets it to a fresh directory);
2. ``__pycache__`` beside the kernel's source file, when it is writable;
3. numba's per-user directory (``$XDG_CACHE_HOME/numba``, else ``~/.cache/numba``);

and, where none of these is writable (an install the user cannot write to, run
without a writable home: containers, batch nodes), a private directory of the user's
in the temporary folder, :func:`fallback_cache_dir`.  numba itself would refuse to
decorate a cached kernel there, so nothing could render.

:func:`compile_for` and :func:`is_cached` let :mod:`.ahead` compile kernels for given
argument types before their first call (in helper processes, on a cold cache).
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numba
from numba.core import config as numba_config
from numba.core import event, sigutils

log = logging.getLogger("GalCubeCraft")

F = TypeVar("F", bound=Callable[..., Any])

_PACKAGE = __name__.split(".")[0]


def njit(**options: Any) -> Callable[[F], F]:
    """Return numba's ``njit`` decorator with ``cache=True``, ``nogil=True`` and ``options``.

    Also ``no_cfunc_wrapper=True``: numba otherwise builds each kernel a second entry
    point, a C function for passing kernels as first-class values (``.cfunc``), which the
    package never does; building and compiling it was ~5% of a first cube's compile time.

    Parameters
    ----------
    **options
        Further :func:`numba.njit` options (``inline``, ``error_model``, ...).

    Returns
    -------
    callable
        The decorator.  Where numba finds no writable cache directory, the kernel is
        cached in :func:`fallback_cache_dir` instead.
    """
    settings = {"cache": True, "nogil": True, "no_cfunc_wrapper": True, **options}

    def decorate(function: F) -> F:
        try:
            return numba.njit(**settings)(function)
        except RuntimeError as error:
            if "no locator available" not in str(error):
                raise
        directory = fallback_cache_dir()
        log.info("numba cannot write a cache beside the package or in the home directory; "
                 "the kernels are cached in %s", directory)  # fmt: skip
        # numba reads config.CACHE_DIR each time it places a cache, so this applies
        # from now on (to other packages' kernels too, which had no place either).  The
        # name is made from the environment at numba's import: mypy cannot see it.
        numba_config.CACHE_DIR = str(directory)  # type: ignore[attr-defined]
        return numba.njit(**settings)(function)

    return decorate


def fallback_cache_dir() -> Path:
    """Return the user's private kernel cache in the temporary folder, creating it.

    ``<tmp>/GalCubeCraft-numba-<uid>``, made with mode 700.  numba's cache files are
    pickles, which run code when loaded: a directory of that name that another user
    owns or may write to is not used; a fresh private one is made instead.
    """
    uid = os.getuid() if hasattr(os, "getuid") else None
    path = Path(tempfile.gettempdir()) / f"{_PACKAGE}-numba-{uid if uid is not None else 'user'}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return Path(tempfile.mkdtemp(prefix=f"{_PACKAGE}-numba-"))
    private = (
        stat.S_ISDIR(info.st_mode)
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and (uid is None or info.st_uid == uid)
    )
    return path if private else Path(tempfile.mkdtemp(prefix=f"{_PACKAGE}-numba-"))


def cache_directory() -> str | None:
    """Return the kernel cache's folder where one was given (``NUMBA_CACHE_DIR``, the fallback).

    None where numba places each cache itself (beside the source, or per user).
    """
    return str(numba_config.CACHE_DIR) or None  # type: ignore[attr-defined]


def argument_types(signature: str) -> tuple[Any, ...]:
    """Return numba's argument types of ``signature``, e.g. ``"(float32[::1], int64)"``."""
    arguments, _ = sigutils.normalize_signature(signature)
    return tuple(arguments)


def compile_for(kernel: Any, signature: str) -> None:
    """Compile ``kernel`` for the argument types ``signature`` (or load it from the cache).

    Exactly what its first call with arguments of those types does: numba keys both its
    cache and its compiled versions by the tuple of argument types, so that call then
    finds this version.
    """
    kernel.compile(argument_types(signature))


def is_cached(kernel: Any, signature: str) -> bool | None:
    """Return whether the kernel cache holds ``kernel`` for ``signature``; None if unknown.

    Reads numba's index of the kernel's cache (no compiled code is loaded).  numba has
    no public call for this: the names used are numba 0.68's, and where they are missing
    (another numba, ``NUMBA_DISABLE_JIT``) the answer is None, "unknown".
    """
    try:
        cache = kernel._cache
        key = cache._index_key(argument_types(signature), kernel.targetctx.codegen())
        return key in cache._cache_file._load_index()
    except Exception:  # any failure to read it means "unknown": nothing is done ahead
        return None


PROGRESS_EVERY_S = 3.0
"""While kernels compile, a line at most this often (seconds) says which one and how long."""


class _CompileWatch(event.Listener):
    """Report the compiles of the package's kernels as they go; count and time them all."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.depth = 0  # compiles nest: a kernel's callees compile inside it
        self.started = 0.0
        self.seconds = 0.0
        self.count = 0
        self.first_started = self.last_said = 0.0

    def on_start(self, event: event.Event) -> None:
        dispatcher = event.data["dispatcher"]
        ours = _is_ours(dispatcher)
        now = time.perf_counter()
        if self.depth == 0:
            if not ours:  # another package's kernel, compiled outside ours
                return
            if self.count == 0:
                self.say("compiling the renderer's kernels (first run only: numba caches "
                         "them; this takes several seconds)...")  # fmt: skip
                self.first_started = self.last_said = now
            self.started = now
        if ours and now - self.last_said >= PROGRESS_EVERY_S:
            # A line every few seconds: a long first run is never silent.
            self.say(f"  ... compiling {_kernel_name(dispatcher)} ({self.count} kernels, "
                     f"{now - self.first_started:.0f} s so far)")  # fmt: skip
            self.last_said = now
        self.depth += 1
        self.count += ours

    def on_end(self, event: event.Event) -> None:
        if self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            self.seconds += time.perf_counter() - self.started


def _kernel_name(dispatcher: Any) -> str:
    """Return ``module.function`` of a kernel, without the package's name."""
    function = getattr(dispatcher, "py_func", None)
    module = (getattr(function, "__module__", None) or "").removeprefix(_PACKAGE + ".")
    return f"{module}.{getattr(function, '__qualname__', '?')}"


def _is_ours(dispatcher: Any) -> bool:
    """Return whether ``dispatcher`` compiles one of the package's functions."""
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", None) or ""
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


@contextmanager
def compile_notice(say: Callable[[str], None]) -> Iterator[None]:
    """Tell ``say`` when the package's kernels start compiling inside the block, and for how long.

    numba compiles a kernel only when its cache holds no copy for the call's types, so
    with a warm cache nothing is said.

    Parameters
    ----------
    say : callable
        Takes one line of text (``logging.Logger.info``, ``print``).
    """
    watch = _CompileWatch(say)
    with event.install_listener("numba:compile", watch):
        yield
    if watch.count:
        say(f"compiled {watch.count} kernels in {watch.seconds:.1f} s; later runs load "
            "them from the cache")  # fmt: skip
