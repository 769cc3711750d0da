"""Antenna arrays shipped with the package: positions, dish diameters and site latitudes.

The positions are facts taken once by ``tools/convert_casa_arrays.py`` and stored here as
small text files (east, north, up offsets in metres from the array's mean position, and the
dish diameter); each file's header names its source.  Nothing is fetched at run time.

Arrays: ALMA's 12-m configurations ``alma_c1`` ... ``alma_c10`` and the 7-m ACA (``aca``),
both as offered in Cycle 12, and the VLA's ``vla_a`` ... ``vla_d``, all from the CASA data
package (``casadata``, ``alma/simmos/*.cfg``); MeerKAT's 64 dishes of 13.5 m (``meerkat``,
baselines 29 m to 7.7 km) from the MeerKAT subarray of simms's SKA-Mid layout, because
CASA's ``meerkat.cfg`` holds an early design (80 dishes of 12 m), not the built array.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np

ARRAY_SITES = {
    "alma": -23.0229,
    "aca": -23.0229,
    "vla": 34.0784,
    "meerkat": -30.7125,
}
"""Geodetic latitude (degrees) of each observatory's array centre."""

TELESCOPE_NAMES = {"alma": "ALMA", "aca": "ACA", "vla": "VLA", "meerkat": "MeerKAT"}
"""The name each site's data carry in their FITS ``TELESCOP`` keyword."""

ARRAY_NAMES = (
    *(f"alma_c{k}" for k in range(1, 11)),
    "aca",
    "vla_a",
    "vla_b",
    "vla_c",
    "vla_d",
    "meerkat",
)
"""Every array the package ships."""


@dataclass(frozen=True, eq=False)
class AntennaArray:
    """An interferometer's antennas.

    Attributes
    ----------
    name : str
        One of :data:`ARRAY_NAMES`.
    enu_m : numpy.ndarray
        ``(n_ant, 3)`` east, north, up offsets (m) from the array's mean position.
    diameter_m : numpy.ndarray
        ``(n_ant,)`` dish diameters (m).
    latitude_deg : float
        Geodetic latitude of the site (degrees).
    source : str
        Where the positions come from.
    telescope : str
        The observatory's name as FITS ``TELESCOP`` gives it ('ALMA', 'ACA', 'VLA', 'MeerKAT').
    """

    name: str
    enu_m: np.ndarray
    diameter_m: np.ndarray
    latitude_deg: float
    source: str
    telescope: str

    @property
    def n_antennas(self) -> int:
        """Number of antennas."""
        return int(self.enu_m.shape[0])

    @property
    def dish_diameter_m(self) -> float:
        """The dish diameter (m); every shipped array has one size."""
        return float(self.diameter_m[0])

    def baselines_enu_m(self) -> np.ndarray:
        """Return the ``(n_ant (n_ant - 1) / 2, 3)`` baseline vectors ``p_j - p_i`` (i < j)."""
        i, j = np.triu_indices(self.n_antennas, k=1)
        return self.enu_m[j] - self.enu_m[i]

    def longest_baseline_m(self) -> float:
        """Return the longest baseline's length (m)."""
        return float(np.max(np.linalg.norm(self.baselines_enu_m(), axis=1)))


@functools.lru_cache(maxsize=None)
def load_array(name: str) -> AntennaArray:
    """Return the shipped array ``name`` (see :data:`ARRAY_NAMES`).

    Raises
    ------
    ValueError
        For a name the package does not ship, listing those it does.
    """
    if name not in ARRAY_NAMES:
        raise ValueError(f"array must be one of {', '.join(ARRAY_NAMES)}; got {name!r}")
    text = (resources.files(__package__) / "arrays" / f"{name}.txt").read_text()
    source = next(line[len("# source: "):] for line in text.splitlines()
                  if line.startswith("# source: "))  # fmt: skip
    rows = np.loadtxt(text.splitlines(), comments="#", ndmin=2)
    site = name.split("_")[0]
    return AntennaArray(name=name, enu_m=rows[:, :3], diameter_m=rows[:, 3],
                        latitude_deg=ARRAY_SITES[site], source=source,
                        telescope=TELESCOPE_NAMES[site])  # fmt: skip
