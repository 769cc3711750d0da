"""Antenna arrays shipped with the package: the registry is the folder of data files.

Each array is one small text file, ``arrays/<name>.txt``: a header of ``# key: value``
lines (``telescope``, the FITS ``TELESCOP`` name; ``latitude_deg``, the site's geodetic
latitude; ``description``, one line for help texts; ``source``, where the positions come
from) and then one antenna per line: east, north, up offsets in metres from the array's
mean position, and the dish diameter.  The positions are facts taken once by
``tools/convert_casa_arrays.py``; nothing is fetched at run time.  **Adding an array is
adding its file**: :data:`ARRAY_NAMES`, :func:`array_info`, :func:`describe_arrays` (the
CLI's help) and the contract test over every array all read the folder.

Shipped: ALMA's 12-m configurations ``alma_c1`` ... ``alma_c10`` and the 7-m ACA
(``aca``), both as offered in Cycle 12, and the VLA's ``vla_a`` ... ``vla_d``, all from the
CASA data package (``casadata``, ``alma/simmos/*.cfg``); MeerKAT's 64 dishes of 13.5 m
(``meerkat``) from the MeerKAT subarray of simms's SKA-Mid layout, because CASA's
``meerkat.cfg`` holds an early design (80 dishes of 12 m), not the built array.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    from importlib.resources.abc import Traversable

HEADER_KEYS = ("telescope", "latitude_deg", "description", "source")
"""The ``# key: value`` lines every array file's header must hold."""


def _natural_key(name: str) -> tuple[object, ...]:
    """Sort ``alma_c2`` before ``alma_c10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _array_files() -> dict[str, Traversable]:
    """Return every shipped array file by name, in natural order."""
    folder = resources.files(__package__) / "arrays"
    files = {f.name[: -len(".txt")]: f for f in folder.iterdir() if f.name.endswith(".txt")}
    return {name: files[name] for name in sorted(files, key=_natural_key)}


ARRAY_NAMES: tuple[str, ...] = tuple(_array_files())
"""Every array the package ships: the names of the data files."""


@dataclass(frozen=True)
class ArrayInfo:
    """What an array file's header says: enough for help texts and FITS cards.

    Attributes
    ----------
    name : str
        The file's name, one of :data:`ARRAY_NAMES`.
    telescope : str
        The observatory's name as FITS ``TELESCOP`` gives it ('ALMA', 'VLA', ...).
    latitude_deg : float
        Geodetic latitude of the site (degrees).
    description : str
        One line: configuration, dishes, baselines.
    source : str
        Where the positions come from.
    """

    name: str
    telescope: str
    latitude_deg: float
    description: str
    source: str


def _check_name(name: str) -> None:
    """Raise ``ValueError`` for a name the package does not ship, listing those it does."""
    if name not in ARRAY_NAMES:
        raise ValueError(f"array must be one of {', '.join(ARRAY_NAMES)}; got {name!r}")


def _read_header(name: str, text: str) -> ArrayInfo:
    """Return the metadata of the array file ``text``, checking every key is there."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        fields[key.strip()] = value.strip()
    missing = [key for key in HEADER_KEYS if not fields.get(key)]
    if missing:
        raise ValueError(f"array file {name}.txt lacks the header line(s) {missing}")
    return ArrayInfo(name=name, telescope=fields["telescope"],
                     latitude_deg=float(fields["latitude_deg"]),
                     description=fields["description"], source=fields["source"])  # fmt: skip


@functools.lru_cache(maxsize=None)
def array_info(name: str) -> ArrayInfo:
    """Return the header of the shipped array ``name`` (no antenna positions are parsed)."""
    _check_name(name)
    return _read_header(name, _array_files()[name].read_text())


def describe_arrays() -> str:
    """Return one line per shipped array, ``name: description``, for help texts."""
    return "\n".join(f"{name}: {array_info(name).description}" for name in ARRAY_NAMES)


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
    _check_name(name)
    text = _array_files()[name].read_text()
    info = _read_header(name, text)
    rows = np.loadtxt(text.splitlines(), comments="#", ndmin=2)
    return AntennaArray(name=name, enu_m=rows[:, :3], diameter_m=rows[:, 3],
                        latitude_deg=info.latitude_deg, source=info.source,
                        telescope=info.telescope)  # fmt: skip
