"""The flat spec of 2.0 (one table of 53 keys) and where each key lives now.

Spec files written by hand must use the tables: a flat key there is refused with a message
naming its new place (:func:`moved_rule`).  Stores made before the tables record the
flat form; they still open: :func:`nest` translates a stored flat spec through the same
table of moves (and :func:`~.toml.flat_toml` writes a spec in the flat form, byte for
byte as 2.0 did: what identifies a run of cubes, so that such a run can still resume).
"""

from __future__ import annotations

from typing import Any

from .fields import declarations
from .records import TABLES

RENAMED = {
    "lens_theta_e_re": ("lens", "theta_e_re"),
    "lens_axis_ratio": ("lens", "axis_ratio"),
    "lens_shear": ("lens", "shear"),
    "lens_source_offset": ("lens", "source_offset"),
    "lens_redshift": ("lens", "redshift"),
    "interferometer_arrays": ("interferometer", "arrays"),
    "track_hours": ("interferometer", "duration_h"),
    "hour_angle_h": ("interferometer", "hour_angle_centre_h"),
    "imaging_weighting": ("interferometer", "weighting"),
}
"""Flat keys whose name changed when they moved into a table (others kept theirs)."""

FLAT_ORDER = (
    "n_cubes", "seed", "grid_size", "n_chan", "v_max_kms", "beam", "line_spread", "redshift",
    "line", "n_gals", "offset_gals", "resolution", "r_e_kpc", "h_z_kpc", "n_sersic",
    "sigma_kms", "inclination_deg", "pa_deg", "v_0_kms", "peak_snr", "orientation",
    "diffuse", "resolution_cycle", "radial_flow_kms", "bar_flow_kms", "clump_count",
    "clump_fraction", "clump_size_re", "sigma_centre_ratio", "asymmetric_drift",
    "arm_contrast", "arm_pitch_deg", "arm_count", "arm_streaming_kms",
    "warp_inclination_deg", "warp_pa_deg", "flare_factor", "warp_start_re",
    "lens_theta_e_re", "lens_axis_ratio", "lens_shear", "lens_source_offset",
    "lens_redshift", "interferometer_arrays", "track_hours", "declination_deg",
    "hour_angle_h", "integration_s", "t_sys_k", "imaging_weighting", "robust",
    "clean_threshold_rms", "accuracy",
)  # fmt: skip
"""2.0's keys in the order its ``to_toml`` wrote them."""

MOVED: dict[str, tuple[str, str]] = {
    **{
        key: (table, key)
        for table, record in reversed(TABLES.items())  # the first table declaring it wins
        for key, _declared, _default in declarations(record)
        if key in FLAT_ORDER and (table, key) not in RENAMED.values()
    },
    **RENAMED,
}
"""Every flat key of 2.0 and its ``(table, key)`` now (keys added since have no flat form)."""

TOP_LEVEL = ("n_cubes", "seed")
"""Keys that stayed at the top."""


def moved_rule(key: str) -> str:
    """Return why flat ``key`` is refused, naming where it lives now."""
    table, new = MOVED[key]
    as_new = "" if new == key else f" as {new}"
    return f"moved: write it{as_new} under [{table}]"


def nest(values: dict[str, Any]) -> dict[str, Any]:
    """Return a stored flat spec mapping in tables (keys already in tables are kept)."""
    nested: dict[str, Any] = {}
    for key, value in values.items():
        if key in MOVED and key not in TOP_LEVEL:
            table, new = MOVED[key]
            nested.setdefault(table, {})[new] = value
        elif isinstance(value, dict):
            nested.setdefault(key, {}).update(value)  # a table beside flat keys of it: merge
        else:
            nested[key] = value
    return nested


ADDED_KEYS: dict[str, Any] = {
    "views": 1,
    "views_vary": "orientation",
    "galaxies.inclination_prior": "uniform",
    "galaxies.v_0_prior": "range",
    "galaxies.baryonic_mass_log_msun": (8.5, 11.5),
    "galaxies.tully_fisher_scatter_dex": 0.1,
    "galaxies.line_flux_jykms": None,
    "galaxies.satellite_scale": (1.0 / 3.0, 0.5),
    "galaxies.s_e_base": (0.08, 0.12),
    "noise.rms_jy_beam": None,
    "noise.integrated_snr": None,
    "noise.distribution": "uniform",
    "render.rms_fraction": 0.1,
}
"""Keys added since stores began to record their spec, and the value each takes where a
stored spec lacks it: the value that draws what was drawn before the key existed (not
necessarily its default: inclinations were uniform in degrees before
``inclination_prior`` and its isotropic default).  A new key whose default changes what
a spec draws belongs here; :func:`with_added_keys` applies the table and
:func:`~.toml.flat_toml` leaves a key out while it holds this value."""


def with_added_keys(values: dict[str, Any]) -> dict[str, Any]:
    """Return a stored spec mapping (in tables) with each absent added key set as it was."""
    filled = {key: dict(value) if isinstance(value, dict) else value
              for key, value in values.items()}  # fmt: skip
    for path, value in ADDED_KEYS.items():
        table, _, key = path.rpartition(".")
        if not table:
            filled.setdefault(key, value)
        elif isinstance(filled.setdefault(table, {}), dict):
            filled[table].setdefault(key, value)
    return filled
