"""The ``generate`` verb: cubes with the original's priors through the seed facade.

Options may come from a TOML ``--config`` file (keys named as the options); an error
about a facade argument or a spec key is said of the option that set it.
"""

from __future__ import annotations

import argparse
import logging
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from ..priors.spec import SpecError

log = logging.getLogger("GalCubeCraft")

GENERATE_KEYS = ("n_cubes", "n_gals", "resolution", "grid_size", "channels", "beam_info",
                 "peak_snr", "seed", "out", "format", "accuracy")  # fmt: skip
"""Keys a ``generate --config`` TOML file may set (the options' names)."""


def _load_config(path: Path) -> dict[str, Any]:
    """Return a ``--config`` file's options; refuse a key that is not one."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            config = tomllib.load(handle)
    except OSError as error:
        raise ValueError(
            f"--config {path} must be a readable TOML file; {error.strerror or error}"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"--config {path}: must be a UTF-8 TOML file; {error}") from None
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


FACADE_OPTIONS = {
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


def _as_typed(
    error: Exception, args: argparse.Namespace, config: dict[str, Any], config_path: Path | None
) -> str:
    """Return an error's message with the argument or spec key it names as the user wrote it.

    A spec error carries its key; a facade argument error starts with the argument's name
    (the project's validation wording, ``<name> must ...``); the rule may name others it
    couples.  A value typed on the command line is named by its option (``--grid-size``);
    one read from ``--config`` by the file and its key (``gen.toml: grid_size``).
    """

    def typed(option: str) -> str:
        key = option[2:].replace("-", "_")
        if getattr(args, key, None) is None and key in config:
            return f"{config_path}: {key}"
        return option

    def in_rule(rule: str) -> str:  # one pass: a replacement is never replaced again
        names = "|".join(sorted(FACADE_OPTIONS, key=len, reverse=True))
        return re.sub(rf"(?<![\w.-])({names})(?!\w)", lambda m: typed(FACADE_OPTIONS[m[1]]), rule)

    # The facade re-raises the spec's errors under its own argument names (n_cubes, seed
    # and the keys it translates), so one table names them all.
    if isinstance(error, SpecError) and error.key in FACADE_OPTIONS:
        return f"{typed(FACADE_OPTIONS[error.key])}{error.element} {in_rule(error.rule)}"
    message = str(error)
    name, space, rest = message.partition(" ")
    argument, bracket, element = name.partition("[")
    if argument in FACADE_OPTIONS:
        return f"{typed(FACADE_OPTIONS[argument])}{bracket}{element}{space}{in_rule(rest)}"
    return in_rule(message)


def _beam_info(value: Any) -> Any:
    """Return ``beam_info`` as the facade takes it: a list as a tuple, anything else as is."""
    return tuple(value) if isinstance(value, list) else value


def run_generate(args: argparse.Namespace) -> int:
    """Run ``galcubecraft generate``: make the cubes missing from the output folder."""
    config = _load_config(args.config) if args.config else {}
    if args.overwrite and args.resume:
        raise ValueError("--overwrite and --resume exclude each other: replace or add to?")
    g = _seed_facade(args, config, seed=_pick(args, config, "seed", None))
    folder = g.folder  # the one resumable cube-folder writer (io/cube_folder.py)
    existing = folder.existing()
    if existing and not (args.overwrite or args.resume):
        # Mixing two runs in one folder leaves cubes of different seeds side by side.
        raise ValueError(
            f"{folder.folder} already holds {len(existing)} cube(s); pass --resume to add the "
            "missing ones, --overwrite to replace them, or choose --out"
        )
    done: set[int] = set()
    if args.resume and existing:
        if _pick(args, config, "seed", None) is None:
            try:
                seed = folder.recorded_seed()
            except ValueError as error:
                raise ValueError(f"{error}: pass --seed") from None
            g = _seed_facade(args, config, seed=seed)
        try:
            done = g.folder.done(g.run_id, g.n_cubes)
        except ValueError as error:
            raise ValueError(f"{error}; pass --overwrite to replace the folder's cubes, or "
                             "choose --out (and --format)") from None  # fmt: skip
    elif args.overwrite and existing:
        log.info("removed %d file(s) from %s", folder.clear(), folder.folder)
    todo = [i for i in range(g.n_cubes) if i not in done]
    log.info("seed %d: %d cube(s) to make, %d already in %s", g.seed, len(todo), len(done),
             folder.folder)  # fmt: skip
    return _write_cubes(g, todo, args)


def _seed_facade(args: argparse.Namespace, config: dict[str, Any], seed: int | None) -> Any:
    """Return the facade the options describe (errors name the options as typed)."""
    from ..compat.facade import GalCubeCraft
    from ..compat.translate import spec_memory
    from ..renderer.settings import RenderSettings

    def pick(name: str, default: Any) -> Any:
        return _pick(args, config, name, default)

    try:
        settings = RenderSettings.for_accuracy(pick("accuracy", "default"))
        g = GalCubeCraft(
            n_gals=pick("n_gals", None),
            n_cubes=pick("n_cubes", 1),
            resolution=pick("resolution", "all"),
            beam_info=_beam_info(pick("beam_info", (4.0, 4.0, 0.0))),
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
        spec_memory(g.spec, settings)  # before anything is announced or written
        return g
    except (ValueError, TypeError) as error:
        kind = TypeError if isinstance(error, TypeError) else ValueError
        raise kind(_as_typed(error, args, config, args.config)) from None


def _write_cubes(g: Any, todo: list[int], args: argparse.Namespace) -> int:
    """Write cubes ``todo`` one by one (nothing kept in memory), with a progress bar."""
    import time

    from .._support.progress import progress_bar

    bar = progress_bar(len(todo), False if args.quiet else args.progress)
    start = time.perf_counter()
    written = 0
    try:
        for index in todo:
            g.write_cube(index)
            written += 1
            bar.update(1)
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (Terminated): the same clean stop
        from .._support.signals import EXIT_TERMINATED, Terminated

        bar.close()
        command = list(args.argv) + ([] if args.resume else ["--resume"])
        if "--seed" not in command:
            command += ["--seed", str(g.seed)]
        done = g.n_cubes - len(todo) + written
        terminated = isinstance(stop, Terminated)
        sys.stderr.write(
            f"\ngalcubecraft generate: {'terminated' if terminated else 'interrupted'}; {done} "
            f"of {g.n_cubes} cubes are in {g.output_folder()}; resume with: galcubecraft "
            f"{shlex.join(command)}\n"
        )
        return EXIT_TERMINATED if terminated else 130
    bar.close()
    seconds = time.perf_counter() - start
    rate = f", {written / seconds:.2f} cubes/s" if written and seconds > 0 else ""
    log.info("seed %d: wrote %d cube(s) to %s in %.1f s%s", g.seed, written, g.output_folder(),
             seconds, rate)  # fmt: skip
    return 0
