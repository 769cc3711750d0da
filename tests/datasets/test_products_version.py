"""A store whose items an earlier renderer made is read as it was, and not resumed with a mix."""

import json

import numpy as np
import pytest

from GalCubeCraft import DatasetSpec
from GalCubeCraft.datasets import StoreDataset
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.datasets.stores import MARKER_FILE, PRODUCTS_VERSION

ARMS = DatasetSpec(
    n_cubes=3,
    seed=4,
    observation={"grid_size": 24, "n_chan": 8},
    galaxies={"resolution": (0.5, 2.0)},
    noise={"peak_snr": None},
    features={"arm_contrast": (0.3, 0.5)},
)
PLAIN = ARMS.replace(features={"arm_contrast": (0.0, 0.0)})


def _made_before_versions(spec, path):
    """Write two of the spec's items, then record the store as one made before version 2."""
    generate_dataset(spec.replace(n_cubes=2), path, fmt="npy", workers=0, progress=False)
    marker = path / MARKER_FILE
    record = json.loads(marker.read_text())
    del record["products_version"]
    record["spec"] = spec.to_toml()
    marker.write_text(json.dumps(record))
    (path / "spec.toml").write_text(spec.to_toml())


def test_a_store_records_the_products_version(tmp_path):
    """New stores record the renderer's products version beside the layout version."""
    generate_dataset(PLAIN.replace(n_cubes=1), tmp_path / "s", fmt="npy", workers=0, progress=False)
    assert json.loads((tmp_path / "s" / MARKER_FILE).read_text())["products_version"] == 2
    assert PRODUCTS_VERSION == 2


def test_an_old_store_with_arms_reads_but_is_not_resumed(tmp_path):
    """Arms changed winding: old items read back, and no new item joins them."""
    path = tmp_path / "arms"
    _made_before_versions(ARMS, path)
    first = StoreDataset(path)[0]["clean"]
    with pytest.raises(ValueError, match="spiral arms now trail the rotation"):
        generate_dataset(ARMS, path, fmt="npy", workers=0, progress=False)
    assert np.array_equal(StoreDataset(path)[0]["clean"], first)
    assert len(StoreDataset(path)) == 3 and not (path / "000002_clean.npy").exists()


def test_an_old_store_the_change_does_not_reach_resumes(tmp_path):
    """A spec without arms or an interferometer makes the same items: the run resumes."""
    path = tmp_path / "plain"
    _made_before_versions(PLAIN, path)
    report = generate_dataset(PLAIN, path, fmt="npy", workers=0, progress=False)
    assert (report.written, report.skipped) == (1, 2)
