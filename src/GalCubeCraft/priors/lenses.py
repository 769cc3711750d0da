"""Priors over lenses: which lens sits in front of cube ``i`` of a spec, and where.

A spec asks for lenses with ``lens.theta_e_re`` (the Einstein radius in units of the
primary galaxy's effective radius, on the sky).  Each cube then draws, from a stream of
its own (:data:`~GalCubeCraft._support.random.LENS_STREAM`, so switching lenses on moves no other
draw): the Einstein radius, an SIE axis ratio and position angle, an external shear and
its angle, and the offset of the primary from the lens centre, in Einstein radii and in
a uniform direction.  Small offsets put the primary inside the caustics (four images and
Einstein rings), larger ones near them (arcs) or beyond (two images, then one).  Every
galaxy of the cube lies behind the same lens.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .._support.random import LENS_STREAM, cube_generator
from ..cosmology import kpc_per_arcsec
from ..model.galaxy import Galaxy
from ..model.lens import SIE, ExternalShear, Lens
from ..renderer.compact import SUB_PIXEL_RADIUS, THIN_RIDGE

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .spec import DatasetSpec

LENS_COLUMNS = (
    "lens_theta_e_arcsec",
    "lens_axis_ratio",
    "lens_pa_deg",
    "lens_x_arcsec",
    "lens_y_arcsec",
    "lens_shear",
    "lens_shear_angle_deg",
    "lens_redshift",
    "total_magnification",
)
"""Parameter-table columns of a lensed spec (after the galaxies' columns)."""


def check_lens_priors(spec: DatasetSpec, satellite_scale: float) -> None:
    """Raise ``ValueError`` if a lensed spec could draw a cube the lens cannot render.

    The lens must lie in front of the sources; clumps and diffuse emission are not
    lensed; and every galaxy must be resolved by the sky sampler (R_e of at least
    0.2 pixel, and a projected thickness of at least 0.1 pixel, which
    ``min(h_z, R_e) >= 0.1`` pixel guarantees at any inclination), for the smallest
    satellite (``satellite_scale`` of the primary) at the lowest resolution.  The
    grid must hold the images: Einstein radius plus offset plus twice R_e.
    """
    lens, galaxies, features = spec.lens, spec.galaxies, spec.features
    bmin_px, grid_size = spec.observation.beam.bmin_px, spec.observation.grid_size
    if not lens.redshift < spec.observation.redshift:
        raise ValueError(
            f"lens.redshift ({lens.redshift:g}) must be below the sources' redshift "
            f"(observation.redshift, {spec.observation.redshift:g})"
        )
    if features.clump_count[1] >= 1.0:
        raise ValueError("clumps are not lensed yet: set features.clump_count = [0, 0] with a lens")
    if features.diffuse.enabled:
        raise ValueError(
            "diffuse emission is not lensed yet: switch features.diffuse off with a lens"
        )
    if features.warping:
        raise ValueError("warped disks are not lensed yet: draw no warp with a lens")
    r_e_px = galaxies.resolution[0] * bmin_px / 2.0 * satellite_scale
    h_z_px = (
        galaxies.h_z_kpc[0] * satellite_scale * (r_e_px / satellite_scale) / galaxies.r_e_kpc[1]
    )
    if r_e_px < SUB_PIXEL_RADIUS or min(h_z_px, r_e_px) < THIN_RIDGE:
        raise ValueError(
            f"lensed galaxies must be resolved (a lens: lens.theta_e_re > 0): the smallest "
            f"may have R_e = {r_e_px:.3g} px "
            f"and h_z = {h_z_px:.3g} px (at least {SUB_PIXEL_RADIUS:g} and {THIN_RIDGE:g} "
            "are needed); raise galaxies.resolution[0] or galaxies.h_z_kpc[0], or lower "
            "galaxies.r_e_kpc[1]"
        )
    r_e_max = galaxies.resolution[1] * bmin_px / 2.0
    reach = lens.theta_e_re[1] * r_e_max * (1.0 + lens.source_offset[1]) + 2 * r_e_max
    needed = int(math.ceil(2.0 * reach)) + 2
    if grid_size < needed:
        raise ValueError(
            f"observation.grid_size must be >= {needed} to hold the lensed images (Einstein "
            f"radius up to {lens.theta_e_re[1] * r_e_max:g} px, offsets up to "
            f"{lens.source_offset[1]:g} of it); got {grid_size}"
        )


def draw_lens(spec: DatasetSpec, index: int, primary: Galaxy) -> Lens:
    """Return the lens in front of cube ``index`` (see the module docstring)."""
    priors = spec.lens
    rng = cube_generator(spec.seed, index, LENS_STREAM)
    scale = kpc_per_arcsec(spec.observation.redshift)
    theta_e = float(rng.uniform(*priors.theta_e_re)) * primary.r_e_kpc / scale
    axis_ratio = float(rng.uniform(*priors.axis_ratio))
    pa = float(rng.uniform(0.0, 180.0))
    gamma = float(rng.uniform(*priors.shear))
    shear_angle = float(rng.uniform(0.0, 180.0))
    offset = float(rng.uniform(*priors.source_offset)) * theta_e
    direction = float(rng.uniform(0.0, 2.0 * math.pi))
    x = primary.x_kpc / scale - offset * math.cos(direction)
    y = primary.y_kpc / scale - offset * math.sin(direction)
    return Lens(
        (SIE(theta_e, axis_ratio, pa, x, y), ExternalShear(gamma, shear_angle, x, y)),
        z_lens=priors.redshift,
    )


def lens_row(lens: Lens | None, total_magnification: float) -> list[float]:
    """Return the :data:`LENS_COLUMNS` values of a drawn lens (NaN without one)."""
    if lens is None:
        return [math.nan] * len(LENS_COLUMNS)
    sie, shear = lens.components
    assert isinstance(sie, SIE) and isinstance(shear, ExternalShear)  # as draw_lens made it
    return [
        sie.theta_e_arcsec, sie.axis_ratio, sie.pa_deg, sie.x_arcsec, sie.y_arcsec,
        shear.gamma, shear.angle_deg, float(np.nan if lens.z_lens is None else lens.z_lens),
        total_magnification,
    ]  # fmt: skip
