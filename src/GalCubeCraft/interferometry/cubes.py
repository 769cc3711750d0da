"""What one interferometric observation makes, paired for deconvolution.

:func:`~GalCubeCraft.interferometry.observe.observe_interferometer` returns an
:class:`InterferometricCubes`.  For each channel, with ``A`` the primary beam and ``*``
convolution:

- ``model``: the intrinsic sky (Jy/pixel), before the primary beam;
- :meth:`InterferometricCubes.model_convolved`: the model convolved with the clean beam
  (Jy/beam): what a perfect deconvolver restores, primary-beam corrected;
- ``dirty``: ``dirty_beam * (A model) + residual`` (Jy/beam);
- ``residual``: the dirty cube less the dirty image of the noiseless sky,
  ``dirty - dirty_beam * (A model)``, i.e. the thermal noise as the array images it
  (zero without noise): the residual a perfect deconvolver would leave.  CLEAN's own
  residual is inside ``restored`` and not kept apart;
- ``dirty_beam``: the PSF, peak 1;
- ``uv_mask`` and ``uv_weights``: the uv cells sampled, and the normalised imaging
  weights gridded on them (:func:`~GalCubeCraft.interferometry.weighting.gridded_weights`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..instrument.beam import convolve_beam
from ..observation.beam import Beam
from ..products.cube import Cube
from .arrays import load_array
from .weighting import uv_mask_header

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .observe import Interferometer

ARCSEC_PER_RADIAN = 180.0 * 3600.0 / math.pi


@dataclass(frozen=True, eq=False)
class InterferometricCubes:
    """The products of one interferometric observation (see the module docstring).

    Attributes
    ----------
    model : Cube
        The true sky, Jy/pixel, before the primary beam.
    dirty : Cube
        The dirty cube (Jy/beam, kind 'dirty'); its observation carries the clean beam.
    dirty_beam : numpy.ndarray
        ``(n_chan, ny, nx)`` float32, peak 1 on pixel ``(ny // 2, nx // 2)``.
    clean_beam : Beam
        The common restoring beam (fitted at the central channel).
    channel_beams : tuple of Beam
        The clean beam fitted to each channel's dirty beam.
    restored : Cube or None
        CLEAN components restored with ``clean_beam`` plus residuals (kind 'restored').
    uv_mask : numpy.ndarray
        ``(n_chan, ny, nx)`` bool: the cells of each channel's uv grid (zero spacing at
        ``(ny // 2, nx // 2)``, cell ``1 / (n pixel)``) that hold a visibility.
    noise_rms : numpy.ndarray
        ``(n_chan,)`` predicted rms of each dirty channel (Jy/beam; 0 without noise).
    visibility_sigma : numpy.ndarray
        ``(n_chan,)`` rms of each real and imaginary part of a visibility (Jy).
    n_visibilities : int
        Visibilities per channel (baselines times integrations).
    interferometer : Interferometer or None
        What observed.
    residual : numpy.ndarray or None
        ``(n_chan, ny, nx)`` float32 (Jy/beam): ``dirty`` less the dirty image of the
        noiseless sky (the imaged thermal noise; zeros without noise).
    uv_weights : numpy.ndarray or None
        ``(n_chan, ny, nx)`` float32: each channel's imaging weights (normalised to sum
        1 over its visibilities) gridded on the cells of ``uv_mask``, half of each
        visibility's weight on its cell and half on its conjugate's; positive exactly
        where ``uv_mask`` is true.
    """

    model: Cube
    dirty: Cube
    dirty_beam: np.ndarray
    clean_beam: Beam
    channel_beams: tuple[Beam, ...]
    restored: Cube | None
    uv_mask: np.ndarray
    noise_rms: np.ndarray
    visibility_sigma: np.ndarray
    n_visibilities: int
    interferometer: Interferometer | None = None
    residual: np.ndarray | None = None
    uv_weights: np.ndarray | None = None

    def model_convolved(self) -> np.ndarray:
        """Return the model convolved with the clean beam, in Jy/beam (float32).

        The target of a deconvolver: the intrinsic sky at the restoring resolution
        (before the primary beam, i.e. primary-beam corrected).  It holds the model's flux
        (sum / beam area = sum of the model) but what the beam spreads beyond the field.
        """
        data = np.asarray(self.model.data, dtype=np.float32)
        convolved = convolve_beam(data, self.clean_beam) * np.float32(self.clean_beam.area_px)
        return np.asarray(convolved, dtype=np.float32)

    def write_fits(
        self,
        path: str | os.PathLike[str],
        overwrite: bool = False,
        spectral_frame: str = "observed",
    ) -> Path:
        """Write every product to one FITS file, atomically.

        The spectral axis holds observed frequencies; ``spectral_frame='rest'`` writes
        velocities from systemic instead (:func:`GalCubeCraft.products.fits.write_fits`).

        The primary HDU is the dirty cube (Jy/beam, ``BMAJ``/``BMIN``/``BPA`` the clean
        beam; the observation's keywords ``ARRAY``, ``TRACKH``, ``DEC_TRK``, ``INTTIME``,
        ``WEIGHT``, ``ROBUST``, ``TSYS``, ``NVIS``).  Extensions: ``DIRTY_BEAM`` (peak 1),
        ``RESTORED`` (when CLEANed), ``MODEL`` (Jy/pixel), ``RESIDUAL`` (Jy/beam),
        ``UV_MASK`` and ``UV_WEIGHTS`` (axes ``UU``/``VV`` in wavelengths, zero spacing at
        pixel ``n // 2``), ``NOISE_RMS`` (Jy/beam per channel) and ``CHAN_BEAMS`` (each
        channel's fitted clean beam: bmaj, bmin in arcsec, bpa in degrees).
        """
        from astropy.io import fits

        from ..products.fits import write_fits

        obs = self.model.observation
        pixel_rad = obs.pixel_arcsec / ARCSEC_PER_RADIAN
        beams = np.array([[b.bmaj_px * obs.pixel_arcsec, b.bmin_px * obs.pixel_arcsec, b.bpa_deg]
                          for b in self.channel_beams])  # fmt: skip
        extensions: dict[str, Any] = {"DIRTY_BEAM": (self.dirty_beam, None)}
        if self.restored is not None:
            extensions["RESTORED"] = (np.asarray(self.restored.data), "Jy/beam")
        extensions["MODEL"] = (np.asarray(self.model.data, np.float32), "Jy/pixel")
        if self.residual is not None:
            extensions["RESIDUAL"] = (self.residual, "Jy/beam")
        grids = {"UV_MASK": self.uv_mask.astype(np.uint8), "UV_WEIGHTS": self.uv_weights}
        for name, grid in grids.items():
            if grid is None:
                continue
            hdu = fits.ImageHDU(data=grid)
            for key, card in uv_mask_header((obs.ny, obs.nx), pixel_rad).items():
                hdu.header[key] = card
            extensions[name] = hdu
        extensions["NOISE_RMS"] = fits.ImageHDU(data=self.noise_rms)
        extensions["CHAN_BEAMS"] = fits.ImageHDU(data=beams)
        cards: dict[str, Any] = {"NVIS": (self.n_visibilities, "visibilities per channel")}
        itf = self.interferometer
        if itf is not None:
            cards.update({
                "TELESCOP": (load_array(itf.array).telescope, "simulated by GalCubeCraft"),
                "ARRAY": (itf.array, "antenna configuration"),
                "TRACKH": (itf.track.duration_h, "[h] time on source"),
                "DEC_TRK": (itf.track.declination_deg, "[deg] declination of the track"),
                "HA_MID": (itf.track.hour_angle_centre_h, "[h] hour angle at mid-track"),
                "INTTIME": (itf.track.integration_s, "[s] integration per visibility"),
                "WEIGHT": (itf.weighting, "imaging weights"),
                "ROBUST": (itf.robust, "Briggs robust parameter"),
                "TSYS": (itf.t_sys_k, "[K] system temperature"),
            })  # fmt: skip
        return write_fits(path, self.dirty, overwrite=overwrite, extensions=extensions,
                          header_cards=cards, spectral_frame=spectral_frame)  # fmt: skip
