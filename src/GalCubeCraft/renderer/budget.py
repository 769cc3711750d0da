"""What a cube will cost, checked before any work: memory to make it, disk to keep many.

The renderer holds its samples in blocks of pixels and deposits them in chunks, so its
own temporaries stay bounded (about a hundred MiB); what grows with the cube is the cubes
themselves.  :func:`cube_bytes` counts them for the factory (:func:`make_cubes`): the
model and one galaxy's render, each galaxy's clean cube, the instrument's working copy,
and the clean, noise and noisy cubes, all float32; less the model, and the noise and
noisy cubes, where ``make_cubes(..., keep=...)`` does not make them.
:func:`check_memory` refuses, naming the options that drive the size and the limit, a
cube that would not fit; it is called before anything is rendered or written.
"""

from __future__ import annotations

import math
import os
import shutil
import time

from .._support import buffers as _buffers
from ..observation.records import Observation
from ..products.kept import PRODUCTS

GIB = float(1 << 30)
RENDER_OVERHEAD = 256 * (1 << 20)
"""Bytes of the renderer's own bounded temporaries (sample blocks, deposit chunks)."""


class BudgetError(ValueError):
    """A cube (or a dataset) that would not fit in the memory or disk it may use."""


MEMORY_READ_SECONDS = 1.0
"""How long a reading of the available memory is reused (the sky sampler checks it for
every block of pixels: 17 reads of ``/proc/meminfo`` per 40 x 64^2 item, 3% of its time)."""
_last_read: tuple[float, int] = (-math.inf, 0)  # (monotonic time, bytes)
_clock = time.monotonic


def available_memory_bytes() -> int:
    """Return the memory this process may use: ``MemAvailable`` on Linux, else physical.

    Read at most once per :data:`MEMORY_READ_SECONDS`.
    """
    if _clock() - _last_read[0] < MEMORY_READ_SECONDS:
        return _last_read[1]
    return _read_now()


def _read_now() -> int:
    """Return the available memory read now (and keep the reading)."""
    global _last_read
    _last_read = (_clock(), _read_available_memory())
    return _last_read[1]


def _read_available_memory() -> int:
    """Return ``MemAvailable`` (Linux) or the physical memory, read now."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # not Linux: the physical memory is the best cheap bound
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def cube_bytes(observation: Observation, n_galaxies: int, noise: bool, model_only: bool = False,
               keep: tuple[str, ...] = PRODUCTS) -> int:  # fmt: skip
    """Return the peak bytes of making one cube of ``observation`` (see the module docstring).

    ``model_only`` counts :func:`~GalCubeCraft.render` alone (its float32 model cube);
    ``keep``, the products the factory keeps (:mod:`GalCubeCraft.products.kept`): without
    the model, no model cube; without the clean or the noisy cube, no noise cube and no
    separate noisy cube (the noise goes into the clean cube's memory, or is not drawn).
    """
    voxels = observation.shape[0] * observation.shape[1] * observation.shape[2]
    if model_only:
        per_voxel = 4.0
    else:
        # model + one galaxy, per-galaxy clean, the instrument's copy of one galaxy, the
        # clean cube, and with noise the noise and the noisy cube: all float32 (noise
        # is drawn and moments are summed a block of channels at a time).
        model = 4 if "model" in keep else 0
        noisy = 8 if noise and "clean" in keep and "noisy" in keep else 0
        per_voxel = model + 4 + 4 * n_galaxies + 4 + 4 + noisy
    return int(voxels * per_voxel) + RENDER_OVERHEAD


def check_memory(
    observation: Observation,
    n_galaxies: int,
    noise: bool,
    limit_bytes: float | None = None,
    model_only: bool = False,
    kept_cubes: int = 0,
    names: tuple[str, str] = ("nx, ny, grid_size", "n_chan"),
    keep: tuple[str, ...] = PRODUCTS,
) -> int:
    """Return the estimated bytes of a cube, or raise :class:`BudgetError` if over the limit.

    Parameters
    ----------
    observation : Observation
        The cube's grid and channels.
    n_galaxies : int
        Galaxies rendered into it (each keeps its own clean cube).
    noise : bool
        Whether noise is added.
    limit_bytes : float, optional
        The limit; default the available memory (:func:`available_memory_bytes`).
    model_only : bool
        Count :func:`~GalCubeCraft.render` alone.
    kept_cubes : int
        Float32 cubes of this shape the caller keeps besides (the facade's results).
    names : (str, str)
        What the caller's user calls the pixels and the channels (e.g. its options).
    keep : tuple of str
        The products the factory keeps (:func:`cube_bytes`).
    """
    n_chan, ny, nx = observation.shape
    need = (
        cube_bytes(observation, n_galaxies, noise, model_only, keep)
        + 4 * kept_cubes * n_chan * ny * nx
    )
    limit = available_memory_bytes() if limit_bytes is None else float(limit_bytes)
    if need > limit and limit_bytes is None and _buffers.idle_bytes() > 0:
        # Idle buffers of earlier cubes (:mod:`.._support.buffers`) are ours to free.
        _buffers.clear()
        limit = _read_now()
    if need > limit:
        raise BudgetError(
            f"a {n_chan}x{ny}x{nx} cube needs about {need / GIB:.1f} GiB of memory, more than "
            f"the {limit / GIB:.1f} GiB limit (RenderSettings.memory_limit_gib, default the "
            f"available memory): use fewer pixels ({names[0]}) or channels ({names[1]})"
        )
    return need


def check_disk(path: str | os.PathLike[str], need_bytes: float, what: str) -> None:
    """Refuse, before anything is written, ``what`` needing more than the free disk at ``path``."""
    folder = os.path.abspath(path)
    while not os.path.exists(folder):  # the store's folder may not exist yet
        folder = os.path.dirname(folder)
    free = shutil.disk_usage(folder).free
    if need_bytes > free:
        raise BudgetError(
            f"{what} needs at least {need_bytes / GIB:.3g} GiB of disk; {folder} has "
            f"{free / GIB:.3g} GiB free: make fewer cubes (n_cubes) or smaller ones"
        )


def check_fine_grid(
    step_kms: float, velocity_span_kms: float, n_chan: int, limit_bytes: float
) -> None:
    """Refuse a fine velocity grid whose nodes for a single pixel would not fit.

    The deposit holds, for each block of pixels, ``velocity_span / step`` nodes per pixel
    and a response matrix of that many nodes times ``n_chan``.
    """
    nodes = velocity_span_kms / step_kms
    need = 8.0 * nodes * (n_chan + 1)
    if not math.isfinite(need) or need > limit_bytes:
        raise BudgetError(
            f"the line's fine velocity grid needs {nodes:.3g} nodes per pixel (a velocity span "
            f"of {velocity_span_kms:.4g} km/s in steps of {step_kms:.3g} km/s), more than the "
            f"{limit_bytes / GIB:.3g} GiB limit (RenderSettings.memory_limit_gib, default the "
            "available memory): use wider channels (channel width), a larger sigma_kms or a "
            "narrower velocity span (v_sys_kms, rotation curve)"
        )


REFINE_BYTES_PER_SAMPLE = 32
"""Bytes a refined cell's samples hold per sample: flux, velocity, radius and height
(float32) while sampled, flux and velocity kept until the block is gathered, and the
gathered flux (float64), velocity and variance."""


def check_refinement(sight_lines: int, samples_per_line: int, limit_bytes: float | None) -> None:
    """Refuse refining a block of sky cells into more sight lines than memory holds.

    Parameters
    ----------
    sight_lines : int
        Sight lines the block's refinement holds once the next level is sampled (every
        level's, as they are kept until the block is deposited).
    samples_per_line : int
        Samples along each sight line.
    limit_bytes : float, optional
        The limit (:attr:`RenderSettings.memory_limit_bytes`); default the available
        memory.
    """
    need = float(sight_lines) * samples_per_line * REFINE_BYTES_PER_SAMPLE
    limit = available_memory_bytes() if limit_bytes is None else float(limit_bytes)
    if need > limit:
        raise BudgetError(
            f"refining the sky grid needs about {need / GIB:.3g} GiB ({sight_lines} sight "
            f"lines of {samples_per_line} samples), more than the {limit / GIB:.3g} GiB "
            "limit (RenderSettings.memory_limit_gib, default the available memory): raise "
            "refine_tolerance or voxel_tolerance (each in [1e-10, 1]) or lower "
            "max_refine_depth (in [0, 12])"
        )
