"""The one beam record, and every conversion of it.

Inside the package a beam is ``(bmaj, bmin, bpa)``: FWHMs in pixels, major axis first,
position angle in degrees north through east.  FITS keywords, the Fourier transfer
function, the sampled kernel and the plot ellipse are all methods here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..conventions import beam_area, fwhm_to_sigma, pa_to_matplotlib_angle, sky_to_major_minor

ARCSEC_PER_DEG = 3600.0
MIN_BEAM_PX, MAX_BEAM_PX = 1e-3, 1e6
"""Beam FWHM bounds (pixels): a narrower beam's area underflows the Jy/beam scale; a
wider one is far beyond any field (which must itself be wider than the beam)."""


@dataclass(frozen=True)
class Beam:
    """An elliptical Gaussian beam.

    Parameters
    ----------
    bmaj_px, bmin_px : float
        Major and minor FWHM (pixels), ``MIN_BEAM_PX (1e-3) <= bmin <= bmaj <= MAX_BEAM_PX
        (1e6)``.
    bpa_deg : float
        Position angle of the major axis, degrees north through east (the FITS ``BPA``).
    """

    bmaj_px: float
    bmin_px: float
    bpa_deg: float = 0.0

    def __post_init__(self) -> None:
        """Check the beam."""
        for name in ("bmaj_px", "bmin_px"):
            size = _validate.real(name, getattr(self, name), low=MIN_BEAM_PX, high=MAX_BEAM_PX)
            object.__setattr__(self, name, size)
        object.__setattr__(self, "bpa_deg", _validate.real("bpa_deg", self.bpa_deg))
        if self.bmin_px > self.bmaj_px:
            raise ValueError(
                f"bmin_px must not exceed bmaj_px; got bmin={self.bmin_px!r}, bmaj={self.bmaj_px!r}"
            )

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_sequence(cls, values: Any, name: str = "beam") -> Beam:
        """Return the beam of ``values = (bmaj_px, bmin_px, bpa_deg)`` (a config entry)."""
        if isinstance(values, Beam):
            return values
        bmaj, bmin, bpa = _validate.real_sequence(name, values, 3)
        if bmin > bmaj:
            raise ValueError(
                f"{name} is (bmaj, bmin, bpa): bmin must not exceed bmaj; got {values!r}"
            )
        return cls(bmaj_px=bmaj, bmin_px=bmin, bpa_deg=bpa)

    @classmethod
    def from_arcsec(
        cls, bmaj_arcsec: float, bmin_arcsec: float, bpa_deg: float, pixel_arcsec: float
    ) -> Beam:
        """Return the beam of FWHMs given in arcsec on pixels ``pixel_arcsec`` wide."""
        pixel = _validate.positive("pixel_arcsec", pixel_arcsec)
        bmaj = _validate.positive("bmaj_arcsec", bmaj_arcsec)
        bmin = _validate.positive("bmin_arcsec", bmin_arcsec)
        if bmin > bmaj:
            raise ValueError(
                f"bmin_arcsec must not exceed bmaj_arcsec (bmin_px must not exceed bmaj_px); "
                f"got {bmin!r} > {bmaj!r}"
            )
        for name, size in (("bmaj_arcsec", bmaj), ("bmin_arcsec", bmin)):
            if not MIN_BEAM_PX * pixel <= size <= MAX_BEAM_PX * pixel:
                raise ValueError(
                    f"{name} / pixel_arcsec (the beam in pixels) must lie in [{MIN_BEAM_PX:g}, "
                    f"{MAX_BEAM_PX:g}]; got {size!r} / {pixel!r}"
                )
        return cls(bmaj / pixel, bmin / pixel, bpa_deg)

    @classmethod
    def from_fits_header(cls, header: Mapping[str, Any], pixel_arcsec: float) -> Beam | None:
        """Return the beam of a header's BMAJ/BMIN (degrees) and BPA, or None without BMAJ."""
        if "BMAJ" not in header:
            return None
        bmin = header.get("BMIN", header["BMAJ"])
        return cls(
            bmaj_px=float(header["BMAJ"]) * ARCSEC_PER_DEG / pixel_arcsec,
            bmin_px=float(bmin) * ARCSEC_PER_DEG / pixel_arcsec,
            bpa_deg=float(header.get("BPA", 0.0)),
        )

    # --- conversions ------------------------------------------------------------------

    def to_header_keywords(self, pixel_arcsec: float) -> dict[str, float]:
        """Return ``BMAJ``, ``BMIN`` (FWHM, degrees) and ``BPA`` (degrees) for a FITS header."""
        scale = pixel_arcsec / ARCSEC_PER_DEG
        return {"BMAJ": self.bmaj_px * scale, "BMIN": self.bmin_px * scale, "BPA": self.bpa_deg}

    def arcsec(self, pixel_arcsec: float) -> tuple[float, float]:
        """Return ``(bmaj, bmin)`` in arcsec for pixels ``pixel_arcsec`` wide."""
        return self.bmaj_px * pixel_arcsec, self.bmin_px * pixel_arcsec

    @property
    def area_px(self) -> float:
        """Beam area in pixels, ``pi bmaj bmin / (4 ln 2)``: Jy/pixel times this is Jy/beam."""
        return beam_area(self.bmaj_px, self.bmin_px)

    @property
    def sigma_major_px(self) -> float:
        """Gaussian sigma along the major axis (pixels)."""
        return float(fwhm_to_sigma(self.bmaj_px))

    @property
    def sigma_minor_px(self) -> float:
        """Gaussian sigma along the minor axis (pixels)."""
        return float(fwhm_to_sigma(self.bmin_px))

    def transfer_function(self, ny: int, nx: int) -> np.ndarray:
        """Return the beam's transfer function on the ``rfft2`` grid of an ``ny x nx`` image.

        The unit-sum Gaussian with sigmas ``(s_maj, s_min)`` along ``bpa`` has Fourier
        transform ``exp(-2 pi^2 (s_maj^2 k_maj^2 + s_min^2 k_min^2))``, the frequencies
        projected on the same axes as positions are: it is exactly 1 at zero frequency.
        """
        from scipy import fft

        ky = fft.fftfreq(ny)[:, None]
        kx = fft.rfftfreq(nx)[None, :]
        k_major, k_minor = sky_to_major_minor(kx, ky, self.bpa_deg)
        return np.exp(
            -2.0
            * math.pi**2
            * ((self.sigma_major_px * k_major) ** 2 + (self.sigma_minor_px * k_minor) ** 2)
        )

    def ellipse(self, centre: tuple[float, float], pixel_scale: float = 1.0) -> dict[str, Any]:
        """Return keyword arguments of a ``matplotlib.patches.Ellipse`` drawing this beam.

        ``pixel_scale`` converts pixels into the plot's axis unit; the plot must have
        north up and east to the left (``origin='lower'``, x growing west).
        """
        return {
            "xy": centre,
            "width": self.bmaj_px * pixel_scale,
            "height": self.bmin_px * pixel_scale,
            "angle": pa_to_matplotlib_angle(self.bpa_deg),
        }
