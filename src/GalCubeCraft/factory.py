"""The one cube factory: scene + observation + settings + noise -> cubes and their truth.

Everything that makes cubes (the compatibility class, the datasets, the command line) calls
:func:`make_cubes`, or :func:`make_indexed_cube` for cube ``i`` of a
:class:`~GalCubeCraft.priors.spec.DatasetSpec`; nothing else chains render, instrument and noise.

The chain, for galaxies ``g = 1..G``:

1. each galaxy is rendered alone into a Jy/pixel model (:mod:`GalCubeCraft.renderer.render`);
2. each model goes through the instrument (line spread, beam) on its own, giving the
   per-galaxy clean cubes; the clean cube is their sum, so the two always agree;
3. noise of an rms given, or set by a peak or an integrated S/N
   (:mod:`GalCubeCraft.instrument.noise_level`), correlated by the beam, is drawn from the
   cube's own noise stream and added (with :class:`~.renderer.settings.AutoAccuracy`
   settings, the render's preset is the coarsest that noise allows).

``keep`` names the cubes returned (:mod:`GalCubeCraft.products.kept`); those not kept are
never held beside the others.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._support import buffers as _buffers
from ._support import validate as _validate
from ._support.random import NOISE_STREAM, VISIBILITY_NOISE_STREAM, generator_key
from .instrument.noise import add_noise_into, noise_cube, sum_into_noise
from .instrument.noise_level import NoiseModel, integrated_snr, peak_snr
from .instrument.observe import apply_instrument
from .instrument.scene import ObservedScene, observe_scene
from .model.diffuse import DiffuseComponents
from .model.galaxy import Galaxy
from .model.lens import Lens
from .observation.records import Observation
from .priors.galaxies import CubeDraw, draw_scene
from .priors.spec import DatasetSpec
from .priors.views import item_generator
from .products.cube import Cube
from .products.kept import PRODUCTS, KeptProduct, KeptRepr, check_keep
from .renderer.budget import check_memory
from .renderer.lensing import (
    LensingTruth,
    critical_curves,
    magnification_map,
    total_magnification,
)
from .renderer.render import (
    as_galaxy_list,
    check_scene,
    check_velocity_grids,
    render,
    render_galaxy_into,
)
from .renderer.settings import AutoAccuracy, RenderSettings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .interferometry.observe import Interferometer, InterferometricCubes


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class CubeProducts(KeptRepr):
    """One cube and its ground truth.

    Attributes
    ----------
    model : Cube
        The intrinsic sky, Jy/pixel (float32).
    clean : Cube
        Observed, noiseless (float32); the sum of ``galaxy_clean`` (and of
        ``diffuse_clean`` when there is diffuse emission); one galaxy's: ``galaxy_clean[0]``.
    noisy : Cube
        ``clean`` plus noise (the same cube when no noise was asked for).
    galaxy_clean : numpy.ndarray
        ``(G, n_chan, ny, nx)`` float32, read-only: each galaxy observed alone (kept
        with ``clean``, as is ``diffuse_clean``).
    moment0 : numpy.ndarray
        Moment 0 of the model (Jy/pixel km/s), float32.
    velocity_field : numpy.ndarray
        Intensity-weighted velocity of the model (km/s; NaN off-source), float32.
    diffuse_clean : numpy.ndarray or None
        ``(n_chan, ny, nx)`` float32: the diffuse components observed alone (part of
        ``clean``, not of ``galaxy_clean``); None without them.
    kept : tuple of str
        The cubes kept (``make_cubes(keep=...)``): reading another raises
        :class:`~GalCubeCraft.products.kept.ProductNotKeptError`, and so do
        ``dataclasses.replace`` and ``asdict``, which read every field (``copy`` and
        pickling work).
    noise_rms : float
        Standard deviation of the added noise (0 when noiseless).
    lensing : LensingTruth or None
        With a lens: the unlensed source cube, the magnification map, the critical curves
        and caustics and the total magnification (:mod:`GalCubeCraft.renderer.lensing`).
    peak_snr, integrated_snr : float
        The noise's realised peak and integrated S/N
        (:mod:`GalCubeCraft.instrument.noise_level`), whichever way it was set; NaN
        when noiseless.  ``integrated_snr`` is measured when first read (a quarter of a
        128 x 256^2 cube's time at the fast preset; the dataset items record it).
    settings : RenderSettings or None
        The renderer settings the cube was made with (what an ``AutoAccuracy`` chose).
    noise_model : NoiseModel or None
        The noise asked for (None: noiseless).
    """

    model: KeptProduct[Cube] = KeptProduct("model")
    clean: KeptProduct[Cube] = KeptProduct("clean")
    noisy: KeptProduct[Cube] = KeptProduct("noisy")
    galaxy_clean: KeptProduct[np.ndarray] = KeptProduct("clean")
    moment0: np.ndarray
    velocity_field: np.ndarray
    diffuse_clean: KeptProduct[np.ndarray | None] = KeptProduct("clean", None)
    lensing: LensingTruth | None = None
    peak_snr: float = math.nan
    settings: RenderSettings | None = None
    noise_model: NoiseModel | None = None
    kept: tuple[str, ...] = PRODUCTS
    noise_rms: float = 0.0

    @functools.cached_property
    def integrated_snr(self) -> float:
        """The noise's realised integrated S/N; NaN when noiseless (measured once, when read)."""
        if self.noise_model is None or not self.noise_rms > 0.0:
            return math.nan
        clean = self.clean
        return integrated_snr(clean.data, self.noise_rms, clean.observation.beam,
                              self.noise_model.hanning)  # fmt: skip


def make_cubes(
    galaxies: Galaxy | Iterable[Galaxy],
    observation: Observation,
    settings: RenderSettings | AutoAccuracy | None = None,
    noise: NoiseModel | None = None,
    noise_rng: np.random.Generator | None = None,
    diffuse: DiffuseComponents | None = None,
    lens: Lens | None = None,
    keep: str | Iterable[str] = PRODUCTS,
) -> CubeProducts:
    """Render, observe and (optionally) add noise: the one cube factory.

    Parameters
    ----------
    galaxies : Galaxy or iterable of Galaxy
        The scene.
    observation : Observation
        Grid, channels, beam, line spread and sky.
    settings : RenderSettings or AutoAccuracy, optional
        Accuracy knobs of the renderer, or the rule that picks them from the noise.
    noise : NoiseModel, optional
        Noise to add; ``None`` for noiseless cubes.
    noise_rng : numpy.random.Generator, optional
        Source of the noise (required with ``noise``).
    diffuse : DiffuseComponents, optional
        Halo, bridges and tails (:mod:`GalCubeCraft.model.diffuse`) added to the scene.
    lens : Lens, optional
        A lens in front of the galaxies (:mod:`GalCubeCraft.model.lens`): the cubes are
        its image plane, and ``lensing`` holds the truth.  A lens that deflects nothing
        gives the unlensed cubes bit for bit (and ``lensing`` None).
    keep : str or iterable of str
        The cubes to return, one or more of ``"model"``, ``"clean"``, ``"noisy"`` (all by
        default); each kept one, and every map and S/N, is bit for bit the default's.
        The others are never held beside them (a 256 x 512^2 cube is 256 MiB; any two
        of the three peak at 522-554 MiB there, all three at 778): without the model,
        the instrument works in the render's memory; without the clean cube, the noise
        is added in its memory (``galaxy_clean`` and ``diffuse_clean``, which may be
        that memory, are not kept either, and ``integrated_snr`` is measured first, at
        once: about 0.5 s at 256 x 512^2);
        without the noisy cube, no noise is drawn (its key is still taken from
        ``noise_rng``, so later draws are unchanged).  With a lens, the model is made for
        the lensing truth, then dropped.

    Returns
    -------
    CubeProducts
        The cubes kept (model, clean, noisy), per-galaxy clean cubes and truth maps.
    """
    galaxy_list = as_galaxy_list(galaxies)
    check_scene(galaxy_list, observation, lens)
    if lens is not None and lens.is_null:
        lens = None
    if lens is not None and diffuse is not None:
        raise ValueError("diffuse components are not lensed yet: give a lens or diffuse, not both")
    if noise_rng is not None and not isinstance(noise_rng, np.random.Generator):
        raise TypeError(
            f"noise_rng must be a numpy.random.Generator or None; got {type(noise_rng).__name__}"
        )
    if noise is not None and noise_rng is None:
        raise TypeError("noise_rng must be a numpy.random.Generator when noise is given")
    kept = check_keep(keep)
    settings = RenderSettings() if settings is None else settings
    if not isinstance(settings, (RenderSettings, AutoAccuracy)):
        raise TypeError(
            f"settings must be a RenderSettings or an AutoAccuracy; got {type(settings).__name__}"
        )
    if noise is not None:
        _validate.instance("noise", noise, NoiseModel)
    finest = settings.presets[-1] if isinstance(settings, AutoAccuracy) else settings
    # A lens adds the unlensed source cube and its clean twin: two more galaxies' worth.
    with_model = "model" in kept or lens is not None  # the lensing truth reads the model
    check_memory(observation, len(galaxy_list) + (2 if lens is not None else 0),
                 noise is not None, finest.memory_limit_bytes,
                 keep=kept + ("model",) if with_model else kept)  # fmt: skip
    check_velocity_grids(galaxy_list, observation, finest)
    scene = (galaxy_list, observation, diffuse, lens, with_model)
    if isinstance(settings, AutoAccuracy):
        settings, parts, rms = _auto_render(settings, scene, noise)
    else:
        parts = observe_scene(settings, *scene)
        rms = 0.0 if noise is None else noise.rms_for(parts[2], observation.beam)
    model, galaxy_clean, clean, diffuse_clean, finite, truth = parts
    sources = tuple(galaxy_list)
    make = Cube.of_finite if finite else Cube  # known finite: no pass for NaN and inf
    model_cube = None
    if model is not None:
        model_cube = make(model, observation, kind="model", galaxies=sources)
    clean_cube = make(clean, observation, kind="observed", galaxies=sources)
    noisy_cube = clean_cube
    snr = math.nan
    measured: dict[str, float] = {}
    if noise is not None and rms > 0.0:
        assert noise_rng is not None  # checked above
        snr = peak_snr(clean, rms)
        beam, hanning = observation.beam, noise.hanning
        if "clean" not in kept:  # measured before the noise goes into the clean's memory
            measured["integrated_snr"] = integrated_snr(clean, rms, beam, hanning)
        if "noisy" not in kept:
            generator_key(noise_rng)  # the key noise_cube would have taken
        else:
            if "clean" in kept:
                added = noise_cube(observation.shape, rms, noise_rng, beam, hanning)
                noisy, finite_sum = sum_into_noise(clean, added)  # ours alone: no third cube
            else:  # the clean's memory (alone, its galaxy's too) becomes the noisy cube's
                noisy, finite_sum = clean, add_noise_into(clean, rms, noise_rng, beam, hanning)
            if not finite_sum:
                name, value = noise.level
                raise ValueError(f"noise {name} {value!r} overflows float32 cubes")
            noisy_cube = Cube.of_finite(noisy, observation, "noisy", rms, sources)
    galaxy_clean.flags.writeable = False  # read-only as the Cubes: one may be the clean's
    lensing = None
    if lens is not None:
        assert model_cube is not None  # made for it
        lensing = _lensing_truth(lens, galaxy_list, observation, settings, model_cube)
    products = CubeProducts(
        model=model_cube if "model" in kept else None,
        clean=clean_cube if "clean" in kept else None,
        noisy=noisy_cube if "noisy" in kept else None,
        galaxy_clean=galaxy_clean if "clean" in kept else None,
        moment0=truth.m0.astype(np.float32),
        velocity_field=truth.m1.astype(np.float32),
        diffuse_clean=diffuse_clean if "clean" in kept else None,
        lensing=lensing,
        peak_snr=snr,
        settings=settings,
        noise_model=noise,
        kept=kept,
        noise_rms=noisy_cube.noise_rms if "noisy" in kept else float(rms),
    )
    products.__dict__.update(measured)  # a cached property's value, as if read already
    return products


_Scene = tuple[list[Galaxy], Observation, DiffuseComponents | None, Lens | None, bool]


def _auto_render(
    auto: AutoAccuracy, scene: _Scene, noise: NoiseModel | None
) -> tuple[RenderSettings, ObservedScene, float]:
    """Return the settings ``auto`` picks for the scene's noise, the scene so made, its rms.

    A peak S/N fixes ``peak / rms`` before rendering.  An rms or an integrated S/N does
    not: render at the coarsest step, then at the step the render's own peak and rms
    call for, until a render passes its own check (the steps only grow, so this ends).
    """
    observation = scene[1]
    if noise is None or noise.level[0] == "peak_snr":
        ratio = math.inf if noise is None else noise.level[1]
        settings = auto.settings_for(ratio)
        parts = observe_scene(settings, *scene)
        return settings, parts, 0.0 if noise is None else noise.rms_for(parts[2], observation.beam)
    step = 0
    while True:
        settings = auto.presets[step]
        parts = observe_scene(settings, *scene)
        rms = noise.rms_for(parts[2], observation.beam)
        needed = auto.step_for(peak_snr(parts[2], rms))
        if needed <= step:
            return settings, parts, rms
        del parts  # its buffers serve the finer render
        step = needed


def _lensing_truth(
    lens: Lens,
    galaxies: list[Galaxy],
    observation: Observation,
    settings: RenderSettings,
    lensed: Cube,
) -> LensingTruth:
    """Return the truth of a lensed scene: its unlensed twin and the lens on the grid."""
    source = _buffers.zeros(observation.shape)
    for galaxy in galaxies:
        render_galaxy_into(source, galaxy, observation, settings)
    source_model = Cube(source, observation, kind="model", galaxies=tuple(galaxies))
    curves, caustics = critical_curves(lens, observation)
    return LensingTruth(
        lens=lens,
        source_model=source_model,
        source_clean=apply_instrument(source, observation),
        magnification=magnification_map(lens, observation),
        total_magnification=total_magnification(lensed, source_model),
        critical_curves=curves,
        caustics=caustics,
    )


def make_interferometric_cubes(
    galaxies: Galaxy | Iterable[Galaxy],
    observation: Observation,
    interferometer: Interferometer,
    rng: np.random.Generator | None = None,
    settings: RenderSettings | None = None,
    lens: Lens | None = None,
) -> InterferometricCubes:
    """Render the scene and observe it with an interferometer (the ``interferometry`` extra).

    The model is rendered as :func:`make_cubes` renders it (Jy/pixel, lensed when a lens
    is given), then observed by
    :func:`~GalCubeCraft.interferometry.observe.observe_interferometer`: dirty cube with
    thermal noise from ``rng``, dirty beams, uv masks, CLEAN; the observation's own beam
    and line spread do not apply (the array's beam replaces them).
    """
    from .interferometry.observe import (
        check_interferometric_observation,
        observe_interferometer,
    )

    check_interferometric_observation(observation, interferometer, rng)
    model = render(galaxies, observation, settings, lens=lens)
    return observe_interferometer(model, interferometer, rng)


@dataclass(frozen=True, eq=False)
class IndexedCube:
    """Cube ``index`` of a spec: what was drawn and what was made of it."""

    index: int
    draw: CubeDraw
    products: CubeProducts
    interferometric: InterferometricCubes | None = None


def make_indexed_cube(
    spec: DatasetSpec, index: int, settings: RenderSettings | AutoAccuracy | None = None
) -> IndexedCube:
    """Draw and make cube ``index`` of ``spec``; the same inputs give bit-identical cubes.

    ``settings`` default to those the spec's ``render`` table names
    (:attr:`~GalCubeCraft.priors.spec.DatasetSpec.render_settings`).

    Parameters come from the cube's generator (:func:`GalCubeCraft.priors.galaxies.draw_scene`),
    noise from its own stream ``(seed, index, 1)``.  A spec with interferometer arrays
    also observes the model with the interferometer drawn for the cube
    (:mod:`GalCubeCraft.priors.interferometry`), its visibility noise from stream 8.
    With several views per scene, ``index`` there is the scene's, and a view ``v > 0``
    draws its noise from ``(scene, stream, v)`` (:mod:`GalCubeCraft.priors.views`).
    """
    draw = draw_scene(spec, index)
    noise = draw.noise
    products = make_cubes(
        draw.galaxies,
        spec.observation.for_pixel(draw.pixel_kpc),
        spec.render_settings if settings is None else settings,
        noise,
        item_generator(spec, index, NOISE_STREAM) if noise is not None else None,
        draw.diffuse,
        draw.lens,
    )
    interferometric = None
    if spec.interferometry:
        from .interferometry.observe import observe_interferometer
        from .priors.interferometry import draw_interferometer

        interferometer = draw_interferometer(spec, index)
        rng = item_generator(spec, index, VISIBILITY_NOISE_STREAM)
        interferometric = observe_interferometer(products.model, interferometer, rng)
    return IndexedCube(index=index, draw=draw, products=products, interferometric=interferometric)
