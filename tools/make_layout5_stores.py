"""Make ``tests/data/layout5_stores.tar.gz``: small stores of store layout 5, as that layout wrote them.

Run it with a GalCubeCraft that writes layout 5 (commit e14f16f, before the label arrays),
e.g. ``PYTHONPATH=<old checkout>/src python tools/make_layout5_stores.py``.  It writes
every store format of a plain spec and one interferometric Zarr store, and beside them
``expected.json``: each store's parameter table (columns and rows, as that version read
it) and the CRC-32 of every array of every item.  ``tests/datasets/test_layouts.py``
reads them with today's code and compares.
"""

from __future__ import annotations

import json
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

import numpy as np

from GalCubeCraft.datasets import DatasetSpec, StoreDataset, parameter_table
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.stores import FORMAT_VERSION, STORES

PLAIN = DatasetSpec(
    n_cubes=2,
    seed=26,
    observation={"grid_size": 12, "n_chan": 5, "beam": (3.0, 2.5, 20.0)},
    galaxies={"resolution": (0.5, 1.5), "n_gals": (1, 3), "offset_gals": 3.0},
    noise={"peak_snr": (5.0, 20.0)},
)
OBSERVED = DatasetSpec(
    n_cubes=1,
    seed=2,
    observation={"grid_size": 48, "n_chan": 1},
    galaxies={"resolution": (0.5, 1.0), "n_gals": (1, 1)},
    noise={"peak_snr": None},
    interferometer={"arrays": ("alma_c1",)},
)


def main() -> int:
    """Write the stores and their expectations, then the archive beside the tests' data."""
    if FORMAT_VERSION != 5:
        print(f"this GalCubeCraft writes layout {FORMAT_VERSION}, not 5", file=sys.stderr)
        return 1
    out = Path(tempfile.mkdtemp())
    for fmt in STORES:
        generate_dataset(PLAIN, out / f"plain-{fmt}{STORES[fmt].suffix}", fmt=fmt, workers=0,
                         progress=False)  # fmt: skip
    generate_dataset(OBSERVED, out / "observed-zarr.zarr", fmt="zarr", workers=0, progress=False)
    expected = {}
    for path in sorted(out.iterdir()):
        dataset = StoreDataset(path)
        table = parameter_table(path)
        expected[path.name] = {
            "columns": list(table.columns),
            "rows": {str(i): table.loc[i].tolist() for i in table.index},
            "crc32": {
                str(i): {name: zlib.crc32(np.ascontiguousarray(array).data)
                         for name, array in dataset[i].items() if name != "index"}
                for i in dataset.done_indices()
            },
        }  # fmt: skip
    (out / "expected.json").write_text(json.dumps(expected, indent=1))
    target = Path(__file__).resolve().parents[1] / "tests" / "data" / "layout5_stores.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        archive.add(out, arcname=".")
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
