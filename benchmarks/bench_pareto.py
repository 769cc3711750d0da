"""Accuracy per second against KinMS: both codes' time-versus-error fronts (issue 27).

Run:  python benchmarks/bench_pareto.py [--sizes 40x125x125 128x256x256] [--quick] [--out PNG]

For each cube size, one disk (``benchmarks/bench_render.py``'s: R_e = 4 px at 125^2,
scaled with the grid; inclination 55 deg, a round 4-pixel beam, plain binning in velocity)
is rendered by

- our renderer (:func:`render` then :func:`observe`) at a ladder of settings from far
  coarser than ``RenderSettings.fast()`` to the default, and
- KinMS 3, aligned to our grid (``kinms_aligned.py``: pixel centres, channel offsets,
  beam centring), with 1e4 to 1e7 clouds (log-spaced; larger counts are skipped, and
  said so, when they would need too much memory or time),

and each cube's error is its worst voxel against our ``RenderSettings.converged()`` cube,
as a fraction of that cube's peak: ``max |cube - reference| / max(reference)``, both
noiseless, both with the same beam (KinMS's cube scaled to the reference's in-field sum).
KinMS's error is random: the median over ``--seeds`` seeds (the range is printed).  Times
are the minimum of ``--repeats`` runs after one warm-up run (compilation, first-touch
pages), one thread each: the thread variables are set before NumPy loads and threadpoolctl
holds every pool at one thread.  KinMS is timed on ``model_cube`` alone, as a fit calls it:
its random draws are made once, in its constructor.

Each code's Pareto front (the runs no faster run beats on error) is interpolated in
log-log at errors 1e-2 and 3e-3, giving the equal-error time ratio ours / KinMS.  Where
KinMS's largest cloud count does not reach an error, its last three counts are
extrapolated (flagged): the error as clouds^-1/2, the time as a power law fitted to them.
That KinMS converges to our reference is checked on its rms error's slope in the cloud
count, printed (-0.5 for noise alone; a systematic difference, such as a misalignment,
would flatten it); the worst voxel's median over a few seeds scatters too much for a
slope (-0.38 to -0.5 measured on the same 125^2 runs).  Prints a table per size (and the
load average: timings on a shared machine vary by tens of per cent) and draws both fronts
to ``--out`` (default ``docs/pareto.png``).
"""

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_variable] = "1"  # one core each, before NumPy or numba load

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from kinms_aligned import aligned_kinms, bench_disk  # noqa: E402
from pareto_front import Comparison, Run, kinms_slope, pareto_front  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from GalCubeCraft import Galaxy, Observation, RenderSettings, observe, render  # noqa: E402
from GalCubeCraft.renderer.budget import available_memory_bytes  # noqa: E402

ERRORS = (1e-2, 3e-3)
"""The errors (of the peak) at which the two codes' times are compared."""
LADDER = {
    "n1-d0": RenderSettings(
        los_nodes=1,
        refine_tolerance=1e-2,
        voxel_tolerance=1.0,
        max_refine_depth=0,
        fine_per_width=4.0,
    ),
    "n2-d0": RenderSettings(
        los_nodes=2,
        refine_tolerance=1e-2,
        voxel_tolerance=0.3,
        max_refine_depth=0,
        fine_per_width=2.0,
    ),
    "n3-d1": RenderSettings(
        los_nodes=3,
        refine_tolerance=1e-2,
        voxel_tolerance=0.1,
        max_refine_depth=1,
        fine_per_width=4.0,
    ),
    "n4-d3": RenderSettings(
        los_nodes=4, refine_tolerance=1e-3, voxel_tolerance=3e-3, max_refine_depth=3
    ),
    "n4-d4": RenderSettings(
        los_nodes=4, refine_tolerance=3e-4, voxel_tolerance=1e-3, max_refine_depth=4
    ),
    "fast": RenderSettings.fast(),
    "n8-d6": RenderSettings(
        los_nodes=8, refine_tolerance=3e-5, voxel_tolerance=1e-4, max_refine_depth=6
    ),
    "default": RenderSettings(),
}
"""Our settings, coarse to fine: the Gauss-Legendre nodes per sight line set the coarse
end's error (1 node: ~4e-2 of the peak, 2: ~1e-2, 3: ~4e-3 on the 125^2 disk), the
refinement tolerances and depth the fine end's."""
QUICK_LADDER = ("n1-d0", "n2-d0", "n3-d1", "fast", "default")
CLOUDS = tuple(m * 10.0**k for k in range(4, 10) for m in (1, 3))
"""KinMS's cloud counts, 1e4, 3e4, 1e5, ..., up to ``--max-clouds``."""
QUICK_CLOUDS = (1e4, 1e5, 1e6, 3e6)
SMALL_VOXELS = 40 * 125 * 125
"""Cubes up to this size stop KinMS at 1e7 clouds (the issue's range) by default."""
BYTES_PER_CLOUD = 200
"""KinMS's peak memory per cloud: its three stored draws (24 B) and what ``model_cube``
allocates (measured with tracemalloc: 153-158 B from 1e6 clouds up), with a margin."""


def best_seconds(call: Callable[[], object], repeats: int) -> float:
    """Return the fastest of ``repeats`` timed calls (the caller has warmed it up)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def errors(cube: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Return the worst voxel's and the rms error, of the peak: ``max |cube - reference|``."""
    difference = np.abs(np.asarray(cube, dtype=np.float64) - reference)
    peak = float(reference.max())
    return float(difference.max()) / peak, float(np.sqrt(np.mean(difference**2))) / peak


def our_runs(
    galaxy: Galaxy,
    observation: Observation,
    reference: np.ndarray,
    names: Sequence[str],
    repeats: int,
) -> list[Run]:
    """Return our renderer's run at each named setting of :data:`LADDER`."""
    runs = []
    for name in names:
        settings = LADDER[name]

        def cube(settings: RenderSettings = settings) -> np.ndarray:
            return observe(render(galaxy, observation, settings)).data

        error, rms = errors(cube(), reference)  # also the warm-up
        runs.append(Run(name, best_seconds(cube, repeats), error, rms=rms))
        print(
            f"  ours  {name:>8}  error {error:9.2e} {'':20}  rms {rms:8.1e}  "
            f"{1e3 * runs[-1].seconds:9.1f} ms",
            flush=True,
        )
    return runs


def kinms_runs(
    galaxy: Galaxy,
    observation: Observation,
    reference: np.ndarray,
    clouds: Sequence[float],
    repeats: int,
    seeds: int,
    seconds_budget: float,
) -> tuple[list[Run], list[str]]:
    """Return KinMS's runs at each cloud count that fits, and a line per skipped count.

    Each count runs ``max(repeats, seeds)`` times, cycling over ``seeds`` seeds: the
    error is the median over the seeds, the time the fastest run.
    """
    memory_limit = 0.5 * available_memory_bytes()
    cube_bytes = 8 * int(np.prod(observation.shape))
    total = float(reference.sum())
    aligned_kinms(galaxy, observation, int(clouds[0]), seed=99).run()  # warm-up
    runs: list[Run] = []
    skipped: list[str] = []
    n_runs = max(repeats, seeds)
    for k, count in enumerate(clouds):
        memory = BYTES_PER_CLOUD * count + 4 * cube_bytes
        estimate = runs[-1].seconds * count / (runs[-1].clouds or count) * n_runs if runs else 0.0
        if memory > memory_limit:
            skipped.append(
                f"{count:.0e} clouds: needs ~{memory / 2**30:.1f} GiB, over half the "
                f"available memory ({memory_limit / 2**30:.1f} GiB)"
            )
        elif estimate > seconds_budget:
            skipped.append(
                f"{count:.0e} clouds: ~{estimate:.0f} s for {n_runs} runs, over the "
                f"{seconds_budget:.0f} s budget (--kinms-seconds)"
            )
        if skipped:
            if k + 1 < len(clouds):
                skipped.append(f"{clouds[k + 1]:.0e} to {clouds[-1]:.0e} clouds: not tried")
            break
        worst, rms, times = [], [], []
        for seed in range(1, seeds + 1):
            model = aligned_kinms(galaxy, observation, int(count), seed=seed)
            share = n_runs // seeds + (seed <= n_runs % seeds)
            start = time.perf_counter()
            raw = model.run()
            times.append(time.perf_counter() - start)
            error = errors(model.on_our_grid(raw, total), reference)
            worst.append(error[0])
            rms.append(error[1])
            if share > 1:
                times.append(best_seconds(model.run, share - 1))
            del model, raw  # one model's draws in memory at a time
        run = Run(
            f"{count:.0e}",
            min(times),
            float(np.median(worst)),
            clouds=count,
            spread=(min(worst), max(worst)),
            rms=float(np.median(rms)),
        )
        runs.append(run)
        print(
            f"  KinMS {count:8.0e}  error {run.error:9.2e} [{min(worst):.2e} .. "
            f"{max(worst):.2e}]  rms {run.rms:8.1e}  {1e3 * run.seconds:9.1f} ms",
            flush=True,
        )
    return runs, skipped


@dataclass(frozen=True)
class SizeResult:
    """One size's runs of both codes and their comparisons (what the figure draws)."""

    title: str
    ours: list[Run]
    kinms: list[Run]
    comparisons: list[Comparison]


def bench_size(n_chan: int, grid: int, args: argparse.Namespace) -> SizeResult:
    """Measure one size; print its table; return what the figure needs."""
    galaxy, observation = bench_disk(grid, n_chan)
    print(
        f"\n{n_chan}x{grid}x{grid}: one disk (R_e {4 * grid / 125:.1f} px, i 55 deg), "
        f"4 px beam, {n_chan} channels of {1200 / n_chan:.1f} km/s; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    start = time.perf_counter()
    reference = observe(
        render(galaxy, observation, RenderSettings.converged()), dtype=np.float64
    ).data
    print(f"  reference: RenderSettings.converged() in {time.perf_counter() - start:.1f} s")
    names = QUICK_LADDER if args.quick else tuple(LADDER)
    ours = our_runs(galaxy, observation, reference, names, args.repeats)
    most = args.max_clouds
    if most is None:  # the 1e7 up to 40 x 125^2; beyond, what memory and time allow
        most = 1e7 if n_chan * grid * grid <= SMALL_VOXELS else math.inf
    clouds = [c for c in (QUICK_CLOUDS if args.quick else CLOUDS) if c <= 1.01 * most]
    theirs, skipped = kinms_runs(
        galaxy, observation, reference, clouds, args.repeats, args.seeds, args.kinms_seconds
    )
    for line in skipped:
        print(f"  KinMS skipped: {line}")
    slopes = kinms_slope(theirs), kinms_slope(theirs, rms=True)
    if None not in slopes:
        print(
            f"  KinMS converging to our reference? Over its last three counts its error goes "
            f"as clouds^{slopes[0]:.2f} (worst voxel, median of {args.seeds} seeds: noisy)\n"
            f"  and clouds^{slopes[1]:.2f} (rms): noise alone gives -0.5, a floor flattens it"
        )
    comparisons = [Comparison.of(ours, theirs, error) for error in ERRORS]
    print("\n".join(c.line() for c in comparisons), flush=True)
    return SizeResult(f"{n_chan}x{grid}x{grid}", ours, theirs, comparisons)


def draw(results: list[SizeResult], path: Path) -> None:
    """Draw each size's two fronts (error against time, log-log) into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(results), figsize=(6.4 * len(results), 4.8), squeeze=False)
    for axis, result in zip(axes[0], results, strict=True):
        codes = ((result.ours, "GalCubeCraft", "C0", "o"), (result.kinms, "KinMS", "C3", "s"))
        for runs, label, colour, marker in codes:
            front = pareto_front(runs)
            axis.plot(
                [1e3 * r.seconds for r in front],
                [r.error for r in front],
                "-",
                color=colour,
                alpha=0.6,
            )
            for k, run in enumerate(runs):
                low, high = run.spread or (run.error, run.error)
                bar = [[run.error - low], [high - run.error]]
                axis.errorbar(
                    1e3 * run.seconds,
                    run.error,
                    bar,
                    fmt=marker,
                    color=colour,
                    label=label if k == 0 else None,
                )
                axis.annotate(
                    run.label,
                    (1e3 * run.seconds, run.error),
                    fontsize=7,
                    xytext=(4, 3),
                    textcoords="offset points",
                )
        for error in ERRORS:
            axis.axhline(error, color="0.5", linestyle="--", linewidth=0.8)
        for comparison in result.comparisons:
            if comparison.ours is None or comparison.kinms is None:
                continue
            # Where the ratio is read: our front and KinMS's (hollow if extrapolated).
            times = [1e3 * comparison.ours.seconds, 1e3 * comparison.kinms.seconds]
            axis.plot(times, [comparison.error] * 2, color="0.3", linewidth=0.8)
            axis.plot(times[0], comparison.error, "x", color="C0")
            hollow = comparison.kinms.how == "extrapolated"
            axis.plot(
                times[1],
                comparison.error,
                "D",
                color="C3",
                markersize=5,
                markerfacecolor="none" if hollow else "C3",
            )
        notes = "\n".join(
            ["time ratio ours / KinMS at equal error"] + [c.note() for c in result.comparisons]
        )
        axis.text(0.98, 0.98, notes, transform=axis.transAxes, ha="right", va="top", fontsize=8)
        axis.set(
            xscale="log",
            yscale="log",
            xlabel="time per cube (ms, one core)",
            ylabel="worst voxel error (of the peak)",
            title=result.title,
        )
        axis.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    print(f"\nfigure: {path}")


def positive(text: str) -> int:
    """Parse a positive integer (``--repeats``, ``--seeds``)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text!r}")
    return int(text)


def size(text: str) -> tuple[int, int]:
    """Parse ``CHANxNxN`` into ``(n_chan, n)``."""
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[1] != parts[2]:
        raise argparse.ArgumentTypeError(
            f"a size is CHANxNxN (square), e.g. 40x125x125; got {text!r}"
        )
    return int(parts[0]), int(parts[1])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=size,
        nargs="+",
        help="cube sizes CHANxNxN (default 40x125x125 128x256x256; --quick: 40x125x125)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer settings, clouds and runs")
    parser.add_argument(
        "--repeats", type=positive, help="timed runs per point (default 5, quick 2)"
    )
    parser.add_argument("--seeds", type=positive, help="KinMS seeds per count (default 3, quick 2)")
    parser.add_argument(
        "--max-clouds",
        type=float,
        help="largest KinMS count (1e4, 3e4, 1e5, ...); default 1e7 up to 40x125x125, "
        "beyond as far as memory and --kinms-seconds allow",
    )
    parser.add_argument(
        "--kinms-seconds",
        type=float,
        default=600.0,
        help="skip a KinMS count whose runs would take longer, in seconds (estimated from "
        "the count before; default 600)",
    )
    parser.add_argument("--out", type=Path, default=Path("docs/pareto.png"), help="the figure")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or ([(40, 125)] if args.quick else [(40, 125), (128, 256)])
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.seeds = args.seeds or (2 if args.quick else 3)
    print(
        f"GalCubeCraft against KinMS {version('kinms')}, one thread each; minimum of "
        f"{args.repeats} runs; KinMS's error the median of {args.seeds} seeds"
    )
    with threadpool_limits(limits=1):
        results = [bench_size(n_chan, grid, args) for n_chan, grid in args.sizes]
    draw(results, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
