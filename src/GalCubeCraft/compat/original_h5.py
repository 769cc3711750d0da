"""Cubes in the original 1.2.1's HDF5 layout (``cube_<i>.h5``), written and read back.

Layout (as 1.2.1 writes it; what we add is marked):

- ``/cube`` float32 ``(n_chan, ny, nx)`` (gzip 4), ``/channel_velocities_km_s``;
- file attributes ``grid_size, n_channels, n_gals, n_satellites,
  spatial_resolution_kpc_per_px, fov_kpc, spectral_resolution_km_s,
  diffuse_emission``, and (ours) ``bunit, noise_rms, seed, index, run_id, version``;
- ``/galaxies``: ``positions_xyz_px`` (the original's integer ``(row, column, depth)``
  indices), ``types`` ('central', 'satellite'), ``Re_px, Se, hz_px, sersic_n,
  inclination_x_deg, inclination_y_deg`` (the two tilts), ``sigma_vz_km_s, v0_km_s,
  systemic_vel_km_s, channel_index, distance_to_central_px, distance_to_central_kpc``,
  ``cubes`` (each galaxy's clean cube, float32, gzip 4) and (ours)
  ``inclination_deg, position_angle_deg`` (what the tilts make);
- ``/beam`` (attributes ``bmin_px, bmaj_px, bpa_deg``) and ``/diffuse_params`` (one
  attribute per knob).

Files are written whole or not at all (:func:`~GalCubeCraft._support.atomic.atomic_path`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support.atomic import atomic_path
from .._support.extras import MissingExtraError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..products.cube import Cube

_GZIP = {"compression": "gzip", "compression_opts": 4}


def require_h5py() -> Any:
    """Return the h5py module, or raise ImportError saying how to install it."""
    try:
        import h5py
    except ImportError as error:
        raise MissingExtraError(
            "saving in the original's HDF5 layout needs h5py: pip install h5py (or the 'ml' extra)"
        ) from error
    return h5py


def write_original_h5(
    path: str | os.PathLike[str],
    cube: np.ndarray,
    params: Mapping[str, Any],
    galaxy_cubes: np.ndarray | None = None,
    run: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``cube`` and the facade's ``params`` of it to ``path`` in 1.2.1's layout.

    ``params`` is :meth:`GalCubeCraft.GalCubeCraft.params` of the cube (with
    ``noise_rms``); ``galaxy_cubes`` the per-galaxy clean cubes; ``run`` the seed,
    index, run id and version.  Returns ``path``.
    """
    h5py = require_h5py()
    path = Path(path)
    centres = np.asarray(params["galaxy_centers"], dtype=np.int64).reshape(-1, 3)
    velocities = np.asarray(params["average_vels"], dtype=np.float64)
    systemic = np.asarray(params["systemic_vels"], dtype=np.float64)
    pixel_kpc = float(params["pix_spatial_scale"])
    n_gals = int(params["n_gals"])
    distance_px = np.linalg.norm(centres - centres[0], axis=1)
    with atomic_path(path) as temporary, h5py.File(temporary, "w") as f:
        f.create_dataset("cube", data=np.asarray(cube, dtype=np.float32), **_GZIP)
        f.create_dataset("channel_velocities_km_s", data=velocities)
        attrs = {
            "grid_size": int(cube.shape[-1]),
            "n_channels": int(cube.shape[0]),
            "n_gals": n_gals,
            "n_satellites": n_gals - 1,
            "spatial_resolution_kpc_per_px": pixel_kpc,
            "fov_kpc": cube.shape[-1] * pixel_kpc,
            "spectral_resolution_km_s": float(np.mean(np.diff(velocities)))
            if velocities.size > 1
            else 0.0,
            "diffuse_emission": bool(params.get("diffuse_emission", False)),
            "bunit": str(params.get("bunit", "Jy/beam")),
            "noise_rms": float(params.get("noise_rms", 0.0)),
        }
        for key, value in {**attrs, **dict(run or {})}.items():
            f.attrs[key] = value
        g = f.create_group("galaxies")
        g.create_dataset("positions_xyz_px", data=centres)
        types = ["central"] + ["satellite"] * (n_gals - 1)
        g.create_dataset("types", data=np.array(types, dtype=object), dtype=h5py.string_dtype())
        columns = {
            "Re_px": params["Re"],
            "Se": params["Se"],
            "hz_px": params["hz"],
            "sersic_n": params["n"],
            "inclination_x_deg": params["gal_x_angle"],
            "inclination_y_deg": params["gal_y_angle"],
            "sigma_vz_km_s": params["gal_vz_sigma"],
            "v0_km_s": params["v_0"],
            "systemic_vel_km_s": systemic,
            "channel_index": np.argmin(np.abs(systemic[:, None] - velocities[None, :]), axis=1),
            "distance_to_central_px": distance_px,
            "distance_to_central_kpc": distance_px * pixel_kpc,
            "inclination_deg": params["inclination"],
            "position_angle_deg": params["position_angle"],
        }
        for name, values in columns.items():
            g.create_dataset(name, data=np.asarray(values))
        if galaxy_cubes is not None:
            g.create_dataset("cubes", data=np.asarray(galaxy_cubes, dtype=np.float32), **_GZIP)
        beam = f.create_group("beam")
        for key, value in zip(("bmin_px", "bmaj_px", "bpa_deg"), params["beam_info"], strict=True):
            beam.attrs[key] = float(value)
        diffuse = f.create_group("diffuse_params")
        for key, value in dict(params.get("diffuse_params", {})).items():
            diffuse.attrs[key] = value if isinstance(value, (bool, int, float, str)) else str(value)
    return path


def write_h5_cube(path: Path, cube: Cube, params: Mapping[str, Any], run: Mapping[str, Any],
                  scale: float, extras: Mapping[str, np.ndarray]) -> Path:  # fmt: skip
    """Write one cube folder file in 1.2.1's layout (a writer of :class:`CubeFolder`).

    The arrays are scaled by ``scale`` (the facade's units); ``extras['galaxy_clean']``
    are the per-galaxy cubes.
    """
    galaxies = extras.get("galaxy_clean")
    return write_original_h5(path, cube.data * scale, params,
                             None if galaxies is None else galaxies * scale, run)  # fmt: skip


def read_original_h5(path: str | os.PathLike[str]) -> tuple[np.ndarray, dict[str, Any]]:
    """Return ``(cube, contents)`` of a file in 1.2.1's layout (ours or the original's).

    ``contents`` holds the file attributes, ``channel_velocities_km_s``, a
    ``galaxies`` dict of arrays (``types`` as str), ``beam`` and ``diffuse_params``.
    """
    h5py = require_h5py()
    with h5py.File(path, "r") as f:
        cube = np.asarray(f["cube"])
        contents: dict[str, Any] = dict(f.attrs)
        contents["channel_velocities_km_s"] = np.asarray(f["channel_velocities_km_s"])
        galaxies = {}
        for name, dataset in f["galaxies"].items():
            values = np.asarray(dataset)
            if name == "types":
                values = np.array([v.decode() if isinstance(v, bytes) else v for v in values])
            galaxies[name] = values
        contents["galaxies"] = galaxies
        contents["beam"] = dict(f["beam"].attrs)
        contents["diffuse_params"] = dict(f["diffuse_params"].attrs)
    return cube, contents
