"""The ``galcubecraft`` command line: ``demo``, ``generate``, ``dataset`` and ``plot``.

- ``generate`` makes cubes with the original's priors through the seed facade (``.npy``
  as the original, or FITS with a full header);
- ``dataset`` makes an ML dataset from a :class:`~GalCubeCraft.priors.spec.DatasetSpec` into a
  Zarr, HDF5, npy or FITS store, in parallel and resumably;
- ``plot`` draws a saved cube; ``demo`` writes one cube and a picture of it.
"""

from __future__ import annotations

import argparse
import logging
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._support.threads import limited_threads
from .renderer.settings import ACCURACIES

log = logging.getLogger("GalCubeCraft")

GENERATE_KEYS = ("n_cubes", "n_gals", "resolution", "grid_size", "channels", "beam_info",
                 "peak_snr", "seed", "out", "format", "accuracy")  # fmt: skip
"""Keys a ``generate --config`` TOML file may set (the options' names)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``galcubecraft: error: <message>`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    """Parse a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def _resolution(text: str) -> str | float:
    if text in ("all", "resolved", "unresolved"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be all, resolved, unresolved or a number; got {text!r}"
        ) from None


def _add_global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """Add -q, -v, --log-file and --threads; a verb's copy uses SUPPRESS so it cannot reset them."""
    flag = False if default is None else default
    parser.add_argument("-q", "--quiet", action="store_true", default=flag,
                        help="only print errors")  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true", default=flag,
                        help="also show other libraries' messages (Dask's)")  # fmt: skip
    parser.add_argument("--log-file", type=Path, default=default,
                        help="append a timestamped line per stage to this file")  # fmt: skip
    threads = 1 if default is None else default
    parser.add_argument("--threads", type=_positive_int, default=threads,
                        help="threads the linear-algebra libraries may use in this process "
                             "(default 1: faster for such cubes on small machines)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``galcubecraft`` command."""
    from ._version import __version__

    # -q works before or after the verb; SUPPRESS keeps a verb's parser from resetting it.
    common = _Parser(add_help=False)
    _add_global_options(common, default=argparse.SUPPRESS)
    parser = _Parser(prog="galcubecraft", description="Synthetic spectral cubes of disk galaxies.")
    _add_global_options(parser)
    parser.add_argument("--version", action="version", version=f"GalCubeCraft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", parents=[common],
                          help="write one cube (.npy) and a PNG of its moment maps")  # fmt: skip
    demo.add_argument("--out", type=Path, default=Path("demo_output"), help="output folder")
    demo.add_argument("--seed", type=int, default=42, help="root seed (default 42)")

    gen = sub.add_parser("generate", parents=[common],
                         help="generate cubes with the original's priors (seed API)")  # fmt: skip
    gen.add_argument("--config", type=Path, help="TOML file whose keys set these options")
    gen.add_argument("--n-cubes", type=int, help="number of cubes (default 1)")
    gen.add_argument("--n-gals", type=int, help="galaxies per cube (default 1-3)")
    gen.add_argument("--resolution", type=_resolution,
                     help="all | resolved | unresolved | R_e/(bmin/2) (default all)")  # fmt: skip
    gen.add_argument("--grid-size", type=int, help="pixels per side (default 125)")
    gen.add_argument("--channels", type=int, help="channels from -600 to 600 km/s (default 40)")
    gen.add_argument("--beam-info", type=float, nargs=3, metavar=("BMIN", "BMAJ", "BPA"),
                     help="the original's beam_info: FWHMs (px), minor first, and PA "
                     "(deg, north through east) (default 4 4 0)")  # fmt: skip
    gen.add_argument("--peak-snr", type=float, help="add noise at this peak S/N")
    gen.add_argument("--seed", type=int, help="root seed (default random, and printed)")
    gen.add_argument("--out", type=Path, help="output folder (default data/raw_data/<shape>)")
    gen.add_argument("--overwrite", action="store_true",
                     help="replace cubes already in the output folder")  # fmt: skip
    gen.add_argument("--resume", action="store_true",
                     help="add the cubes missing from the output folder (same options; "
                     "the seed is read from the folder unless given)")  # fmt: skip
    gen.add_argument("--accuracy", choices=ACCURACIES,
                     help="the renderer's settings: default, or fast (about 2.5x faster, "
                     "voxels within ~1e-3 of the peak, not ~1e-4) (default default)")  # fmt: skip
    gen.add_argument("--format", choices=("npy", "fits"),
                     help="npy: bare arrays, as the original (default); fits: cubes with WCS, "
                     "beam, units and parameters in the header")  # fmt: skip

    data = sub.add_parser("dataset", parents=[common],
                          help="make an ML dataset from a spec (parallel, resumable)")  # fmt: skip
    data.add_argument("spec", type=Path, nargs="?",
                      help="dataset spec (TOML); default the DatasetSpec defaults")  # fmt: skip
    data.add_argument("--n-cubes", type=int, help="override the spec's n_cubes")
    data.add_argument("--seed", type=int, help="override the spec's seed")
    data.add_argument("--format", choices=("zarr", "hdf5", "npy", "fits"), default="zarr",
                      help="store format (default zarr)")  # fmt: skip
    data.add_argument("--out", type=Path,
                      help="store path (default data/datasets/<shape>.<format>)")  # fmt: skip
    data.add_argument("--workers", type=int,
                      help="worker processes (default one per core; 0: this process)")  # fmt: skip
    data.add_argument("--scheduler", help="address of an existing dask scheduler")

    observe = sub.add_parser("observe", parents=[common],
                             help="observe a model cube (FITS) with an interferometer")  # fmt: skip
    observe.add_argument("model", type=Path, help="a model cube written by write_fits")
    observe.add_argument("--array", default="alma_c5",
                         help="alma_c1..alma_c10, aca, vla_a..vla_d or meerkat")  # fmt: skip
    observe.add_argument("--hours", type=float, default=1.0, help="track length (default 1)")
    observe.add_argument("--dec", type=float, default=-30.0,
                         help="declination, degrees (default -30)")  # fmt: skip
    observe.add_argument("--hour-angle", type=float, default=0.0,
                         help="hour angle at mid-track, hours (default 0, transit)")  # fmt: skip
    observe.add_argument("--integration", type=float, default=30.0,
                         help="integration per visibility, s (default 30)")  # fmt: skip
    observe.add_argument("--weighting", choices=("natural", "uniform", "briggs"),
                         default="briggs", help="imaging weights (default briggs)")  # fmt: skip
    observe.add_argument("--robust", type=float, default=0.5, help="Briggs robust (default 0.5)")
    observe.add_argument("--tsys", type=float, default=100.0, help="system temperature, K")
    observe.add_argument("--clean", type=float, default=3.0,
                         help="CLEAN to this many rms (default 3; 0: dirty only)")  # fmt: skip
    observe.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    observe.add_argument("--out", type=Path, help="output FITS (default <model>_<array>.fits)")
    observe.add_argument("--overwrite", action="store_true", help="replace an existing output")

    plot = sub.add_parser("plot", parents=[common], help="draw figures of a saved cube")
    plot.add_argument("cube", type=Path,
                      help="a .fits cube, or .npy (described by its .json sidecar)")  # fmt: skip
    plot.add_argument("--kind", choices=("moments", "spectrum", "channels", "pv"),
                      default="moments", help="figure to draw (default moments)")  # fmt: skip
    plot.add_argument("--v-min", type=float, default=-600.0,
                      help="bare .npy: lower band edge, km/s (default -600)")  # fmt: skip
    plot.add_argument("--v-max", type=float, default=600.0,
                      help="bare .npy: upper band edge, km/s (default 600)")  # fmt: skip
    plot.add_argument("--pa", type=float, default=0.0, help="PV slit position angle, degrees")
    plot.add_argument("--out", type=Path, help="image file (default beside the cube)")
    return parser


def _load_config(path: Path) -> dict[str, Any]:
    import tomllib

    with open(path, "rb") as handle:
        config = tomllib.load(handle)
    unknown = set(config) - set(GENERATE_KEYS)
    if unknown:
        raise ValueError(
            f"unknown key(s) in {path}: {sorted(unknown)}; allowed: {sorted(GENERATE_KEYS)}"
        )
    return config


def _pick(args: argparse.Namespace, config: dict[str, Any], name: str, default: Any) -> Any:
    """Return option ``name``: the command line first, then the TOML config, then ``default``."""
    value = getattr(args, name)
    return value if value is not None else config.get(name, default)


def _demo(args: argparse.Namespace) -> int:
    from .compat.facade import GalCubeCraft
    from .plotting import moment_figure
    from .products.cube import Cube

    # A 64-pixel field and R_e = 2.5 half-beams (5 px): the disk spans about half the frame.
    g = GalCubeCraft(n_gals=1, n_cubes=1, resolution=2.5, grid_size=64, seed=args.seed,
                     fname=args.out, verbose=False, threads=args.threads)  # fmt: skip
    cube, params = g.generate_cubes()[0]
    fig = moment_figure(Cube(cube, g.observation(0), kind="observed"))
    png = Path(args.out) / "demo_moments.png"
    fig.savefig(png, dpi=110)
    log.info("wrote %s and %s", params["path"], png)
    return 0


GENERATE_OPTIONS = {
    "n_spectral_slices": "--channels",
    "n_cubes": "--n-cubes",
    "n_gals": "--n-gals",
    "grid_size": "--grid-size",
    "beam_info": "--beam-info",
    "peak_snr": "--peak-snr",
    "resolution": "--resolution",
    "save_format": "--format",
    "seed": "--seed",
}
"""The seed API's argument names, and the ``generate`` options that set them."""


def _as_typed(message: str) -> str:
    """Return an error message with the seed API's argument names as the options typed."""
    for name, option in GENERATE_OPTIONS.items():
        message = re.sub(rf"\b{name}\b", option, message)
    return message


def _generate(args: argparse.Namespace) -> int:
    from .io.cube_folder import existing_cubes, remove_cubes

    config = _load_config(args.config) if args.config else {}
    if args.overwrite and args.resume:
        raise ValueError("--overwrite and --resume exclude each other: replace or add to?")
    g = _seed_facade(args, config, seed=_pick(args, config, "seed", None))
    folder = g.output_folder()
    existing = existing_cubes(folder)
    if existing and not (args.overwrite or args.resume):
        # Mixing two runs in one folder leaves cubes of different seeds side by side.
        raise ValueError(
            f"{folder} already holds {len(existing)} cube(s); pass --resume to add the "
            "missing ones, --overwrite to replace them, or choose --out"
        )
    done: set[int] = set()
    if args.resume and existing:
        if _pick(args, config, "seed", None) is None:
            g = _seed_facade(args, config, seed=_seed_of(existing))
        done = _check_resumable(g, existing)
    elif args.overwrite and existing:
        log.info("removed %d file(s) from %s", remove_cubes(folder), folder)
    todo = [i for i in range(g.n_cubes) if i not in done]
    log.info("seed %d: %d cube(s) to make, %d already in %s", g.seed, len(todo), len(done), folder)
    return _write_cubes(g, todo, args)


def _seed_facade(args: argparse.Namespace, config: dict[str, Any], seed: int | None) -> Any:
    """Return the facade the options describe (errors name the options as typed)."""
    from .compat.facade import GalCubeCraft
    from .renderer.settings import RenderSettings

    def pick(name: str, default: Any) -> Any:
        return _pick(args, config, name, default)

    try:
        settings = RenderSettings.for_accuracy(pick("accuracy", "default"))
        return GalCubeCraft(
            n_gals=pick("n_gals", None),
            n_cubes=pick("n_cubes", 1),
            resolution=pick("resolution", "all"),
            beam_info=tuple(pick("beam_info", (4.0, 4.0, 0.0))),
            grid_size=pick("grid_size", 125),
            n_spectral_slices=pick("channels", 40),
            fname=pick("out", None),
            seed=seed,
            peak_snr=pick("peak_snr", None),
            verbose=False,
            save_format=pick("format", "npy"),
            settings=settings,
            threads=args.threads,
        )
    except (ValueError, TypeError) as error:
        raise type(error)(_as_typed(str(error))) from None


def _seed_of(existing: dict[int, Path]) -> int:
    """Return the seed the cubes of a folder record (all must agree)."""
    from .io.cube_folder import cube_run

    seeds = {cube_run(path).get("seed") for path in existing.values()}
    if len(seeds) != 1 or None in seeds:
        raise ValueError("the cubes in the folder record no common seed: pass --seed")
    return int(seeds.pop())  # type: ignore[arg-type]


def _check_resumable(g: Any, existing: dict[int, Path]) -> set[int]:
    """Return the indices already made; refuse files of another run or format."""
    from .io.cube_folder import cube_run

    for index, path in sorted(existing.items()):
        if path.suffix != f".{g.save_format}":
            raise ValueError(f"{path} is not a {g.save_format} cube; this run writes "
                             f".{g.save_format} files (--format)")  # fmt: skip
        run = cube_run(path)
        if run.get("run_id") != g.run_id or run.get("index") != index:
            raise ValueError(
                f"{path} was made by another run (seed {run.get('seed')}, other options or "
                "version); pass --overwrite to replace the folder's cubes, or choose --out"
            )
    return {index for index in existing if index < g.n_cubes}


def _write_cubes(g: Any, todo: list[int], args: argparse.Namespace) -> int:
    """Write cubes ``todo`` one by one (nothing kept in memory), with a progress bar."""
    import time

    from ._support.progress import progress_bar

    bar = progress_bar(len(todo), enabled=not args.quiet, terminal_only=True)
    start = time.perf_counter()
    written = 0
    try:
        for index in todo:
            g.write_cube(index)
            written += 1
            bar.update(1)
    except KeyboardInterrupt:
        bar.close()
        command = list(args.argv) + ([] if args.resume else ["--resume"])
        if "--seed" not in command:
            command += ["--seed", str(g.seed)]
        done = g.n_cubes - len(todo) + written
        sys.stderr.write(
            f"\ngalcubecraft generate: interrupted; {done} of {g.n_cubes} cubes are in "
            f"{g.output_folder()}; resume with: galcubecraft {shlex.join(command)}\n"
        )
        return 130
    bar.close()
    seconds = time.perf_counter() - start
    rate = f", {written / seconds:.2f} cubes/s" if written and seconds > 0 else ""
    log.info("seed %d: wrote %d cube(s) to %s in %.1f s%s", g.seed, written, g.output_folder(),
             seconds, rate)  # fmt: skip
    return 0


def _dataset(args: argparse.Namespace) -> int:
    from .datasets.batch import generate_dataset
    from .priors.spec import DatasetSpec

    spec = DatasetSpec.from_toml(args.spec) if args.spec is not None else DatasetSpec()
    overrides = {k: v for k, v in (("n_cubes", args.n_cubes), ("seed", args.seed)) if v is not None}
    spec = spec.replace(**overrides) if overrides else spec
    suffix = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}[args.format]
    out = args.out or Path("data") / "datasets" / f"{'x'.join(map(str, spec.shape))}{suffix}"
    try:
        generate_dataset(spec, out, fmt=args.format, workers=args.workers,
                         scheduler=args.scheduler, progress=not args.quiet,
                         worker_logs=args.verbose)  # fmt: skip
    except KeyboardInterrupt:
        from .datasets import open_store

        try:
            store = open_store(out)
        except (OSError, ValueError):  # stopped before the store was made
            done = 0
        else:
            done = len(store.done_indices())
            store.close()
        sys.stderr.write(
            f"\ngalcubecraft dataset: interrupted; {done} of {spec.n_cubes} items are in {out}; "
            f"resume with: galcubecraft {shlex.join(args.argv)}\n"
        )
        return 130
    return 0


def _observe(args: argparse.Namespace) -> int:
    import numpy as np

    from .interferometry import Interferometer, Track, observe_interferometer
    from .products.cube import Cube

    model = Cube.from_fits(args.model)
    interferometer = Interferometer(
        args.array, Track(args.dec, args.hours, args.integration, args.hour_angle),
        weighting=args.weighting, robust=args.robust, t_sys_k=args.tsys,
        clean_threshold_rms=args.clean if args.clean > 0 else None,
    )  # fmt: skip
    out = args.out or args.model.with_name(f"{args.model.stem}_{args.array}.fits")
    if out.exists() and not args.overwrite:
        raise ValueError(f"{out} exists; pass --overwrite to replace it")
    made = observe_interferometer(model, interferometer, np.random.default_rng(args.seed))
    made.write_fits(out, overwrite=True)
    pixel = model.observation.pixel_arcsec
    log.info("wrote %s: dirty cube, rms %.3g Jy/beam, clean beam %.3g x %.3g arcsec", out,
             float(np.median(made.noise_rms)), made.clean_beam.bmaj_px * pixel,
             made.clean_beam.bmin_px * pixel)  # fmt: skip
    return 0


def _plot(args: argparse.Namespace) -> int:
    import numpy as np

    from .io.sidecar import load_cube, sidecar_path
    from .observation.records import Observation, SpectralAxis
    from .plotting import channel_map_figure, moment_figure, pv_figure, spectrum_figure
    from .products.cube import Cube

    if not args.cube.is_file():
        raise ValueError(f"cube file not found: {args.cube}")
    if args.cube.suffix.lower() in (".fits", ".fit", ".fts"):
        cube = Cube.from_fits(args.cube)
    elif sidecar_path(args.cube).is_file():  # described by its sidecar: axes, beam, noise
        cube = load_cube(args.cube)
    else:
        data = np.load(args.cube)
        if data.ndim != 3:
            raise ValueError(f"cube must be 3-D (n_chan, ny, nx); got shape {data.shape}")
        # A bare array carries no pixel size or beam: pixel axes, and the given band.
        obs = Observation(nx=data.shape[2], ny=data.shape[1],
                          spectral=SpectralAxis(data.shape[0], args.v_min, args.v_max))  # fmt: skip
        cube = Cube(data.astype(np.float32, copy=False), obs, kind="observed")
    makers = {
        "moments": lambda: moment_figure(cube, axes=None if cube.observation.sky else "pixel"),
        "spectrum": lambda: spectrum_figure(cube),
        "channels": lambda: channel_map_figure(cube),
        "pv": lambda: pv_figure(cube, args.pa, axes=None if cube.observation.sky else "pixel"),
    }
    out = args.out or args.cube.with_name(f"{args.cube.stem}_{args.kind}.png")
    makers[args.kind]().savefig(out, dpi=110)
    log.info("wrote %s", out)
    return 0


def _configure_logging(quiet: bool, verbose: bool = False, log_file: Path | None = None) -> None:
    """Send the package's messages to stderr (and ``log_file``); others' only if ``verbose``.

    Configuring the root logger by default (``logging.basicConfig``) would let Dask's
    INFO chatter through on every dataset run; ``--verbose`` asks for exactly that.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    handlers: list[logging.Handler] = [handler]
    if log_file is not None:
        # The file gets every stage line, with a time stamp, even when the terminal is quiet.
        to_file = logging.FileHandler(log_file)
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handlers.append(to_file)
    for previous in log.handlers:  # main() may run more than once in a process (tests)
        previous.close()
    log.handlers[:] = handlers
    log.setLevel(logging.INFO)
    log.propagate = False
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    _configure_logging(args.quiet, args.verbose, args.log_file)
    handlers = {"demo": _demo, "generate": _generate, "dataset": _dataset, "plot": _plot,
                "observe": _observe}  # fmt: skip
    try:
        with limited_threads(args.threads):
            return handlers[args.command](args)
    except (ValueError, TypeError, OSError, KeyError) as error:
        parser.exit(2, f"galcubecraft {args.command}: error: {error}\n")
    except MemoryError:
        parser.exit(2, f"galcubecraft {args.command}: error: out of memory; make smaller cubes "
                       "(--grid-size, --channels) or use fewer workers\n")  # fmt: skip
    except KeyboardInterrupt:
        # Files are written atomically: what is on disk is complete.
        sys.stderr.write(f"\ngalcubecraft {args.command}: interrupted\n")
        return 130
