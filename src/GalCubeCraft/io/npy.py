"""NumPy ``.npy`` cubes, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._support.atomic import atomic_path


def save_npy(path: str | os.PathLike[str], cube: np.ndarray) -> Path:
    """Write ``cube`` to ``path`` (``.npy``) atomically and return the path."""
    path = Path(path)
    with atomic_path(path) as temporary, open(temporary, "wb") as handle:
        np.save(handle, np.asarray(cube))
    return path
