"""The ``galcubecraft`` parser: global options and one sub-parser per verb.

The ``dataset`` verb's spec options are generated from the spec's declarations
(:mod:`.spec_flags`); the others are written here.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, NoReturn

from ..datasets.stores import STORES, describe_formats
from ..interferometry.arrays import ARRAY_NAMES, describe_arrays
from ..interferometry.weighting import WEIGHTINGS
from ..observation.header import SPECTRAL_FRAMES
from ..priors.spec import describe_presets
from ..renderer.settings import ACCURACIES
from .spec_flags import add_spec_flags, preset_name


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit with code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``galcubecraft: error: <message>`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def _whole(low: int, high: int | None = None) -> Any:
    """Return a parser of a whole number in ``[low, high]`` (its errors say the rule)."""
    rule = f">= {low}" if high is None else f"in [{low}, {high}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a whole number {rule}; got {text!r}"
            ) from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {rule}; got {value}")
        return value

    parse.__name__ = f"whole number {rule}"
    return parse


_positive_int = _whole(1)


def _integer(text: str) -> int:
    """Parse a whole number; its range is the facade's to check (and to name the option)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number; got {text!r}") from None


MAX_WORKERS = 1024
"""Most worker processes (or threads) an option may ask for, as ``generate_dataset`` takes."""


def _finite(text: str) -> float:
    """Parse a finite real number: NaN and inf are not positions, times or angles."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}")
    return value


def _resolution(text: str) -> str | float:
    """Parse a resolution preset or a finite number."""
    if text in ("all", "resolved", "unresolved"):
        return text
    try:
        return _finite(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be all, resolved, unresolved or a finite number; got {text!r}"
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
    parser.add_argument("--threads", type=_whole(1, MAX_WORKERS), default=threads,
                        help="threads the linear-algebra libraries may use in this process "
                             "(default 1: faster for such cubes on small machines)")  # fmt: skip


def _add_progress_flag(parser: argparse.ArgumentParser) -> None:
    """Add --progress: a progress bar even off a terminal (by default only on one)."""
    parser.add_argument("--progress", action="store_true", default=None,
                        help="draw the progress bar even when stderr is not a terminal "
                        "(by default only on one; -q: never)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``galcubecraft`` command."""
    from .._version import __version__

    # -q works before or after the verb; SUPPRESS keeps a verb's parser from resetting it.
    common = _Parser(add_help=False)
    _add_global_options(common, default=argparse.SUPPRESS)
    parser = _Parser(prog="galcubecraft", description="Synthetic spectral cubes of disk galaxies.")
    _add_global_options(parser)
    parser.add_argument("--version", action="version", version=f"GalCubeCraft {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", parents=[common],
                          epilog=_listing("writes", describe_demo_files()),
                          formatter_class=argparse.RawDescriptionHelpFormatter,
                          help="write one galaxy's cube (.npy, and noisy FITS) and a PNG of "
                          "its moments, spectrum and PV diagram")  # fmt: skip
    demo.add_argument("--out", type=Path, default=Path("demo_output"),
                      help="output folder (default demo_output)")  # fmt: skip
    demo.add_argument("--seed", type=_whole(0), default=42, help="root seed (default 42)")

    gen = sub.add_parser("generate", parents=[common],
                         help="generate cubes with the original's priors (seed API)")  # fmt: skip
    gen.add_argument("--config", type=Path, help="TOML file whose keys set these options")
    gen.add_argument("--n-cubes", type=_integer, help="number of cubes (default 1)")
    gen.add_argument("--n-gals", type=_integer, help="galaxies per cube (default 1-3)")
    gen.add_argument("--resolution", type=_resolution,
                     help="all | resolved | unresolved | R_e/(bmin/2) (default all)")  # fmt: skip
    gen.add_argument("--grid-size", type=_integer, help="pixels per side (default 125)")
    gen.add_argument("--channels", type=_integer,
                     help="channels from -600 to 600 km/s (default 40)")  # fmt: skip
    gen.add_argument("--beam-info", type=_finite, nargs=3, metavar=("BMIN", "BMAJ", "BPA"),
                     help="the original's beam_info: FWHMs (px), minor first, and PA "
                     "(deg, north through east) (default 4 4 0)")  # fmt: skip
    gen.add_argument("--peak-snr", type=_finite, help="add noise at this peak S/N")
    gen.add_argument("--seed", type=_integer, help="root seed (default random, and printed)")
    gen.add_argument("--out", type=Path, help="output folder (default data/raw_data/<shape>)")
    gen.add_argument("--overwrite", action="store_true",
                     help="replace cubes already in the output folder")  # fmt: skip
    gen.add_argument("--resume", action="store_true",
                     help="add the cubes missing from the output folder (same options; "
                     "the seed is read from the folder unless given)")  # fmt: skip
    gen.add_argument("--accuracy", choices=ACCURACIES,
                     help="the renderer's settings: default, or fast (about 2.5x faster, "
                     "voxels within ~1e-3 of the peak, not ~1e-4) (default default)")  # fmt: skip
    _add_progress_flag(gen)
    gen.add_argument("--format", choices=("npy", "fits"),
                     help="npy: bare arrays, as the original (default); fits: cubes with WCS, "
                     "beam, units and parameters in the header")  # fmt: skip

    # One option per spec key: the usage line names them by table, --help lists them all.
    data = sub.add_parser("dataset", parents=[common],
                          usage="%(prog)s [SPEC.toml] [--preset NAME] [options] "
                                "[--TABLE.KEY VALUE ...]",
                          epilog=_listing("store formats", describe_formats()) + "\n\n"
                          + _listing("presets", describe_presets()),
                          formatter_class=argparse.RawDescriptionHelpFormatter,
                          help="make an ML dataset from a spec (parallel, resumable)")  # fmt: skip
    data.add_argument("spec", type=Path, nargs="?",
                      help="dataset spec (TOML); default the DatasetSpec defaults")  # fmt: skip
    data.add_argument("--preset", type=preset_name, metavar="NAME",
                      help="start from a spec shipped with the package (listed below); "
                      "SPEC.toml and the options change its keys")  # fmt: skip
    data.add_argument("--format", choices=tuple(STORES), default="zarr",
                      help="store format (default zarr; listed below)")  # fmt: skip
    data.add_argument("--out", type=Path,
                      help="store path (default data/datasets/<shape>.<format>)")  # fmt: skip
    data.add_argument("--workers", type=_whole(0, MAX_WORKERS),
                      help="worker processes (default one per core; 0: this process)")  # fmt: skip
    data.add_argument("--scheduler", help="address of an existing dask scheduler")
    _add_progress_flag(data)
    add_spec_flags(data)

    verify = sub.add_parser("verify", parents=[common],
                            help="check every item of a dataset store against its checksums "
                            "(exit 1 if any is damaged)")  # fmt: skip
    verify.add_argument("store", type=Path, help="the store (Zarr, HDF5, npy or FITS)")

    observe = sub.add_parser("observe", parents=[common],
                             epilog=_listing("arrays", describe_arrays()),
                             formatter_class=argparse.RawDescriptionHelpFormatter,
                             help="observe a model cube (FITS) with an interferometer")  # fmt: skip
    observe.add_argument("model", type=Path, help="a model cube written by write_fits")
    observe.add_argument("--array", default="alma_c5", choices=ARRAY_NAMES, metavar="ARRAY",
                         help="antenna configuration (default alma_c5; listed below)")  # fmt: skip
    # The names of the records they fill (Track, Interferometer); 2.0's spellings still work.
    observe.add_argument("--duration-h", "--hours", type=_finite, default=1.0,
                         help="track length, hours (default 1)")  # fmt: skip
    observe.add_argument("--declination-deg", "--dec", type=_finite, default=-30.0,
                         help="declination, degrees (default -30)")  # fmt: skip
    observe.add_argument("--hour-angle-centre-h", "--hour-angle", type=_finite, default=0.0,
                         help="hour angle at mid-track, hours (default 0, transit)")  # fmt: skip
    observe.add_argument("--integration-s", "--integration", type=_finite, default=30.0,
                         help="integration per visibility, s (default 30)")  # fmt: skip
    observe.add_argument("--weighting", choices=WEIGHTINGS, default="briggs",
                         help="imaging weights (default briggs)")  # fmt: skip
    observe.add_argument("--robust", type=_finite, default=0.5, help="Briggs robust (default 0.5)")
    observe.add_argument("--t-sys-k", "--tsys", type=_finite, default=100.0,
                         help="system temperature, K (default 100)")  # fmt: skip
    observe.add_argument("--clean-threshold-rms", "--clean", type=_finite, default=3.0,
                         help="CLEAN to this many rms (default 3; 0: dirty only)")  # fmt: skip
    observe.add_argument("--seed", type=_whole(0), default=0, help="noise seed (default 0)")
    observe.add_argument("--out", type=Path, help="output FITS (default <model>_<array>.fits)")
    observe.add_argument("--spectral-frame", choices=SPECTRAL_FRAMES, default="observed",
                         help="observed: observed frequencies (SPECSYS BARYCENT, default); "
                         "rest: velocities from systemic (SPECSYS SOURCE)")  # fmt: skip
    observe.add_argument("--overwrite", action="store_true", help="replace an existing output")

    plot = sub.add_parser("plot", parents=[common], help="draw figures of a saved cube")
    plot.add_argument("cube", type=Path,
                      help="a .fits cube, or .npy (described by its .json sidecar)")  # fmt: skip
    plot.add_argument("--kind", choices=("moments", "spectrum", "channels", "pv", "overview"),
                      default="moments",
                      help="figure to draw: moments 0 and 1; the spectrum in the emission "
                      "aperture; channel maps; the PV diagram; or all of them as the demo "
                      "draws them (default moments)")  # fmt: skip
    plot.add_argument("--v-min", type=_finite, default=-600.0,
                      help="bare .npy: lower band edge, km/s (default -600)")  # fmt: skip
    plot.add_argument("--v-max", type=_finite, default=600.0,
                      help="bare .npy: upper band edge, km/s (default 600)")  # fmt: skip
    plot.add_argument("--pa", type=_finite,
                      help="PV slit position angle, degrees north through east (default the "
                      "kinematic major axis, measured from moment 1)")  # fmt: skip
    plot.add_argument("--out", type=Path, help="image file (default beside the cube)")

    survey = sub.add_parser(
        "survey",
        parents=[common],
        help="make a mock survey field (TOML spec or preset: sdc2, small)",
    )
    survey.add_argument("spec", help="a field spec TOML file, or a preset name")
    survey.add_argument("out", type=Path, help="the field folder (resumed if it holds a run)")
    survey.add_argument(
        "--workers",
        type=_whole(0),
        default=None,
        help="local Dask workers (default one per core; 0: this process)",
    )
    survey.add_argument("--scheduler", help="address of an existing dask scheduler")
    survey.add_argument("--fits", type=Path, help="also export the field to this FITS file")
    survey.add_argument("--picture", type=Path, help="also draw the field's moment 0 with "
                        "its truth catalogue and a zoom to this image file")  # fmt: skip

    explore = sub.add_parser("explore", parents=[common],
                             help="a page in the browser that makes one cube live "
                             "(needs the explorer extra)")  # fmt: skip
    explore.add_argument("--port", type=_whole(0, 65535), default=0,
                         help="port on 127.0.0.1 (default 0: a free one)")  # fmt: skip
    explore.add_argument("--no-browser", action="store_true", help="do not open a browser")
    explore.add_argument("--store", type=Path, help="a dataset store to open in the browse card")
    return parser


def describe_demo_files() -> str:
    """Return one line per file the demo writes: its name and what it holds."""
    from .commands import DEMO_FILES

    return "\n".join(f"{name:<17} {what}" for name, what in DEMO_FILES.items())


def _listing(title: str, lines: str) -> str:
    """Return a help epilog listing a registry's entries, one indented line each."""
    return f"{title}:\n" + "\n".join(f"  {line}" for line in lines.splitlines())
