"""The array registry: every shipped data file is an array, run through one contract."""

import math

import numpy as np
import pytest

from GalCubeCraft.interferometry.arrays import (
    ARRAY_NAMES,
    _read_header,
    array_info,
    describe_arrays,
    load_array,
)
from GalCubeCraft.interferometry.uv import Track, uvw_m


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_every_array_loads_with_sane_antennas(name):
    """Finite positions about their mean, one dish size, no two dishes overlapping."""
    array = load_array(name)
    assert array.name == name and array.n_antennas >= 3
    assert array.enu_m.shape == (array.n_antennas, 3) and np.all(np.isfinite(array.enu_m))
    # Positions are written to the millimetre, recentred on their mean.
    np.testing.assert_allclose(array.enu_m.mean(axis=0), 0.0, atol=1e-3)
    assert np.all(array.diameter_m == array.dish_diameter_m) and array.dish_diameter_m > 0
    lengths = np.linalg.norm(array.baselines_enu_m(), axis=1)
    assert lengths.min() >= array.dish_diameter_m
    assert array.longest_baseline_m() < 40e3  # the longest shipped: VLA A, 36.6 km


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_every_array_file_carries_its_metadata(name):
    """Telescope, latitude, source and a one-line description come from the file's header."""
    info = array_info(name)
    array = load_array(name)
    assert -90.0 <= info.latitude_deg <= 90.0 and info.latitude_deg == array.latitude_deg
    assert info.telescope == array.telescope != ""
    assert info.source == array.source != ""
    assert "\n" not in info.description and f"{array.n_antennas} dishes" in info.description
    assert f"{name}: {info.description}" in describe_arrays().splitlines()


@pytest.mark.parametrize("name", ARRAY_NAMES)
def test_every_array_covers_the_uv_plane_in_a_short_track(name):
    """Six minutes at zenith transit: one finite, non-zero uv point per baseline and integration."""
    array = load_array(name)
    track = Track(declination_deg=array.latitude_deg, duration_h=0.1, integration_s=60.0)
    uvw = uvw_m(array, track)
    n_baselines = array.n_antennas * (array.n_antennas - 1) // 2
    assert uvw.shape == (n_baselines * track.n_integrations, 3)
    assert np.all(np.isfinite(uvw))
    uv = np.hypot(uvw[:, 0], uvw[:, 1])
    assert uv.min() > 0.0
    # A projected baseline is never longer than the baseline itself (1e-9 rounding).
    assert np.max(np.linalg.norm(uvw, axis=1)) <= array.longest_baseline_m() * (1 + 1e-9)


def test_the_registry_is_the_folder_in_natural_order():
    """Sixteen files; configurations sort by number (C-2 before C-10); help lists each once."""
    assert len(ARRAY_NAMES) == 16
    assert ARRAY_NAMES.index("alma_c2") < ARRAY_NAMES.index("alma_c10")
    assert len(describe_arrays().splitlines()) == len(ARRAY_NAMES)
    assert describe_arrays().startswith("aca: ALMA's 7-m Atacama Compact Array")
    with pytest.raises(ValueError, match="array must be one of aca, alma_c1"):
        array_info("alma_c11")


def test_an_array_file_without_its_metadata_is_refused():
    """A header missing a required key names the file and the key."""
    text = "# mine: 3 antennas\n# telescope: X\n# source: here\n0 0 0 12\n"
    with pytest.raises(ValueError, match=r"mine.txt lacks .*latitude_deg.*description"):
        _read_header("mine", text)
    good = text.replace("# source", "# latitude_deg: -10.5\n# description: three\n# source")
    assert _read_header("mine", good).latitude_deg == -10.5


def test_latitudes_are_the_observatories():
    """ALMA/ACA at -23.02, VLA at +34.08, MeerKAT at -30.71 (degrees, to 0.01)."""
    for name, latitude in (("alma_c1", -23.02), ("aca", -23.02), ("vla_d", 34.08),
                           ("meerkat", -30.71)):  # fmt: skip
        assert array_info(name).latitude_deg == pytest.approx(latitude, abs=0.01)
    assert math.isfinite(array_info("vla_a").latitude_deg)
