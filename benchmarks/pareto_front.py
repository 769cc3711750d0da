"""Time-versus-error fronts and their log-log interpolation (for ``bench_pareto.py``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """One cube rendered: its label, best time (s) and error (of the peak).

    ``clouds`` is KinMS's cloud count (None for ours); ``spread`` the lowest and highest
    error over KinMS's seeds, ``error`` their median; ``rms`` the voxel rms error (of the
    peak; KinMS's median over seeds), steadier than the worst voxel.
    """

    label: str
    seconds: float
    error: float
    clouds: float | None = None
    spread: tuple[float, float] | None = None
    rms: float | None = None


@dataclass(frozen=True)
class AtError:
    """A code's time (s) at an error, how it was found, and KinMS's clouds there.

    ``how`` is 'interpolated' (between two runs of the front), 'extrapolated' (KinMS
    beyond its largest count, by power laws in the cloud count) or 'bound' (the fastest
    run is already more accurate: the time is an upper bound).
    """

    seconds: float
    how: str
    clouds: float | None = None


def pareto_front(runs: Sequence[Run]) -> list[Run]:
    """Return the runs that no faster run beats on error, fastest first."""
    front: list[Run] = []
    for run in sorted(runs, key=lambda r: (r.seconds, r.error)):
        if not front or run.error < front[-1].error:
            front.append(run)
    return front


def _log_interpolate(x: float, x1: float, x2: float, y1: float, y2: float) -> float:
    """Return ``y`` at ``x`` on the straight line through (x1, y1), (x2, y2) in log-log."""
    if x1 == x2:
        return math.sqrt(y1 * y2)
    weight = math.log(x / x1) / math.log(x2 / x1)
    return math.exp(math.log(y1) + weight * math.log(y2 / y1))


def _power_law(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Return ``(log a, b)`` of the least-squares fit ``log y = log a + b log x``."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    b = sum((u - mx) * (v - my) for u, v in zip(lx, ly, strict=True)) / sum(
        (u - mx) ** 2 for u in lx
    )
    return my - b * mx, b


def kinms_slope(runs: Sequence[Run], rms: bool = False) -> float | None:
    """Return the exponent of KinMS's error (or rms error) in its last three cloud counts."""
    last = sorted((r for r in runs if r.clouds), key=lambda r: r.clouds or 0.0)[-3:]
    values = [r.rms if rms else r.error for r in last]
    known = [v for v in values if v is not None]
    if len(last) < 3 or len(known) < len(values):
        return None
    return _power_law([r.clouds or 0.0 for r in last], known)[1]


def at_error(runs: Sequence[Run], error: float, extrapolate: bool = False) -> AtError | None:
    """Return the time at ``error`` on the front of ``runs``, interpolated in log-log.

    Parameters
    ----------
    runs : sequence of Run
        One code's runs (the front is taken here).
    error : float
        The error (of the peak) to reach.
    extrapolate : bool
        For KinMS: below its most accurate run, extrapolate its last three counts: the
        error as ``clouds^-1/2`` (Monte Carlo noise: its rms error follows it, see
        :func:`kinms_slope`; the worst voxel's median over a few seeds scatters too much
        to fit a slope to), the time as a power law fitted to them.

    Returns
    -------
    AtError or None
        None when ``error`` lies below every run and cannot be extrapolated.
    """
    front = pareto_front(runs)
    if not front:
        return None
    if error >= front[0].error:
        return AtError(front[0].seconds, "bound", front[0].clouds)
    for slow, fast in zip(front[1:], front[:-1], strict=True):
        if slow.error <= error <= fast.error:
            seconds = _log_interpolate(error, fast.error, slow.error, fast.seconds, slow.seconds)
            clouds = None
            if fast.clouds and slow.clouds:
                clouds = _log_interpolate(error, fast.error, slow.error, fast.clouds, slow.clouds)
            return AtError(seconds, "interpolated", clouds)
    counted = [r for r in runs if r.clouds]
    if not extrapolate or len(counted) < 3:
        return None
    last = sorted(counted, key=lambda r: r.clouds or 0.0)[-3:]
    counts = [r.clouds or 0.0 for r in last]
    # error = a / sqrt(clouds): log a is the mean of log(error * sqrt(clouds)).
    log_a = sum(math.log(r.error) + 0.5 * math.log(n) for r, n in zip(last, counts, strict=True))
    clouds = math.exp(2.0 * (log_a / len(last) - math.log(error)))
    log_t, c = _power_law(counts, [r.seconds for r in last])
    return AtError(math.exp(log_t + c * math.log(clouds)), "extrapolated", clouds)


@dataclass(frozen=True)
class Comparison:
    """Both codes at one error: ours (front interpolated) and KinMS (or extrapolated)."""

    error: float
    ours: AtError | None
    kinms: AtError | None

    @classmethod
    def of(cls, ours: Sequence[Run], kinms: Sequence[Run], error: float) -> Comparison:
        """Return the comparison of the two codes' runs at ``error``."""
        return cls(error, at_error(ours, error), at_error(kinms, error, extrapolate=True))

    @property
    def ratio(self) -> float | None:
        """Our time over KinMS's at the error (None when either is out of range)."""
        if self.ours is None or self.kinms is None:
            return None
        return self.ours.seconds / self.kinms.seconds

    def line(self) -> str:
        """Return the table's line."""
        if self.ours is None or self.kinms is None or self.ratio is None:
            missing = "ours" if self.ours is None else "KinMS"
            return f"  at {self.error:.0e}: {missing} out of range"
        bound = "<= " if self.ours.how == "bound" else ""
        clouds = f", ~{self.kinms.clouds:.2g} clouds" if self.kinms.clouds else ""
        return (
            f"  at {self.error:.0e}: ours {bound}{1e3 * self.ours.seconds:.1f} ms "
            f"({self.ours.how}), KinMS {1e3 * self.kinms.seconds:.0f} ms ({self.kinms.how}"
            f"{clouds}): ours / KinMS = {bound}{self.ratio:.4f} ({1 / self.ratio:.0f}x faster)"
        )

    def note(self) -> str:
        """Return the figure's short note: the ratio, flagged where not interpolated."""
        if self.ratio is None or self.ours is None or self.kinms is None:
            return f"{self.error:.0e}: out of range"
        flags = [f"ours {self.ours.how}"] if self.ours.how != "interpolated" else []
        if self.kinms.how != "interpolated":
            flags.append(f"KinMS {self.kinms.how}, ~{self.kinms.clouds:.1g} clouds")
        extra = f" ({'; '.join(flags)})" if flags else ""
        bound = "<= " if self.ours.how == "bound" else ""
        return f"at {self.error:.0e}: {bound}{self.ratio:.3g}{extra}"
