"""One galaxy of a field, rendered once into its own small box (a stamp), beam included.

A catalogue row becomes the package's :class:`~GalCubeCraft.model.galaxy.Galaxy`:

- ``r_e_kpc = 0.4196 D_HI``, an exponential disk (Sersic n = 1).  For an exponential disk
  of mass M, the surface density at radius ``R_1 = D_HI / 2`` is largest, ``M / (11.6
  R_1^2)``, for a scale length ``h = R_1 / 2``; Wang et al.'s relation puts
  ``M_HI / R_1^2`` at 11.4-12.3 M_sun pc^-2 over 1e8-1e11 M_sun, within 6% of that
  largest value, so the disk that reaches 1 M_sun pc^-2 at ``R_1`` has ``h = R_1 / 2``,
  i.e. ``R_e = 1.678 h = 0.4196 D_HI``.
- ``h_z_kpc = 0.1 r_e_kpc``; the arctan rotation curve (Courteau 1997) with ``v_flat``
  from the Tully-Fisher relation and a turnover at ``0.1 D_HI``; the catalogue's
  inclination, PA and dispersion.

**Frequency channels as a velocity grid.**  The galaxy's internal line-of-sight
velocities ``v`` map to frequency by the radio convention about its systemic frequency
``nu_sys = nu_rest / (1 + z)``: ``nu = nu_sys (1 - v / c)``.  That map is linear, so the
field's channels, evenly spaced in frequency, are evenly spaced in the galaxy's velocity
(``dv = c dnu / nu_sys``), and the stamp is rendered exactly on them (its velocity axis
then reversed, frequency ascending).  The radio convention differs from the relativistic
Doppler shift by ``v^2 / 2c``: 0.4 km/s at 500 km/s (0.07 of a 30 kHz channel at
1.1 GHz), the only approximation made.  The line flux in those velocity units is
``int S dnu * c / nu_sys``.

**The beam.**  The stamp is the galaxy's box padded by the beam's reach (8 sigma: the
sampled kernel's ringing is below 1e-7 of its peak beyond), convolved with the beam's
1-D taps (:func:`convolve_stamp`; unit sum, then times the beam area: Jy/beam), without
clipping the kernel's ringing, so the flux is kept: since the beam is linear, the
field's beam-convolved sky is the sum of the stamps, exactly, with no tile halos.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._support.threads import limited_threads
from ..cosmology import kpc_per_arcsec
from ..instrument.beam import convolve_beam, separable_taps
from ..model.galaxy import Galaxy
from ..model.rotation import ArctanRotationCurve
from ..observation.axes import SpectralAxis
from ..observation.beam import Beam
from ..observation.records import Observation
from ..products.moments import line_width
from ..renderer.geometry import DiskGeometry
from ..renderer.render import render_galaxy_into
from ..renderer.settings import AutoAccuracy
from .spec import SPEED_OF_LIGHT_KMS, FieldSpec

R_E_PER_D_HI = 0.4196
"""``r_e_kpc / D_HI`` of the exponential disk reaching 1 M_sun pc^-2 at ``D_HI / 2``."""
LOST_FRACTION = 1e-5
"""Light beyond the box's radius: the renderer renormalises to the full flux, so it moves
at most this fraction of a galaxy's flux inward; it keeps boxes small."""
_ONE_BLAS_THREAD = threading.Lock()
"""Held while a stamp's products run on one BLAS thread (:func:`convolve_stamp`)."""
ACCURACY = AutoAccuracy()
"""The rule that picks each stamp's renderer preset from the field's noise (its
``rms_fraction`` 0.1: the worst voxel's render error at most a tenth of the rms)."""
LADDER = tuple(replace(preset, lost_fraction=LOST_FRACTION) for preset in ACCURACY.presets)
_BEAM_REACH_SIGMAS = 8.0
_SPARE_CHANNELS = 3


@dataclass(frozen=True)
class StampBox:
    """Where a galaxy's stamp lies in the field: global origin and shape, ``(c, y, x)``."""

    galaxy_id: int
    c0: int
    y0: int
    x0: int
    n_c: int
    n_y: int
    n_x: int

    def overlap(self, origin: tuple[int, ...], shape: tuple[int, ...]) -> tuple[slice, ...] | None:
        """Return the field slices of the box inside the region, or None if disjoint."""
        slices = []
        for start, size, o, n in zip((self.c0, self.y0, self.x0), (self.n_c, self.n_y, self.n_x),
                                     origin, shape, strict=True):  # fmt: skip
            low, high = max(start, o), min(start + size, o + n)
            if low >= high:
                return None
            slices.append(slice(low, high))
        return tuple(slices)


def pixel_kpc(spec: FieldSpec, z: float) -> float:
    """Return the proper size (kpc) of one pixel at redshift ``z`` (default cosmology)."""
    return spec.pixel_arcsec * kpc_per_arcsec(z)


def galaxy_of(row: Any, spec: FieldSpec) -> Galaxy:
    """Return the galaxy of a catalogue row, in its own frame (offset within its pixel)."""
    d_hi = float(row.d_hi_kpc)
    r_e = R_E_PER_D_HI * d_hi
    size = pixel_kpc(spec, float(row.z))
    return Galaxy.with_line_flux(
        line_flux_kms(row, spec),
        r_e_kpc=r_e,
        n_sersic=1.0,
        h_z_kpc=0.1 * r_e,
        inclination_deg=float(row.incl_deg),
        pa_deg=float(row.pa_deg),
        sigma_kms=float(row.sigma_kms),
        rotation_curve=ArctanRotationCurve(float(row.v_flat_kms), 0.1 * d_hi),
        x_kpc=(float(row.x_px) - round(float(row.x_px))) * size,
        y_kpc=(float(row.y_px) - round(float(row.y_px))) * size,
    )


def line_flux_kms(row: Any, spec: FieldSpec) -> float:
    """Return a catalogue row's line flux in the galaxy's velocity units (Jy km/s)."""
    nu_sys = spec.rest_hz / (1.0 + float(row.z))
    return float(row.line_flux_jy_hz) * SPEED_OF_LIGHT_KMS / nu_sys


def field_beam(spec: FieldSpec) -> Beam:
    """Return the field's round beam in pixels."""
    return Beam.from_arcsec(spec.beam_arcsec, spec.beam_arcsec, 0.0, spec.pixel_arcsec)


def box_of(row: Any, spec: FieldSpec, galaxy: Galaxy | None = None) -> StampBox:
    """Return the stamp box of a catalogue row (known before anything is rendered).

    ``galaxy`` is the row's :func:`galaxy_of`, where the caller has it already.
    """
    galaxy = galaxy_of(row, spec) if galaxy is None else galaxy
    geometry = DiskGeometry.from_galaxy(galaxy, LOST_FRACTION)
    beam = field_beam(spec)
    reach = (
        geometry.r_max / pixel_kpc(spec, float(row.z)) + _BEAM_REACH_SIGMAS * beam.sigma_major_px
    )
    half = int(math.ceil(reach)) + 1
    nu_sys = spec.rest_hz / (1.0 + float(row.z))
    dv = SPEED_OF_LIGHT_KMS * spec.channel_width_hz / nu_sys
    span = 1.05 * float(row.v_flat_kms) * geometry.sin_i + 6.0 * float(row.sigma_kms)
    half_c = int(math.ceil(span / dv)) + _SPARE_CHANNELS
    c_sys = round((nu_sys - spec.start_hz) / spec.channel_width_hz)
    x, y = round(float(row.x_px)), round(float(row.y_px))
    n = 2 * half + 1
    return StampBox(int(row.id), c_sys - half_c, y - half, x - half, 2 * half_c + 1, n, n)


def channel_velocities_kms(box: StampBox, spec: FieldSpec, z: float) -> np.ndarray:
    """Return the galaxy-frame radio velocities (km/s) of the box's channels (frequency order)."""
    nu_sys = spec.rest_hz / (1.0 + z)
    nu = spec.start_hz + (box.c0 + np.arange(box.n_c)) * spec.channel_width_hz
    return SPEED_OF_LIGHT_KMS * (nu_sys - nu) / nu_sys


def render_stamp(row: Any, spec: FieldSpec) -> tuple[StampBox, np.ndarray]:
    """Return the box and the beam-convolved stamp (Jy/beam, float32, frequency ascending).

    The accuracy follows the noise (:data:`ACCURACY`): the stamp is rendered at the
    coarsest preset first, and again at 'default' only when its peak is bright enough
    (peak S/N above 13.3) for that preset's stated error to exceed a tenth of the rms; a
    noiseless field renders every stamp at 'default'.  On the SDC2 sampling (2.8"
    pixels, 7" beam, 30 kHz) 'fast' stamps were measured within 2.1e-3 of their peak of
    the converged render (80 galaxies; 'fast' states 7.5e-3).  Either way the model is
    then scaled to the galaxy's exact line flux (the presets' sums differ from it by up
    to 1.5e-4 and 4e-5), so a stamp differs from its catalogue flux only by the beam
    kernel's ringing cut at the box's edge (~3e-5).
    """
    galaxy = galaxy_of(row, spec)
    box = box_of(row, spec, galaxy)
    velocities = channel_velocities_kms(box, spec, float(row.z))
    dv = velocities[0] - velocities[1]
    spectral = SpectralAxis(box.n_c, velocities[-1] - 0.5 * dv, velocities[0] + 0.5 * dv)
    beam = field_beam(spec)
    observation = Observation(nx=box.n_x, ny=box.n_y, pixel_kpc=pixel_kpc(spec, float(row.z)),
                              spectral=spectral, beam=beam)  # fmt: skip
    exact_sum = line_flux_kms(row, spec) / dv  # Jy/pixel summed over voxels
    rms = spec.noise_rms_jy_beam
    first = 0 if rms > 0.0 else len(LADDER) - 1
    for step in range(first, len(LADDER)):
        model = np.zeros(observation.shape, dtype=np.float32)
        render_galaxy_into(model, galaxy, observation, LADDER[step])
        total = float(model.sum(dtype=np.float64))
        if total > 0.0:
            model *= np.float32(exact_sum / total)
        # Not apply_instrument: it clips the kernel's ringing (a 2.5-pixel beam's sampled
        # kernel dips to -3e-5 of its peak) to zero, which adds up to 1e-3 of a compact
        # source's flux; the unit-sum convolution alone keeps the flux exactly.
        convolved = convolve_stamp(model, beam)
        convolved *= np.float32(beam.area_px)
        peak_over_rms = float(convolved.max(initial=0.0)) / rms if rms > 0.0 else math.inf
        if ACCURACY.step_for(peak_over_rms) <= step:
            break
    return box, np.ascontiguousarray(convolved[::-1])


def convolve_stamp(model: np.ndarray, beam: Beam) -> np.ndarray:
    """Return the ``(n_c, ny, nx)`` float32 stamp convolved with the (round) beam, unit sum.

    The same sums as :func:`~GalCubeCraft.instrument.beam.convolve_beam`'s two 1-D passes
    (the beam's taps, values beyond the edges zero), written as two products with banded
    matrices: on a stamp's few dozen pixels a BLAS matrix product is 10-25 times faster
    than the passes (0.14 against 3.4 ms for 41 x 33 x 33), though it multiplies by the
    band's zeros too.  The products run on one BLAS thread: OpenBLAS splits a product
    between threads differently from one, which moves float32 roundings, and a field
    must not depend on how many threads its workers had.  Rotated elliptical beams,
    which have no 1-D taps, go through :func:`~GalCubeCraft.instrument.beam.convolve_beam`.
    """
    n_c, ny, nx = model.shape
    taps = separable_taps(beam, ny, nx, model.dtype)
    if taps is None:
        return convolve_beam(model, beam)
    # As convolve_beam: values below 1e-15 of the peak would only make subnormal products.
    floor = np.float32(1e-15) * np.abs(model).max(initial=0.0)
    model = np.where(np.abs(model) >= floor, model, np.float32(0.0))
    # The limit is the whole process's: threads making stamps at once take turns, or one
    # leaving its block would give the other's products back their threads mid-way.
    with _ONE_BLAS_THREAD, limited_threads(1):  # 8 us: the controller is found once
        along_x = model.reshape(-1, nx) @ _band_matrix(taps[1], nx).T
        return np.matmul(_band_matrix(taps[0], ny), along_x.reshape(n_c, ny, nx))


def _band_matrix(taps: np.ndarray, n: int) -> np.ndarray:
    """Return the ``n`` x ``n`` matrix ``M[i, j] = taps[r + i - j]`` (zero beyond ``r``)."""
    reach = (taps.shape[0] - 1) // 2
    offsets = np.arange(n)[:, None] - np.arange(n)[None, :]
    inside = np.abs(offsets) <= reach
    matrix = np.zeros((n, n), dtype=taps.dtype)
    matrix[inside] = taps[reach + offsets[inside]]
    return matrix


def stamp_summary(stamp: np.ndarray, box: StampBox, spec: FieldSpec, z: float) -> dict[str, float]:
    """Return the stamp's w20 (km/s, galaxy frame) and its flux inside the band (Jy Hz)."""
    spectrum = stamp.sum(axis=(1, 2), dtype=np.float64)
    velocities = channel_velocities_kms(box, spec, z)
    w20 = line_width(spectrum[::-1], velocities[::-1], 0.2)
    c = box.c0 + np.arange(box.n_c)
    inside = (c >= 0) & (c < spec.n_chan)
    area = field_beam(spec).area_px
    # The stamp's spatial part outside the field is not counted either.
    y_in = slice(max(0, -box.y0), max(0, min(box.n_y, spec.ny - box.y0)))
    x_in = slice(max(0, -box.x0), max(0, min(box.n_x, spec.nx - box.x0)))
    in_field = stamp[inside][:, y_in, x_in].sum(dtype=np.float64)
    return {
        "w20": float(w20),
        "flux_in_field_jy_hz": float(in_field) / area * spec.channel_width_hz,
    }
