"""The beam as short 1-D filters along lattice lines, for correlating noise.

Noise is correlated by convolving white noise with the beam.  A Gaussian beam of
covariance ``S`` (pixels^2, from its FWHMs and PA) is the convolution of 1-D Gaussians
along any directions ``d_i`` whose ``sum_i c_i d_i d_i^T`` is ``S`` with every ``c_i >= 0``.
Along a lattice line ``(dy, dx)`` (columns, rows, diagonals, knight's moves) the pixels
lie whole steps apart, so each 1-D Gaussian is a short list of taps, with no interpolation:

- a beam whose axes lie along the pixel axes (round, or PA a multiple of 90 degrees) is
  two passes, down the columns and along the rows: the beam's own separable filters
  (:func:`.beam._axis_taps`, the inverse FFT of ``exp(-2 pi^2 sigma^2 k^2)``);
- any other beam is three passes, the set of lines with positive weights that costs the
  fewest multiply-adds and whose transfer function, the product of the passes', is the
  beam's within :data:`TRANSFER_TOLERANCE` (they differ only by aliasing in the corners of
  the frequency square, where the beam's is small unless the beam is);
- where no set is (a beam narrower than about 3 pixels, or more elongated than about 5:1
  along an angle between the lines), the beam's 2-D kernel, applied directly where it is
  small (at most :data:`DIRECT_KERNEL_TAPS` taps: the narrow beams), else by FFT.

The taps are computed on a grid set by sigma alone, so they never depend on the region
drawn, and cut below :data:`NOISE_TAP_CUT` of their peak: the noise's correlation is the
beam's to ~1e-4, far below what a cube measures (a 128 x 256^2 cube of 4-pixel beams
measures it to ~1e-3).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import fft

from ..conventions import sky_to_major_minor
from ..observation.beam import Beam
from .beam import _axis_sigmas, _axis_taps

NOISE_TAP_CUT = 1e-4
"""Fraction of a 1-D noise filter's peak below which its taps are dropped."""
TRANSFER_TOLERANCE = 1e-3
"""Largest difference (of the peak, 1) between the lattice passes' transfer function and
the beam's for the passes to be used; beyond it the beam's 2-D kernel is applied by FFT."""
LATTICE_LINES = ((1, 0), (0, 1), (1, 1), (1, -1), (1, 2), (2, 1), (1, -2), (2, -1))
"""The lattice lines ``(dy, dx)`` a beam may be split along: columns, rows, diagonals and
knight's moves, whose pixels lie 1, sqrt 2 and sqrt 5 pixels apart."""
DIRECT_KERNEL_TAPS = 201
"""Most taps of a 2-D kernel applied directly (as cheap as the FFT up to about here)."""
_SAMPLED_BELOW = 1.5
"""Sigma (steps) below which a rotated beam's pass may use the Gaussian's samples."""
_CHECK_STEPS = 32
"""Frequencies per half axis on which the passes' transfer function is checked."""

Lines = tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class NoiseFilter:
    """How white noise is correlated with one beam.

    Attributes
    ----------
    lines : tuple of (int, int)
        The lattice lines ``(dy, dx)`` of the 1-D passes, in the order they are applied
        (none for white noise, or where the 2-D kernel is applied).
    taps : tuple of numpy.ndarray
        Each pass's taps (float64, odd length, symmetric, unit sum).
    response : numpy.ndarray
        The 2-D kernel (unit sum, point-symmetric, ``(2 halo_y + 1, 2 halo_x + 1)``): the
        passes' response to a unit impulse, or the beam's kernel.
    method : str
        ``"passes"`` (the lattice passes), ``"kernel"`` (``response`` applied directly)
        or ``"fft"`` (``response`` applied by FFT).
    """

    lines: Lines
    taps: tuple[np.ndarray, ...]
    response: np.ndarray
    method: str = "passes"

    @property
    def by_fft(self) -> bool:
        """Whether the noise is filtered by FFT: the parts then equal the whole to rounding."""
        return self.method == "fft"

    @property
    def halo_y(self) -> int:
        """Rows of white noise needed beyond each side of a region."""
        return (self.response.shape[0] - 1) // 2

    @property
    def halo_x(self) -> int:
        """Columns of white noise needed beyond each side of a region."""
        return (self.response.shape[1] - 1) // 2

    @property
    def sum_squares(self) -> float:
        """Sum of the squared kernel: the variance it gives white noise of unit variance."""
        return float(np.sum(self.response**2))


NO_FILTER = NoiseFilter((), (), np.ones((1, 1)))
"""The filter of white noise: no pass."""


def beam_covariance(beam: Beam) -> tuple[float, float, float]:
    """Return the beam's covariance ``(S_yy, S_xx, S_xy)`` in pixels^2."""
    # The major- and minor-axis components of the unit y and x vectors.
    (a_y, a_x), (b_y, b_x) = sky_to_major_minor(np.array([0.0, 1.0]), np.array([1.0, 0.0]),
                                                beam.bpa_deg)  # fmt: skip
    s_maj2, s_min2 = beam.sigma_major_px**2, beam.sigma_minor_px**2
    return (
        float(s_maj2 * a_y * a_y + s_min2 * b_y * b_y),
        float(s_maj2 * a_x * a_x + s_min2 * b_x * b_x),
        float(s_maj2 * a_y * a_x + s_min2 * b_y * b_x),
    )


def halo_estimate(beam: Beam) -> tuple[int, int]:
    """Return about the halo (rows, columns) the beam's filter needs, without planning it.

    The Gaussian's reach to :data:`NOISE_TAP_CUT` along y and x; a beam narrower than a
    few pixels needs some tens more (its passes' ripples).
    """
    s_yy, s_xx, _ = beam_covariance(beam)
    reach = math.sqrt(2.0 * math.log(1.0 / NOISE_TAP_CUT))
    return math.ceil(reach * math.sqrt(s_yy)), math.ceil(reach * math.sqrt(s_xx))


@functools.lru_cache(maxsize=64)
def noise_filter(beam: Beam) -> NoiseFilter:
    """Return the filter that correlates white noise with ``beam`` (cached per beam)."""
    axis = _axis_sigmas(beam)
    if axis is not None:
        return _lattice_filter(*_passes(((1, 0), (0, 1)), (axis[0] ** 2, axis[1] ** 2)))
    covariance = beam_covariance(beam)
    candidates = [
        _passes(lines, weights, sampled)
        for lines, weights in _splits(covariance)
        for sampled in (False, True)
    ]
    # The cheapest (multiply-adds per voxel) that carries the beam.
    candidates.sort(key=lambda passes: sum(t.size for t in passes[1]))
    for lines, taps in candidates:
        if _transfer_error(lines, taps, covariance) <= TRANSFER_TOLERANCE:
            return _lattice_filter(lines, taps)
    return _kernel_filter(beam)


def _splits(covariance: tuple[float, float, float]) -> list[tuple[Lines, tuple[float, ...]]]:
    """Return every three lines with weights ``c_i >= 0`` whose sum is ``covariance``."""
    target = np.array(covariance)
    found: list[tuple[Lines, tuple[float, ...]]] = []
    for triple in itertools.combinations(LATTICE_LINES, 3):
        matrix = np.array([[dy * dy, dx * dx, dy * dx] for dy, dx in triple], dtype=float).T
        if abs(np.linalg.det(matrix)) < 1e-9:
            continue
        weights = np.linalg.solve(matrix, target)
        if np.all(weights >= -1e-12 * max(target[0], target[1])):
            found.append((triple, tuple(float(max(w, 0.0)) for w in weights)))
    return found


@functools.lru_cache(maxsize=1024)
def line_taps(sigma_steps: float, sampled: bool = False) -> np.ndarray:
    """Return a 1-D Gaussian of ``sigma_steps`` as taps (odd length, symmetric, unit sum).

    The band-limited Gaussian, the beam's own construction (:func:`.beam._axis_taps`) on
    a grid that depends on sigma alone; or, if ``sampled``, the Gaussian's samples.
    Both are cut below :data:`NOISE_TAP_CUT` of the peak.  Below about 1.5 steps they
    differ: the band-limited one has ripples that decay as ``1/d^2`` (its transfer
    function has a kink at the Nyquist frequency), so it is long, while the samples'
    transfer function is the Gaussian's folded about the Nyquist frequency.
    """
    if sampled:
        reach = math.floor(sigma_steps * math.sqrt(2.0 * math.log(1.0 / NOISE_TAP_CUT)))
        offsets = np.arange(-reach, reach + 1)
        taps = np.exp(-0.5 * (offsets / sigma_steps) ** 2) if sigma_steps > 0 else np.ones(1)
    else:
        padded = fft.next_fast_len(max(256, 4 * math.ceil(6.0 * sigma_steps) + 1), real=True)
        taps = _axis_taps(sigma_steps, padded, padded // 2, NOISE_TAP_CUT)
    taps = 0.5 * (taps + taps[::-1])  # exactly symmetric, as the passes sum them
    taps /= taps.sum()
    taps.setflags(write=False)  # shared by the cache
    return taps


def _passes(
    lines: Lines, weights: tuple[float, ...], sampled: bool = False
) -> tuple[Lines, tuple[np.ndarray, ...]]:
    """Return the lines and taps of the passes, leaving out those that do nothing.

    With ``sampled``, the passes narrower than :data:`_SAMPLED_BELOW` steps use the
    Gaussian's samples (short), the others the band-limited Gaussian.
    """
    kept = []
    for line, weight in zip(lines, weights, strict=True):
        sigma = math.sqrt(weight)
        taps = line_taps(sigma, sampled and sigma < _SAMPLED_BELOW)
        if taps.size > 1:
            kept.append((line, taps))
    return tuple(line for line, _ in kept), tuple(taps for _, taps in kept)


def _lattice_filter(lines: Lines, taps: tuple[np.ndarray, ...]) -> NoiseFilter:
    """Return the filter of these passes, with their response to a unit impulse."""
    reaches = [(t.size - 1) // 2 for t in taps]
    halo_y = sum(r * abs(dy) for r, (dy, _) in zip(reaches, lines, strict=True))
    halo_x = sum(r * abs(dx) for r, (_, dx) in zip(reaches, lines, strict=True))
    image = np.zeros((4 * halo_y + 1, 4 * halo_x + 1))
    image[2 * halo_y, 2 * halo_x] = 1.0
    for (dy, dx), t, r in zip(lines, taps, reaches, strict=True):
        ry, rx = r * abs(dy), r * abs(dx)
        rows, columns = image.shape[0] - 2 * ry, image.shape[1] - 2 * rx
        out = np.zeros((rows, columns))
        for d in range(-r, r + 1):  # the valid part, as fir.lattice_pass sums it
            out += t[r + d] * image[ry - d * dy : ry - d * dy + rows,
                                    rx - d * dx : rx - d * dx + columns]  # fmt: skip
        image = out
    return NoiseFilter(lines, taps, image)


def _transfer_error(
    lines: Lines, taps: tuple[np.ndarray, ...], covariance: tuple[float, float, float]
) -> float:
    """Return the largest difference between the passes' transfer function and the beam's.

    On the frequencies ``k = j / (2 n)``, ``|j| <= n`` (:data:`_CHECK_STEPS`), both
    axes: a line ``(dy, dx)`` sees ``u = k . (dy, dx)``, a whole multiple of ``1 / (2 n)``,
    so each pass's transfer function is evaluated once per multiple and looked up.
    """
    n = _CHECK_STEPS
    j = np.arange(-n, n + 1)
    jy, jx = j[:, None], j[None, :]
    s_yy, s_xx, s_xy = covariance
    k2 = (s_yy * jy**2 + s_xx * jx**2 + 2.0 * s_xy * jy * jx) / (2.0 * n) ** 2
    transfer = np.ones(k2.shape)
    for (dy, dx), t in zip(lines, taps, strict=True):
        span = n * (abs(dy) + abs(dx))
        multiples = np.arange(-span, span + 1)
        offsets = np.arange(t.size) - (t.size - 1) // 2
        line = np.cos(math.pi / n * np.outer(multiples, offsets)) @ t
        transfer *= line[jy * dy + jx * dx + span]
    return float(np.max(np.abs(transfer - np.exp(-2.0 * math.pi**2 * k2))))


def _kernel_filter(beam: Beam) -> NoiseFilter:
    """Return the beam's 2-D kernel as a filter, cut as the passes are, exactly symmetric."""
    halo_y, halo_x = halo_estimate(beam)
    py = fft.next_fast_len(max(256, 4 * halo_y + 1), real=True)
    px = fft.next_fast_len(max(256, 4 * halo_x + 1), real=True)
    full = fft.irfft2(beam.transfer_function(py, px), s=(py, px))
    rows = np.arange(-halo_y, halo_y + 1) % py
    columns = np.arange(-halo_x, halo_x + 1) % px
    kernel = full[rows[:, None], columns[None, :]]
    kernel[np.abs(kernel) < NOISE_TAP_CUT * kernel.max()] = 0.0
    kernel = 0.5 * (kernel + kernel[::-1, ::-1])  # the direct pass sums it in pairs
    kernel /= kernel.sum()
    direct = np.count_nonzero(kernel) <= DIRECT_KERNEL_TAPS
    return NoiseFilter((), (), kernel, "kernel" if direct else "fft")


def packed_filter(
    noise: NoiseFilter, last_scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the filter as float32 arrays for the compiled driver: taps, reaches, lines, kernel.

    The last weights applied (the last pass's taps, or the kernel) are multiplied by
    ``last_scale`` (the noise's rms over the kernel's root sum of squares), so no pass
    over the cube is spent on scaling.  The kernel is ``[[1]]`` (nothing) for the passes.
    """
    count = len(noise.taps)
    longest = max((t.size for t in noise.taps), default=1)
    taps = np.zeros((count, longest), dtype=np.float32)
    for m, t in enumerate(noise.taps):
        taps[m, : t.size] = t * (last_scale if m == count - 1 else 1.0)
    reaches = np.array([(t.size - 1) // 2 for t in noise.taps], dtype=np.int64)
    lines = np.array(noise.lines, dtype=np.int64).reshape(count, 2)
    kernel = noise.response if noise.method == "kernel" else np.ones((1, 1))
    return taps, reaches, lines, (kernel * last_scale).astype(np.float32)
