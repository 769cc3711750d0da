"""examples/train_denoiser.py: its metrics, and two --tiny runs as CI runs them (about 30 s)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "train_denoiser.py"
sys.path.insert(0, str(SCRIPT.parent))

import train_denoiser as example  # noqa: E402


def run_tiny(out: Path) -> subprocess.CompletedProcess[str]:
    """Run the example with --tiny, as a user would, writing to ``out``."""
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, str(SCRIPT), "--tiny", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env=environment)  # fmt: skip


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """Two --tiny runs into one folder: the first makes the cubes, the second reuses them.

    Returns the folder, and each run's process and metrics.
    """
    out = tmp_path_factory.mktemp("denoiser")
    runs = []
    for _ in range(2):
        run = run_tiny(out)
        assert run.returncode == 0, run.stderr[-3000:]
        runs.append((run, json.loads((out / "metrics.json").read_text())))
    return out, runs


def test_psnr_is_peak_over_the_rms_error():
    """A cube of peak 10 with an error of 0.1 everywhere has a PSNR of 40 dB."""
    clean = np.zeros((1, 4, 8, 8), np.float32)
    clean[0, 2, 4, 4] = 10.0
    assert example.psnr_db(clean + 0.1, clean)[0] == pytest.approx(40.0, abs=1e-5)


def test_flux_recovery_counts_only_the_voxels_above_one_rms():
    """Half the flux inside the mask reads 0.5; anything outside the mask is not counted."""
    clean = np.zeros((1, 4, 8, 8), np.float32)
    clean[0, 1:3, 3:5, 3:5] = 4.0
    clean[0, 0, 0, 0] = 0.5  # below 1 rms: outside the mask
    estimate = 0.5 * clean
    estimate[0, 3, 7, 7] = 100.0  # off-source: outside the mask
    assert example.flux_recovery(estimate, clean)[0] == pytest.approx(0.5)


def test_splits_are_the_packages_deterministic_80_10_10():
    """3,000 cubes: 2,400 / 300 / 300 disjoint indices covering all, the same on each call."""
    splits = example.split_indices(3000)
    assert [len(s) for s in splits.values()] == [2400, 300, 300]
    joined = np.concatenate(list(splits.values()))
    assert np.array_equal(np.sort(joined), np.arange(3000))
    again = example.split_indices(3000)
    assert all(np.array_equal(splits[k], again[k]) for k in splits)


def test_cubes_are_scaled_to_unit_noise(tiny_runs):
    """Dividing by the noise_rms column leaves noisy - clean of rms 1 (measured 0.9965)."""
    out, _ = tiny_runs
    (store,) = out.glob("*.zarr")
    cubes = example.load_cubes(store, np.arange(24))
    rms = np.sqrt(np.mean((cubes.noisy - cubes.clean) ** 2, axis=(1, 2, 3)))
    assert rms.mean() == pytest.approx(1.0, abs=0.02)
    assert np.all((cubes.peak_snr >= 2.5 - 1e-4) & (cubes.peak_snr <= 8.0 + 1e-4))


def test_smoothing_baseline_beats_the_noisy_cubes(tiny_runs):
    """On the test cubes the baseline's PSNR exceeds the noisy cubes' (measured: by 12.0 dB)."""
    _, ((_, result), _) = tiny_runs
    metrics = result["test"]
    assert metrics["baseline"]["psnr_db"] > metrics["noisy"]["psnr_db"] + 8.0
    values = [v for m in metrics.values() for v in m.values()]
    assert np.all(np.isfinite(values))


def test_a_second_run_reuses_the_cubes_and_repeats_the_numbers(tiny_runs):
    """The store is reused, not remade, and the seed fixes every loss and metric."""
    _, ((first, first_result), (second, second_result)) = tiny_runs
    assert "24 cubes made, 0 reused" in first.stdout
    assert "0 cubes made, 24 reused" in second.stdout
    for key in ("history", "test", "baseline_sigma_px", "baseline_sigma_channels"):
        if key == "history":  # the seconds differ; the losses may not
            first_result[key] = [{**row, "seconds": 0} for row in first_result[key]]
            second_result[key] = [{**row, "seconds": 0} for row in second_result[key]]
        assert first_result[key] == second_result[key], key


def test_the_figure_draws_each_estimate_of_the_median_cube_beside_the_truth():
    """Columns noisy, baseline, U-Net, truth of the median-S/N cube; rows moment 0, a channel."""
    clean = np.zeros((3, 4, 8, 8), np.float32)
    clean[0, 1, 4, 4], clean[1, 1, 4, 4], clean[2, 2, 3, 5] = 3.0, 20.0, 10.0
    clean[2, 3] = 0.5  # the median cube's brightest channel: 32 against 10 in channel 2
    test = example.Cubes(np.array([10, 11, 12]), clean + 1.0, clean, np.ones(3))
    estimates = {"noisy": test.noisy, "baseline": clean + 0.1, "U-Net": clean + 0.01}
    figure, item = example.denoiser_figure(test, estimates)
    assert item == 12
    axes = np.reshape(figure.axes, (2, 4))
    for col, cube in enumerate([*(e[2] for e in estimates.values()), clean[2]]):
        np.testing.assert_allclose(axes[0, col].images[0].get_array(), cube.sum(axis=0))
        np.testing.assert_allclose(axes[1, col].images[0].get_array(), cube[3])
    assert [ax.get_title() for ax in axes[0]] == [
        "noisy\nPSNR 20.0 dB",
        "baseline\nPSNR 40.0 dB",
        "U-Net\nPSNR 60.0 dB",
        "truth",
    ]
