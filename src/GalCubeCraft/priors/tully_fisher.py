"""The baryonic Tully-Fisher relation, from which ``v_0_prior = "tully_fisher"`` draws speeds.

``M_b = A V_f^4`` with ``A = 47 M_sun km^-4 s^4`` (McGaugh 2012, AJ 143, 40, from gas-rich
galaxies, whose masses do not hang on stellar mass-to-light ratios); its intrinsic scatter
is about 0.1 dex (Lelli, McGaugh & Schombert 2016, ApJ 816, L14).
"""

from __future__ import annotations

import math

TULLY_FISHER_A = 47.0
"""Normalisation of the baryonic Tully-Fisher relation ``M_b = A V_f^4`` (M_sun km^-4 s^4;
McGaugh 2012, AJ 143, 40: ``A = 47 +- 6`` from gas-rich galaxies)."""
TULLY_FISHER_SLOPE = 4.0
"""Its slope in ``log M_b`` against ``log V_f``."""


def tully_fisher_speed_kms(log_mass_msun: float, offset_dex: float = 0.0) -> float:
    """Return the flat rotation speed (km/s) of a disk of baryonic mass ``10**log_mass_msun``.

    ``M_b = A V_f^4`` (:data:`TULLY_FISHER_A`); ``offset_dex`` moves the galaxy off the
    relation by that much in ``log M_b`` at fixed ``V_f`` (positive: heavier for its
    speed, so slower for its mass).
    """
    log_speed = (log_mass_msun - offset_dex - math.log10(TULLY_FISHER_A)) / TULLY_FISHER_SLOPE
    return float(10.0**log_speed)


def tully_fisher_log_mass(speed_kms: float) -> float:
    """Return ``log10 M_b`` (M_sun) on the relation at flat speed ``speed_kms``."""
    return math.log10(TULLY_FISHER_A) + TULLY_FISHER_SLOPE * math.log10(speed_kms)
