"""The axes of an observation: its channels and its angular scale on the sky."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..cosmology import check_cosmology, kpc_per_arcsec

LINES_HZ = {
    "CO(1-0)": 115.2712018e9,
    "CO(2-1)": 230.538e9,
    "CO(3-2)": 345.7959899e9,
    "[CII]158": 1900.5369e9,
    "HI": 1.420405751768e9,
}
"""Rest frequencies (Hz) of the line presets."""

DEFAULT_BAND_KMS = 600.0
"""A spectral axis runs from -600 to +600 km/s unless told otherwise."""
DEFAULT_LINE_SPREAD_SIGMA_CHAN = 0.6
"""Sigma (channels) of the 'gaussian' line spread unless told otherwise."""


MIN_REDSHIFT = 1e-6
"""Smallest source redshift an :class:`AngularScale` takes."""


@dataclass(frozen=True)
class SpectralAxis:
    """Contiguous, equal-width velocity channels, ascending.

    Parameters
    ----------
    n_chan : int
        Number of channels, >= 1.
    v_min_kms, v_max_kms : float
        Lower edge of the first channel and upper edge of the last (km/s), relative to
        the frame in which the galaxies' systemic velocities are given.
    """

    n_chan: int = 40
    v_min_kms: float = -DEFAULT_BAND_KMS
    v_max_kms: float = DEFAULT_BAND_KMS

    def __post_init__(self) -> None:
        """Check the axis."""
        _validate.integer("n_chan", self.n_chan, low=1)
        object.__setattr__(self, "v_min_kms", _validate.real("v_min_kms", self.v_min_kms))
        object.__setattr__(self, "v_max_kms", _validate.real("v_max_kms", self.v_max_kms))
        if not self.v_max_kms > self.v_min_kms:
            raise ValueError(
                f"v_max_kms must exceed v_min_kms; got {self.v_min_kms!r} .. {self.v_max_kms!r}"
            )
        if not math.isfinite(self.v_max_kms - self.v_min_kms):
            raise ValueError(
                f"the band v_max_kms - v_min_kms must be finite; got {self.v_min_kms!r} .. "
                f"{self.v_max_kms!r}"
            )

    @classmethod
    def centred(cls, n_chan: int, channel_width_kms: float) -> SpectralAxis:
        """Return ``n_chan`` channels of ``channel_width_kms`` centred on zero velocity."""
        n = _validate.integer("n_chan", n_chan, low=1)
        width = _validate.positive("channel_width_kms", channel_width_kms)
        half = 0.5 * n * width
        if not math.isfinite(2.0 * half):
            raise ValueError(
                "channel_width_kms * n_chan (the band) must be finite; got "
                f"{width!r} km/s x {n} channels"
            )
        return cls(n, -half, half)

    @property
    def channel_width_kms(self) -> float:
        """Width of one channel (km/s)."""
        return (self.v_max_kms - self.v_min_kms) / self.n_chan

    @property
    def edges_kms(self) -> np.ndarray:
        """Channel edges (km/s), ``n_chan + 1`` ascending values."""
        return np.linspace(self.v_min_kms, self.v_max_kms, self.n_chan + 1)

    @property
    def centres_kms(self) -> np.ndarray:
        """Channel centres (km/s), ascending."""
        edges = self.edges_kms
        return 0.5 * (edges[:-1] + edges[1:])


@dataclass(frozen=True)
class AngularScale:
    """Where the source is: redshift, line, cosmology and pointing.

    Parameters
    ----------
    redshift : float
        Source redshift, in (0, 20]: sets arcsec per kpc through the angular-diameter
        distance.
    line : str
        A line preset of :data:`LINES_HZ`; the FITS rest frequency is its frequency
        redshifted to the source, ``nu_0 / (1 + z)`` (velocities are relative to systemic).
    ra_deg, dec_deg : float
        Pointing centre (the field centre), degrees.
    cosmology : astropy.cosmology.FLRW, optional
        Default flat LambdaCDM, H0 = 70 km/s/Mpc, Omega_m = 0.3.
    """

    redshift: float = 1.0
    line: str = "CO(2-1)"
    ra_deg: float = 150.0
    dec_deg: float = 2.0
    cosmology: Any = None

    def __post_init__(self) -> None:
        """Check the scale."""
        object.__setattr__(
            self,
            "redshift",
            # Below MIN_REDSHIFT (0.3 km/s of Hubble flow: a source 4 kpc away) an angular
            # scale means nothing, and pixels shrink toward the float floor.
            _validate.real("redshift", self.redshift, low=MIN_REDSHIFT, high=20.0),
        )
        _validate.choice("line", self.line, tuple(LINES_HZ))
        object.__setattr__(
            self,
            "ra_deg",
            _validate.real("ra_deg", self.ra_deg, low=0.0, high=360.0, high_open=True),
        )
        object.__setattr__(
            self, "dec_deg", _validate.real("dec_deg", self.dec_deg, low=-90.0, high=90.0)
        )
        check_cosmology(self.cosmology)

    @property
    def kpc_per_arcsec(self) -> float:
        """Proper kpc per arcsec at the source."""
        return kpc_per_arcsec(self.redshift, self.cosmology)

    @property
    def rest_frequency_hz(self) -> float:
        """Rest frequency of the line (Hz)."""
        return LINES_HZ[self.line]

    @property
    def observed_frequency_hz(self) -> float:
        """Frequency at which the systemic velocity is observed, ``nu_0 / (1 + z)``."""
        return self.rest_frequency_hz / (1.0 + self.redshift)
