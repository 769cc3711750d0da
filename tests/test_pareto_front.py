"""The benchmark's fronts and equal-error times (``benchmarks/pareto_front.py``), exactly."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from pareto_front import Comparison, Run, at_error, pareto_front  # noqa: E402


def test_the_front_drops_runs_a_faster_run_beats():
    """A slower run that is no more accurate than a faster one is off the front."""
    runs = [Run("a", 1.0, 1e-2), Run("b", 2.0, 2e-2), Run("c", 3.0, 1e-3), Run("d", 0.5, 5e-2)]
    assert [r.label for r in pareto_front(runs)] == ["d", "a", "c"]


def test_time_at_an_error_is_exact_on_a_power_law():
    """Between two runs of t = error^-2 the log-log interpolation returns t exactly."""
    runs = [Run("a", 1e4, 1e-2), Run("b", 1e6, 1e-3)]
    assert at_error(runs, 3e-3).seconds == pytest.approx(3e-3**-2, rel=1e-12)


def test_kinms_is_extrapolated_as_clouds_to_the_minus_half():
    """Errors a / sqrt(N) and times b N: the clouds and time for a smaller error, exactly."""
    runs = [Run(f"{n:g}", 1e-6 * n, 1.0 / n**0.5, clouds=n) for n in (1e4, 1e5, 1e6)]
    found = at_error(runs, 1e-4, extrapolate=True)
    assert (found.how, found.clouds, found.seconds) == (
        "extrapolated",
        pytest.approx(1e8, rel=1e-9),
        pytest.approx(100.0, rel=1e-9),
    )


def test_a_code_already_better_than_the_error_gives_an_upper_bound():
    """When the fastest run beats the error, its time bounds the ratio from above."""
    ours = [Run("coarse", 0.02, 5e-3), Run("fine", 0.05, 1e-4)]
    kinms = [Run("1e5", 0.1, 2e-2, clouds=1e5), Run("1e6", 1.0, 5e-3, clouds=1e6)]
    comparison = Comparison.of(ours, kinms, 1e-2)
    assert comparison.ours.how == "bound"
    assert comparison.ratio == pytest.approx(0.02 / 10 ** (-1 + 0.5), rel=1e-12)
