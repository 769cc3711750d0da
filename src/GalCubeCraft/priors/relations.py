"""The draws behind the default priors: isotropic inclinations and Tully-Fisher speeds.

Each takes the uniform draws it needs from the caller, so that a prior's draws sit where
the one they replace sat in a cube's stream (switching ``inclination_prior`` or
``v_0_prior`` moves no other parameter of the cube).
"""

from __future__ import annotations

import math

TULLY_FISHER_A = 47.0
"""Normalisation of the baryonic Tully-Fisher relation ``M_b = A V_f^4`` (M_sun km^-4 s^4;
McGaugh 2012, AJ 143, 40: ``A = 47 +- 6`` from gas-rich galaxies)."""
TULLY_FISHER_SLOPE = 4.0
"""Its slope in ``log M_b`` against ``log V_f``."""


def isotropic_inclination(u: float, inclination_deg: tuple[float, float]) -> float:
    """Return the inclination (deg) whose cosine is ``u``'s place between the ends' cosines.

    ``u`` uniform in [0, 1) gives ``cos i`` uniform between ``cos(high)`` and ``cos(low)``:
    disk normals uniform on the part of the sphere the range allows.  A fixed range
    ``(v, v)`` gives ``v`` exactly.
    """
    low, high = inclination_deg
    if low == high:
        return low
    cos_high, cos_low = math.cos(math.radians(high)), math.cos(math.radians(low))
    cosine = cos_high + u * (cos_low - cos_high)
    return min(max(math.degrees(math.acos(min(1.0, max(0.0, cosine)))), low), high)


def isotropic_first_tilt(u: float, tilt_deg: tuple[float, float]) -> float:
    """Return a first tilt (deg) whose sine is ``u``'s place between the ends' sines.

    Two tilts ``a`` (this one) and ``b`` turn the disk normal to
    ``(sin a, -cos a sin b, cos a cos b)``: latitude ``a`` and longitude ``b`` on the
    sphere, so ``sin a`` uniform and ``b`` uniform give normals uniform over the patch
    the two ranges allow (over [0, 90] x [0, 360], uniform ``cos i``).
    """
    low, high = tilt_deg
    if low == high:
        return low
    sin_low, sin_high = math.sin(math.radians(low)), math.sin(math.radians(high))
    sine = sin_low + u * (sin_high - sin_low)
    return min(max(math.degrees(math.asin(min(1.0, max(-1.0, sine)))), low), high)


def isotropic_satellite_angle(angle_deg: float, tilts: bool) -> float:
    """Return a satellite's first angle made isotropic, from its uniform draw in [-180, 180].

    ``|angle| / 180`` is uniform in [0, 1]: as ``cos i`` (an inclination, its sign keeping
    which half recedes) or, for two tilts, ``angle / 180`` as ``sin a`` (the first tilt,
    :func:`isotropic_first_tilt` over the whole sphere).
    """
    if tilts:
        return math.degrees(math.asin(max(-1.0, min(1.0, angle_deg / 180.0))))
    inclination = math.degrees(math.acos(min(1.0, abs(angle_deg) / 180.0)))
    return math.copysign(inclination, angle_deg) if angle_deg else inclination


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
