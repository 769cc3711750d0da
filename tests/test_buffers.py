"""The buffer pool: memory is lent again only once nothing can see it, and cubes are unchanged."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

from GalCubeCraft._support import buffers
from GalCubeCraft._support.buffers import MIN_POOLED_BYTES, BufferPool
from GalCubeCraft.datasets import DatasetSpec, render_item
from GalCubeCraft.factory import make_cubes
from GalCubeCraft.instrument.noise_level import NoiseModel
from GalCubeCraft.priors.galaxies import draw_scene

SHAPE = (8, 64, 64)  # 128 KiB of float32: pooled


def address(array: np.ndarray) -> int:
    """Return where an array's data start."""
    return int(array.__array_interface__["data"][0])


def test_a_dropped_array_lends_its_memory_to_the_next_of_its_size():
    """Drop an array: the next request of the same bytes (any shape, dtype) reuses it."""
    pool = BufferPool()
    first = pool.empty(SHAPE)
    where = address(first)
    del first
    again = pool.empty(SHAPE)
    assert address(again) == where
    del again
    assert address(pool.empty((2, *SHAPE), np.float16)) == where  # the same bytes


@pytest.mark.parametrize("holder", ["array", "view", "read-only view", "memoryview", "slice"])
def test_memory_anything_still_sees_is_never_lent(holder):
    """An array, a view, a memoryview or a slice kept: the next array has memory of its own."""
    pool = BufferPool()
    array = pool.empty(SHAPE)
    array[...] = 7.0
    kept: object = array
    if holder == "view":
        kept = array.reshape(-1)
    elif holder == "read-only view":
        kept = array.view()
        kept.flags.writeable = False
    elif holder == "memoryview":
        kept = memoryview(array)
    elif holder == "slice":
        kept = array[3:5, 10]
    del array
    for _ in range(3):
        other = pool.empty(SHAPE)
        other.fill(-1.0)
        assert not np.shares_memory(other, np.asarray(kept))
    assert np.all(np.asarray(kept) == 7.0)


def test_small_arrays_are_plain_numpy_arrays():
    """Below MIN_POOLED_BYTES an array owns its data (malloc reuses small blocks itself)."""
    pool = BufferPool()
    small = pool.empty(MIN_POOLED_BYTES // 4 - 1)
    assert small.flags.owndata
    assert not pool.empty(SHAPE).flags.owndata  # a pooled one is a lease's


def test_idle_memory_stays_under_its_bound_dropping_the_least_recently_used():
    """Idle buffers never exceed max_idle_bytes; the size unused longest goes first."""
    size = 4 * int(np.prod(SHAPE))
    pool = BufferPool(max_idle_bytes=3 * size)
    old = [pool.empty(SHAPE) for _ in range(2)]
    new = pool.empty((2, *SHAPE))
    del old
    assert pool.idle_bytes() == 2 * size
    del new  # 2 + 2 sizes idle: over the bound, one of the older size is dropped
    assert pool.idle_bytes() == 3 * size
    kept = [pool.empty(SHAPE) for _ in range(2)]  # one idle, one fresh
    assert pool.idle_bytes() == 2 * size  # the newer size's buffer is still there
    wide = pool.empty((2, *SHAPE))
    assert pool.idle_bytes() == 0
    del kept, wide
    pool.clear()
    assert pool.idle_bytes() == 0


def test_nothing_is_kept_when_the_bound_is_zero():
    """max_idle_bytes 0: every array gets fresh memory and nothing stays idle."""
    pool = BufferPool(max_idle_bytes=0)
    first = pool.empty(SHAPE)
    del first
    assert pool.idle_bytes() == 0


def test_an_array_freed_by_the_garbage_collector_comes_back():
    """An array in a reference cycle returns its memory once the cycle is collected."""
    pool = BufferPool()
    cycle: list[object] = [pool.empty(SHAPE)]
    cycle.append(cycle)
    where = address(cycle[0])  # type: ignore[arg-type]
    del cycle
    gc.collect()
    assert address(pool.empty(SHAPE)) == where


def test_threads_never_share_memory_they_both_hold():
    """Eight threads taking and dropping arrays: no thread ever sees another's writes."""
    pool = BufferPool()
    errors: list[str] = []

    def work(tag: int) -> None:
        for _ in range(200):
            held = [pool.empty(SHAPE) for _ in range(3)]
            for array in held:
                array.fill(tag)
            for array in held:
                if not np.all(array == tag):
                    errors.append(f"thread {tag} saw another's values")
                    return

    threads = [threading.Thread(target=work, args=(tag,)) for tag in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    size = 4 * int(np.prod(SHAPE))
    idle = pool.idle_bytes()  # the buffers came back (a few more than 24 may have been
    assert idle > 0 and idle % size == 0  # made, where a release raced a request)


# --- The factory and the dataset items ---------------------------------------------------


DIFFUSE = DatasetSpec(
    n_cubes=2,
    seed=7,
    observation={"grid_size": 48, "n_chan": 24},
    galaxies={"n_gals": [2, 2]},
    features={"diffuse": {"enabled": True}},
)


def made():
    """Return make_cubes of a drawn scene of two galaxies, a halo, bridges and tails, noisy."""
    draw = draw_scene(DIFFUSE, 1)
    assert draw.diffuse is not None and draw.diffuse.halo is not None and draw.diffuse.blobs
    return make_cubes(draw.galaxies, DIFFUSE.observation.for_pixel(draw.pixel_kpc),
                      DIFFUSE.render_settings, NoiseModel(peak_snr=8.0),
                      np.random.default_rng(5), draw.diffuse)  # fmt: skip


def arrays_of(products) -> dict[str, np.ndarray]:
    """Return every cube-sized array of a make_cubes result."""
    out = {"model": products.model.data, "clean": products.clean.data,
           "noisy": products.noisy.data, "galaxy_clean": products.galaxy_clean}  # fmt: skip
    if products.diffuse_clean is not None:
        out["diffuse_clean"] = products.diffuse_clean
    return out


def poison_pool(shapes: list[tuple[int, ...]]) -> None:
    """Leave idle buffers of these float32 shapes full of NaN, as a previous cube might."""
    held = [buffers.empty(shape) for shape in shapes for _ in range(4)]
    for array in held:
        array.fill(np.nan)


def test_consecutive_results_share_no_memory_and_stay_as_made():
    """A second make_cubes neither aliases nor changes the arrays of the first one kept."""
    first = made()
    copies = {name: array.copy() for name, array in arrays_of(first).items()}
    second = made()
    for name, array in arrays_of(first).items():
        np.testing.assert_array_equal(array, copies[name])
        for other in arrays_of(second).values():
            assert not np.shares_memory(array, other), name
    names = list(arrays_of(first))
    for i, a in enumerate(names):  # nor do the arrays of one result among themselves
        for b in names[i + 1 :]:
            assert not np.shares_memory(arrays_of(first)[a], arrays_of(first)[b]), (a, b)


def test_cubes_are_bit_identical_with_a_reused_pool_and_without_one():
    """Buffers full of a previous cube's garbage give the cubes a fresh pool gives."""
    with buffers.idle_limit(0):
        reference = {name: array.copy() for name, array in arrays_of(made()).items()}
    poison_pool([DIFFUSE.shape, (2, *DIFFUSE.shape)])
    for _ in range(2):  # the second from the first's returned buffers
        for name, array in arrays_of(made()).items():
            np.testing.assert_array_equal(array, reference[name], err_msg=name)


@pytest.mark.parametrize("preset", [None, "galcubecraft-1.2"])
def test_items_are_bit_identical_with_a_reused_pool_and_without_one(preset):
    """Items of the default spec and of the 1.2 preset: the same bytes, pool or not."""
    spec = DatasetSpec(n_cubes=3, seed=2) if preset is None else DatasetSpec.from_preset(preset)
    with buffers.idle_limit(0):
        reference = [render_item(spec, i).arrays for i in range(2)]
    c, y, x = spec.shape
    poison_pool([(c, y, x), (spec.max_galaxies, c, y, x), (1, c, y, x), (2, c, y, x)])
    for i in (0, 1, 0):
        item = render_item(spec, i)
        for name, array in item.arrays.items():
            np.testing.assert_array_equal(array, reference[i][name], err_msg=name)


def test_an_item_written_and_dropped_lends_its_memory_to_the_next():
    """The dataset loop's steady state: items after the first allocate no fresh buffer."""
    spec = DatasetSpec(n_cubes=5, seed=2, galaxies={"n_gals": [2, 2]})
    render_item(spec, 0)  # the pool now holds one item's buffers
    before = buffers.fresh_buffers()
    for index in (1, 2, 3):
        render_item(spec, index)
    assert buffers.fresh_buffers() == before
    kept = render_item(spec, 4)  # kept: the next item's memory is its own
    after = render_item(spec, 1)
    for a in kept.arrays.values():
        for b in after.arrays.values():
            assert not np.shares_memory(a, b)
