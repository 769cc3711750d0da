"""Thermal noise of visibilities, from the radiometer equation.

A dish of diameter ``D`` and aperture efficiency ``eta`` with system temperature
``T_sys`` has a system equivalent flux density ``SEFD = 2 k T_sys / (eta pi D^2 / 4)``.
A Stokes I visibility (two polarisations) averaged over a channel of width ``dnu`` and an
integration ``t`` has independent Gaussian noise of rms

    sigma = SEFD / sqrt(2 n_pol dnu t),   n_pol = 2,

in each of its real and imaginary parts; with natural weights over ``N`` antennas this
gives the image noise ``2 k T_sys / (eta A sqrt(N (N - 1) n_pol dnu t_total))`` of ALMA's
sensitivity calculator.  A weighted dirty image ``sum w_j V_j / sum w_j`` then has rms
``sigma sqrt(sum w_j^2) / sum w_j`` at every pixel.

The bandwidth ``dnu`` is the channel's width in frequency, the same for every channel of
a band: on a radio-velocity axis, ``nu = nu_obs (1 - v / c)``, a channel ``dv`` wide is
``nu_obs dv / c`` wide wherever it sits (:func:`channel_bandwidth_hz`).
"""

from __future__ import annotations

import math

import numpy as np

BOLTZMANN_JY_M2_PER_K = 1.380649e-23 * 1e26
"""Boltzmann's constant in Jy m^2 / K (1 Jy = 1e-26 W m^-2 Hz^-1)."""
N_POLARISATIONS = 2
SPEED_OF_LIGHT_MS = 299792458.0
"""The speed of light (m/s)."""


def channel_bandwidth_hz(observed_frequency_hz: float, channel_width_kms: float) -> float:
    """Return the bandwidth (Hz) of each channel of a band: ``nu_obs dv / c``.

    Parameters
    ----------
    observed_frequency_hz : float
        The band's reference frequency ``nu_obs``, where the systemic velocity is observed.
    channel_width_kms : float
        The channels' width in radio velocity (km/s).
    """
    return observed_frequency_hz * channel_width_kms * 1e3 / SPEED_OF_LIGHT_MS


def sefd_jy(t_sys_k: float, diameter_m: float, efficiency: float) -> float:
    """Return the system equivalent flux density (Jy) of one dish."""
    area = math.pi * diameter_m**2 / 4.0
    return 2.0 * BOLTZMANN_JY_M2_PER_K * t_sys_k / (efficiency * area)


def visibility_sigma_jy(
    t_sys_k: float, diameter_m: float, efficiency: float, channel_hz: float, integration_s: float
) -> float:
    """Return the rms (Jy) of each real and imaginary part of one Stokes I visibility."""
    sefd = sefd_jy(t_sys_k, diameter_m, efficiency)
    return sefd / math.sqrt(2.0 * N_POLARISATIONS * channel_hz * integration_s)


def image_rms_jy(sigma_jy: float, weights: np.ndarray) -> float:
    """Return the rms (Jy/beam) of a dirty image made with ``weights`` from noise ``sigma_jy``."""
    return float(sigma_jy * math.sqrt(np.sum(weights**2)) / np.sum(weights))
