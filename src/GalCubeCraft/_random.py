"""Per-cube random generators.

A cube's randomness depends only on (root seed, cube index): never on how many workers
run, nor in which order cubes are made.  ``numpy.random.SeedSequence`` spawns
statistically independent streams from that pair.
"""

from __future__ import annotations

import numpy as np


def cube_generator(root_seed: int | None, index: int) -> np.random.Generator:
    """Return the generator of cube ``index`` under ``root_seed``.

    Parameters
    ----------
    root_seed : int or None
        Root seed of the run; ``None`` draws fresh entropy (not reproducible).
    index : int
        Cube index, >= 0.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator seeded from ``SeedSequence(root_seed, spawn_key=(index,))``.
    """
    sequence = np.random.SeedSequence(entropy=root_seed, spawn_key=(int(index),))
    return np.random.Generator(np.random.PCG64(sequence))


def fresh_root_seed() -> int:
    """Return a new random root seed, so an unseeded run can still be recorded and replayed."""
    return int(np.random.SeedSequence().entropy)
