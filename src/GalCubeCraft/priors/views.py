"""Many views of one scene: with ``views = k``, item ``i`` is view ``i % k`` of scene ``i // k``.

A scene's parameters come from the streams of index ``scene``, exactly as cube ``scene``
of a spec with one view draws them, so ``views = 1`` changes nothing.  What a view
changes (``views_vary``):

- 'orientation': every galaxy's two angles are drawn again from their priors, from a
  stream keyed ``(scene, VIEW_ORIENTATION_STREAM, view)``; all else is the scene's (sizes,
  speeds, positions, features, the noise level).  View 0 keeps the scene's own angles.
- 'noise': nothing of the scene; only the noise realisation.

In both, the noise (and an interferometer's visibility noise) of view ``v > 0`` comes from
its own stream ``(scene, stream, v)``: two views of a scene never share a noise field, so
a network cannot pair them by their noise.  Every item stays a pure function of
``(spec, i)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._support.random import VIEW_ORIENTATION_STREAM, cube_generator

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .spec import DatasetSpec


def scene_and_view(spec: DatasetSpec, index: int) -> tuple[int, int]:
    """Return ``(scene, view)`` of item ``index``: ``divmod(index, spec.views)``."""
    scene, view = divmod(int(index), spec.views)
    return scene, view


def item_generator(spec: DatasetSpec, index: int, stream: int) -> np.random.Generator:
    """Return item ``index``'s generator of ``stream`` (its noise): the scene's, per view."""
    scene, view = scene_and_view(spec, index)
    return cube_generator(spec.seed, scene, stream, view)


def orientation_generator(spec: DatasetSpec, index: int) -> np.random.Generator | None:
    """Return the generator a view redraws its galaxies' angles from (None: keep them)."""
    scene, view = scene_and_view(spec, index)
    if view == 0 or spec.views_vary != "orientation":
        return None
    return cube_generator(spec.seed, scene, VIEW_ORIENTATION_STREAM, view)
