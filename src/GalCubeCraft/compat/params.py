"""The original's ``params`` dict of a cube, and its ``all_*`` lists, from a table.

Every per-galaxy parameter the package declares
(:data:`GalCubeCraft.model.parameters.GALAXY_PARAMETERS`) is one params key: its name,
or the original's name for it in :data:`ALIASES`.  The original's own draws (pixels,
flux per voxel, the two tilts) come from :data:`DRAWN_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..cosmology import default_cosmology
from ..model.diffuse import DiffuseParams
from ..model.parameters import GALAXY_PARAMETERS
from ..priors.galaxies import CubeDraw

DEFAULT_DIFFUSE_PARAMS: dict[str, Any] = DiffuseParams().to_dict()
"""The diffuse knobs ``diffuse_params`` is merged into (1.2.1's ``core`` name); a copy:
changing it changes no default.  1.2.1's dict switched diffuse emission on; the facade's
default is off (``enabled``), as this dict says."""


def __getattr__(name: str) -> Any:
    """Return 1.2.1's ``core.cosmo`` (flat LambdaCDM, H0 = 70 km/s/Mpc, Omega_m = 0.3).

    Made on first use: ``astropy.cosmology`` takes most of a second to import, and
    ``import GalCubeCraft`` loads this module.
    """
    if name == "cosmo":
        return default_cosmology()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ALIASES = {
    "r_e_kpc": "Re_kpc",
    "n_sersic": "n",
    "h_z_kpc": "hz_kpc",
    "inclination_deg": "inclination",
    "pa_deg": "position_angle",
    "sigma_kms": "gal_vz_sigma",
    "v_0_kms": "v_0",
    "v_sys_kms": "v_sys",
}
"""The original's params key of a declared parameter (the others keep their names)."""

DRAWN_COLUMNS: dict[str, Callable[[CubeDraw], np.ndarray]] = {
    "Re": lambda d: np.asarray([g.r_e_kpc / d.pixel_kpc for g in d.galaxies]),
    "Se": lambda d: np.asarray([m.s_e_per_voxel for m in d.drawn]),
    "hz": lambda d: np.asarray([g.h_z_kpc for g in d.galaxies]) / d.pixel_kpc,
    "gal_x_angle": lambda d: np.asarray([m.angles_deg[0] for m in d.drawn]),
    "gal_y_angle": lambda d: np.asarray([m.angles_deg[1] for m in d.drawn]),
    "systemic_vels": lambda d: np.asarray([g.v_sys_kms for g in d.galaxies]),
}
"""Per-galaxy keys in the original's terms: R_e and h_z in pixels, ``S_e`` per voxel,
the two tilts (degrees), and 1.2.1's name for the systemic velocities."""

LISTS = {
    "all_Re": "Re",
    "all_Se": "Se",
    "all_hz": "hz",
    "all_n": "n",
    "all_gal_x_angles": "gal_x_angle",
    "all_gal_y_angles": "gal_y_angle",
    "all_inclinations": "inclination",
    "all_position_angles": "position_angle",
    "all_gal_vz_sigmas": "gal_vz_sigma",
    "all_gal_v_0": "v_0",
    "all_pix_spatial_scales": "pix_spatial_scales",
}
"""The class's ``all_<name>`` lists: per cube, the per-galaxy params key's values."""


def params_key(name: str) -> str:
    """Return the params key of declared parameter ``name``."""
    return ALIASES.get(name, name)


def galaxy_columns(draw: CubeDraw) -> dict[str, np.ndarray]:
    """Return every per-galaxy params key of ``draw``: one value per galaxy."""
    columns = {params_key(p.name): np.asarray([p.read(g) for g in draw.galaxies])
               for p in GALAXY_PARAMETERS}  # fmt: skip
    columns.update({key: column(draw) for key, column in DRAWN_COLUMNS.items()})
    return columns


def per_cube(draws: list[CubeDraw], attribute: str) -> list[np.ndarray]:
    """Return the ``all_*`` list ``attribute`` (:data:`LISTS`) of ``draws``."""
    key = LISTS[attribute]
    if key == "pix_spatial_scales":
        return [np.full(len(d.drawn), d.pixel_kpc) for d in draws]
    return [galaxy_columns(d)[key] for d in draws]


def cube_params(draw: CubeDraw, velocities_kms: np.ndarray, **given: Any) -> dict[str, Any]:
    """Return the params dict of one cube; ``given`` adds the run's own keys."""
    return {
        "galaxy_centers": [np.asarray((y, x, depth), dtype=np.int64)
                           for x, y, depth in draw.centres_px],
        "average_vels": velocities_kms,
        "n_gals": len(draw.drawn),
        "pix_spatial_scale": draw.pixel_kpc,
        "resolution": draw.resolution,
        **galaxy_columns(draw),
        **given,
    }  # fmt: skip
