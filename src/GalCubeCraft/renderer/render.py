"""Galaxies plus an observation in, a Jy/pixel model cube out: no I/O, no randomness."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .._support import buffers as _buffers
from .._support import validate as _validate
from ..model.clumps import clump_blobs
from ..model.galaxy import Galaxy
from ..model.lens import Lens
from ..observation.records import Observation, check_fits_in_field
from ..products.cube import Cube
from .blobs import render_blobs_into
from .budget import available_memory_bytes, check_fine_grid, check_memory
from .compact import SUB_PIXEL_RADIUS, THIN_RIDGE, needs_own_frame, own_frame_samples
from .deposit import ChannelResponse, deposit_spectra, fine_step_kms
from .geometry import DiskGeometry
from .rings import flat_core, ring_samples
from .sampling import sample_sky
from .settings import RenderSettings
from .sky_frames import LensedFrame

DEPOSIT_CHUNK_ROWS = 1 << 12
"""Sight lines deposited at a time (each holds tens of flux samples); small chunks keep the
deposit's temporaries in cache (measured faster than 65,536 at 512^2, no slower at 125^2)."""
MAX_PEAK_JY = 1e-6 * float(np.finfo(np.float32).max)
"""Most line flux over one channel width (Jy) a scene may hold (:func:`check_scene`)."""
_ANY_LOSS = 1e-7  # the truncation does not change what needs_own_frame reads (r_e, h_z, i)


def check_scene(
    galaxies: Sequence[Galaxy], observation: Observation, lens: Lens | None = None
) -> None:
    """Raise ``TypeError``/``ValueError`` if the galaxies cannot be rendered in ``observation``.

    Behind a ``lens``, the observation needs an angular scale (the lens is in arcsec),
    the sources must lie behind the lens, and each must be resolved by the sky sampler
    (clumps and sources finer than it are rendered in their own frame, which a lens
    would fold: refused with the reason).
    """
    if not isinstance(observation, Observation):
        raise TypeError(f"observation must be an Observation; got {type(observation).__name__}")
    for k, galaxy in enumerate(galaxies):
        if not isinstance(galaxy, Galaxy):
            raise TypeError(f"galaxies[{k}] must be a Galaxy; got {type(galaxy).__name__}")
        check_fits_in_field(galaxy.r_e_kpc, galaxy.x_kpc, galaxy.y_kpc, observation)
    # No voxel holds more than the scene's flux over one channel: bounded far inside
    # float32 (a lens's magnification and the beam's FFT have room), the cube stays finite.
    peak = sum(galaxy.line_flux for galaxy in galaxies) / observation.spectral.channel_width_kms
    if not peak <= MAX_PEAK_JY:
        width = observation.spectral.channel_width_kms
        raise ValueError(
            f"the galaxies' line flux (s_e) over one channel must be at most {MAX_PEAK_JY:.3g} "
            f"Jy for a finite float32 cube; got {peak:.3g} Jy ({width:.3g} km/s channels): "
            "lower s_e or widen the channels"
        )
    if lens is None:
        return
    _validate.instance("lens", lens, Lens)
    if lens.is_null:
        return
    if observation.sky is None:
        raise ValueError(
            "a lens needs an observation with an angular scale (its Einstein radius is in "
            "arcsec): add one with observation.with_sky(redshift=...)"
        )
    lens.check_source_redshift(observation.sky.redshift)
    for k, galaxy in enumerate(galaxies):
        if galaxy.clumps:
            raise ValueError(f"galaxies[{k}] has clumps, which are not lensed yet; drop them")
        if galaxy.rings is not None:
            raise ValueError(f"galaxies[{k}] has tilted rings, which are not lensed yet")
        if needs_own_frame(DiskGeometry.from_galaxy(galaxy, _ANY_LOSS), observation):
            raise ValueError(
                f"galaxies[{k}] is finer than the sky sampler resolves behind a lens "
                f"(r_e below {SUB_PIXEL_RADIUS:g} pixel or projected thickness below "
                f"{THIN_RIDGE:g} pixel): use smaller pixels"
            )


def check_velocity_grids(
    galaxies: Sequence[Galaxy], observation: Observation, settings: RenderSettings
) -> None:
    """Refuse, before any work, a galaxy whose fine velocity grid would not fit in memory.

    Its nodes span the galaxy's line-of-sight velocities in steps of
    :func:`~GalCubeCraft.renderer.deposit.fine_step_kms`: tiny channels with a tiny
    dispersion ask for more nodes per pixel than any memory holds.
    """
    limit = settings.memory_limit_bytes
    limit = 0.25 * (available_memory_bytes() if limit is None else limit)
    for galaxy in galaxies:
        geometry = DiskGeometry.from_galaxy(galaxy, settings.lost_fraction)
        radii = np.linspace(0.0, geometry.r_max, 65)
        v_max = float(np.max(np.abs(geometry.curve(radii)), initial=0.0))
        span = 2.0 * v_max * geometry.sin_i + 12.0 * geometry.sigma + 1.0
        step = fine_step_kms(geometry.sigma, observation.spectral, settings)
        check_fine_grid(step, span, observation.spectral.n_chan, limit)


def as_galaxy_list(galaxies: Galaxy | Iterable[Galaxy]) -> list[Galaxy]:
    """Return ``galaxies`` as a list (one galaxy or any iterable of them), or raise."""
    if isinstance(galaxies, Galaxy):
        return [galaxies]
    if isinstance(galaxies, (str, bytes, Mapping)) or not isinstance(galaxies, Iterable):
        raise TypeError(
            f"galaxies must be a Galaxy or an iterable of Galaxy; got {type(galaxies).__name__}"
        )
    return list(galaxies)


def render_galaxy_into(
    cube: np.ndarray,
    galaxy: Galaxy,
    observation: Observation,
    settings: RenderSettings,
    lens: Lens | None = None,
) -> float:
    """Add the Jy/pixel emission of one galaxy to ``cube`` (shape ``observation.shape``).

    The hot path: ``galaxy``, ``observation`` and ``lens`` must already have been checked
    (:func:`check_scene`).  A null lens renders the unlensed cube, bit for bit.  A model
    cube is non-negative: the deposit's moment-keeping weights leave round-off of either
    sign (at most ~1e-9 of the peak, measured), and the negative part is set to 0 (as
    ``np.maximum(cube, 0.0)``).  Returns the cube's largest value after it (the range
    check of the instrument needs it: a pass over the cube fewer).
    """
    from ..kernels.reductions import clamp_at_zero  # numba: compiled on first use

    _add_galaxy(cube, galaxy, observation, settings, lens)
    if cube.flags.c_contiguous:
        return clamp_at_zero(cube.reshape(-1))
    np.maximum(cube, 0.0, out=cube)
    return float(np.max(cube, initial=0.0))


def _add_galaxy(
    cube: np.ndarray,
    galaxy: Galaxy,
    observation: Observation,
    settings: RenderSettings,
    lens: Lens | None,
) -> None:
    """Add one galaxy's emission to ``cube`` (:func:`render_galaxy_into`, before the clamp)."""
    geometry = DiskGeometry.from_galaxy(galaxy, settings.lost_fraction)
    flat = cube.reshape(cube.shape[0], -1)
    if lens is not None and not lens.is_null:
        assert observation.sky is not None  # checked by check_scene
        frame = LensedFrame(geometry, lens, observation.sky.kpc_per_arcsec)
        _deposit_sky(flat, geometry, observation, settings, frame)
        return
    if galaxy.clumps:
        render_blobs_into(cube, clump_blobs(galaxy, geometry.los_velocity), observation)
    if geometry.line_flux <= 0.0:
        return
    if galaxy.rings is not None:
        # Warped or flared: the flat core (if any) by the sky sampler, the rest as rings.
        core = flat_core(geometry, galaxy.rings, galaxy.inclination_deg, observation)
        if core is not None and needs_own_frame(core, observation):
            core = None  # too fine for the sky sampler: rings throughout
        if core is not None:
            _deposit_sky(flat, core, observation, settings, None)
            if core.taper is None:  # flat throughout
                return
        nodes = ring_samples(geometry, galaxy.rings, galaxy.inclination_deg, observation,
                             settings, core)  # fmt: skip
    elif needs_own_frame(geometry, observation):
        # Finer than the deepest sky cell: integrate in the galaxy's own frame instead.
        nodes = own_frame_samples(geometry, observation, settings)
    else:
        _deposit_sky(flat, geometry, observation, settings, None)
        return
    response = galaxy_response(geometry, observation, settings)
    for pixel, flux, velocity, variance in nodes:
        pixels, local = distinct_pixels(pixel, flat.shape[1])
        deposit_spectra(
            flat, pixels, local, flux, velocity, variance, geometry.v_sys, geometry.sigma,
            observation.spectral, settings, response,
        )  # fmt: skip


def distinct_pixels(pixel: np.ndarray, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``np.unique(pixel, return_inverse=True)`` for indices in ``[0, n_pixels)``.

    By marking, not sorting: a million own-frame nodes take 5 ms instead of 130.
    """
    present = np.zeros(n_pixels, dtype=bool)
    present[pixel] = True
    pixels = np.flatnonzero(present)
    index = np.empty(n_pixels, dtype=np.int64)
    index[pixels] = np.arange(pixels.size)
    return pixels, index[pixel]


def galaxy_response(
    geometry: DiskGeometry, observation: Observation, settings: RenderSettings
) -> ChannelResponse:
    """Return the channel response of ``geometry``'s fine nodes, shared by its deposits."""
    step = fine_step_kms(geometry.sigma, observation.spectral, settings)
    return ChannelResponse(geometry.v_sys, geometry.sigma, step, observation.spectral)


def _deposit_sky(
    flat: np.ndarray,
    geometry: DiskGeometry,
    observation: Observation,
    settings: RenderSettings,
    lens_frame: LensedFrame | None,
) -> None:
    """Add the sky sampler's samples of one galaxy to ``flat`` (``(n_chan, ny * nx)``)."""
    if geometry.line_flux <= 0.0:
        return
    # Blocks of pixels, and sight lines in chunks: the samples and the deposit's
    # temporaries (several per flux sample) stay bounded however large the galaxy.
    response = galaxy_response(geometry, observation, settings)
    for samples in sample_sky(geometry, observation, settings, lens_frame=lens_frame):
        for start in range(0, samples.local.size, DEPOSIT_CHUNK_ROWS):
            rows = slice(start, start + DEPOSIT_CHUNK_ROWS)
            pixels, local = distinct_pixels(samples.local[rows], samples.pixels.size)
            deposit_spectra(
                flat, samples.pixels[pixels], local[:, None], samples.flux[rows],
                samples.velocity[rows], samples.variance[rows], geometry.v_sys, geometry.sigma,
                observation.spectral, settings, response,
            )  # fmt: skip


def render(
    galaxies: Galaxy | Iterable[Galaxy],
    observation: Observation,
    settings: RenderSettings | None = None,
    lens: Lens | None = None,
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
    lens : Lens, optional
        A lens in front of every galaxy (:mod:`GalCubeCraft.model.lens`): the cube is then
        the image plane, each sight line seeing the galaxies at its source position.

    Returns
    -------
    Cube
        ``kind='model'``, float32 data of shape ``(n_chan, ny, nx)``: the mean flux
        density over each channel in each pixel (Jy/pixel).  Each pixel's spectrum is
        formed in float64 and rounded once per deposit (float32 holds 6e-8 of a
        value, far below the renderer's tolerances), so a 256 x 512^2 model takes
        256 MiB, not 512.
        ``cube.line_flux_jykms()`` is the line flux inside the field and band (Jy km/s).
    """
    galaxy_list = as_galaxy_list(galaxies)
    check_scene(galaxy_list, observation, lens)
    settings = RenderSettings() if settings is None else settings
    _validate.instance("settings", settings, RenderSettings)
    check_memory(observation, len(galaxy_list), noise=False,
                 limit_bytes=settings.memory_limit_bytes, model_only=True)  # fmt: skip
    check_velocity_grids(galaxy_list, observation, settings)
    data = _buffers.zeros(observation.shape)  # the pool's memory: no fresh pages per cube
    for galaxy in galaxy_list:
        render_galaxy_into(data, galaxy, observation, settings, lens)
    return Cube(data, observation, kind="model", galaxies=tuple(galaxy_list))
