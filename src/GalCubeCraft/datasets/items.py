"""One dataset item as a pure function of ``(spec, index)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._random import NOISE_STREAM, cube_generator
from ..instrument.noise import noise_cube
from ..instrument.observe import observe
from ..model.galaxy import Galaxy
from ..model.rotation import MilkyWayRotationCurve
from ..moments import moments
from ..pipeline import render
from ..priors import draw_cube
from .spec import DatasetSpec

ARRAY_NAMES = ("noisy", "clean", "moment0", "velocity_field", "params")
"""The arrays of an item, as stores hold them and datasets return them."""

GLOBAL_COLUMNS = ("n_gals", "pixel_kpc", "resolution", "noise_rms", "peak_snr")
GALAXY_COLUMNS = (
    "r_e_kpc",
    "n_sersic",
    "h_z_kpc",
    "s_e",
    "inclination_deg",
    "pa_deg",
    "sigma_kms",
    "v_0_kms",
    "x_kpc",
    "y_kpc",
    "v_sys_kms",
    "line_flux",
)


def parameter_names(spec: DatasetSpec) -> list[str]:
    """Return the names of an item's parameter vector (unused galaxy slots are NaN)."""
    names = list(GLOBAL_COLUMNS)
    for k in range(1, spec.max_galaxies + 1):
        names.extend(f"g{k}_{column}" for column in GALAXY_COLUMNS)
    return names


@dataclass(frozen=True)
class Item:
    """One item: observed and clean cubes (Jy/beam), truth maps and parameters.

    ``moment0`` (Jy/pixel km/s) and ``velocity_field`` (km/s, NaN off-source) come from
    the intrinsic, unconvolved model.
    """

    index: int
    noisy: np.ndarray
    clean: np.ndarray
    moment0: np.ndarray
    velocity_field: np.ndarray
    params: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray | int]:
        """Return the item as a dict of arrays (what a DataLoader collates)."""
        return {"index": self.index, **{name: getattr(self, name) for name in ARRAY_NAMES}}


def read_stored_item(handle: Any, index: int) -> dict[str, Any]:
    """Return item ``index`` of an open Zarr group or HDF5 file, as :meth:`Item.as_dict`.

    Raises
    ------
    KeyError
        If the item was never fully written (its ``done`` flag is not set).
    """
    if not handle["done"][index]:
        raise KeyError(f"item {index} has not been written")
    return {"index": index, **{name: handle[name][index] for name in ARRAY_NAMES}}


def render_item(spec: DatasetSpec, index: int) -> Item:
    """Render item ``index`` of ``spec``; the same inputs give bit-identical outputs."""
    if not 0 <= index < spec.n_cubes:
        raise IndexError(f"index must lie in [0, {spec.n_cubes - 1}]; got {index}")
    rng = cube_generator(spec.seed, index)
    draw = draw_cube(
        rng,
        n_gals=None,
        resolution=spec.resolution,
        bmin_px=spec.beam_px[0],
        offset_gals=spec.offset_gals,
        grid_size=spec.grid_size,
        priors=spec.priors(),
    )
    snr = np.nan if spec.peak_snr is None else float(rng.uniform(*spec.peak_snr))
    obs = spec.observation(draw.pixel_kpc)
    model = render(draw.galaxies, obs)
    clean = observe(model, obs).astype(np.float32)
    truth = moments(model, obs.spectral.centres_kms)
    rms = 0.0 if np.isnan(snr) else float(clean.max()) / snr
    noisy = clean
    if rms > 0.0:
        noise = noise_cube(obs.shape, rms, cube_generator(spec.seed, index, NOISE_STREAM), obs.beam)
        noisy = (clean + noise).astype(np.float32)
    params = np.full(len(parameter_names(spec)), np.nan)
    params[: len(GLOBAL_COLUMNS)] = [len(draw.galaxies), draw.pixel_kpc, draw.resolution, rms, snr]
    for k, (galaxy, v_0) in enumerate(zip(draw.galaxies, draw.v_0_kms, strict=True)):
        start = len(GLOBAL_COLUMNS) + k * len(GALAXY_COLUMNS)
        params[start : start + len(GALAXY_COLUMNS)] = [
            galaxy.r_e_kpc, galaxy.n_sersic, galaxy.h_z_kpc, galaxy.s_e, galaxy.inclination_deg,
            galaxy.pa_deg, galaxy.sigma_kms, v_0, galaxy.x_kpc, galaxy.y_kpc, galaxy.v_sys_kms,
            galaxy.line_flux,
        ]  # fmt: skip
    return Item(
        index=index,
        noisy=noisy,
        clean=clean,
        moment0=truth.m0.astype(np.float32),
        velocity_field=truth.m1.astype(np.float32),
        params=params,
    )


def galaxies_from_params(spec: DatasetSpec, params: np.ndarray) -> list[Galaxy]:
    """Rebuild an item's galaxies from its parameter vector (a row of the table)."""
    galaxies = []
    for k in range(int(params[0])):
        start = len(GLOBAL_COLUMNS) + k * len(GALAXY_COLUMNS)
        row = dict(zip(GALAXY_COLUMNS, params[start : start + len(GALAXY_COLUMNS)], strict=True))
        curve = MilkyWayRotationCurve.for_sersic(row["v_0_kms"], row["r_e_kpc"], row["n_sersic"])
        galaxies.append(
            Galaxy(
                r_e_kpc=row["r_e_kpc"],
                n_sersic=row["n_sersic"],
                h_z_kpc=row["h_z_kpc"],
                s_e=row["s_e"],
                inclination_deg=row["inclination_deg"],
                pa_deg=row["pa_deg"],
                sigma_kms=row["sigma_kms"],
                rotation_curve=curve,
                x_kpc=row["x_kpc"],
                y_kpc=row["y_kpc"],
                v_sys_kms=row["v_sys_kms"],
            )  # fmt: skip
        )
    return galaxies
