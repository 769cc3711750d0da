"""Every item records its noise three ways, as realised, whichever way the spec set it."""

import math

import numpy as np
import pytest

from GalCubeCraft.datasets import DatasetSpec, render_item
from GalCubeCraft.datasets.items import GLOBAL_COLUMNS, parameter_names
from GalCubeCraft.instrument.noise_level import integrated_snr

SPEC = DatasetSpec(n_cubes=2, seed=3, observation={"grid_size": 32, "n_chan": 12},
                   galaxies={"resolution": (0.5, 1.5), "offset_gals": 3.0},
                   render={"accuracy": "default"})  # fmt: skip


def _noise_columns(spec, index):
    """Return the item's arrays and its (noise_rms, peak_snr, integrated_snr)."""
    item = render_item(spec, index).arrays
    names = parameter_names(spec)
    return item, [item["params"][names.index(k)] for k in GLOBAL_COLUMNS[3:6]]


def test_the_columns_follow_the_noise_rms():
    """integrated_snr sits right after peak_snr; both are the realised ones."""
    assert GLOBAL_COLUMNS[3:6] == ("noise_rms", "peak_snr", "integrated_snr")
    spec = SPEC.replace(noise={"rms_jy_beam": 2e-4})
    for index in range(2):
        item, (rms, peak, integrated) = _noise_columns(spec, index)
        clean = item["clean"]
        assert rms == 2e-4 and peak == pytest.approx(float(clean.max()) / 2e-4, rel=1e-12)
        beam = spec.observation.beam
        assert integrated == pytest.approx(integrated_snr(clean, rms, beam), rel=1e-12)
        # The noise drawn is the rms recorded (beam-correlated: loose).
        assert np.std(item["noisy"] - clean) == pytest.approx(2e-4, rel=0.15)


@pytest.mark.parametrize(("level", "column"), [("peak_snr", 1), ("integrated_snr", 2)])
def test_an_snr_set_is_the_snr_realised(level, column):
    """A fixed peak or integrated S/N comes back in its column; the other two follow."""
    spec = SPEC.replace(noise={level: 12.0})
    item, values = _noise_columns(spec, 1)
    assert values[column] == pytest.approx(12.0, rel=1e-9)
    assert values[1] == pytest.approx(float(item["clean"].max()) / values[0], rel=1e-12)
    assert values[2] > values[1]  # summing ~|M| voxels beats the peak alone


def test_noiseless_items_record_zero_rms_and_no_snr():
    """Without noise: rms 0, both S/N NaN, and the noisy cube is the clean one."""
    item, (rms, peak, integrated) = _noise_columns(SPEC.replace(noise={"peak_snr": None}), 0)
    assert rms == 0.0 and math.isnan(peak) and math.isnan(integrated)
    np.testing.assert_array_equal(item["noisy"], item["clean"])
