"""An interferometer observing a model cube: visibilities, noise, dirty and restored cubes.

For each channel (its frequency from the radio velocity, ``nu = nu_obs (1 - v / c)``):

1. the model (Jy/pixel) is attenuated by the primary beam at that frequency;
2. its visibilities at the array's uv points (in wavelengths of that channel) are
   computed exactly by NUFFT (:mod:`.nufft`), and thermal noise from the radiometer
   equation (:mod:`.thermal`) is added to each;
3. they are weighted (:mod:`.weighting`) and imaged: the dirty image (Jy/beam), and the
   dirty beam (peak 1) from the same weights;
4. optionally CLEANed (:mod:`.clean`) down to ``clean_threshold_rms`` times the channel's
   predicted rms and restored with one clean beam, fitted to the dirty beam of the
   band's central channel, for every channel (as a common restoring beam).

The noise rms of each channel is predicted exactly from the weights; the noise is drawn
from the generator given, so a seed gives the same cube.  What comes back, and how the
products pair for deconvolution (intrinsic, beam-convolved, dirty, residual, PSF, uv
weights): :mod:`.cubes`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate
from ..observation.beam import Beam
from ..observation.records import Observation, pixel_centres_kpc
from ..products.cube import Cube
from .arrays import ARRAY_NAMES, load_array
from .clean import fit_clean_beam, hogbom, restore
from .cubes import ARCSEC_PER_RADIAN
from .cubes import InterferometricCubes as InterferometricCubes
from .nufft import DirtyImager
from .primary_beam import PRIMARY_BEAMS, primary_beam
from .thermal import SPEED_OF_LIGHT_MS, channel_bandwidth_hz, image_rms_jy, visibility_sigma_jy
from .uv import Track, uvw_m
from .weighting import WEIGHTINGS, gridded_weights, sampling_mask, weights


@dataclass(frozen=True)
class Interferometer:
    """How the sky is observed: array, track, weighting, receivers and deconvolution.

    Parameters
    ----------
    array : str
        One of :data:`~GalCubeCraft.interferometry.arrays.ARRAY_NAMES` (e.g. 'alma_c5').
    track : Track
        Declination, duration, integration time and hour angle.
    weighting : {'natural', 'uniform', 'briggs'}
        Imaging weights; ``robust`` is Briggs's R.
    t_sys_k : float
        System temperature (K).
    efficiency : float
        Aperture times correlator and quantisation efficiency, in (0, 1].
    primary_beam : {'gaussian', 'airy', 'none'}
        Dish response (:mod:`.primary_beam`).
    noise : bool
        Add thermal noise to the visibilities.
    clean_threshold_rms : float or None
        CLEAN each channel down to this many times its predicted rms; None: no CLEAN.
    clean_gain : float
        Högbom loop gain.
    max_clean_iterations : int
        Cap on CLEAN iterations per channel.
    """

    array: str = "alma_c5"
    track: Track = dataclasses.field(default_factory=lambda: Track(declination_deg=-30.0))
    weighting: str = "natural"
    robust: float = 0.5
    t_sys_k: float = 100.0
    efficiency: float = 0.6
    primary_beam: str = "gaussian"
    noise: bool = True
    clean_threshold_rms: float | None = 3.0
    clean_gain: float = 0.1
    max_clean_iterations: int = 5000

    def __post_init__(self) -> None:
        """Check everything, including that the array can see the declination."""
        _validate.choice("array", self.array, ARRAY_NAMES)
        _validate.instance("track", self.track, Track)
        _validate.choice("weighting", self.weighting, WEIGHTINGS)
        _validate.real("robust", self.robust, low=-2.0, high=2.0)
        _validate.positive("t_sys_k", self.t_sys_k)
        _validate.real("efficiency", self.efficiency, low=0.0, low_open=True, high=1.0)
        _validate.choice("primary_beam", self.primary_beam, PRIMARY_BEAMS)
        _validate.boolean("noise", self.noise)
        if self.clean_threshold_rms is not None:
            _validate.positive("clean_threshold_rms", self.clean_threshold_rms)
        _validate.real("clean_gain", self.clean_gain, low=0.0, low_open=True, high=1.0)
        _validate.integer("max_clean_iterations", self.max_clean_iterations, low=1)
        self.track.check_visible(load_array(self.array).latitude_deg)


def channel_frequencies_hz(observation: Observation) -> np.ndarray:
    """Return each channel's observed frequency (Hz): ``nu_obs (1 - v / c)`` (radio velocity)."""
    sky = observation.require_sky()
    return sky.observed_frequency_hz * (1.0 - observation.velocities_kms * 1e3 / SPEED_OF_LIGHT_MS)


def _offsets_rad(observation: Observation, pixel_rad: float) -> np.ndarray:
    """Return each pixel centre's angular distance from the field centre (radians)."""
    x = pixel_centres_kpc(observation.nx, 1.0)
    y = pixel_centres_kpc(observation.ny, 1.0)
    return np.hypot(x[None, :], y[:, None]) * pixel_rad


def _check_pixels(uvw: np.ndarray, top_hz: float, pixel_rad: float, array: str) -> None:
    """Refuse pixels too coarse for the longest baseline (its fringes would alias)."""
    u_max = float(np.max(np.hypot(uvw[:, 0], uvw[:, 1]))) * top_hz / SPEED_OF_LIGHT_MS
    largest = 0.5 / u_max * ARCSEC_PER_RADIAN
    if pixel_rad * ARCSEC_PER_RADIAN > largest:
        raise ValueError(
            f"pixels of {pixel_rad * ARCSEC_PER_RADIAN:.4g} arcsec are too coarse for {array}: "
            f"its longest projected baseline needs at most {largest:.4g} arcsec (Nyquist); "
            "use smaller pixels or a more compact configuration"
        )


def _wide_size(n: int) -> int:
    """Return the dirty beam's grid along an axis of ``n`` pixels: every lag, and the field.

    ``2n`` for even ``n`` (its centre convention then matches the field's), ``2n - 1`` for
    odd ``n``; either holds lags up to ``n - 1`` both ways about pixel ``size // 2``.
    """
    return 2 * n if n % 2 == 0 else 2 * n - 1


def _central_first(n_chan: int) -> list[int]:
    """Return channel indices with the central one first (it sets the common clean beam)."""
    middle = n_chan // 2
    return [middle, *range(middle), *range(middle + 1, n_chan)]


def convolve_with_beam(sky: np.ndarray, beam_wide: np.ndarray) -> np.ndarray:
    """Return ``sky`` (ny, nx) convolved with a dirty beam on the wide grid (peak at its centre).

    The beam holds every lag between two pixels of the field, so a circular convolution
    on the wide grid is the linear one: ``dirty[i] = sum_k sky[k] beam[i - k]``.
    """
    from scipy import fft

    ny, nx = sky.shape
    my, mx = beam_wide.shape
    # Single precision: the cube is stored as float32, and the FFTs run twice as fast.
    kernel = np.roll(beam_wide.astype(np.float32), (-(my // 2), -(mx // 2)), axis=(0, 1))
    product = fft.rfft2(sky.astype(np.float32), s=(my, mx), workers=1) * fft.rfft2(kernel)
    return fft.irfft2(product, s=(my, mx), workers=1)[:ny, :nx]


def check_interferometric_observation(
    observation: Observation, interferometer: Interferometer, rng: np.random.Generator | None
) -> None:
    """Raise, before any work, if ``interferometer`` cannot observe ``observation``'s grid.

    It needs an angular scale (frequencies and arcsec), pixels no coarser than the
    Nyquist size of the longest projected baseline at the top of the band, and a
    generator when it adds noise.
    """
    _validate.instance("observation", observation, Observation)
    _validate.instance("interferometer", interferometer, Interferometer)
    if interferometer.noise and not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator when the interferometer adds noise")
    pixel_rad = observation.pixel_arcsec / ARCSEC_PER_RADIAN  # raises without a sky
    uvw = uvw_m(load_array(interferometer.array), interferometer.track)
    frequencies = channel_frequencies_hz(observation)
    _check_pixels(uvw, float(frequencies.max()), pixel_rad, interferometer.array)
    lengths = np.hypot(uvw[:, 0], uvw[:, 1])
    beam_rad = beam_estimate_rad(lengths, float(frequencies.min()))
    field_rad = min(observation.nx, observation.ny) * pixel_rad
    if beam_rad > field_rad / FIELD_BEAMS:
        raise ValueError(
            f"{interferometer.array}'s beam (about {beam_rad * ARCSEC_PER_RADIAN:.3g} arcsec) "
            f"needs a field of at least {FIELD_BEAMS:g} times that; this one is "
            f"{field_rad * ARCSEC_PER_RADIAN:.3g} arcsec: use more or larger pixels, or a "
            "more extended array"
        )


FIELD_BEAMS = 3.0
"""The field must span this many synthesised beams (their fit needs the main lobe whole)."""


def beam_estimate_rad(baselines_m: np.ndarray, frequency_hz: float) -> float:
    """Return ALMA's estimate of the synthesised beam, ``0.574 lambda / L80`` (radians).

    ``L80`` is the 80th percentile of the (projected) baseline lengths; natural weights
    give a beam about 1.3 times wider.
    """
    return 0.574 * SPEED_OF_LIGHT_MS / frequency_hz / float(np.percentile(baselines_m, 80))


def observe_interferometer(
    model: Cube, interferometer: Interferometer, rng: np.random.Generator | None = None
) -> InterferometricCubes:
    """Observe the Jy/pixel ``model`` with ``interferometer`` (see the module docstring).

    Raises
    ------
    ValueError
        Before any work: a model that is not Jy/pixel, an observation without an angular
        scale, pixels too coarse for the array, or noise asked for without ``rng``.
    """
    _validate.instance("model", model, Cube)
    if model.kind != "model":
        raise ValueError(f"observe a model cube (Jy/pixel); got kind {model.kind!r}")
    check_interferometric_observation(model.observation, interferometer, rng)
    obs = model.observation
    pixel_rad = obs.pixel_arcsec / ARCSEC_PER_RADIAN
    array = load_array(interferometer.array)
    uvw = uvw_m(array, interferometer.track)
    frequencies = channel_frequencies_hz(obs)
    shape = (obs.ny, obs.nx)
    n_chan = obs.spectral.n_chan
    dirty = np.empty((n_chan, *shape))
    dirty_beam = np.empty((n_chan, *shape), dtype=np.float32)
    uv_mask = np.empty((n_chan, *shape), dtype=bool)
    uv_weights = np.empty((n_chan, *shape), dtype=np.float32)
    residual = np.zeros((n_chan, *shape), dtype=np.float32)
    noise_rms = np.zeros(n_chan)
    sigma = np.zeros(n_chan)
    offsets = _offsets_rad(obs, pixel_rad)
    channel_hz = channel_bandwidth_hz(obs.require_sky().observed_frequency_hz,
                                      obs.spectral.channel_width_kms)  # fmt: skip
    wide = (_wide_size(obs.ny), _wide_size(obs.nx))
    beam_rows, beam_cols = (slice(m // 2 - n // 2, m // 2 - n // 2 + n) for m, n in zip(
        wide, shape, strict=True))  # fmt: skip
    noise_rows, noise_cols = (slice(n // 2, n // 2 + n) for n in shape)
    cleaning = interferometer.clean_threshold_rms is not None
    restored_data = np.empty_like(dirty) if cleaning else None
    channel_beams = []
    clean_beam: Beam | None = None
    imager = DirtyImager(wide, pixel_rad, 2 if interferometer.noise else 1)
    # Row 0: the weights (the dirty beam); row 1: the weighted noise visibilities.
    strengths = np.zeros((imager.n_vectors, uvw.shape[0]), dtype=np.complex128)
    for c in _central_first(n_chan):
        wavelength = SPEED_OF_LIGHT_MS / frequencies[c]
        u, v = uvw[:, 0] / wavelength, uvw[:, 1] / wavelength
        sky = model.data[c] * primary_beam(offsets, wavelength, array.dish_diameter_m,
                                           interferometer.primary_beam)  # fmt: skip
        w = weights(u, v, shape, pixel_rad, interferometer.weighting, interferometer.robust)
        w /= w.sum()
        strengths[0].real = w
        if interferometer.noise:
            assert rng is not None  # checked above
            sigma[c] = visibility_sigma_jy(interferometer.t_sys_k, array.dish_diameter_m,
                                           interferometer.efficiency, channel_hz,
                                           interferometer.track.integration_s)  # fmt: skip
            draws = rng.standard_normal(2 * u.size, dtype=np.float32)
            # Imaged about the wide grid's central pixel, the noise lands on a lattice half
            # a pixel from the field's along even axes; its statistics are stationary (a
            # circular Gaussian's phase is uniform), so the field's lattice sees the same.
            strengths[1].real = w * (sigma[c] * draws[: u.size])
            strengths[1].imag = w * (sigma[c] * draws[u.size :])
            noise_rms[c] = image_rms_jy(sigma[c], w)
        # One NUFFT gives the dirty beam on a grid twice the field (every lag between two
        # pixels) and the noise's image; the sky's dirty image is the sky convolved with
        # that beam, exactly (the sum over visibilities is linear and shift-invariant).
        images = imager.images(u, v, strengths, centre_on_pixel=True)
        psf = images[0]
        dirty[c] = convolve_with_beam(sky, psf)
        if interferometer.noise:  # the residual: all the dirty image holds beyond the sky's
            residual[c] = images[1][noise_rows, noise_cols]
            dirty[c] += images[1][noise_rows, noise_cols]
        dirty_beam[c] = psf[beam_rows, beam_cols]
        channel_beams.append((c, fit_clean_beam(psf[beam_rows, beam_cols])))
        clean_beam = channel_beams[0][1] if clean_beam is None else clean_beam
        uv_mask[c] = sampling_mask(u, v, shape, pixel_rad)
        uv_weights[c] = gridded_weights(u, v, w, shape, pixel_rad)
        if restored_data is not None:
            assert interferometer.clean_threshold_rms is not None
            floor = 1e-12 * float(np.max(np.abs(dirty[c]), initial=0.0))
            threshold = interferometer.clean_threshold_rms * max(noise_rms[c], floor)
            result = hogbom(dirty[c], psf, threshold, interferometer.clean_gain,
                            interferometer.max_clean_iterations)  # fmt: skip
            restored_data[c] = restore(result.components, result.residual, clean_beam)
    assert clean_beam is not None
    labelled = obs.replace(beam=clean_beam)
    restored = None
    if restored_data is not None:
        restored = Cube(restored_data.astype(np.float32), labelled, kind="restored",
                        noise_rms=float(np.median(noise_rms)), galaxies=model.galaxies)  # fmt: skip
    return InterferometricCubes(
        model=model,
        dirty=Cube(
            dirty.astype(np.float32),
            labelled,
            kind="dirty",
            noise_rms=float(np.median(noise_rms)),
            galaxies=model.galaxies,
        ),  # fmt: skip
        dirty_beam=dirty_beam,
        clean_beam=clean_beam,
        channel_beams=tuple(beam for _, beam in sorted(channel_beams, key=lambda cb: cb[0])),
        restored=restored,
        uv_mask=uv_mask,
        noise_rms=noise_rms,
        visibility_sigma=sigma,
        n_visibilities=int(uvw.shape[0]),
        interferometer=interferometer,
        residual=residual,
        uv_weights=uv_weights,
    )
