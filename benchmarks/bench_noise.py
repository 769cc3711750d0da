"""Noise speed and peak memory: ``noise_cube`` alone, as issue 27 asks.

Run:  python benchmarks/bench_noise.py

First the cold start: the first call in a fresh process with an empty JIT cache (numba
compiles the noise kernels) and with a warm one (it loads them), each in a subprocess.
Then, for cubes of 40x125^2, 128x256^2 and 256x512^2 and five beams (none, round 4 px,
a rotated elliptical 6x4 px at PA 30, and two the lattice lines cannot carry: 3x2 px at
PA 17, whose small 2-D kernel is applied directly, and 20x2 px at PA 33, by FFT), with
and without the Hanning taper:
milliseconds per cube (median and best wall-clock time of several runs, and the best CPU
time of the process, which other work on a shared machine disturbs less; single thread,
after one warm-up call that loads the compiled kernels) and the peak memory allocated
during one call, in cube sizes (tracemalloc: a cube of float32 is 1.0).  It prints which
filter each beam gets (two or three lattice passes, the 2-D kernel directly or by FFT).

Only ``noise_cube(shape, rms, rng, beam, hanning)`` is called, so the same script times
an older checkout: ``PYTHONPATH=<old>/src python benchmarks/bench_noise.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from GalCubeCraft import Beam  # noqa: E402
from GalCubeCraft.instrument.noise import noise_cube  # noqa: E402

SHAPES = ((40, 125, 125), (128, 256, 256), (256, 512, 512))
BEAMS = {
    "white": None,
    "round 4 px": Beam(4.0, 4.0),
    "6x4 px, PA 30": Beam(6.0, 4.0, 30.0),
    "3x2 px, PA 17": Beam(3.0, 2.0, 17.0),  # too narrow for the lines: its 2-D kernel
    "20x2 px, PA 33": Beam(20.0, 2.0, 33.0),  # too elongated: its 2-D kernel by FFT
}
RUNS = {40: 9, 128: 5, 256: 3}


def filter_name(beam: Beam | None) -> str:
    """Return how the noise is filtered for ``beam`` (in this checkout)."""
    if beam is None:
        return "none"
    try:
        from GalCubeCraft.instrument.noise_filter import noise_filter
    except ImportError:  # an older checkout: one 2-D FFT per plane
        return "2-D FFT (padded)"
    plan = noise_filter(beam)
    if plan.method != "passes":
        return f"2-D kernel ({plan.method})"
    return f"{len(plan.lines)} passes, {sum(t.size for t in plan.taps)} taps"


_FIRST_CALL = """
import time
import numpy as np
start = time.perf_counter()
from GalCubeCraft import Beam
from GalCubeCraft.instrument.noise import noise_cube
noise_cube((40, 125, 125), 1.0, np.random.default_rng(0), Beam(4.0, 4.0), True)
noise_cube((40, 125, 125), 1.0, np.random.default_rng(0), Beam(6.0, 4.0, 30.0))
print(time.perf_counter() - start)
"""


def first_call_seconds(cache: str) -> float:
    """Return the seconds of a fresh process's first noise (round and rotated beams)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    done = subprocess.run([sys.executable, "-c", _FIRST_CALL], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return float(done.stdout.split()[-1])


def time_noise(
    shape: tuple[int, int, int], beam: Beam | None, hanning: bool
) -> tuple[list[float], float]:
    """Return the wall milliseconds of each run of ``noise_cube`` and the best CPU ms."""
    rng = np.random.default_rng(1)
    noise_cube(shape, 1.0, rng, beam, hanning)  # warm-up: kernels loaded, beam planned
    runs, cpu = [], float("inf")
    for _ in range(RUNS[shape[0]]):
        start, start_cpu = time.perf_counter(), time.process_time()
        noise_cube(shape, 1.0, rng, beam, hanning)
        runs.append(1e3 * (time.perf_counter() - start))
        cpu = min(cpu, 1e3 * (time.process_time() - start_cpu))
    return runs, cpu


def peak_cubes(shape: tuple[int, int, int], beam: Beam | None, hanning: bool) -> float:
    """Return the peak NumPy allocation of one call, in float32 cube sizes."""
    rng = np.random.default_rng(2)
    tracemalloc.start()
    noise_cube(shape, 1.0, rng, beam, hanning)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / (4.0 * shape[0] * shape[1] * shape[2])


def main() -> None:
    """Print the cold start and the table."""
    with tempfile.TemporaryDirectory() as cache:
        cold = first_call_seconds(cache)
        warm = first_call_seconds(cache)
    print(f"first noise in a fresh process: {cold:.2f} s (empty JIT cache), "
          f"{warm:.2f} s (warm cache), import included")  # fmt: skip
    print(f"{'cube':>14} {'beam':>14} {'hanning':>7} {'filter':>22} "
          f"{'median ms':>10} {'best ms':>8} {'best cpu':>8} {'peak/cube':>9}")  # fmt: skip
    for shape in SHAPES:
        for name, beam in BEAMS.items():
            for hanning in (False, True):
                runs, cpu = time_noise(shape, beam, hanning)
                print(
                    f"{'x'.join(map(str, shape)):>14} {name:>14} {hanning!s:>7} "
                    f"{filter_name(beam):>22} {statistics.median(runs):10.1f} "
                    f"{min(runs):8.1f} {cpu:8.1f} {peak_cubes(shape, beam, hanning):9.2f}"
                )


if __name__ == "__main__":
    main()
