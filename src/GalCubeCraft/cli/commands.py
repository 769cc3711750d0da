"""The verbs ``demo``, ``dataset``, ``verify``, ``observe``, ``plot``, ``survey``, ``explore``."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("GalCubeCraft")


DEMO_FILES = {
    "cube_1.npy": "the noiseless cube: a bare (40, 64, 64) float32 array, Jy/beam",
    "cube_1.json": "its description: velocities, pixels, beam, galaxy parameters",
    "demo_noisy.fits": "the cube with noise (peak S/N 10): WCS, beam, BUNIT, frequencies",
    "demo_moments.png": "the noisy cube: moments 0-2, spectrum, PV along the major axis",
}
"""What ``galcubecraft demo`` writes to its folder (names kept stable: the docs use them)."""
DEMO_PEAK_SNR = 10.0


def run_demo(args: argparse.Namespace) -> int:
    """Run ``galcubecraft demo``: one galaxy, clean and noisy, and a picture of it."""
    import numpy as np

    from ..compat.facade import GalCubeCraft
    from ..instrument.kernel_jobs import CUBE_JOBS, NOISE_JOBS
    from ..instrument.noise import add_noise
    from ..kernels.ahead import compile_ahead
    from ..kernels.jit import compile_notice
    from ..plotting import overview_figure
    from ..products.cube import Cube

    out = Path(args.out)
    # A 64-pixel field and R_e = 2.5 half-beams (5 px): the disk spans about half the frame.
    g = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=args.seed,
                     fname=out, verbose=False, threads=args.threads)  # fmt: skip
    log.info("demo: rendering one disk galaxy (64 x 64 pixels, 40 channels) ...")
    # A fresh install compiles the kernels on this first cube (several seconds): say so.
    with compile_notice(log.info):
        # Its noise's kernel too, so that helpers on spare cores compile it with the cube's.
        compile_ahead(CUBE_JOBS + NOISE_JOBS)
        data, params = g.generate_cubes()[0]
    clean = Cube(data, g.observation(0), kind="observed", galaxies=tuple(g.draw(0).galaxies))
    rms = float(np.max(data)) / DEMO_PEAK_SNR
    log.info("demo: adding beam-correlated noise of rms %.3g Jy/beam (peak S/N %g)", rms,
             DEMO_PEAK_SNR)  # fmt: skip
    rng = np.random.default_rng(args.seed)
    noisy = clean.with_data(add_noise(data, rms, rng, clean.observation.beam), kind="noisy",
                            noise_rms=rms)  # fmt: skip
    fits_path = noisy.write_fits(out / "demo_noisy.fits", overwrite=True)
    log.info("demo: drawing moments, spectrum and PV diagram of the noisy cube ...")
    png = out / "demo_moments.png"
    overview_figure(noisy).savefig(png, dpi=100)
    log.info("wrote %s (clean) and %s (noisy, observed frequencies), and %s", params["path"],
             fits_path, png)  # fmt: skip
    return 0


def _check_one_cube(spec: Any) -> None:
    """Refuse a spec whose single cube would not fit in memory, naming the options."""
    from ..observation.records import Observation, SpectralAxis
    from ..renderer.budget import check_memory
    from .spec_flags import option_name

    obs = spec.observation
    grid = Observation(nx=obs.grid_size, ny=obs.grid_size, spectral=SpectralAxis(obs.n_chan))
    names = (option_name("observation.grid_size"), option_name("observation.n_chan"))
    check_memory(grid, spec.galaxies.n_gals[1], spec.noise.enabled, names=names)


def run_dataset(args: argparse.Namespace) -> int:
    """Run ``galcubecraft dataset``: make (or finish) the store of a spec."""
    from ..datasets.batch import generate_dataset
    from ..datasets.stores import STORES
    from .spec_flags import spec_from_args

    spec = spec_from_args(args)
    _check_one_cube(spec)  # before anything is announced or written
    suffix = STORES[args.format].suffix
    out = args.out or Path("data") / "datasets" / f"{'x'.join(map(str, spec.shape))}{suffix}"
    try:
        generate_dataset(spec, out, fmt=args.format, workers=args.workers,
                         scheduler=args.scheduler, progress=False if args.quiet else args.progress,
                         worker_logs=args.verbose)  # fmt: skip
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated): the same clean stop
        from .._support.signals import EXIT_TERMINATED, Terminated
        from ..datasets import open_store

        try:
            store = open_store(out)
        except (OSError, ValueError):  # stopped before the store was made
            done = 0
        else:
            done = len(store.done_indices())
            store.close()
        terminated = isinstance(stop, Terminated)
        sys.stderr.write(
            f"\ngalcubecraft dataset: {'terminated' if terminated else 'interrupted'}; {done} "
            f"of {spec.n_cubes} items are in {out}; resume with: galcubecraft "
            f"{shlex.join(args.argv)}\n"
        )
        return EXIT_TERMINATED if terminated else 130
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Run ``galcubecraft verify``: check a store once; 1 if an item is damaged, else 0."""
    from ..datasets.verify import verify_store

    if not args.store.exists():
        raise ValueError(f"no dataset at {args.store}")
    report = verify_store(args.store)
    for damage in report.damaged:
        log.error("%s", damage.message)
    (log.info if report.ok else log.error)("%s", report.summary())
    return 0 if report.ok else 1


def run_observe(args: argparse.Namespace) -> int:
    """Run ``galcubecraft observe``: a model cube through an interferometer."""
    import numpy as np

    from ..interferometry import Interferometer, Track, observe_interferometer
    from ..products.cube import Cube

    model = Cube.from_fits(args.model)
    interferometer = Interferometer(
        args.array,
        Track(args.declination_deg, args.duration_h, args.integration_s, args.hour_angle_centre_h),
        weighting=args.weighting, robust=args.robust, t_sys_k=args.t_sys_k,
        clean_threshold_rms=args.clean_threshold_rms if args.clean_threshold_rms > 0 else None,
    )  # fmt: skip
    out = args.out or args.model.with_name(f"{args.model.stem}_{args.array}.fits")
    if out.exists() and not args.overwrite:
        raise ValueError(f"{out} exists; pass --overwrite to replace it")
    made = observe_interferometer(model, interferometer, np.random.default_rng(args.seed))
    made.write_fits(out, overwrite=True, spectral_frame=args.spectral_frame)
    pixel = model.observation.pixel_arcsec
    log.info("wrote %s: dirty cube, rms %.3g Jy/beam, clean beam %.3g x %.3g arcsec", out,
             float(np.median(made.noise_rms)), made.clean_beam.bmaj_px * pixel,
             made.clean_beam.bmin_px * pixel)  # fmt: skip
    return 0


def run_plot(args: argparse.Namespace) -> int:
    """Run ``galcubecraft plot``: one figure of a saved cube."""
    import numpy as np

    from ..io.sidecar import load_cube, sidecar_path
    from ..observation.records import Observation, SpectralAxis
    from ..plotting import (
        channel_map_figure,
        moment_figure,
        overview_figure,
        pv_figure,
        spectrum_figure,
    )
    from ..products.cube import Cube

    if not args.cube.is_file():
        raise ValueError(f"cube file not found: {args.cube}")
    if args.cube.suffix.lower() in (".fits", ".fit", ".fts"):
        cube = Cube.from_fits(args.cube)
    elif sidecar_path(args.cube).is_file():  # described by its sidecar: axes, beam, noise
        cube = load_cube(args.cube)
    else:
        try:
            data = np.load(args.cube, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise ValueError(f"{args.cube} must be a .npy array file; {error}") from None
        if data.ndim != 3:
            raise ValueError(f"{args.cube} must hold a 3-D cube (n_chan, ny, nx); got shape "
                             f"{data.shape}")  # fmt: skip
        if data.dtype.kind not in "fiu":
            raise ValueError(f"{args.cube} must hold real numbers (float or integer); got "
                             f"dtype {data.dtype}")  # fmt: skip
        if not args.v_max > args.v_min:
            raise ValueError(f"--v-max must exceed --v-min; got {args.v_min!r} .. {args.v_max!r}")
        # A bare array carries no pixel size or beam: pixel axes, and the given band.
        obs = Observation(nx=data.shape[2], ny=data.shape[1],
                          spectral=SpectralAxis(data.shape[0], args.v_min, args.v_max))  # fmt: skip
        cube = Cube(data.astype(np.float32, copy=False), obs, kind="observed")
    axes = None if cube.observation.sky else "pixel"
    makers = {
        "moments": lambda: moment_figure(cube, axes=axes),
        "spectrum": lambda: spectrum_figure(cube),
        "channels": lambda: channel_map_figure(cube, axes=axes),
        "pv": lambda: pv_figure(cube, args.pa, axes=axes),
        "overview": lambda: overview_figure(cube, axes=axes),
    }
    out = args.out or args.cube.with_name(f"{args.cube.stem}_{args.kind}.png")
    makers[args.kind]().savefig(out, dpi=110)
    log.info("wrote %s", out)
    return 0


def run_survey(args: argparse.Namespace) -> int:
    """Run ``galcubecraft survey``: make (or resume) a field; optionally FITS and a picture."""
    from ..survey import export_fits, load_field_spec, make_field, plot_field

    spec = load_field_spec(args.spec)
    run = make_field(spec, args.out, workers=args.workers, scheduler=args.scheduler,
                     progress=not args.quiet)  # fmt: skip
    log.info("%d galaxies, %d tiles (%d made now) in %.1f s: %s", run.n_galaxies, run.n_tiles,
             run.tiles_made, run.seconds, run.path)  # fmt: skip
    if args.fits is not None:
        log.info("wrote %s", export_fits(args.out, args.fits, spec))
    if args.picture is not None:
        plot_field(args.out).savefig(args.picture, dpi=110)
        log.info("wrote %s", args.picture)
    return 0


def run_explore(args: argparse.Namespace) -> int:
    """Run ``galcubecraft explore``: serve the explorer on 127.0.0.1 until interrupted."""
    try:
        from ..explorer.server import start_server
    except ImportError as error:
        raise OSError(f"{error}; install the explorer extra: pip install "
                      "'GalCubeCraft[explorer]'") from None  # fmt: skip
    start_server(args.port, None if args.store is None else str(args.store),
                 show=not args.no_browser)  # fmt: skip
    return 0
