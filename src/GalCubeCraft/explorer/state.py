"""The explorer's controls and the one-cube :class:`~GalCubeCraft.priors.spec.DatasetSpec` they are.

Every control is declared once in :data:`CONTROLS` (name, label with its unit, range,
step, default, panel); the page builds its widgets from the table and the tests check
it against 1.2.1's window.  :func:`spec_from_controls` turns the controls' values into a
spec of one cube whose every prior is a fixed value, so the page shows item 0 of that
spec (:func:`GalCubeCraft.factory.make_indexed_cube`) and its TOML
(:meth:`~GalCubeCraft.priors.spec.DatasetSpec.to_toml`) makes the same cube again, bit for
bit, through ``galcubecraft dataset``.  Satellites still draw their sizes, angles and
positions from the seed, as the spec's priors say.

The controls speak 1.2.1's physical units (kpc per pixel, a field of view and a beam in
kpc, km/s per channel); the spec's keys are in pixels and channels, so the translation
is here and nowhere else:

- ``grid_size = round(fov_kpc / pixel_kpc)``, the beam's FWHMs divided by ``pixel_kpc``;
- ``resolution = R_e / (bmin / 2)`` (both in kpc), which with ``r_e_kpc`` fixes the
  pixel: the spec draws ``pixel_kpc = R_e / (resolution bmin_px / 2)`` back, exactly the
  control's value up to rounding in the last bit (no ``int()`` as 1.2.1 had);
- ``n_chan = int(1200 km/s // width)`` channels centred on 0 (1.2.1's band);
- the primary's emissivity per voxel ``S_e`` is ``s_e_base (1 / resolution)^1.5``, so
  ``s_e_base = S_e resolution^1.5``;
- satellites' sizes are uniform in ``[f / 2, f]`` of the primary's (1.2.1's rule).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..interferometry.arrays import ARRAY_NAMES
from ..priors.spec import DatasetSpec
from ..renderer.settings import SPEC_ACCURACIES

BAND_KMS = 1200.0
"""1.2.1's band, -600 to +600 km/s: the channels are as many whole widths as fit in it."""
NOISE_MODES = ("none", "peak S/N", "rms")
"""How the noise level is given: none, a peak signal-to-noise, or an rms after the beam."""
ROTATION_MODES = ("v_0", "Tully-Fisher")
"""How the rotation speed is set: v_0 directly, or from a baryonic mass."""
NO_ARRAY = "none"


@dataclass(frozen=True)
class Control:
    """One control of the page: a widget and the value it starts at.

    ``kind`` is 'float', 'int', 'bool' or 'choice'; ``low``/``high``/``step`` bound a
    slider (``choices`` a menu); ``panel`` names the card the widget sits in;
    ``in_1_2`` is 1.2.1's label of the same control ('' when 1.2.1 had none).
    """

    name: str
    label: str
    kind: str
    default: Any
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()
    panel: str = "Galaxy"
    in_1_2: str = ""


def _f(name: str, label: str, default: float, low: float, high: float, step: float,
       panel: str, in_1_2: str = "") -> Control:  # fmt: skip
    return Control(name, label, "float", default, low, high, step, (), panel, in_1_2)


def _i(name: str, label: str, default: int, low: int, high: int, panel: str,
       in_1_2: str = "", step: int = 1) -> Control:  # fmt: skip
    return Control(name, label, "int", default, low, high, step, (), panel, in_1_2)


# fmt: off
CONTROLS: tuple[Control, ...] = (
    _i("seed", "Seed", 0, 0, 2**31 - 1, "Cube"),
    _i("n_gals", "Galaxies", 1, 1, 6, "Cube", "Number of galaxies"),
    _f("pixel_kpc", "Spatial resolution [kpc/px]", 1.2, 0.72, 9.0, 0.01, "Cube",
       "Spatial Resolution [kpc/px]"),
    _f("fov_kpc", "Field of view [kpc]", 76.8, 20.0, 1200.0, 0.1, "Cube", "Field of View [kpc]"),
    _f("bmin_kpc", "Beam bmin (FWHM) [kpc]", 5.0, 0.5, 60.0, 0.1, "Cube", "Beam bmin [kpc]"),
    _f("bmaj_kpc", "Beam bmaj (FWHM) [kpc]", 6.0, 0.5, 60.0, 0.1, "Cube", "Beam bmaj [kpc]"),
    _f("bpa_deg", "Beam PA (N through E) [deg]", 20.0, 0.0, 180.0, 1.0, "Cube", "Beam bpa [deg]"),
    _i("channel_width_kms", "Spectral resolution [km/s]", 30, 5, 40, "Cube",
       "Spectral Resolution [km/s]", step=5),
    _f("redshift", "Redshift", 1.0, 0.01, 6.0, 0.01, "Cube"),
    Control("accuracy", "Render accuracy", "choice", "fast", choices=SPEC_ACCURACIES,
            panel="Cube"),
    _f("r_e_kpc", "Effective radius R_e [kpc]", 5.0, 0.5, 20.0, 0.1, "Galaxy"),
    _f("n_sersic", "Sérsic index n", 1.0, 0.5, 1.5, 0.01, "Galaxy", "Sérsic index (n)"),
    _f("h_z_kpc", "Scale height h_z [kpc]", 0.8, 0.4, 9.0, 0.01, "Galaxy",
       "Scale height (h_z) [kpc]"),
    _f("s_e", "Central S_e [Jy/voxel]", 0.1, 0.001, 2.0, 0.001, "Galaxy",
       "Central effective flux density (S_e) [Jy]"),
    _f("sigma_kms", "Velocity dispersion [km/s]", 40.0, 30.0, 60.0, 0.1, "Galaxy",
       "Velocity dispersion [km/s]"),
    _f("inclination_deg", "Inclination [deg]", 60.0, 0.0, 90.0, 1.0, "Galaxy",
       "Inclination angle (θ_X) [deg]"),
    _f("pa_deg", "Position angle / azimuth [deg]", 30.0, 0.0, 359.0, 1.0, "Galaxy",
       "Azimuthal angle (φ_Y) [deg]"),
    Control("rotation", "Rotation curve", "choice", "v_0", choices=ROTATION_MODES),
    _f("v_0_kms", "v_0 [km/s]", 200.0, 20.0, 400.0, 1.0, "Galaxy"),
    _f("log_mass_msun", "Baryonic mass (Tully-Fisher) [log10 M_sun]", 10.5, 8.5, 11.5, 0.01,
       "Galaxy"),
    _f("satellite_fraction", "Satellite size fraction of primary", 0.7, 0.1, 1.0, 0.01,
       "Satellites", "Satellite size fraction of central"),
    _f("satellite_offset_kpc", "Satellite offset from centre [kpc]", 20.0, 5.0, 100.0, 0.1,
       "Satellites", "Satellite offset from centre [kpc]"),
    Control("noise", "Noise", "choice", "peak S/N", choices=NOISE_MODES, panel="Noise"),
    _f("peak_snr", "Peak S/N", 20.0, 1.0, 200.0, 0.5, "Noise"),
    _f("rms_mjy_beam", "Noise rms after the beam [mJy/beam]", 1.0, 0.001, 100.0, 0.001, "Noise"),
    _f("radial_flow_kms", "Radial flow (negative: inflow) [km/s]", 0.0, -150.0, 150.0, 1.0,
       "Flows, warps, clumps, arms"),
    _f("bar_flow_kms", "Bar (bisymmetric) flow [km/s]", 0.0, 0.0, 150.0, 1.0,
       "Flows, warps, clumps, arms"),
    _f("warp_inclination_deg", "Warp: change of inclination [deg]", 0.0, -45.0, 45.0, 1.0,
       "Flows, warps, clumps, arms"),
    _f("warp_pa_deg", "Warp: change of PA [deg]", 0.0, -90.0, 90.0, 1.0,
       "Flows, warps, clumps, arms"),
    _f("flare_factor", "Flare: growth of h_z [×]", 1.0, 1.0, 5.0, 0.1,
       "Flows, warps, clumps, arms"),
    _i("clump_count", "Clumps [count]", 0, 0, 20, "Flows, warps, clumps, arms"),
    _f("clump_fraction", "Clumps' share of the flux", 0.2, 0.0, 0.9, 0.01,
       "Flows, warps, clumps, arms"),
    _f("arm_contrast", "Spiral arm contrast (0: none)", 0.0, 0.0, 1.0, 0.01,
       "Flows, warps, clumps, arms"),
    _f("arm_pitch_deg", "Arm pitch angle [deg]", 20.0, 5.0, 60.0, 1.0,
       "Flows, warps, clumps, arms"),
    _i("arm_count", "Arms [count]", 2, 1, 6, "Flows, warps, clumps, arms"),
    _f("lens_theta_e_re", "Lens Einstein radius (0: none) [R_e]", 0.0, 0.0, 3.0, 0.05, "Lens"),
    _f("lens_axis_ratio", "Lens axis ratio q", 0.8, 0.1, 1.0, 0.01, "Lens"),
    _f("lens_shear", "External shear", 0.0, 0.0, 0.3, 0.01, "Lens"),
    _f("lens_source_offset", "Source offset [θ_E]", 0.2, 0.0, 2.0, 0.01, "Lens"),
    Control("array", "Interferometer array", "choice", NO_ARRAY,
            choices=(NO_ARRAY, *ARRAY_NAMES), panel="Interferometer"),
    _f("duration_h", "Track length [h]", 1.0, 0.05, 12.0, 0.05, "Interferometer"),
    _f("declination_deg", "Declination [deg]", -30.0, -90.0, 60.0, 1.0, "Interferometer"),
    _f("hour_angle_h", "Hour angle at mid-track [h]", 0.0, -6.0, 6.0, 0.1, "Interferometer"),
    Control("diffuse", "Diffuse emission enabled", "bool", False, panel="Diffuse emission",
            in_1_2="Diffuse emission: Enabled"),
    _f("halo_Se_factor", "Halo S_e factor", 0.065, 0.0, 0.3, 0.005, "Diffuse emission",
       "halo S_e factor"),
    _f("halo_Re_factor", "Halo R_e factor", 3.0, 1.0, 5.0, 0.1, "Diffuse emission",
       "halo R_e factor"),
    _f("halo_hz_factor", "Halo h_z factor", 2.0, 1.0, 5.0, 0.1, "Diffuse emission",
       "halo h_z factor"),
    _f("halo_sigma_vz", "Halo σ [km/s]", 70.0, 0.0, 150.0, 5.0, "Diffuse emission", "halo σ"),
    _f("bridge_Se_factor", "Bridge S_e factor", 0.05, 0.0, 0.3, 0.005, "Diffuse emission",
       "bridge S_e factor"),
    _f("bridge_width_start_factor", "Bridge start width [R_e]", 1.5, 0.5, 4.0, 0.1,
       "Diffuse emission", "bridge width (start)"),
    _f("bridge_width_end_factor", "Bridge end width [R_e]", 1.0, 0.3, 3.0, 0.1, "Diffuse emission",
       "bridge width (end)"),
    _f("tail_Se_factor", "Tail S_e factor", 0.4, 0.0, 1.0, 0.02, "Diffuse emission",
       "tail S_e factor"),
    _f("tail_length_factor", "Tail length [R_e]", 1.5, 0.0, 3.0, 0.05, "Diffuse emission",
       "tail length"),
    _f("tail_curvature", "Tail curvature", 0.5, 0.0, 1.5, 0.05, "Diffuse emission",
       "tail curvature"),
)
# fmt: on
"""Every control, in page order (1.2.1's label, ``in_1_2``, where it had the control)."""

DIFFUSE_KEYS = (
    "halo_Se_factor", "halo_Re_factor", "halo_hz_factor", "halo_sigma_vz", "bridge_Se_factor",
    "bridge_width_start_factor", "bridge_width_end_factor", "tail_Se_factor",
    "tail_length_factor", "tail_curvature",
)  # fmt: skip
"""The diffuse panel's sliders: :class:`~GalCubeCraft.model.diffuse.DiffuseParams` fields."""


def default_controls() -> dict[str, Any]:
    """Return ``{name: default}`` of every control."""
    return {c.name: c.default for c in CONTROLS}


def _fixed(value: float) -> tuple[float, float]:
    return (float(value), float(value))


def spec_from_controls(values: Mapping[str, Any]) -> DatasetSpec:
    """Return the spec of one cube that the controls' ``values`` describe.

    Missing names take their defaults; unknown names raise ``KeyError``.  The spec
    checks everything it receives and raises ``ValueError`` naming the key (a satellite
    offset the field cannot hold, a beam wider than the field, ...).
    """
    unknown = set(values) - {c.name for c in CONTROLS}
    if unknown:
        raise KeyError(f"unknown controls {sorted(unknown)}; known: {[c.name for c in CONTROLS]}")
    v = {**default_controls(), **values}
    pixel = float(v["pixel_kpc"])
    if not pixel > 0:
        raise ValueError(f"pixel_kpc must be > 0; got {pixel!r}")
    width = float(v["channel_width_kms"])
    n_chan = int(BAND_KMS // width)
    resolution = float(v["r_e_kpc"]) / (0.5 * float(v["bmin_kpc"]))
    tully_fisher = v["rotation"] == "Tully-Fisher"
    fraction = float(v["satellite_fraction"])
    galaxies: dict[str, Any] = {
        "n_gals": (int(v["n_gals"]), int(v["n_gals"])),
        "offset_gals": float(v["satellite_offset_kpc"]) / pixel,
        "resolution": _fixed(resolution),
        "r_e_kpc": _fixed(v["r_e_kpc"]),
        "h_z_kpc": _fixed(v["h_z_kpc"]),
        "n_sersic": _fixed(v["n_sersic"]),
        "sigma_kms": _fixed(v["sigma_kms"]),
        "inclination_deg": _fixed(v["inclination_deg"]),
        "pa_deg": _fixed(v["pa_deg"]),
        "orientation": "inclination_pa",
        "inclination_prior": "uniform",  # a fixed angle stays exactly the control's
        "v_0_prior": "tully_fisher" if tully_fisher else "range",
        "v_0_kms": _fixed(v["v_0_kms"]),
        "baryonic_mass_log_msun": _fixed(v["log_mass_msun"]),
        "tully_fisher_scatter_dex": 0.0,
        "satellite_scale": (0.5 * fraction, fraction),
        "s_e_base": _fixed(float(v["s_e"]) * resolution**1.5),
    }
    observation: dict[str, Any] = {
        "grid_size": int(round(float(v["fov_kpc"]) / pixel)),
        "n_chan": n_chan,
        "v_max_kms": 0.5 * n_chan * width,
        "beam": [float(v["bmaj_kpc"]) / pixel, float(v["bmin_kpc"]) / pixel, float(v["bpa_deg"])],
        "redshift": float(v["redshift"]),
    }
    # The spec's noise levels are one setting: naming one clears the others (NoiseSpec.ONE_OF).
    noise: dict[str, Any] = {"peak_snr": None}
    if v["noise"] == "peak S/N":
        noise = {"peak_snr": _fixed(v["peak_snr"])}
    elif v["noise"] == "rms":
        noise = {"rms_jy_beam": _fixed(float(v["rms_mjy_beam"]) * 1e-3)}
    diffuse = {"enabled": bool(v["diffuse"]), **{k: float(v[k]) for k in DIFFUSE_KEYS}}
    clumps = int(v["clump_count"])
    features: dict[str, Any] = {
        "radial_flow_kms": _fixed(v["radial_flow_kms"]),
        "bar_flow_kms": _fixed(v["bar_flow_kms"]),
        "warp_inclination_deg": _fixed(v["warp_inclination_deg"]),
        "warp_pa_deg": _fixed(v["warp_pa_deg"]),
        "flare_factor": _fixed(v["flare_factor"]),
        "warp_start_re": _fixed(2.0),
        "clump_count": _fixed(clumps),
        "clump_fraction": _fixed(v["clump_fraction"] if clumps else 0.0),
        "arm_contrast": _fixed(v["arm_contrast"]),
        "arm_pitch_deg": _fixed(v["arm_pitch_deg"]),
        "arm_count": _fixed(v["arm_count"]),
        "diffuse": diffuse,
    }
    lens: dict[str, Any] = {
        "theta_e_re": _fixed(v["lens_theta_e_re"]),
        "axis_ratio": _fixed(v["lens_axis_ratio"]),
        "shear": _fixed(v["lens_shear"]),
        "source_offset": _fixed(v["lens_source_offset"]),
        "redshift": min(0.5, 0.5 * float(v["redshift"])),
    }
    arrays: tuple[str, ...] = () if v["array"] == NO_ARRAY else (str(v["array"]),)
    interferometer: dict[str, Any] = {
        "arrays": arrays,
        "duration_h": _fixed(v["duration_h"]),
        "declination_deg": _fixed(v["declination_deg"]),
        "hour_angle_centre_h": _fixed(v["hour_angle_h"]),
        "t_sys_k": _fixed(100.0),
    }
    tables: dict[str, Any] = {"galaxies": galaxies, "observation": observation, "noise": noise,
                              "features": features, "lens": lens,
                              "interferometer": interferometer,
                              "render": {"accuracy": str(v["accuracy"])}}  # fmt: skip
    return DatasetSpec(n_cubes=1, seed=int(v["seed"]), **tables)


def shape_of(values: Mapping[str, Any]) -> tuple[int, int, int]:
    """Return the cube shape ``(n_chan, ny, nx)`` the controls ask for (without checking them)."""
    v = {**default_controls(), **values}
    n = int(round(float(v["fov_kpc"]) / float(v["pixel_kpc"])))
    return (int(BAND_KMS // float(v["channel_width_kms"])), n, n)


def controls_summary(values: Mapping[str, Any]) -> str:
    """Return a one-line description of the grid the controls make (for the page's readout)."""
    n_chan, ny, nx = shape_of(values)
    v = {**default_controls(), **values}
    resolution = float(v["r_e_kpc"]) / (0.5 * float(v["bmin_kpc"]))
    return (f"{n_chan} × {ny} × {nx}, {float(v['pixel_kpc']):g} kpc/px, "
            f"R_e/(bmin/2) = {resolution:.3g}, {math.floor(1200 / float(v['channel_width_kms']))} "
            f"channels of {float(v['channel_width_kms']):g} km/s")  # fmt: skip
