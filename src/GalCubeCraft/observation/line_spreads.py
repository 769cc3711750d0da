"""The line spreads: a channel response after binning, by name (the one registry).

A line spread is the weight each channel gives its neighbours, as taps ``t[r + d]``
(the weight of the channel ``d`` before).  :data:`LINE_SPREADS` is the only place one
is named: :class:`~.records.Observation` checks its ``line_spread`` against these keys,
the FITS header writes the name as ``LINESPR`` (and ``LSSIGMA`` for a spread that takes a
width) and reads it back through the same table, and the instrument stage smooths with
:func:`channel_taps`.  Adding a line spread is one entry here; the contract test in
``tests/instrument/test_line_spread.py`` runs over every entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .._support import validate as _validate


@dataclass(frozen=True)
class LineSpread:
    """One channel response: its taps as a function of a width in channels.

    Parameters
    ----------
    description : str
        One line for help texts.
    taps : callable
        ``taps(sigma_chan) -> numpy.ndarray``: odd length, symmetric, summing to 1.
    uses_sigma : bool
        Whether the taps depend on ``sigma_chan`` (then the FITS header records it).
    """

    description: str
    taps: Callable[[float], np.ndarray]
    uses_sigma: bool = False


def _tophat(sigma_chan: float) -> np.ndarray:
    """Return plain binning's one tap."""
    return np.ones(1)


def _hanning(sigma_chan: float) -> np.ndarray:
    """Return the (1/4, 1/2, 1/4) taper of correlator spectra (SciPy's ``convolve1d``)."""
    return np.array([0.25, 0.5, 0.25])


def _gaussian(sigma_chan: float) -> np.ndarray:
    """Return SciPy's ``gaussian_filter1d`` (truncated at 4 sigma) of a unit spectrum."""
    from scipy import ndimage

    sigma = _validate.positive("sigma_chan", sigma_chan)
    reach = int(4.0 * sigma + 0.5)  # SciPy's own truncation radius
    unit = np.zeros(2 * reach + 1)
    unit[reach] = 1.0
    return ndimage.gaussian_filter1d(unit, sigma=sigma, mode="constant")


LINE_SPREADS: Mapping[str, LineSpread] = MappingProxyType(
    {
        "tophat": LineSpread("plain binning: each channel its own", _tophat),
        "hanning": LineSpread("the (1/4, 1/2, 1/4) Hanning taper of correlator spectra", _hanning),
        "gaussian": LineSpread(
            "a Gaussian of line_spread_sigma_chan channels (0.6 by default)",
            _gaussian,
            uses_sigma=True,
        ),
    }
)
"""Every line spread, by the name an :class:`~.records.Observation` gives it."""


MIN_SIGMA_CHAN = 1e-3
"""Narrowest line spread width (channels): below a tenth of a channel a Gaussian is one tap
anyway, and far below SciPy's kernel divides by an underflowing ``sigma^2``."""


def check_sigma_chan(name: str, sigma_chan: object, n_chan: int) -> float:
    """Return ``sigma_chan`` checked against the band of ``n_chan`` channels, or raise.

    A spread wider than the band (``sigma_chan > n_chan``) only flattens every spectrum
    further, and its taps (``8 sigma_chan + 1``) would cost time for nothing: the width
    lies in ``[MIN_SIGMA_CHAN, max(n_chan, 1)]``.
    """
    return _validate.real(name, sigma_chan, low=MIN_SIGMA_CHAN, high=float(max(n_chan, 1)))


def channel_taps(kind: str, sigma_chan: float) -> np.ndarray:
    """Return the taps of the line spread ``kind`` (a key of :data:`LINE_SPREADS`).

    Convolving a spectrum with them (zero beyond the band) is the SciPy filter each entry
    names, exactly.
    """
    _validate.choice("kind", kind, LINE_SPREADS)
    return LINE_SPREADS[kind].taps(sigma_chan)


def describe_line_spreads() -> str:
    """Return one line per line spread, ``name: description``, for help texts."""
    return "\n".join(f"{name}: {entry.description}" for name, entry in LINE_SPREADS.items())
