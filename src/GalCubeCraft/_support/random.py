"""Per-cube random generators.

A cube's randomness depends only on (root seed, cube index): never on how many workers
run, nor in which order cubes are made.  ``numpy.random.SeedSequence`` spawns
statistically independent streams from that pair.
"""

from __future__ import annotations

import numpy as np

NOISE_STREAM = 1
"""The sub-stream of a cube's generator that its noise is drawn from."""
FLOWS_STREAM = 2
"""The sub-stream its non-circular flows are drawn from (so they shift no other draw)."""
CLUMPS_STREAM = 3
"""The sub-stream its clumps are drawn from."""
DISPERSION_STREAM = 4
"""The sub-stream its radial dispersion profiles are drawn from."""
ARMS_STREAM = 5
"""The sub-stream its spiral arms are drawn from."""
LENS_STREAM = 6
"""The sub-stream its lens is drawn from."""
INTERFEROMETER_STREAM = 7
"""The sub-stream its interferometric observation (array, track, T_sys) is drawn from."""
VISIBILITY_NOISE_STREAM = 8
"""The sub-stream its visibilities' thermal noise is drawn from."""
WARP_STREAM = 9
"""The sub-stream its warps and flares are drawn from."""
VIEW_ORIENTATION_STREAM = 10
"""The sub-stream a view's orientations are drawn again from (keyed by the view too)."""
TULLY_FISHER_STREAM = 11
"""The sub-stream its galaxies' Tully-Fisher scatter is drawn from."""
LINE_FLUX_STREAM = 12
"""The sub-stream its galaxies' line fluxes are drawn from."""


def cube_generator(
    root_seed: int | None, index: int, stream: int | None = None, view: int = 0
) -> np.random.Generator:
    """Return the generator of cube ``index`` under ``root_seed``.

    Parameters
    ----------
    root_seed : int or None
        Root seed of the run; ``None`` draws fresh entropy (not reproducible).
    index : int
        Cube index, >= 0.
    stream : int, optional
        An independent sub-stream of the cube (e.g. 1 for its noise), so that drawing
        noise never shifts the parameter draws.
    view : int
        Another view of the same scene ``index`` (needs ``stream``): view 0 is the
        stream itself, view ``v > 0`` an independent one keyed ``(index, stream, v)``.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator seeded from ``SeedSequence(root_seed, spawn_key=key)`` with
        ``key = (index,)``, ``(index, stream)`` or ``(index, stream, view)``.
    """
    key = (int(index),) if stream is None else (int(index), int(stream))
    if view:
        if stream is None:
            raise ValueError("a view's generator needs a stream")
        key = (*key, int(view))
    sequence = np.random.SeedSequence(entropy=root_seed, spawn_key=key)
    return np.random.Generator(np.random.PCG64(sequence))


def fresh_root_seed() -> int:
    """Return a new random root seed, so an unseeded run can still be recorded and replayed."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # a fresh SeedSequence draws one integer
    return entropy


def generator_key(rng: np.random.Generator) -> int:
    """Return one 64-bit draw of ``rng``: the key of a counter-based stream.

    A counter-based stream (the noise's, :mod:`GalCubeCraft.kernels.counter_normals`)
    is a function of its key and a position; this draw ties it to the generator.
    """
    return int(rng.integers(2**64, dtype=np.uint64))


def noise_key(root_seed: int | None, index: int) -> int:
    """Return the key of cube ``index``'s noise field under ``root_seed``.

    It is the first draw of the cube's noise generator (``cube_generator(root_seed,
    index, NOISE_STREAM)``), which is what the cube factory draws it from: so
    ``noise_region(noise_key(seed, index), origin, shape, ...)`` is that part of the
    dataset cube's noise, made alone (a survey's tile, say).
    """
    return generator_key(cube_generator(root_seed, index, NOISE_STREAM))
