"""How the cost of a cube scales: renderer per sample, instrument per voxel.

Run:  python benchmarks/bench_scaling.py

For grids 64-512 pixels and 40-256 channels (one galaxy of bench_render.py's, scaled
with the grid), prints the render time with its sight lines and samples, the
instrument time (line spread + beam), and the two normalised costs: nanoseconds per
line-of-sight sample for the renderer and per voxel for the instrument.  Flat columns
mean the cost grows no faster than samples and voxels.  The last rows give 256 x 512^2's
time and peak memory (tracemalloc, NumPy allocations).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

from bench_render import scene  # noqa: E402

import GalCubeCraft.renderer.sampling as sampling  # noqa: E402
from GalCubeCraft import Beam, SpectralAxis, observe, render  # noqa: E402

COUNTS = {"lines": 0, "samples": 0}
_los_samples = sampling.los_samples


def _counting(*args, **kwargs):  # type: ignore[no-untyped-def]
    out = _los_samples(*args, **kwargs)
    COUNTS["lines"] += out.flux.shape[0]
    COUNTS["samples"] += out.flux.size
    return out


sampling.los_samples = _counting  # type: ignore[assignment]


def measure(grid: int, n_chan: int, repeats: int) -> tuple[float, float, int, int]:
    """Return (render ms, instrument ms, sight lines, samples) of one cube (medians)."""
    galaxies, obs = scene(1, grid)
    obs = obs.replace(spectral=SpectralAxis(n_chan, -600, 600), beam=Beam(4.0, 4.0),
                      line_spread="gaussian")  # fmt: skip
    renders, instruments = [], []
    for _ in range(repeats):
        COUNTS.update(lines=0, samples=0)
        start = time.perf_counter()
        model = render(galaxies, obs)
        middle = time.perf_counter()
        observe(model)
        renders.append(middle - start)
        instruments.append(time.perf_counter() - middle)
    return (1e3 * statistics.median(renders), 1e3 * statistics.median(instruments),
            COUNTS["lines"], COUNTS["samples"])  # fmt: skip


def main() -> None:
    print(f"{'grid':>5} {'chan':>5} {'render ms':>10} {'lines':>8} {'samples':>10} "
          f"{'ns/sample':>10} {'instr ms':>9} {'ns/voxel':>9}")  # fmt: skip
    for grid in (64, 128, 256, 512):
        for n_chan in (40, 128, 256):
            repeats = 5 if grid <= 128 else 2 if grid == 256 else 1
            r_ms, i_ms, lines, samples = measure(grid, n_chan, repeats)
            per_sample = 1e6 * r_ms / samples
            per_voxel = 1e6 * i_ms / (grid * grid * n_chan)
            print(f"{grid:>5} {n_chan:>5} {r_ms:>10.1f} {lines:>8} {samples:>10} "
                  f"{per_sample:>10.1f} {i_ms:>9.1f} {per_voxel:>9.2f}")  # fmt: skip
    galaxies, obs = scene(1, 512)
    obs = obs.replace(spectral=SpectralAxis(256, -600, 600), beam=Beam(4.0, 4.0),
                      line_spread="gaussian")  # fmt: skip
    tracemalloc.start()
    start = time.perf_counter()
    observe(render(galaxies, obs))
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"256 x 512 x 512: {1e3 * seconds:.0f} ms (under tracemalloc), peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
