"""The ``galcubecraft`` command line: ``demo``, ``generate`` and ``plot``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

log = logging.getLogger("GalCubeCraft")


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
    parser = _Parser(prog="galcubecraft", description="Synthetic spectral cubes of disk galaxies.")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="write one cube (.npy) and a PNG of its moment maps")
    demo.add_argument("--out", type=Path, default=Path("demo_output"), help="output folder")
    demo.add_argument("--seed", type=int, default=42, help="root seed (default 42)")

    gen = sub.add_parser("generate", help="generate N cubes with the original's priors")
    gen.add_argument("--config", type=Path, help="TOML file whose keys set these options")
    gen.add_argument("--n-cubes", type=int, default=None, help="number of cubes (default 1)")
    gen.add_argument("--n-gals", type=int, default=None, help="galaxies per cube (default 1-3)")
    gen.add_argument(
        "--resolution",
        type=_resolution,
        default=None,
        help="all | resolved | unresolved | R_e/(bmin/2) (default all)",
    )
    gen.add_argument("--grid-size", type=int, default=None, help="pixels per side (default 125)")
    gen.add_argument("--channels", type=int, default=None, help="channels (default 40)")
    gen.add_argument(
        "--beam",
        type=float,
        nargs=3,
        metavar=("BMIN", "BMAJ", "BPA"),
        default=None,
        help="beam FWHMs (px) and PA (deg) (default 4 4 0)",
    )
    gen.add_argument("--peak-snr", type=float, default=None, help="add noise at this peak S/N")
    gen.add_argument("--seed", type=int, default=None, help="root seed (default random)")
    gen.add_argument("--out", type=Path, default=None, help="output folder")
    gen.add_argument(
        "--format",
        choices=("npy", "fits", "zarr", "hdf5"),
        default=None,
        help="npy/fits: one file per cube (default npy); zarr/hdf5: one dataset store with "
        "noisy and clean cubes, truth maps and a parameter table",
    )
    gen.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="dataset spec (TOML): priors, observation and seed; makes a dataset",
    )
    gen.add_argument(
        "--workers",
        type=int,
        default=None,
        help="dataset mode: local worker processes (default one per core; 0: this process)",
    )
    gen.add_argument(
        "--scheduler", default=None, help="dataset mode: address of an existing dask scheduler"
    )
    gen.add_argument(
        "--redshift",
        type=float,
        default=None,
        help="source redshift giving arcsec per pixel for FITS (default 1)",
    )

    plot = sub.add_parser("plot", help="draw figures of a saved cube (.npy)")
    plot.add_argument("cube", type=Path, help="a cube saved as .npy or .fits")
    plot.add_argument(
        "--kind",
        choices=("moments", "spectrum", "channels", "pv"),
        default="moments",
        help="figure to draw (default moments)",
    )
    plot.add_argument(
        "--v-min",
        type=float,
        default=-600.0,
        help="lower band edge, km/s (.npy; FITS has its own axis)",
    )
    plot.add_argument(
        "--v-max",
        type=float,
        default=600.0,
        help="upper band edge, km/s (.npy; FITS has its own axis)",
    )
    plot.add_argument("--pa", type=float, default=0.0, help="PV slit position angle, degrees")
    plot.add_argument("--out", type=Path, default=None, help="image file (default beside cube)")
    return parser


def _load_config(path: Path) -> dict[str, Any]:
    import tomllib

    with open(path, "rb") as handle:
        config = tomllib.load(handle)
    allowed = {
        "n_cubes",
        "n_gals",
        "resolution",
        "grid_size",
        "channels",
        "beam",
        "peak_snr",
        "seed",
        "out",
        "format",
        "redshift",
    }
    unknown = set(config) - allowed
    if unknown:
        raise ValueError(f"unknown key(s) in {path}: {sorted(unknown)}; allowed: {sorted(allowed)}")
    return config


def _pick(args: argparse.Namespace, config: dict[str, Any], name: str, default: Any) -> Any:
    """Return option ``name``: the command line first, then the TOML config, then ``default``."""
    value = getattr(args, name)
    return value if value is not None else config.get(name, default)


def _demo(args: argparse.Namespace) -> int:
    from .facade import GalCubeCraft
    from .plotting import moment_figure

    g = GalCubeCraft(
        n_gals=1, n_cubes=1, resolution=3.0, seed=args.seed, fname=args.out, verbose=False
    )
    cube, params = g.generate_cubes()[0]
    obs = g.observation(0)
    fig = moment_figure(cube, params["average_vels"], obs.beam, obs.pixel_kpc, params["bunit"])
    png = Path(args.out) / "demo_moments.png"
    fig.savefig(png, dpi=110)
    log.info("wrote %s and %s", params["path"], png)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .facade import GalCubeCraft

    config = _load_config(args.config) if args.config else {}
    dataset_mode = (
        args.spec is not None
        or args.workers is not None
        or args.scheduler is not None
        or (args.format or config.get("format")) in ("zarr", "hdf5")
    )
    if dataset_mode:
        return _generate_dataset(args, config)

    def pick(name: str, default: Any) -> Any:
        return _pick(args, config, name, default)

    beam = pick("beam", (4.0, 4.0, 0.0))
    g = GalCubeCraft(
        n_gals=pick("n_gals", None),
        n_cubes=pick("n_cubes", 1),
        resolution=pick("resolution", "all"),
        beam_info=tuple(beam),
        grid_size=pick("grid_size", 125),
        n_spectral_slices=pick("channels", 40),
        fname=pick("out", None),
        seed=pick("seed", None),
        peak_snr=pick("peak_snr", None),
        verbose=not args.quiet,
        save=pick("format", "npy") == "npy",
    )
    results = g.generate_cubes()
    if pick("format", "npy") == "fits":
        _write_fits_results(g, results, float(pick("redshift", 1.0)))
    log.info("seed %d: %d cube(s) in %s", g.seed, len(g), g.output_folder())
    return 0


def _generate_dataset(args: argparse.Namespace, config: dict[str, Any]) -> int:
    """Generate a dataset with Dask: from --spec, or from the generate options."""
    from .datasets.batch import generate_dataset
    from .datasets.spec import DatasetSpec

    def pick(name: str, default: Any) -> Any:
        return _pick(args, config, name, default)

    if args.spec is not None:
        spec = DatasetSpec.from_toml(args.spec)
    else:
        snr = pick("peak_snr", None)
        values: dict[str, Any] = {
            "n_cubes": pick("n_cubes", 1),
            "seed": pick("seed", 0),
            "grid_size": pick("grid_size", 125),
            "n_chan": pick("channels", 40),
            "beam_px": tuple(pick("beam", (4.0, 4.0, 0.0))),
            "peak_snr": None if snr is None else (snr, snr),
        }
        if pick("n_gals", None) is not None:
            values["n_gals"] = (pick("n_gals", 1), pick("n_gals", 1))
        spec = DatasetSpec(**values)
    fmt = pick("format", "zarr")
    suffix = {"zarr": ".zarr", "hdf5": ".h5", "npy": "", "fits": ""}[fmt]
    default_out = Path("data") / "datasets" / f"{'x'.join(map(str, spec.shape))}{suffix}"
    out = Path(pick("out", default_out))
    report = generate_dataset(
        spec, out, fmt=fmt, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet
    )
    log.info(
        "%s: %d written, %d already done, %.2f cubes/s",
        out,
        report.written,
        report.skipped,
        report.cubes_per_second,
    )
    return 0


def _write_fits_results(g: Any, results: list, redshift: float) -> None:
    """Write each facade cube as FITS, its kpc pixels turned into arcsec at ``redshift``."""
    from .io.fits import write_fits
    from .sky import frame_for_pixel_scale

    for index, (cube, params) in enumerate(results):
        frame = frame_for_pixel_scale(
            params["pix_spatial_scale"], g.grid_size, g.n_spectral_slices,
            1200.0 / g.n_spectral_slices, tuple(params["beam_info"]), redshift,
        )  # fmt: skip
        write_fits(g.output_folder() / f"cube_{index + 1}.fits", cube, frame,
                   galaxies=g.draws[index].galaxies, overwrite=True)  # fmt: skip


def _plot(args: argparse.Namespace) -> int:
    from .observation import SpectralAxis
    from .plotting import (
        channel_map_figure,
        moment_figure,
        pv_figure,
        read_fits_cube,
        spectrum_figure,
    )

    if not args.cube.is_file():
        raise ValueError(f"cube file not found: {args.cube}")
    beam, pixel_scale, unit = None, None, "Jy/beam"
    if args.cube.suffix.lower() in (".fits", ".fit", ".fts"):
        loaded = read_fits_cube(args.cube)
        cube, velocities = loaded["data"], loaded["velocities_kms"]
        beam, pixel_scale, unit = loaded["beam"], loaded["pixel_arcsec"], loaded["unit"]
    else:
        cube = np.load(args.cube)
        if cube.ndim != 3:
            raise ValueError(f"cube must be 3-D (n_chan, ny, nx); got shape {cube.shape}")
        velocities = SpectralAxis(cube.shape[0], args.v_min, args.v_max).centres_kms
    makers = {
        "moments": lambda: moment_figure(
            cube, velocities, beam, pixel_scale, unit, pixel_unit="arcsec"
        ),
        "spectrum": lambda: spectrum_figure(cube, velocities, unit),
        "channels": lambda: channel_map_figure(cube, velocities, unit=unit),
        "pv": lambda: pv_figure(cube, velocities, args.pa, unit=unit),
    }
    out = args.out or args.cube.with_name(f"{args.cube.stem}_{args.kind}.png")
    makers[args.kind]().savefig(out, dpi=110)
    log.info("wrote %s", out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    handlers = {"demo": _demo, "generate": _generate, "plot": _plot}
    try:
        return handlers[args.command](args)
    except (ValueError, TypeError, OSError) as error:
        parser.exit(2, f"galcubecraft {args.command}: error: {error}\n")
