"""Disk orientations: the two drawn angles as (inclination, PA), and isotropic draws of them.

The isotropic draws take the uniform draw they need from the caller, so that they sit
where the draw they replace sat in a cube's stream (switching ``inclination_prior`` moves
no other parameter of the cube).
"""

from __future__ import annotations

import math

import numpy as np


def tilt_to_inclination_pa(tilt_deg: float, pa_deg: float) -> tuple[float, float]:
    """Turn a signed tilt of the disk normal (any angle) into (inclination, PA).

    A disk tilted by ``t`` from face-on is seen at inclination ``arccos |cos t|`` in
    [0, 90]; when ``sin t < 0`` its receding side is the opposite one, so the PA turns by
    180 degrees.
    """
    t = math.radians(tilt_deg)
    inclination = math.degrees(math.acos(min(1.0, abs(math.cos(t)))))
    flip = 180.0 if math.sin(t) < 0.0 else 0.0
    return inclination, (pa_deg + flip) % 360.0


def tilts_to_inclination_pa(x_tilt_deg: float, y_tilt_deg: float) -> tuple[float, float]:
    """Return (inclination, PA) of a disk turned by two tilts, ``x_tilt`` then ``y_tilt``.

    Start from a face-on disk (normal along the depth axis, rotating clockwise
    as seen on its ``(row, column)`` grid) and turns it by ``a = x_tilt`` about the
    column axis, then by ``b = y_tilt`` about the row axis (right-handed in ``(row,
    column, depth)``, depth pointing away from the observer).  The normal becomes
    ``n = (sin a, -cos a sin b, cos a cos b)`` and the spin ``L = -n``; the inclination
    is ``arccos |cos a cos b|``.  A model disk at (inclination ``i``, PA ``p``) spins
    along ``cos i e_depth - sin i (sin p e_row + cos p e_column)``, so the PA (north
    through east, receding side) follows from the spin turned away from the observer,
    plus 180 degrees when that turned it: the photometric and kinematic axes agree
    (a frame that rotates velocities by another rotation would break this).
    """
    a, b = math.radians(x_tilt_deg), math.radians(y_tilt_deg)
    spin = np.array([-math.sin(a), math.cos(a) * math.sin(b), -math.cos(a) * math.cos(b)])
    flip = 0.0
    if spin[2] < 0.0:
        spin, flip = -spin, 180.0
    inclination = math.degrees(math.acos(min(1.0, float(spin[2]))))
    if math.hypot(spin[0], spin[1]) < 1e-12:
        return 0.0, flip % 360.0  # face-on: any PA; keep the one the spin sense gives
    pa = math.degrees(math.atan2(-spin[0], -spin[1])) + flip
    return inclination, pa % 360.0


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
