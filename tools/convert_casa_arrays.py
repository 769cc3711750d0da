"""Convert published antenna configurations into GalCubeCraft's compact array files.

Run once, by hand, when the arrays are updated (nothing is fetched at run time; reading
simms's YAML layout needs PyYAML, which the package itself does not depend on):

    pip download --no-deps casadata && unzip casadata-*.whl 'casadata/__data__/alma/simmos/*'
    pip download --no-deps simms==3.0.2 && unzip simms-*.whl 'simms/telescope/layouts/*'
    python tools/convert_casa_arrays.py casadata/__data__/alma/simmos CASADATA_VERSION \
        simms/telescope/layouts/skamid.geodetic.yaml "simms 3.0.2"

Each output file ``src/GalCubeCraft/interferometry/arrays/<name>.txt`` holds a header
naming its source and then one antenna per line: east, north and up offsets from the
array's mean position (metres) and the dish diameter (metres).  CASA's ``LOC`` files are
already local east/north/up; its ``XYZ`` (geocentric) files are turned into east/north/up
at their mean position with astropy's geodetic conversion.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.coordinates import EarthLocation

OUT = Path(__file__).resolve().parents[1] / "src/GalCubeCraft/interferometry/arrays"
SOURCES = {
    **{f"alma_c{k}": f"alma.cycle12.{k}.cfg" for k in range(1, 11)},
    "aca": "aca.cycle12.cfg",
    **{f"vla_{c}": f"vla.{c}.cfg" for c in "abcd"},
}
# MeerKAT does not come from CASA: its meerkat.cfg holds 80 antennas of 12 m, an early
# design, not the array that was built (64 dishes of 13.5 m).  The built array's geodetic
# positions are the 'meerkat' subarray (M000 ... M063) of simms's SKA-Mid layout.
MEERKAT_SUBARRAY = "meerkat"


def read_cfg(path: Path) -> tuple[str, np.ndarray]:
    """Return (coordinate system, rows of x y z diameter) of a CASA .cfg file."""
    system = "LOC"
    rows = []
    for line in path.read_text().splitlines():
        text = line.strip()
        if text.lower().startswith("# coordsys"):
            system = text.split("=")[1].split()[0].strip()
        if not text or text.startswith("#"):
            continue
        rows.append([float(v) for v in text.split()[:4]])
    return system, np.array(rows)


def to_enu(xyz: np.ndarray) -> tuple[np.ndarray, float]:
    """Return east/north/up (m) about the mean of geocentric XYZ rows, and its latitude."""
    centre = xyz.mean(axis=0)
    site = EarthLocation.from_geocentric(*centre, unit=u.m)
    lat = site.lat.to_value(u.rad)
    lon = site.lon.to_value(u.rad)
    d = xyz - centre
    east = -np.sin(lon) * d[:, 0] + np.cos(lon) * d[:, 1]
    north = (-np.sin(lat) * np.cos(lon) * d[:, 0] - np.sin(lat) * np.sin(lon) * d[:, 1]
             + np.cos(lat) * d[:, 2])  # fmt: skip
    up = (np.cos(lat) * np.cos(lon) * d[:, 0] + np.cos(lat) * np.sin(lon) * d[:, 1]
          + np.sin(lat) * d[:, 2])  # fmt: skip
    return np.column_stack([east, north, up]), float(np.degrees(lat))


def read_geodetic_layout(path: Path, subarray: str) -> tuple[np.ndarray, np.ndarray]:
    """Return geocentric XYZ (m) and dish diameters of a simms layout's ``subarray``.

    simms's ``*.geodetic.yaml`` files list every antenna's longitude and latitude (degrees)
    and height (m) on the WGS84 ellipsoid, its dish size, and named subarrays.
    """
    import yaml  # only this tool reads YAML

    layout = yaml.safe_load(path.read_text())
    index = [layout["antnames"].index(name) for name in layout["subarray"][subarray]]
    lon, lat, height = np.array(layout["antlocations"], dtype=float)[index].T
    sites = EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, height * u.m)
    xyz = np.column_stack([sites.x.to_value(u.m), sites.y.to_value(u.m), sites.z.to_value(u.m)])
    return xyz, np.array(layout["size"], dtype=float)[index]


SITES = {
    "alma": ("ALMA", -23.0229, "ALMA 12-m array, Cycle 12 configuration C-{config}"),
    "aca": ("ACA", -23.0229, "ALMA's 7-m Atacama Compact Array, Cycle 12"),
    "vla": ("VLA", 34.0784, "VLA {config} configuration"),
    "meerkat": ("MeerKAT", -30.7125, "MeerKAT as built"),
}
"""Per site: FITS TELESCOP name, geodetic latitude (deg), the description's first words."""


def _length(metres: float) -> str:
    """Return a baseline length for a description: metres below 1 km, else km."""
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.3g} km"


def write_array(name: str, enu: np.ndarray, diameters: np.ndarray, source: str) -> None:
    """Write one array file: its ``# key: value`` header, then east north up diameter rows.

    The header is the package's registry entry (``GalCubeCraft.interferometry.arrays``):
    telescope, latitude, a one-line description (the CLI's help) and the source.
    """
    site, _, config = name.partition("_")
    telescope, latitude, words = SITES[site]
    i, j = np.triu_indices(len(enu), k=1)
    lengths = np.linalg.norm(enu[j] - enu[i], axis=1)
    description = (f"{words.format(config=config.lstrip('c').upper())}: {len(enu)} dishes of "
                   f"{diameters[0]:g} m, baselines {_length(lengths.min())} to "
                   f"{_length(lengths.max())}")  # fmt: skip
    lines = [
        f"# {name}: {len(enu)} antennas",
        f"# telescope: {telescope}",
        f"# latitude_deg: {latitude}",
        f"# description: {description}",
        f"# source: {source}",
        "# columns: east_m north_m up_m diameter_m",
    ]
    for (e, n, z), d in zip(enu, diameters, strict=True):
        lines.append(f"{e:.3f} {n:.3f} {z:.3f} {d:g}")
    (OUT / f"{name}.txt").write_text("\n".join(lines) + "\n")


def main(folder: str, version: str, meerkat_layout: str, meerkat_version: str) -> None:
    """Convert every array of :data:`SOURCES` found in ``folder``, and MeerKAT."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, file in SOURCES.items():
        system, rows = read_cfg(Path(folder) / file)
        if system == "XYZ":
            enu, lat = to_enu(rows[:, :3])
            note = f"geocentric XYZ converted to east/north/up at latitude {lat:.4f} deg"
        else:
            enu = rows[:, :3] - rows[:, :3].mean(axis=0)
            note = "local tangent plane (east, north, up), recentred on the mean"
        source = f"CASA data package casadata {version}, alma/simmos/{file} ({note})"
        write_array(name, enu, rows[:, 3], source)
    xyz, diameters = read_geodetic_layout(Path(meerkat_layout), MEERKAT_SUBARRAY)
    enu, lat = to_enu(xyz)
    source = (f"{meerkat_version}, telescope/layouts/{Path(meerkat_layout).name}, subarray "
              f"'{MEERKAT_SUBARRAY}' (WGS84 geodetic converted to east/north/up at latitude "
              f"{lat:.4f} deg)")  # fmt: skip
    write_array("meerkat", enu, diameters, source)


if __name__ == "__main__":
    main(*sys.argv[1:5])
