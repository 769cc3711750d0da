"""Line-of-sight quadrature through an inclined thick disk.

A sight line at sky coordinates ``(a, b)`` (along the major and minor axes, kpc) meets
the disk along ``s`` (depth, positive away from the observer) with

    z(s) = -b sin i + s cos i,   y(s) = b cos i + s sin i,   R(s) = hypot(a, y(s)).

The emissivity has kinks where ``z = 0`` (|z| in the vertical exponential) and is most
peaked where ``y = 0`` (closest approach to the axis), so the span where emission is
non-negligible is cut at those two points, and around each of them (a few scale heights,
where the light is; a few ``|a|``, where the rotation sweeps), into up to seven pieces
(:func:`_pieces`).  On each piece the
integrand is monotone and close to an exponential in ``s``; we estimate its e-folding
rate ``kappa`` (see :func:`los_samples`) and integrate in the variable that makes that
exponential uniform,

    t(u) = -log(1 - u (1 - e^{-kappa L})) / kappa,   u in [0, 1],

with Gauss-Legendre nodes in ``u``.  The vertical exponential is then integrated exactly
face-on, and the remaining factor is smooth.  As ``kappa L -> 0`` the map tends to the
plain linear one, so edge-on sight lines are handled by the same formula.

The arithmetic runs in one compiled float32 pass (:mod:`.los_kernel`); this module
prepares its inputs and describes its outputs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .geometry import DiskGeometry

PIECES = 7
"""Pieces per sight line (some may be empty)."""
VELOCITY_SPAN = 3.0
"""Half-length of the velocity-sweep pieces around the closest approach, in ``|a|``."""
VERTICAL_SPAN = 3.0
"""Half-height of the pieces around the midplane crossing, in scale heights."""
_TINY = 1e-12  # below it, cos i or sin i counts as zero (face-on or edge-on)


@functools.lru_cache(maxsize=64)
def gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return NumPy's ``leggauss(n)``, computed once per ``n`` and shared (read-only).

    ``leggauss`` refines the roots by Newton steps: 0.1 ms, at every render before.
    """
    nodes, weights = np.polynomial.legendre.leggauss(n)
    nodes.flags.writeable = weights.flags.writeable = False
    return nodes, weights


@functools.lru_cache(maxsize=64)
def gauss_legendre_unit(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return Gauss-Legendre nodes and weights on ``[0, 1]`` (weights sum to 1; read-only)."""
    x, w = gauss_legendre(n)
    nodes, weights = 0.5 * (x + 1.0), 0.5 * w
    nodes.flags.writeable = weights.flags.writeable = False
    return nodes, weights


def kernel_constants(g: DiskGeometry) -> np.ndarray:
    """Return the float32 constants of ``g`` that :func:`.los_kernel.los_kernel` reads.

    Ratios are formed here in float64, once, rather than per sample in float32.
    """
    cos_i, sin_i = g.cos_i, g.sin_i
    values = [
        g.s_e,  # 0
        g.r_e,  # 1
        g.inv_n,  # 2
        g.b_n,  # 3
        g.h_z,  # 4
        cos_i,  # 5
        sin_i,  # 6
        g.r_max,  # 7
        g.z_max,  # 8
        sin_i / cos_i if cos_i > _TINY else 0.0,  # 9: midplane crossing per unit b
        cos_i / sin_i if sin_i > _TINY else 0.0,  # 10: closest approach per unit b
        VERTICAL_SPAN * g.h_z / cos_i if cos_i > _TINY else 0.0,  # 11: layer half-length
        1.0 / g.r_e,  # 12
        1.0 / g.h_z,  # 13
        VELOCITY_SPAN / sin_i if sin_i > _TINY else 0.0,  # 14: sweep half-length per |a|
        math.log(g.s_e) if g.s_e > 0.0 else -math.inf,  # 15
    ]
    return np.array(values, dtype=np.float32)


@dataclass(frozen=True)
class LosSamples:
    """The samples of ``m`` sight lines, each of shape ``(m, K)``.

    ``K = PIECES * panels * len(nodes)``: the pieces, each cut into panels, each holding
    the Gauss-Legendre nodes.

    Attributes
    ----------
    flux : numpy.ndarray
        Emissivity times path length (per unit sky area); a row sums to the sight
        line's surface brightness.
    radius : numpy.ndarray
        Disk radius of each sample (kpc), for the velocity field.
    y_disk : numpy.ndarray or None
        In-plane coordinate of each sample toward the far side (kpc), when asked for
        (non-circular flows need the azimuth, not only the radius).
    """

    flux: np.ndarray
    radius: np.ndarray
    y_disk: np.ndarray | None = None


def los_samples(
    a: np.ndarray,
    b: np.ndarray,
    g: DiskGeometry,
    nodes: np.ndarray,
    weights: np.ndarray,
    panels: int = 3,
    want_y: bool = False,
) -> LosSamples:
    """Return the emission samples along each sight line.

    Each sight line is cut into up to :data:`PIECES` pieces: at the midplane crossing
    (``z = 0``) and at ``z = +-VERTICAL_SPAN h_z`` around it, where most of an inclined
    disk's light lies; at the closest approach to the axis (``y = 0``) and at ``y =
    +-VELOCITY_SPAN |a|`` around it, where the sight line sweeps the rotation velocity.
    Each piece is cut into ``panels`` panels, starting at its bright end, with edges at
    distances ``L (k / panels)^n`` (``n`` the Sérsic index): far from the axis ``-log j``
    grows as ``s^(1/n)``, so each panel then spans the same number of e-folds.  Inside a
    panel the integrand is close to an exponential, whose rate is the smaller of the
    secant rate between the panel's ends and the initial rate over a short step from its
    bright end (a flat-topped profile starts slower than its secant, a cusp faster), and
    is integrated with Gauss-Legendre nodes in the variable that makes it uniform.

    Parameters
    ----------
    a, b : numpy.ndarray
        Sky coordinates of ``m`` sight lines along the major and minor axes (kpc).
    g : DiskGeometry
        The galaxy.
    nodes, weights : numpy.ndarray
        Gauss-Legendre rule on ``[0, 1]``.
    panels : int
        Panels per piece.
    want_y : bool
        Also return each sample's in-plane ``y`` (for non-circular flows).

    Returns
    -------
    LosSamples
        Flux and radius of every sample, float32, shape ``(m, K)``.
    """
    from .los_kernel import los_kernel  # numba: loaded on first use

    # Float32 throughout: 1e-7 relative error per sample is far below the quadrature's
    # own, and the callers sum the samples in float64.
    fractions = (np.arange(panels + 1) / panels) ** (1.0 / g.inv_n)
    shape = (a.shape[0], PIECES * panels * nodes.shape[0])
    flux = np.empty(shape, dtype=np.float32)
    radius = np.empty(shape, dtype=np.float32)
    y_disk = np.empty(shape if want_y else (0, 0), dtype=np.float32)
    los_kernel(
        np.ascontiguousarray(a, dtype=np.float32),
        np.ascontiguousarray(b, dtype=np.float32),
        kernel_constants(g),
        nodes.astype(np.float32),
        weights.astype(np.float32),
        fractions.astype(np.float32),
        flux,
        radius,
        y_disk,
    )
    return LosSamples(flux, radius, y_disk if want_y else None)
