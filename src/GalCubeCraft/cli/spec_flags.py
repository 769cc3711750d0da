"""The ``dataset`` command's spec flags, generated from the spec's field declarations.

Every declared key of :class:`~GalCubeCraft.priors.spec.DatasetSpec` becomes one option:
``n_cubes`` is ``--n-cubes``, ``observation.n_chan`` is ``--observation.n-chan``; its
type, arity, choices and help (with unit, allowed range and default) come from the
declaration.  An error the spec raises about a key given as an option is said of the
option; one about a key of the spec file is said of the config key.  ``--preset NAME``
starts from a spec shipped with the package; a spec file given with it changes only the
keys the file holds, and the options change the result.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..priors.spec import TABLES, DatasetSpec, Declared, SpecError, declarations, preset_names

DEST = "spec:"
"""Prefix of the parsed values' names (``spec:observation.n_chan``)."""

FLAG_NUMBERS = {"observation.beam": ("BMAJ", "BMIN", "BPA")}
"""Keys of a 'custom' kind given as a fixed count of numbers; other such keys (a table, as
``features.diffuse``) are written in the spec file only."""


def option_name(key: str) -> str:
    """Return the option that sets ``key``: ``observation.n_chan`` is ``--observation.n-chan``."""
    return "--" + key.replace("_", "-")


def spec_keys() -> list[tuple[str, Declared, Any]]:
    """Return ``(key path, declaration, default)`` of every declared spec key, in order."""
    keys = [(name, d, default) for name, d, default in declarations(DatasetSpec)]
    for table, record in TABLES.items():
        keys += [(f"{table}.{name}", d, v) for name, d, v in declarations(record)]
    return keys


def add_spec_flags(parser: argparse.ArgumentParser) -> None:
    """Add one option per spec key, grouped by TOML table."""
    groups = {"": parser.add_argument_group("spec", "override the spec's top-level keys")}
    for table, record in TABLES.items():
        summary = (record.__doc__ or "").strip().splitlines()[0].partition("``: ")[2]
        groups[table] = parser.add_argument_group(f"[{table}]", summary)
    for key, declared, default in spec_keys():
        arguments = _arguments(key, declared)
        if arguments is None:
            continue
        table = key.rpartition(".")[0]
        groups[table].add_argument(
            option_name(key),
            dest=DEST + key,
            default=None,
            help=_help(declared, default),
            **arguments,
        )


def spec_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Return ``{key path: value}`` of the spec keys given on the command line."""
    found = {}
    for key, declared, _default in spec_keys():
        value = getattr(args, DEST + key, None)
        if value is not None:
            found[key] = _as_spec_value(declared, value)
    return found


def preset_name(text: str) -> str:
    """Parse ``--preset``: one of the shipped presets (the error lists them)."""
    names = preset_names()
    if text not in names:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(names)}; got {text!r}")
    return text


def spec_from_args(args: argparse.Namespace) -> DatasetSpec:
    """Return the spec of the preset, the spec file and the options, each over the last.

    No preset: the spec file's spec (or the defaults).  A preset and a file: the preset
    with the file's keys changed.  Errors name what the user wrote: the option for a key
    given as one, the file and key path for the file's, the preset for the preset's.
    """
    overrides = spec_overrides(args)
    preset = getattr(args, "preset", None)
    if preset is None:
        spec = DatasetSpec.from_toml(args.spec) if args.spec is not None else DatasetSpec()
    else:
        spec = DatasetSpec.from_preset(preset)
        if args.spec is not None:
            spec = spec.with_toml(args.spec)
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        table, _, name = key.rpartition(".")
        if table:
            changes.setdefault(table, {})[name] = value
        else:
            changes[name] = value
    try:
        return spec.replace(**changes) if changes else spec
    except SpecError as error:
        if error.key in overrides:
            raise type(error)(option_name(error.key), error.rule, error.element) from None
        where = f"{args.spec}: " if args.spec is not None else ""
        raise error.in_file(where or (f"preset {preset}: " if preset else "")) from None


def _arguments(key: str, declared: Declared) -> dict[str, Any] | None:
    """Return ``add_argument``'s type, arity and choices for a declared key (None: no flag)."""
    none = declared.optional
    if declared.kind == "int":
        return {"type": _number(int, none), "metavar": "N"}
    if declared.kind == "real":
        return {"type": _number(float, none), "metavar": "X"}
    if declared.kind in ("range", "int_range", "reals"):
        kind = int if declared.kind == "int_range" else float
        return {"type": _number(kind, none), "nargs": "+", "metavar": "V"}
    if declared.kind == "choice":
        return {"choices": declared.choices}
    if declared.kind == "bool":
        return {"action": argparse.BooleanOptionalAction}
    if declared.kind == "names":
        return {"nargs": "*", "choices": declared.choices, "metavar": "NAME"}
    if key in FLAG_NUMBERS:
        names = FLAG_NUMBERS[key]
        return {"type": _number(float, False), "nargs": len(names), "metavar": names}
    return None


def _help(declared: Declared, default: Any) -> str:
    """Return an option's help: what it is, its unit and range, its default."""
    from ..priors.spec.toml import toml_value

    parts = [declared.unit] if declared.unit else []
    if declared.kind in ("range", "int_range"):
        parts.append("one value or LOW HIGH")
    if declared.allowed and declared.choices is None:
        parts.append(f"in {declared.allowed}")
    if declared.kind == "names" and declared.choices:
        parts.append("from: " + " ".join(declared.choices))
    if declared.optional:
        parts.append("or none")
    parts.append(f"default {toml_value(default)}".replace('"', ""))
    # argparse formats help with %: a literal percent must be doubled.
    return f"{declared.help} ({'; '.join(parts)})".replace("%", "%%")


def _number(kind: type, none: bool) -> Any:
    """Return an argparse type: a number of ``kind``, or None for 'none' where allowed."""

    def parse(text: str) -> Any:
        if none and text.lower() == "none":
            return None
        try:
            return kind(text)
        except ValueError:
            what = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"must be a {what}; got {text!r}") from None

    parse.__name__ = kind.__name__
    return parse


def _as_spec_value(declared: Declared, value: Any) -> Any:
    """Return a parsed option as the spec takes it: a range's one value alone, 'none' None."""
    if not isinstance(value, list):
        return value
    if declared.optional and None in value:
        return None if value == [None] else tuple(value)  # the spec refuses the mixture
    if declared.kind in ("range", "int_range") and len(value) == 1:
        return value[0]
    return tuple(value)
