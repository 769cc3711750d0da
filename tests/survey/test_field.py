"""The field: bit-identical for any tiling and worker count, resumable, flux-conserving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import zarr
from survey_helpers import SMALL

from GalCubeCraft.survey import make_field
from GalCubeCraft.survey.stamps import field_beam
from GalCubeCraft.survey.tiles import marker_path, tile_origins


def _arrays(path):
    group = zarr.open_group(path / "field.zarr", mode="r")
    return {name: group[name][:] for name in group.array_keys()}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Return the small field made in this process (no Dask), 32^3 tiles."""
    path = tmp_path_factory.mktemp("reference")
    run = make_field(SMALL, path, workers=0, progress=False)
    assert run.complete
    return path, _arrays(path)


def test_two_tilings_and_two_workers_give_the_same_field_bit_for_bit(reference, tmp_path,
                                                                       dask_client):  # fmt: skip
    """Other tiles (uneven ones) on two Dask workers give every voxel and label unchanged."""
    _, expected = reference
    run = make_field(SMALL.replace(tile=(24, 40, 16)), tmp_path, client=dask_client,
                     progress=False)  # fmt: skip
    got = _arrays(tmp_path)
    assert run.n_tiles == 3 * 2 * 4
    np.testing.assert_array_equal(got["field"], expected["field"])
    np.testing.assert_array_equal(got["labels"], expected["labels"])
    assert np.array_equal(got["field"].view(np.uint32), expected["field"].view(np.uint32))


def test_a_scheduler_address_gives_the_in_process_field_bit_for_bit(reference, tmp_path,
                                                                     dask_scheduler):  # fmt: skip
    """make_field(scheduler="tcp://...") runs on that running scheduler's workers."""
    _, expected = reference
    assert dask_scheduler.startswith("tcp://")
    run = make_field(SMALL, tmp_path, scheduler=dask_scheduler, progress=False)
    assert run.complete and run.tiles_made == run.n_tiles
    got = _arrays(tmp_path)
    assert np.array_equal(got["field"].view(np.uint32), expected["field"].view(np.uint32))
    np.testing.assert_array_equal(got["labels"], expected["labels"])


def test_a_run_stopped_and_resumed_gives_the_same_field_and_keeps_finished_tiles(
    reference, tmp_path, dask_client
):
    """Stopped after 3 tiles, a half-written chunk left behind: the resumed field is equal."""
    _, expected = reference
    first = make_field(SMALL, tmp_path, client=dask_client, progress=False, max_tiles=3)
    assert not first.complete and first.tiles_made == 3
    done = [o for o in tile_origins(SMALL) if marker_path(tmp_path, o).exists()]
    assert len(done) == 3
    stamps_before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "stamps").iterdir()}
    markers_before = {o: marker_path(tmp_path, o).stat().st_mtime_ns for o in done}
    # A tile a killed run was writing: its chunk holds garbage and it has no marker.
    todo = next(o for o in tile_origins(SMALL) if o not in done)
    group = zarr.open_group(tmp_path / "field.zarr", mode="r+")
    group["field"][tuple(slice(o, o + 32) for o in todo)] = np.float32(7.0)
    second = make_field(SMALL, tmp_path, client=dask_client, progress=False)
    assert second.complete and second.tiles_made == len(tile_origins(SMALL)) - 3
    assert {o: marker_path(tmp_path, o).stat().st_mtime_ns for o in done} == markers_before
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "stamps").iterdir()} == stamps_before
    got = _arrays(tmp_path)
    np.testing.assert_array_equal(got["field"], expected["field"])
    np.testing.assert_array_equal(got["labels"], expected["labels"])


def test_a_folder_of_another_spec_is_refused(reference):
    """Resuming with a different spec would mix two fields: refused, naming the folder."""
    path, _ = reference
    with pytest.raises(ValueError, match="another spec"):
        make_field(SMALL.replace(seed=4), path, workers=0, progress=False)


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    """Return a field of 12 catalogued galaxies well inside field and band, noiseless."""
    rng = np.random.default_rng(11)
    table = pd.DataFrame({
        "x_px": rng.uniform(24, 40, 12), "y_px": rng.uniform(24, 40, 12),
        "z": 1.420405751768e9 / rng.uniform(1.1405e9, 1.1414e9, 12) - 1.0,
        "log_m_hi": rng.uniform(8.5, 9.3, 12),
    })  # fmt: skip
    path = tmp_path_factory.mktemp("inside")
    table.to_csv(path / "input.csv", index=False)
    spec = SMALL.replace(
        population=SMALL.population.__class__(catalogue=str(path / "input.csv")),
        noise_rms_jy_beam=0.0,
        clean=True,
    )
    make_field(spec, path / "field", workers=0, progress=False)
    truth = pd.read_csv(path / "field" / "truth.csv")
    return spec, _arrays(path / "field"), truth


def test_the_noiseless_field_holds_the_catalogue_flux(inside):
    """Sum of the clean field (Jy/beam -> Jy Hz) = the catalogue's total line flux to 1e-4."""
    spec, arrays, truth = inside
    assert len(truth) == 12
    assert np.allclose(truth["flux_in_field_jy_hz"], truth["line_flux_integral"], rtol=1e-4)
    flux = arrays["clean"].sum(dtype=np.float64) / field_beam(spec).area_px
    flux *= spec.channel_width_hz
    assert flux == pytest.approx(truth["line_flux_integral"].sum(), rel=1e-4)


def test_the_moment0_map_is_the_clean_field_summed_over_channels(inside):
    """The moment-0 map (Jy/beam Hz) equals the clean cube's channel sum times the width."""
    spec, arrays, _ = inside
    expected = arrays["clean"].sum(axis=0, dtype=np.float64) * spec.channel_width_hz
    np.testing.assert_allclose(arrays["moment0"], expected, rtol=1e-5,
                               atol=1e-6 * expected.max())  # fmt: skip


def test_labels_name_the_brightest_galaxy_above_the_threshold(reference):
    """A labelled voxel's clean emission exceeds label_fraction * rms; ids are the catalogue's."""
    path, arrays = reference
    truth = pd.read_csv(path / "truth.csv")
    labels = arrays["labels"]
    assert set(np.unique(labels)) - {0} <= set(truth["id"])
    noiseless = _noiseless(path)
    threshold = SMALL.label_fraction * SMALL.noise_rms_jy_beam
    assert np.all(noiseless[labels > 0] > threshold)
    assert np.count_nonzero(labels) > 1000


def _noiseless(path):
    """Return the small field's noiseless cube, remade with clean=True beside it."""
    other = path.parent / (path.name + "-clean")
    if not other.exists():
        make_field(SMALL.replace(clean=True), other, workers=0, progress=False)
    return zarr.open_group(other / "field.zarr", mode="r")["clean"][:]
