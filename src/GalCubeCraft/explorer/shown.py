"""What the page shows: one cube, its noiseless twin, its galaxies, and every view's arrays.

:class:`Shown` is built from a freshly made cube (:func:`from_indexed`) or from an item of
a stored dataset (:func:`from_store_item`); the figures (:mod:`.figures`) only draw its
arrays.  Everything here is plain NumPy, so the views' numbers are tested without a
browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..conventions import pa_unit_vector
from ..factory import IndexedCube
from ..model.galaxy import Galaxy
from ..model.parameters import GALAXY_PARAMETERS
from ..products.cube import Cube
from ..products.masks import default_mask
from ..products.moments import Moments, position_velocity_slice


@dataclass(frozen=True)
class Shown:
    """One cube on the page.

    Parameters
    ----------
    cube : Cube
        The cube the views show (noisy, or the interferometer's image).
    clean : Cube or None
        Its noiseless twin (the spectrum's line; the moment-1 mask), when known.
    galaxies : list of Galaxy
        The drawn galaxies, primary first.
    centres_px : list of (float, float)
        Each galaxy's centre ``(x = column, y = row)`` in pixels.
    title : str
        What it is (the page's heading of the views).
    items : dict
        Per-cube values for the parameter table (pixel scale, resolution, noise, ...).
    """

    cube: Cube
    clean: Cube | None
    galaxies: list[Galaxy]
    centres_px: list[tuple[float, float]]
    title: str
    items: dict[str, float] = field(default_factory=dict)

    @property
    def pixel_kpc(self) -> float:
        """The cube's pixel (kpc)."""
        return self.cube.observation.pixel_kpc

    @property
    def kinematic_pa_deg(self) -> float:
        """The primary's position angle (the kinematic major axis), 0 without galaxies."""
        return self.galaxies[0].pa_deg if self.galaxies else 0.0

    @property
    def centre_px(self) -> tuple[float, float]:
        """The primary's centre (the field's centre without galaxies)."""
        if self.centres_px:
            return self.centres_px[0]
        obs = self.cube.observation
        return (0.5 * (obs.nx - 1), 0.5 * (obs.ny - 1))

    @cached_property
    def moment_maps(self) -> Moments:
        """Moments 0, 1, 2, masked as the package masks them (:func:`default_mask`)."""
        return self.cube.moments(mask=default_mask(self.cube, self.clean))

    def pv(self, pa_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the PV slice along ``pa_deg`` through the primary's centre (offsets, pv)."""
        cache = self.__dict__.setdefault("_pv_cache", {})  # frozen: cached beside the fields
        key = round(float(pa_deg) % 360.0, 9)
        if key not in cache:
            cache[key] = position_velocity_slice(np.asarray(self.cube.data), key, self.centre_px)
        return cache[key]

    def prepare(self) -> Shown:
        """Compute the moments and the PV slices along both axes now (on a worker); return self."""
        _ = self.moment_maps
        self.pv(self.kinematic_pa_deg)
        self.pv(self.kinematic_pa_deg + 90.0)
        return self

    def spectra(self, x: int, y: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the noisy and noiseless spectra at pixel ``(x, y)`` (clipped into the grid)."""
        obs = self.cube.observation
        x, y = min(max(int(x), 0), obs.nx - 1), min(max(int(y), 0), obs.ny - 1)
        noisy = np.asarray(self.cube.data[:, y, x], dtype=np.float64)
        clean = None if self.clean is None else np.asarray(self.clean.data[:, y, x], np.float64)
        return noisy, clean

    def parameter_rows(self) -> list[dict[str, str]]:
        """Return the table of drawn parameters: one row per parameter, a column per galaxy."""
        rows = []
        for p in GALAXY_PARAMETERS:
            values = [p.read(g) for g in self.galaxies]
            if all(not math.isfinite(v) for v in values):
                continue
            row = {"parameter": p.name, "unit": p.unit}
            row.update({f"galaxy {k}": f"{v:.6g}" for k, v in enumerate(values)})
            rows.append(row)
        return rows


def from_indexed(made: IndexedCube, title: str = "") -> Shown:
    """Return what the page shows of a made cube (the interferometer's image when observed)."""
    products = made.products
    cube: Cube = products.noisy
    clean: Cube | None = products.clean
    if made.interferometric is not None:  # the restored image (the dirty one without CLEAN)
        observed = made.interferometric
        cube = observed.restored if observed.restored is not None else observed.dirty
        clean = None  # no noiseless twin on the interferometer's own beam
    draw = made.draw
    items = {
        "pixel_kpc": draw.pixel_kpc,
        "resolution": draw.resolution,
        "noise_rms": float(cube.noise_rms),
        "peak_snr": draw.peak_snr,
    }
    centres = [(float(c[0]), float(c[1])) for c in draw.centres_px]
    return Shown(cube, clean, draw.galaxies, centres, title, items)


def from_store_item(spec: Any, item: dict[str, Any], title: str = "") -> Shown:
    """Return what the page shows of a stored item (its arrays and parameter vector)."""
    from ..datasets.items import GLOBAL_COLUMNS, galaxies_from_params

    params = np.asarray(item["params"], dtype=np.float64)
    items = dict(zip(GLOBAL_COLUMNS, (float(p) for p in params), strict=False))
    galaxies = galaxies_from_params(spec, params)
    obs = spec.observation.for_pixel(items["pixel_kpc"])
    noise = items.get("noise_rms", 0.0)
    cube = Cube(
        np.asarray(item["noisy"]),
        obs,
        kind="observed",
        noise_rms=noise if math.isfinite(noise) else 0.0,
        galaxies=tuple(galaxies),
    )
    clean = Cube(np.asarray(item["clean"]), obs, kind="observed") if "clean" in item else None
    centres = [(float(c[0]), float(c[1])) for c in item["galaxy_centre_px"][: len(galaxies)]]
    return Shown(cube, clean, galaxies, centres, title, items)


def ellipse_points(
    centre: tuple[float, float], major: float, minor: float, pa_deg: float, n: int = 65
) -> tuple[np.ndarray, np.ndarray]:
    """Return the outline of an ellipse whose major axis points along ``pa_deg`` (pixels)."""
    ux, uy = pa_unit_vector(pa_deg)
    t = np.linspace(0.0, 2.0 * math.pi, n)
    along, across = major * np.cos(t), minor * np.sin(t)
    return centre[0] + along * ux - across * uy, centre[1] + along * uy + across * ux


def overlays(shown: Shown) -> dict[str, dict[str, list[Any]]]:
    """Return the overlays' outlines: centre, kinematic axis, R_e ellipse, beam (pixels)."""
    obs = shown.cube.observation
    cx, cy = shown.centre_px
    half = 0.5 * max(obs.nx, obs.ny)
    ux, uy = pa_unit_vector(shown.kinematic_pa_deg)
    axis = {"x": [cx - half * ux, cx + half * ux], "y": [cy - half * uy, cy + half * uy]}
    ellipse: dict[str, list[Any]] = {"x": [], "y": []}
    if shown.galaxies:
        g = shown.galaxies[0]
        r_e_px = g.r_e_kpc / shown.pixel_kpc
        cos_i = abs(math.cos(math.radians(g.inclination_deg)))
        ex, ey = ellipse_points((cx, cy), r_e_px, r_e_px * cos_i, g.pa_deg)
        ellipse = {"x": ex.tolist(), "y": ey.tolist()}
    beam: dict[str, list[Any]] = {"x": [], "y": []}
    if obs.beam is not None:
        b = obs.beam
        corner = (0.5 * b.bmaj_px + 1.5, 0.5 * b.bmaj_px + 1.5)
        bx, by = ellipse_points(corner, 0.5 * b.bmaj_px, 0.5 * b.bmin_px, b.bpa_deg)
        beam = {"x": bx.tolist(), "y": by.tolist()}
    return {"centre": {"x": [cx], "y": [cy]}, "axis": axis, "ellipse": ellipse, "beam": beam}
