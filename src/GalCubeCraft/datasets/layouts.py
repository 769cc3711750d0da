"""What each store layout holds, so a store of an earlier layout reads as it was written.

A store records its layout (``format_version``).  Layout 6 added label arrays (the
segmentation, noiseless moment maps, the galaxy catalogue), paired interferometric
products, and the record of every table's column names (``columns`` in the store's
marker), so that its tables are read by name.  A layout-5 store records no column names
(HDF5 stores record the parameter columns): its parameter vector holds
:data:`LAYOUT_5_COLUMNS`, in that order, whatever this version's columns are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..priors.spec import DatasetSpec

LAYOUT_ARRAYS: dict[int, tuple[str, ...]] = {
    6: (
        "dispersion_field",
        "clean_moment0",
        "clean_moment1",
        "clean_moment2",
        "segmentation",
        "catalogue",
        "model_convolved",
        "residual",
        "uv_weights",
    ),
}
"""The arrays each layout added (an array named nowhere here is in every layout, 5 on)."""

LAYOUT_5_COLUMNS: dict[str, tuple[str, ...]] = {
    "global": ("n_gals", "pixel_kpc", "resolution", "noise_rms", "peak_snr", "halo_flux",
               "bridge_flux", "tail_flux"),
    "galaxy": ("r_e_kpc", "n_sersic", "h_z_kpc", "s_e", "inclination_deg", "pa_deg",
               "sigma_kms", "v_0_kms", "x_kpc", "y_kpc", "v_sys_kms", "line_flux", "v_rad_kms",
               "v_bar_kms", "bar_angle_deg", "n_clumps", "clump_fraction", "sigma_centre_kms",
               "arm_contrast", "arm_pitch_deg", "arm_streaming_kms", "warp_start_kpc",
               "warp_inclination_deg", "warp_pa_deg", "flare_factor"),
    "lens": ("lens_theta_e_arcsec", "lens_axis_ratio", "lens_pa_deg", "lens_x_arcsec",
             "lens_y_arcsec", "lens_shear", "lens_shear_angle_deg", "lens_redshift",
             "total_magnification"),
    "interferometer": ("array_index", "track_hours", "declination_deg", "hour_angle_h",
                       "integration_s", "t_sys_k", "dirty_rms", "clean_bmaj_arcsec",
                       "clean_bmin_arcsec", "clean_bpa_deg"),
}  # fmt: skip
"""The blocks of a layout-5 parameter vector: global, ``g<k>_`` per galaxy, lens, array."""


def store_layout(record: dict[str, Any]) -> int:
    """Return the layout of a store from its record (the store checks it is one it reads)."""
    return int(record["format_version"])


def added_in(name: str) -> int:
    """Return the first layout that holds array ``name``."""
    return next((layout for layout, names in LAYOUT_ARRAYS.items() if name in names), 5)


def layout5_parameter_names(spec: DatasetSpec) -> list[str]:
    """Return the names of a layout-5 store's parameter vector, in stored order."""
    names = list(LAYOUT_5_COLUMNS["global"])
    for k in range(1, spec.max_galaxies + 1):
        names.extend(f"g{k}_{column}" for column in LAYOUT_5_COLUMNS["galaxy"])
    if spec.lensing:
        names.extend(LAYOUT_5_COLUMNS["lens"])
    if spec.interferometry:
        names.extend(LAYOUT_5_COLUMNS["interferometer"])
    return names
