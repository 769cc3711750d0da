"""Work that cannot finish is refused before it starts; large cubes render in bounded memory."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from GalCubeCraft import Galaxy, Observation, RenderSettings, SpectralAxis, make_cubes, render
from GalCubeCraft.datasets import DatasetSpec
from GalCubeCraft.datasets.batch import generate_dataset
from GalCubeCraft.renderer.budget import BudgetError


def test_a_cube_too_large_is_refused_within_a_second():
    """2048x2048x256 with an 8 GiB limit is refused at once, naming the options and limit."""
    obs = Observation(nx=2048, ny=2048, pixel_kpc=0.1, spectral=SpectralAxis(256, -400, 400))
    start = time.perf_counter()
    # 20 B a voxel (float32 model, one galaxy, its clean copy, the working copy, the clean
    # cube) plus the renderer's 0.25 GiB: 20.2 GiB.
    with pytest.raises(BudgetError, match=r"256x2048x2048 cube needs about 20\.2 GiB") as info:
        make_cubes(Galaxy(r_e_kpc=5.0, inclination_deg=50.0), obs,
                   settings=RenderSettings(memory_limit_gib=8))  # fmt: skip
    assert time.perf_counter() - start < 1.0
    assert "8.0 GiB limit" in str(info.value) and "n_chan" in str(info.value)


def test_a_velocity_grid_too_fine_is_refused():
    """Channels of 1e-6 km/s with no dispersion would need 1e9 fine nodes per pixel."""
    obs = Observation(nx=32, ny=32, pixel_kpc=0.5, spectral=SpectralAxis(8, -4e-6, 4e-6))
    with pytest.raises(BudgetError, match="fine velocity grid needs 3.0.e\\+09 nodes"):
        render(Galaxy(r_e_kpc=2.0, inclination_deg=50.0, sigma_kms=0.0), obs)


def test_blocks_of_pixels_give_the_same_cube(monkeypatch):
    """Sampling the sky in blocks of 50 pixels gives the one-pass cube (to float32 rounding).

    A pixel's samples then reach the float32 cube in different deposits, each rounded.
    """
    from GalCubeCraft.renderer import sampling

    obs = Observation(nx=40, ny=40, pixel_kpc=0.5, spectral=SpectralAxis(24, -300, 300))
    galaxy = Galaxy(r_e_kpc=3.0, inclination_deg=60.0, pa_deg=20.0)
    whole = render(galaxy, obs).data
    monkeypatch.setattr(sampling, "SKY_BLOCK_PIXELS", 50)
    monkeypatch.setattr(sampling.sample_sky, "__defaults__", (50,))
    blocked = render(galaxy, obs).data
    np.testing.assert_allclose(blocked, whole, rtol=5e-7, atol=1e-7 * whole.max())


def test_a_1024_squared_128_channel_render_peaks_under_1_5_gib():
    """The model cube (512 MiB of float32) plus the renderer's bounded temporaries < 1.5 GiB."""
    script = (
        "import json, resource\n"
        "from GalCubeCraft import Galaxy, Observation, SpectralAxis, render\n"
        "spectral = SpectralAxis(128, -400, 400)\n"
        "obs = Observation(nx=1024, ny=1024, pixel_kpc=0.1, spectral=spectral)\n"
        "galaxy = Galaxy(r_e_kpc=5.0, inclination_deg=50.0, sigma_kms=30.0)\n"
        "cube = render(galaxy, obs)\n"
        "print(json.dumps({'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
        "                  'flux': cube.line_flux_jykms() / galaxy.line_flux}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    # Measured 1.00 GiB (the galaxy covers most of the million pixels); 1.63 GiB with a
    # float64 model, 2.7 GiB before the sky was sampled in blocks.
    assert report["peak_kib"] * 1024 < 1.5 * 1024**3
    assert report["flux"] == pytest.approx(1.0, abs=1e-3)


def test_a_dataset_too_large_for_the_disk_is_refused_before_the_store_exists(tmp_path):
    """n_cubes = 1e12 is refused on the disk check; no store is left behind."""
    with pytest.raises(BudgetError, match="needs at least .* GiB of disk"):
        generate_dataset(DatasetSpec(n_cubes=10**12), tmp_path / "d.zarr", workers=0,
                         progress=False)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_scheduler_leaves_no_empty_store(tmp_path):
    """A scheduler that never answers fails the run, and the store it made is removed."""
    import dask
    import distributed  # noqa: F401 - its defaults must be loaded before the override

    spec = DatasetSpec(
        n_cubes=2,
        observation={"grid_size": 16, "n_chan": 4},
        galaxies={"resolution": (0.5, 1.0), "offset_gals": 2.0},
    )
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(OSError, match="Timed out"):
            generate_dataset(spec, tmp_path / "d.zarr", scheduler="tcp://127.0.0.1:1",
                             progress=False)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_blocks_of_similar_velocity_give_the_same_cube(monkeypatch):
    """The deposit's pixel blocks (of similar velocity, each over its own nodes) change nothing.

    Blocks of 3 pixels against the default's 128: the same cube to float32 rounding, for
    a disk whose sigma(R) lines are deposited as sampled Gaussians too.
    """
    from GalCubeCraft.renderer import deposit

    obs = Observation(nx=40, ny=40, pixel_kpc=0.5, spectral=SpectralAxis(48, -300, 300))

    def profile(r):
        return 20.0 + 30.0 * np.exp(-np.asarray(r) / 2.0)

    galaxy = Galaxy(r_e_kpc=3.0, inclination_deg=60.0, pa_deg=20.0, sigma_kms=20.0,
                    dispersion_profile=profile)  # fmt: skip
    whole = render(galaxy, obs).data
    monkeypatch.setattr(deposit, "PIXEL_BLOCK", 3)
    blocked = render(galaxy, obs).data
    np.testing.assert_allclose(blocked, whole, rtol=5e-7, atol=1e-7 * whole.max())


def test_channel_response_rows_are_computed_once_and_extended():
    """ChannelResponse.columns equals channel_response for any node span, however asked."""
    from GalCubeCraft.renderer.deposit import ChannelResponse, channel_response

    spectral = SpectralAxis(30, -300, 300)
    table = ChannelResponse(12.5, 25.0, 1.7, spectral)
    for lowest, highest in ((-10, 20), (-40, -30), (15, 90), (-60, 100), (0, 0)):
        nodes = 12.5 + 1.7 * np.arange(lowest, highest + 1)
        np.testing.assert_array_equal(table.columns(lowest, highest),
                                      channel_response(nodes, 25.0, spectral).T)  # fmt: skip
    assert table.first == -60 and table.table.shape == (30, 161)


def test_channel_band_holds_every_channel_a_line_reaches():
    """ChannelResponse.band keeps every channel where a node's line puts 1e-17 of its flux."""
    from GalCubeCraft.renderer.deposit import ChannelResponse

    for sigma in (0.0, 3.0, 40.0):
        spectral = SpectralAxis(200, -500, 500)
        table = ChannelResponse(-37.0, sigma, 0.9, spectral)
        for lowest, highest in ((-20, 30), (400, 700), (-900, -850), (-2000, 2000)):
            band = table.band(lowest, highest)
            response = table.columns(lowest, highest)
            outside = np.ones(spectral.n_chan, dtype=bool)
            outside[band] = False
            fraction = np.abs(response[outside]) * spectral.channel_width_kms
            assert np.all(fraction < 1e-17)


def test_available_memory_is_read_at_most_once_a_second(monkeypatch):
    """The sky sampler asks per block of pixels: one read serves every ask within a second."""
    from GalCubeCraft.renderer import budget

    reads = []
    monkeypatch.setattr(budget, "_read_available_memory", lambda: reads.append(1) or 5 << 30)
    monkeypatch.setattr(budget, "_last_read", (-float("inf"), 0))
    clock = [100.0]
    monkeypatch.setattr(budget, "_clock", lambda: clock[0])
    assert [budget.available_memory_bytes() for _ in range(20)] == [5 << 30] * 20
    assert len(reads) == 1
    clock[0] += budget.MEMORY_READ_SECONDS
    budget.available_memory_bytes()
    assert len(reads) == 2


def test_idle_buffers_of_earlier_cubes_are_freed_before_a_cube_is_refused(monkeypatch):
    """Memory held idle by the buffer pool counts as ours: freed, then the cube fits."""
    from GalCubeCraft._support import buffers
    from GalCubeCraft.renderer import budget

    obs = Observation(nx=64, ny=64, pixel_kpc=0.5, spectral=SpectralAxis(40, -400, 400))
    need = budget.cube_bytes(obs, 1, True)
    held = buffers.empty(16 << 20, np.uint8)
    del held  # 16 MiB idle in the pool
    assert buffers.idle_bytes() >= 16 << 20

    def available() -> int:
        """Return what the system sees: the idle buffers used, 1 MiB short of the cube."""
        return need - (1 << 20) + (0 if buffers.idle_bytes() else 32 << 20)

    monkeypatch.setattr(budget, "_read_available_memory", available)
    monkeypatch.setattr(budget, "_last_read", (-float("inf"), 0))
    assert budget.check_memory(obs, 1, True) == need
    assert buffers.idle_bytes() == 0
    with pytest.raises(BudgetError):  # nothing idle left to free: refused as before
        budget.check_memory(obs, 100, True)
