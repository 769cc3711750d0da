"""Stores made before the spec's tables record 2.0's flat spec: they open and read back."""

import json
from pathlib import Path

import numpy as np
import pytest

from GalCubeCraft.datasets import FORMATS, StoreDataset, open_store, render_item
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.priors.spec import DatasetSpec

FLAT_2_0 = (Path(__file__).parent / "data" / "spec_2_0_flat.toml").read_text()
"""The spec as 2.0 recorded it in a store (its ``DatasetSpec.to_toml``)."""
SUFFIX = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}


def _record_as_2_0(path, fmt):
    """Put the flat spec text where 2.0's store of format ``fmt`` kept its spec."""
    if fmt == "zarr":
        import zarr

        zarr.open_group(path, mode="r+").attrs["spec"] = FLAT_2_0
    elif fmt == "hdf5":
        import h5py

        with h5py.File(path, "r+") as handle:
            handle.attrs["spec"] = FLAT_2_0
    else:
        record = json.loads((path / "store.json").read_text())
        (path / "store.json").write_text(json.dumps({**record, "spec": FLAT_2_0}))
        (path / "spec.toml").write_text(FLAT_2_0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_store_recording_the_flat_spec_reads_back_identically(tmp_path, fmt):
    """A store of 2.0's flat spec opens with its spec in tables; items read back bit for bit."""
    spec = DatasetSpec.from_stored(FLAT_2_0)
    path = tmp_path / f"d{SUFFIX[fmt]}"
    generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    _record_as_2_0(path, fmt)
    stored = StoreDataset(path)
    assert stored.spec == spec and stored.spec.interferometer.duration_h == (0.5, 1.0)
    for index in range(spec.n_cubes):
        expected = render_item(spec, index).arrays
        for name in ("noisy", "clean", "params"):
            np.testing.assert_array_equal(stored[index][name], expected[name])
    # The same spec, given in tables, resumes the store: nothing is left to make.
    report = generate_dataset(spec, path, fmt=fmt, workers=0, progress=False)
    assert report.skipped == spec.n_cubes
    store = open_store(path, spec, fmt)
    assert sorted(store.done_indices()) == list(range(spec.n_cubes))
    store.close()


TABLES_BEFORE_26 = (Path(__file__).parent / "data" / "spec_2_0_tables.toml").read_text()
"""A spec in tables as stores recorded it before issue 26's priors (no views, no
inclination_prior, no v_0_prior, ...; inclinations and PAs 0-85, v_0 200 km/s)."""
DRAWN_BEFORE = {
    "flat": ("6ad5ceb0837f2b56", FLAT_2_0),
    "tables": ("d0986a830615f262", TABLES_BEFORE_26),
}
"""What each stored spec drew before the keys were added: a hash of every drawn value."""


def _drawn_values(draw):
    """Return every number a cube's draw holds, in order."""
    values = [draw.resolution, draw.pixel_kpc, draw.peak_snr]
    for d in draw.drawn:
        g = d.galaxy
        values += [g.r_e_kpc, g.n_sersic, g.h_z_kpc, g.s_e, g.inclination_deg, g.pa_deg,
                   g.sigma_kms, g.rotation_curve.v_0_kms, g.rotation_curve.r_0_kpc, g.x_kpc,
                   g.y_kpc, g.v_sys_kms, d.s_e_per_voxel, *d.angles_deg, *d.centre_px]  # fmt: skip
    return values


@pytest.mark.parametrize("kind", sorted(DRAWN_BEFORE))
def test_an_old_stored_spec_draws_exactly_the_same_galaxies(kind):
    """A stored spec that lacks the keys added since draws what it drew then, bit for bit.

    Its absent keys take their old-behaviour values (inclinations uniform in degrees), not
    the new defaults (isotropic), which would draw other galaxies.
    """
    import hashlib

    from GalCubeCraft.priors.galaxies import draw_scene

    pinned, text = DRAWN_BEFORE[kind]
    spec = DatasetSpec.from_stored(text)
    assert (spec.views, spec.galaxies.inclination_prior, spec.galaxies.v_0_prior) == (
        1, "uniform", "range")  # fmt: skip
    values = [v for i in range(spec.n_cubes) for v in _drawn_values(draw_scene(spec, i))]
    assert hashlib.sha256(np.asarray(values, float).tobytes()).hexdigest()[:16] == pinned
    # Read as a user's file instead, the same text takes today's defaults: other galaxies.
    if kind == "tables":
        today = DatasetSpec.from_toml_text(text)
        assert today.galaxies.inclination_prior == "isotropic"
        assert _drawn_values(draw_scene(today, 0)) != _drawn_values(draw_scene(spec, 0))


def test_a_stored_spec_keeps_the_added_keys_it_records():
    """A spec stored with the new keys reads back as it was (the table fills only absences)."""
    spec = DatasetSpec.from_stored(TABLES_BEFORE_26).replace(
        views=3, views_vary="noise", galaxies={"v_0_prior": "tully_fisher"}
    )
    again = DatasetSpec.from_stored(spec.to_toml())
    assert again == spec and again.galaxies.inclination_prior == "uniform"
    assert DatasetSpec.from_stored(DatasetSpec().to_toml()) == DatasetSpec()
