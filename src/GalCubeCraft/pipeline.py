"""Galaxies plus an observation in, a Jy/pixel model cube out: no I/O, no randomness."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from . import _validate
from .cube import Cube
from .model.galaxy import Galaxy
from .observation import Observation, check_fits_in_field
from .renderer.compact import needs_own_frame, own_frame_samples
from .renderer.deposit import deposit_spectra
from .renderer.geometry import DiskGeometry
from .renderer.sampling import sample_sky
from .renderer.settings import RenderSettings


def check_scene(galaxies: Sequence[Galaxy], observation: Observation) -> None:
    """Raise ``TypeError``/``ValueError`` if the galaxies cannot be rendered in ``observation``."""
    if not isinstance(observation, Observation):
        raise TypeError(f"observation must be an Observation; got {type(observation).__name__}")
    for k, galaxy in enumerate(galaxies):
        if not isinstance(galaxy, Galaxy):
            raise TypeError(f"galaxies[{k}] must be a Galaxy; got {type(galaxy).__name__}")
        check_fits_in_field(galaxy.r_e_kpc, galaxy.x_kpc, galaxy.y_kpc, observation)


def as_galaxy_list(galaxies: Galaxy | Iterable[Galaxy]) -> list[Galaxy]:
    """Return ``galaxies`` as a list (one galaxy or any iterable of them)."""
    return [galaxies] if isinstance(galaxies, Galaxy) else list(galaxies)


def render_galaxy_into(
    cube: np.ndarray, galaxy: Galaxy, observation: Observation, settings: RenderSettings
) -> None:
    """Add the Jy/pixel emission of one galaxy to ``cube`` (shape ``observation.shape``).

    The hot path: ``galaxy`` and ``observation`` must already have been checked
    (:func:`check_scene`).
    """
    geometry = DiskGeometry.from_galaxy(galaxy, settings.lost_fraction)
    if geometry.line_flux <= 0.0:
        return
    flat = cube.reshape(cube.shape[0], -1)
    if needs_own_frame(geometry, observation):
        # Finer than the deepest sky cell: integrate in the galaxy's own frame instead.
        for pixel, flux, velocity, variance in own_frame_samples(geometry, observation, settings):
            pixels, local = np.unique(pixel, return_inverse=True)
            flat[:, pixels] += deposit_spectra(
                local, pixels.size, flux, velocity, variance, geometry.v_sys, geometry.sigma,
                observation.spectral, settings,
            ).T  # fmt: skip
        return
    samples = sample_sky(geometry, observation, settings)
    if samples.pixels.size == 0:
        return
    spectra = deposit_spectra(
        samples.local[:, None],
        samples.pixels.size,
        samples.flux,
        samples.velocity,
        samples.variance,
        geometry.v_sys,
        geometry.sigma,
        observation.spectral,
        settings,
    )
    flat[:, samples.pixels] += spectra.T


def render(
    galaxies: Galaxy | Iterable[Galaxy],
    observation: Observation,
    settings: RenderSettings | None = None,
) -> Cube:
    """Render galaxies into a model cube in Jy/pixel.

    Parameters
    ----------
    galaxies : Galaxy or iterable of Galaxy
        The sources; their emission adds.
    observation : Observation
        Grid, pixel scale and channels (its beam and line spread are *not* applied here:
        see :func:`GalCubeCraft.observe`).
    settings : RenderSettings, optional
        Accuracy knobs.

    Returns
    -------
    Cube
        ``kind='model'``, float64 data of shape ``(n_chan, ny, nx)``: the mean flux
        density over each channel in each pixel (Jy/pixel).
        ``cube.line_flux_jykms()`` is the line flux inside the field and band (Jy km/s).
    """
    galaxy_list = as_galaxy_list(galaxies)
    check_scene(galaxy_list, observation)
    settings = RenderSettings() if settings is None else settings
    _validate.instance("settings", settings, RenderSettings)
    data = np.zeros(observation.shape, dtype=np.float64)
    for galaxy in galaxy_list:
        render_galaxy_into(data, galaxy, observation, settings)
    return Cube(data, observation, kind="model", galaxies=tuple(galaxy_list))
