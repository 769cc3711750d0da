"""The original package's sampling ranges, turned into explicit galaxy records.

All randomness of the seed facade lives here: one call draws every parameter of one cube
from that cube's own generator (see :mod:`GalCubeCraft._random`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from astropy import units as u
from astropy.cosmology import FlatLambdaCDM

from .model.galaxy import Galaxy
from .model.rotation import MilkyWayRotationCurve

RESOLUTION_RANGES = {"all": (0.25, 4.0), "unresolved": (0.25, 1.0), "resolved": (1.0, 4.0)}
"""Ranges of ``r = R_e / (bmin / 2)`` the original samples log-uniformly."""

DEFAULT_COSMOLOGY = FlatLambdaCDM(H0=70.0, Om0=0.3)
"""The original's cosmology: flat LambdaCDM, H0 = 70 km/s/Mpc, Omega_m = 0.3."""


@dataclass(frozen=True)
class SeedPriors:
    """The original's priors, with its numbers as defaults."""

    r_e_kpc: tuple[float, float] = (4.0, 6.0)
    h_z_kpc: tuple[float, float] = (0.5, 1.0)
    n_sersic: tuple[float, float] = (0.5, 1.5)
    s_e_base: tuple[float, float] = (0.08, 0.12)
    s_e_resolution_power: float = 1.5
    primary_inclination_deg: tuple[float, float] = (0.0, 85.0)
    primary_pa_deg: tuple[float, float] = (0.0, 85.0)
    satellite_angle_deg: tuple[float, float] = (-180.0, 180.0)
    satellite_scale: tuple[float, float] = (1.0 / 3.0, 0.5)
    sigma_kms: tuple[float, float] = (30.0, 50.0)
    v_0_kms: tuple[float, float] = (200.0, 200.0)
    n_galaxies: tuple[int, int] = (1, 3)


@dataclass
class CubeDraw:
    """Everything drawn for one cube, in the original's terms and as galaxy records."""

    resolution: float
    pixel_kpc: float
    r_e_px: list[float] = field(default_factory=list)
    r_e_kpc: list[float] = field(default_factory=list)
    h_z_kpc: list[float] = field(default_factory=list)
    s_e: list[float] = field(default_factory=list)
    n_sersic: list[float] = field(default_factory=list)
    x_angle_deg: list[float] = field(default_factory=list)
    y_angle_deg: list[float] = field(default_factory=list)
    sigma_kms: list[float] = field(default_factory=list)
    v_0_kms: list[float] = field(default_factory=list)
    centres_px: list[tuple[int, int, int]] = field(default_factory=list)
    galaxies: list[Galaxy] = field(default_factory=list)


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


def hubble_flow_kms(depth_kpc: float, cosmology: FlatLambdaCDM = DEFAULT_COSMOLOGY) -> float:
    """Return the Hubble-flow velocity ``H0 * d`` (km/s) of a depth offset (kpc)."""
    return float((cosmology.H0 * (depth_kpc * u.kpc)).to(u.km / u.s).value)


def draw_cube(
    rng: np.random.Generator,
    *,
    n_gals: int | None,
    resolution: str | float | tuple[float, float],
    bmin_px: float,
    offset_gals: float,
    grid_size: int,
    n_sersic: float | None = None,
    priors: SeedPriors = SeedPriors(),  # noqa: B008 - frozen, safe as a default
) -> CubeDraw:
    """Draw one cube's galaxies the way the original does.

    Returns
    -------
    CubeDraw
        The drawn values (``r_e_px`` in pixels, others in kpc and km/s) and the galaxy
        records the renderer takes.  The facade's emissivity ``S_e`` is the original's
        flux per voxel; the record holds ``S_e / pixel_kpc^3`` (per kpc^3).
    """
    low_count, high_count = priors.n_galaxies
    count = int(rng.integers(low_count, high_count + 1)) if n_gals is None else n_gals
    if isinstance(resolution, (str, tuple)):
        low, high = RESOLUTION_RANGES[resolution] if isinstance(resolution, str) else resolution
        r = float(math.exp(rng.uniform(math.log(low), math.log(high))))
    else:
        r = float(resolution)
    r_e_px = r * bmin_px / 2.0
    r_e_kpc = float(rng.uniform(*priors.r_e_kpc))
    pixel_kpc = r_e_kpc / r_e_px
    draw = CubeDraw(resolution=r, pixel_kpc=pixel_kpc)

    h_z = float(rng.uniform(*priors.h_z_kpc))
    s_e = float(rng.uniform(*priors.s_e_base)) * (1.0 / r) ** priors.s_e_resolution_power
    for k in range(count):
        primary = k == 0
        if primary:
            scale = np.ones(3)
            angles = np.array(
                [rng.uniform(*priors.primary_inclination_deg), rng.uniform(*priors.primary_pa_deg)]
            )
            centre = (0, 0, 0)
        else:
            scale = rng.uniform(*priors.satellite_scale, size=3)
            angles = rng.uniform(*priors.satellite_angle_deg, size=2)
            reach = int(math.floor(offset_gals))
            centre = tuple(int(c) for c in rng.integers(-reach, reach + 1, size=3))
        n = float(rng.uniform(*priors.n_sersic)) if n_sersic is None else float(n_sersic)
        sigma = float(rng.uniform(*priors.sigma_kms))
        v_0 = float(rng.uniform(*priors.v_0_kms))
        gal_r_e_kpc = r_e_kpc * float(scale[0])
        gal_h_z = h_z * float(scale[1])
        gal_s_e = s_e * float(scale[2])
        inclination, pa = tilt_to_inclination_pa(float(angles[0]), float(angles[1]))
        galaxy = Galaxy(
            r_e_kpc=gal_r_e_kpc,
            n_sersic=n,
            h_z_kpc=gal_h_z,
            s_e=gal_s_e / pixel_kpc**3,
            inclination_deg=inclination,
            pa_deg=pa,
            sigma_kms=sigma,
            rotation_curve=MilkyWayRotationCurve.for_sersic(v_0, gal_r_e_kpc, n),
            x_kpc=centre[0] * pixel_kpc,
            y_kpc=centre[1] * pixel_kpc,
            v_sys_kms=hubble_flow_kms(centre[2] * pixel_kpc),
        )
        draw.r_e_px.append(gal_r_e_kpc / pixel_kpc)
        draw.r_e_kpc.append(gal_r_e_kpc)
        draw.h_z_kpc.append(gal_h_z)
        draw.s_e.append(gal_s_e)
        draw.n_sersic.append(n)
        draw.x_angle_deg.append(float(angles[0]))
        draw.y_angle_deg.append(float(angles[1]))
        draw.sigma_kms.append(sigma)
        draw.v_0_kms.append(v_0)
        half = 0.5 * (grid_size - 1)
        draw.centres_px.append((half + centre[0], half + centre[1], half + centre[2]))
        draw.galaxies.append(galaxy)
    return draw
