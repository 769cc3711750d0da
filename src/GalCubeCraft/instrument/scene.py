"""A scene observed galaxy by galaxy: the cube factory's renders and instrument, in its memory.

Each galaxy is rendered alone into its own slot of ``galaxy_clean`` and observed there in
place (:func:`~.observe.observe_into`, bit for bit :func:`~.observe.apply_instrument`),
so the clean cube is the sum of the galaxies observed alone.  All cubes are the buffer
pool's (:mod:`GalCubeCraft._support.buffers`: no fresh pages per cube); no cube-sized
temporary is made.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._support import buffers as _buffers
from ..model.diffuse import DiffuseComponents
from ..model.galaxy import Galaxy
from ..model.lens import Lens
from ..observation.records import Observation
from ..products.moments import Moments, moments
from ..renderer.blobs import render_blobs_into
from ..renderer.render import render_galaxy_into
from ..renderer.settings import RenderSettings
from .observe import check_instrument_range, observe_into


class ObservedScene(NamedTuple):
    """What :func:`observe_scene` returns (float32 arrays of the observation's shape)."""

    model: np.ndarray | None
    """The renders summed (Jy/pixel); None when not asked for (``with_model``)."""
    galaxy_clean: np.ndarray
    """``(G, n_chan, ny, nx)``: each galaxy observed alone."""
    clean: np.ndarray
    """Their sum, plus ``diffuse_clean``; one galaxy alone: ``galaxy_clean[0]`` itself."""
    diffuse_clean: np.ndarray | None
    """The diffuse components observed alone (None without them)."""
    finite: bool
    """Whether the cubes are known finite (every render's peak was; not with diffuse)."""
    truth: Moments
    """The model's moments."""


def observe_scene(
    settings: RenderSettings,
    galaxies: list[Galaxy],
    observation: Observation,
    diffuse: DiffuseComponents | None,
    lens: Lens | None,
    with_model: bool = True,
) -> ObservedScene:
    """Render and observe ``galaxies`` (and ``diffuse``), each alone (unchecked: the factory's).

    Not ``with_model``: one galaxy alone has no model cube (its moments are taken before
    the instrument works in its render's memory); else the model's memory, its moments
    taken, holds the clean cube.  Every array returned is, bit for bit, what it is
    ``with_model``.
    """
    shape = observation.shape
    alone = len(galaxies) == 1 and diffuse is None
    model = None if galaxies else _buffers.zeros(shape)
    galaxy_clean = _buffers.empty((len(galaxies), *shape))
    finite, truth = True, None
    for k, galaxy in enumerate(galaxies):
        slot = galaxy_clean[k]
        slot.fill(0.0)
        peak = render_galaxy_into(slot, galaxy, observation, settings, lens)
        finite = finite and math.isfinite(peak)
        if not with_model and alone:  # the render is the model: its moments, before the beam
            truth = moments(slot, observation.velocities_kms)
        else:  # made once the first render's temporaries are gone (a lower peak)
            model = _buffers.empty(shape) if model is None else model
            np.add(model if k else 0.0, slot, out=model)  # the renders summed, from 0
        # apply_instrument bit for bit, in place; the range checked from the render's peak.
        check_instrument_range(slot, observation, peak=peak)
        observe_into(slot, observation)
    diffuse_clean = None
    if diffuse is not None:
        assert model is not None  # made with diffuse emission
        one = _buffers.zeros(shape)
        if diffuse.halo is not None:
            render_galaxy_into(one, diffuse.halo, observation, settings)
        for blobs in diffuse.blobs:
            render_blobs_into(one, blobs, observation)
        model += one
        check_instrument_range(one, observation)
        observe_into(one, observation)
        diffuse_clean = one
        finite = False  # its blobs are not checked on the way: the Cubes check the sums
    if truth is None:
        assert model is not None  # made unless one galaxy is alone without the model
        truth = moments(model, observation.velocities_kms)
    if alone:
        return ObservedScene(model, galaxy_clean, galaxy_clean[0], None, finite, truth)
    clean = model if model is not None and not with_model else _buffers.empty(shape)
    np.sum(galaxy_clean, axis=0, dtype=np.float32, out=clean)
    if diffuse_clean is not None:
        clean += diffuse_clean
    return ObservedScene(model if with_model else None, galaxy_clean, clean, diffuse_clean,
                         finite, truth)  # fmt: skip
