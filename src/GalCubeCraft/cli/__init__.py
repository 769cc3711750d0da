"""The ``galcubecraft`` command line: eight verbs, from ``demo`` to ``explore``.

- ``generate`` makes cubes with the original's priors through the seed facade (``.npy``
  as the original, or FITS with a full header; :mod:`.generate`);
- ``dataset`` makes an ML dataset from a :class:`~GalCubeCraft.priors.spec.DatasetSpec`
  into a Zarr, HDF5, npy or FITS store, in parallel and resumably; its spec options are
  generated from the spec's declarations (:mod:`.spec_flags`);
- ``verify`` checks every item of a store once against its checksums (reads do not);
- ``observe`` puts a model cube through an interferometer; ``plot`` draws a saved cube;
  ``demo`` writes one cube and a picture of it; ``survey`` makes a mock survey field
  (:mod:`GalCubeCraft.survey`); ``explore`` serves the live page on 127.0.0.1
  (:mod:`.commands`, :mod:`GalCubeCraft.explorer`).

The parser is :func:`build_parser` (:mod:`.parser`); :func:`main` runs it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .._support.extras import MissingExtraError
from .._support.signals import EXIT_TERMINATED, Terminated, sigterm_raises
from .._support.threads import limited_threads
from .commands import (
    run_dataset,
    run_demo,
    run_explore,
    run_observe,
    run_plot,
    run_survey,
    run_verify,
)
from .generate import run_generate
from .parser import build_parser

log = logging.getLogger("GalCubeCraft")

__all__ = ["build_parser", "main"]


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
    handlers = {"demo": run_demo, "generate": run_generate, "dataset": run_dataset,
                "verify": run_verify, "plot": run_plot, "observe": run_observe,
                "survey": run_survey, "explore": run_explore}  # fmt: skip
    try:
        with sigterm_raises(), limited_threads(args.threads):
            return handlers[args.command](args)
    except MissingExtraError as error:  # an install away, not a bug: no traceback
        parser.exit(2, f"galcubecraft {args.command}: error: {error}\n")
    except (ValueError, TypeError, OSError, KeyError) as error:
        parser.exit(2, f"galcubecraft {args.command}: error: {error}\n")
    except MemoryError:
        parser.exit(2, f"galcubecraft {args.command}: error: out of memory; make smaller cubes "
                       "(--grid-size, --channels) or use fewer workers\n")  # fmt: skip
    except KeyboardInterrupt as stop:
        # Files are written atomically: what is on disk is complete.
        terminated = isinstance(stop, Terminated)
        sys.stderr.write(f"\ngalcubecraft {args.command}: "
                         f"{'terminated' if terminated else 'interrupted'}\n")  # fmt: skip
        return EXIT_TERMINATED if terminated else 130
