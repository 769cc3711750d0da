"""The truth catalogues: SDC2's nine columns (the scorer's format), and ours.

``truth_sdc2.txt``: ``id ra dec hi_size line_flux_integral central_freq pa i w20``,
space-separated with a header line, as ``ska_sdc.Sdc2Scorer`` reads it unchanged
(Hartley et al. 2023): RA/Dec (deg) of the centre, ``hi_size`` the HI major-axis
diameter at 1 M_sun pc^-2 (arcsec), ``line_flux_integral`` in Jy Hz, ``central_freq`` the
systemic frequency (Hz), ``pa`` of the receding major axis and ``i`` (deg), ``w20``
(km/s) measured at 20% of the peak of the galaxy's noiseless, beam-convolved spectrum
in its own rest frame (radio convention, :mod:`.stamps`).

``truth.csv``: those columns and the population's own (``m_hi``, ``z``, ``v_flat_kms``,
``r_e_kpc``, ``d_l_mpc``, pixel position, flux inside the field, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._support.atomic import atomic_path
from ..cosmology import kpc_per_arcsec
from .fits import field_header
from .spec import FieldSpec
from .stamps import R_E_PER_D_HI

SDC2_COLUMNS = ("id", "ra", "dec", "hi_size", "line_flux_integral", "central_freq", "pa",
                "i", "w20")  # fmt: skip
"""The scorer's column names, in its order."""
SDC2_FILE = "truth_sdc2.txt"
TRUTH_FILE = "truth.csv"


def truth_table(spec: FieldSpec, table: Any, summaries: list[dict[str, Any]]) -> Any:
    """Return the full truth table: SDC2's columns first, then ours."""
    import pandas as pd
    from astropy.wcs import WCS

    measured = pd.DataFrame(
        [{k: s[k] for k in ("id", "w20", "flux_in_field_jy_hz")} for s in summaries]
    )
    out = table.merge(measured, on="id", how="left").sort_values("id").reset_index(drop=True)
    celestial = WCS(field_header(spec)).celestial
    ra, dec = celestial.pixel_to_world_values(out["x_px"].to_numpy(), out["y_px"].to_numpy())
    scale = np.array([kpc_per_arcsec(z) for z in out["z"].to_numpy(float)])
    sdc2 = pd.DataFrame(
        {
            "id": out["id"].to_numpy(np.int64),
            "ra": np.mod(ra, 360.0),
            "dec": dec,
            "hi_size": out["d_hi_kpc"].to_numpy(float) / scale,
            "line_flux_integral": out["line_flux_jy_hz"].to_numpy(float),
            "central_freq": out["central_freq"].to_numpy(float),
            "pa": out["pa_deg"].to_numpy(float),
            "i": out["incl_deg"].to_numpy(float),
            "w20": out["w20"].to_numpy(float),
        }
    )
    own = out.drop(columns=["id", "central_freq", "w20"])
    own["r_e_kpc"] = R_E_PER_D_HI * own["d_hi_kpc"]
    return pd.concat([sdc2, own], axis=1)


def write_catalogues(
    root: Path, spec: FieldSpec, table: Any, summaries: list[dict[str, Any]]
) -> Any:
    """Write ``truth_sdc2.txt`` and ``truth.csv`` in ``root``; return the full table."""
    truth = truth_table(spec, table, summaries)
    with atomic_path(root / SDC2_FILE) as temporary:
        truth.loc[:, list(SDC2_COLUMNS)].to_csv(temporary, sep=" ", index=False,
                                                float_format="%.10g")  # fmt: skip
    with atomic_path(root / TRUTH_FILE) as temporary:
        truth.to_csv(temporary, index=False)
    return truth


def read_sdc2(path: str | Path) -> Any:
    """Return an SDC2 catalogue (space-separated, header line) as a DataFrame."""
    import pandas as pd

    return pd.read_csv(path, sep=r"\s+")
