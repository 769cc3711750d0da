"""Mock-survey field: wall time, voxels/s, galaxies/s and peak RSS per worker.

Usage::

    PYTHONPATH=src python benchmarks/bench_survey.py --size 1024 --galaxies 5000 --workers 1 2

Each run makes a fresh field (SDC2 sampling: 2.8" pixels, 7" beam, 30 kHz channels near
1.14 GHz) on a LocalCluster of single-threaded worker processes and prints one line.
Peak RSS is each worker process's ``ru_maxrss`` at the end of the run.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from GalCubeCraft.survey import FieldSpec, PopulationSpec, make_field


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=256, help="field side, voxels (cube)")
    parser.add_argument("--galaxies", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tile", type=int, nargs=3, default=[128, 256, 256])
    args = parser.parse_args()
    from dask.distributed import Client, LocalCluster

    n = args.size
    spec = FieldSpec(nx=n, ny=n, n_chan=n, start_hz=1.14e9 - n * 15e3, noise_rms_jy_beam=3e-5,
                     population=PopulationSpec(n_galaxies=args.galaxies), seed=1,
                     tile=tuple(min(t, n) for t in args.tile))  # fmt: skip
    voxels = n**3
    for workers in args.workers:
        folder = Path(tempfile.mkdtemp(prefix="bench_survey_"))
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")  # fmt: skip
        client = Client(cluster)
        try:
            start = time.perf_counter()
            run = make_field(spec, folder, client=client, progress=False)
            wall = time.perf_counter() - start
            rss = client.run(_peak_rss_mib)
        finally:
            client.close()
            cluster.close()
            shutil.rmtree(folder, ignore_errors=True)
        peak = max(rss.values())
        rate = run.n_galaxies / wall
        print(f"{n}^3 field, {run.n_galaxies} galaxies, {run.n_tiles} tiles of {spec.tile}, "
              f"{workers} worker(s): {wall:.1f} s (stamps {run.stamp_seconds:.1f} s, tiles "
              f"{run.tile_seconds:.1f} s), {voxels / wall:.3g} voxels/s, "
              f"{rate:.1f} galaxies/s, peak RSS per worker {peak:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
