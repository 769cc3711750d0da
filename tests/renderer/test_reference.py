"""Cubes equal the pinned reference cubes: speed work must not change what is computed."""

import numpy as np
import pytest
from reference_scenes import DATA, SCENES, clean_cube


@pytest.mark.parametrize("name", list(SCENES))
def test_scene_matches_its_reference_cube(name):
    """Every voxel within 1e-6 of the peak, and the total within 1e-6."""
    with np.load(DATA) as stored:
        reference = stored[name]
    cube = clean_cube(name)
    peak = float(reference.max())
    assert peak > 0
    assert np.max(np.abs(cube - reference)) <= 1e-6 * peak
    assert float(cube.sum(dtype=np.float64)) == pytest.approx(
        float(reference.sum(dtype=np.float64)), rel=1e-6
    )
