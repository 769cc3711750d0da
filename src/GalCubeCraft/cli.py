"""The ``galcubecraft`` command line: ``demo``, ``generate``, ``dataset`` and ``plot``.

- ``generate`` makes cubes with the original's priors through the seed facade (``.npy``
  as the original, or FITS with a full header);
- ``dataset`` makes an ML dataset from a :class:`~GalCubeCraft.spec.DatasetSpec` into a
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

log = logging.getLogger("GalCubeCraft")

GENERATE_KEYS = ("n_cubes", "n_gals", "resolution", "grid_size", "channels", "beam_info",
                 "peak_snr", "seed", "out", "format")  # fmt: skip
"""Keys a ``generate --config`` TOML file may set (the options' names)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``galcubecraft: error: <message>`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def _resolution(text: str) -> str | float:
    if text in ("all", "resolved", "unresolved"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be all, resolved, unresolved or a number; got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``galcubecraft`` command."""
    from ._version import __version__

    # -q works before or after the verb; SUPPRESS keeps a verb's parser from resetting it.
    common = _Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="only print errors")  # fmt: skip
    parser = _Parser(prog="galcubecraft", description="Synthetic spectral cubes of disk galaxies.")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
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

    plot = sub.add_parser("plot", parents=[common], help="draw figures of a saved cube")
    plot.add_argument("cube", type=Path, help="a cube saved as .fits (or a bare .npy)")
    plot.add_argument("--kind", choices=("moments", "spectrum", "channels", "pv"),
                      default="moments", help="figure to draw (default moments)")  # fmt: skip
    plot.add_argument("--v-min", type=float, default=-600.0,
                      help="bare .npy only: lower band edge, km/s (default -600)")  # fmt: skip
    plot.add_argument("--v-max", type=float, default=600.0,
                      help="bare .npy only: upper band edge, km/s (default 600)")  # fmt: skip
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
    from .cube import Cube
    from .facade import GalCubeCraft
    from .plotting import moment_figure

    g = GalCubeCraft(
        n_gals=1, n_cubes=1, resolution=3.0, seed=args.seed, fname=args.out, verbose=False
    )
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
    from .facade import GalCubeCraft

    config = _load_config(args.config) if args.config else {}

    def pick(name: str, default: Any) -> Any:
        return _pick(args, config, name, default)

    try:
        g = GalCubeCraft(
            n_gals=pick("n_gals", None),
            n_cubes=pick("n_cubes", 1),
            resolution=pick("resolution", "all"),
            beam_info=tuple(pick("beam_info", (4.0, 4.0, 0.0))),
            grid_size=pick("grid_size", 125),
            n_spectral_slices=pick("channels", 40),
            fname=pick("out", None),
            seed=pick("seed", None),
            peak_snr=pick("peak_snr", None),
            verbose=not args.quiet,
            save_format=pick("format", "npy"),
        )
    except (ValueError, TypeError) as error:
        raise type(error)(_as_typed(str(error))) from None
    folder = g.output_folder()
    if not args.overwrite and folder.is_dir() and any(folder.glob("cube_*")):
        # Mixing two runs in one folder leaves cubes of different seeds side by side.
        raise ValueError(
            f"{folder} already holds cubes; pass --overwrite to replace them, or choose --out"
        )
    g.generate_cubes()
    log.info("seed %d: %d cube(s) in %s", g.seed, len(g), g.output_folder())
    return 0


def _dataset(args: argparse.Namespace) -> int:
    from .datasets.batch import generate_dataset
    from .spec import DatasetSpec

    spec = DatasetSpec.from_toml(args.spec) if args.spec is not None else DatasetSpec()
    overrides = {k: v for k, v in (("n_cubes", args.n_cubes), ("seed", args.seed)) if v is not None}
    spec = spec.replace(**overrides) if overrides else spec
    suffix = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}[args.format]
    out = args.out or Path("data") / "datasets" / f"{'x'.join(map(str, spec.shape))}{suffix}"
    try:
        report = generate_dataset(spec, out, fmt=args.format, workers=args.workers,
                                  scheduler=args.scheduler, progress=not args.quiet)  # fmt: skip
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
    rate = report.cubes_per_second
    log.info("%s: %d written, %d already done%s", out, report.written, report.skipped,
             f", {rate:.2f} cubes/s" if rate is not None else "")  # fmt: skip
    return 0


def _plot(args: argparse.Namespace) -> int:
    import numpy as np

    from .cube import Cube
    from .observation import Observation, SpectralAxis
    from .plotting import channel_map_figure, moment_figure, pv_figure, spectrum_figure

    if not args.cube.is_file():
        raise ValueError(f"cube file not found: {args.cube}")
    if args.cube.suffix.lower() in (".fits", ".fit", ".fts"):
        cube = Cube.from_fits(args.cube)
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


def _configure_logging(quiet: bool) -> None:
    """Send the package's messages to stderr; leave every other library's logger alone.

    Configuring the root logger instead (``logging.basicConfig``) would let Dask's INFO
    chatter through on every dataset run.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    _configure_logging(quiet=args.quiet)
    handlers = {"demo": _demo, "generate": _generate, "dataset": _dataset, "plot": _plot}
    try:
        return handlers[args.command](args)
    except (ValueError, TypeError, OSError, KeyError) as error:
        parser.exit(2, f"galcubecraft {args.command}: error: {error}\n")
    except KeyboardInterrupt:
        # Files are written atomically: what is on disk is complete.
        sys.stderr.write(f"\ngalcubecraft {args.command}: interrupted\n")
        return 130
