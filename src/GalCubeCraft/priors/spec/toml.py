"""A spec as TOML: top-level ``n_cubes`` and ``seed``, then one table per sub-record.

::

    n_cubes = 1000
    seed = 7

    [galaxies]
    n_gals = [1, 3]
    n_sersic = 1.0            # fixed

    [observation]
    grid_size = 64
    beam = [5.0, 4.0, 30.0]   # bmaj, bmin (pixels), bpa (degrees north through east)

    [noise]
    peak_snr = [5.0, 50.0]    # or rms_jy_beam, or integrated_snr; "none": noiseless
    distribution = "log-uniform"

A key out of its table is refused with the table it belongs to (:mod:`.legacy`); unknown
keys are refused by their path.
"""

from __future__ import annotations

from typing import Any

from ...model.diffuse import DiffuseParams
from ...observation.beam import Beam
from .fields import SpecTypeError, SpecValueError, declarations
from .legacy import ADDED_KEYS, FLAT_ORDER, MOVED, TOP_LEVEL, moved_rule
from .records import TABLES, TOP_LEVEL_KEYS


def check_layout(values: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Return a spec mapping's tables with ``"none"`` read as None; refuse misplaced keys.

    ``where`` prefixes every message (``'spec.toml: '``).
    """
    moved = [key for key in values if key in MOVED and key not in TOP_LEVEL]
    if moved:
        # A 2.0 file has many flat keys: name every one's new place at once, not one a run.
        first, rule = moved[0], moved_rule(moved[0])
        if len(moved) > 1:
            rule += "; and " + "; ".join(f"{key} {moved_rule(key)}" for key in moved[1:])
        raise SpecValueError(first, rule, "", where)
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key in TABLES:
            cleaned[key] = _check_table(key, value, where)
        elif key in TOP_LEVEL_KEYS:
            cleaned[key] = value
        else:
            known = ", ".join((*TOP_LEVEL_KEYS, *(f"[{t}]" for t in TABLES)))
            raise SpecValueError(key, f"is not a spec key; the spec holds {known}", "", where)
    return cleaned


def _check_table(table: str, value: Any, where: str) -> dict[str, Any]:
    """Return one table's mapping with ``"none"`` read as None; refuse unknown keys."""
    if not isinstance(value, dict):
        raise SpecTypeError(table, f"must be a table; got {value!r}", "", where)
    declared = {name: d for name, d, _default in declarations(TABLES[table])}
    cleaned = {}
    for key, item in value.items():
        if key not in declared:
            raise SpecValueError(
                f"{table}.{key}",
                f"is not a key of [{table}]; it holds {', '.join(declared)}",
                "",
                where,
            )
        none = isinstance(item, str) and item.lower() == "none" and declared[key].optional
        cleaned[key] = None if none else item
    return cleaned


def spec_toml(spec: Any) -> str:
    """Return a spec as TOML text: top-level keys, then each table."""
    lines = [f"{key} = {toml_value(getattr(spec, key))}" for key in TOP_LEVEL_KEYS]
    for table, record in TABLES.items():
        lines += ["", f"[{table}]"]
        sub = getattr(spec, table)
        lines += [f"{k} = {toml_value(getattr(sub, k))}" for k, _d, _v in declarations(record)]
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """Return one value as TOML (``None`` as ``"none"``, a beam as its three numbers)."""
    if isinstance(value, DiffuseParams):
        items = ", ".join(f"{k} = {toml_value(v)}" for k, v in value.to_dict().items())
        return "{ " + items + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Beam):
        return toml_value((value.bmaj_px, value.bmin_px, value.bpa_deg))
    if value is None:
        return '"none"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def flat_values(spec: Any) -> dict[str, Any]:
    """Return ``{flat key: value}`` of a spec, in 2.0's order."""
    values: dict[str, Any] = {}
    for key in FLAT_ORDER:
        if key in TOP_LEVEL:
            values[key] = getattr(spec, key)
        else:
            table, new = MOVED[key]
            values[key] = getattr(getattr(spec, table), new)
    return values


def flat_toml(spec: Any) -> str:
    """Return a spec as 2.0's flat TOML text (its keys, order and layout).

    Values are the checked ones, so an integer range comes back as floats
    (``[5.0, 10.0]`` for 2.0's ``[5, 10]``); the facade, which hashes this text for its
    run id, always passes floats, so its run ids match 2.0's.

    Keys added since 2.0 follow as dotted keys (``features.x = ...``), so two specs that
    differ only there still differ; a key of :data:`~.legacy.ADDED_KEYS` that holds the
    value it stands for in older specs is left out, so a run made before it existed keeps
    its identity.
    """
    lines = [f"{k} = {toml_value(v)}" for k, v in flat_values(spec).items()]
    known = {MOVED[k] for k in FLAT_ORDER if k not in TOP_LEVEL}
    for key in TOP_LEVEL_KEYS:
        if key not in TOP_LEVEL and not _as_before(key, getattr(spec, key)):
            lines.append(f"{key} = {toml_value(getattr(spec, key))}")
    for table, record in TABLES.items():
        for key, _declared, _default in declarations(record):
            value = getattr(getattr(spec, table), key)
            if (table, key) not in known and not _as_before(f"{table}.{key}", value):
                lines.append(f"{table}.{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def _as_before(path: str, value: Any) -> bool:
    """Return whether an added key holds the value it stands for in older specs."""
    return path in ADDED_KEYS and value == ADDED_KEYS[path]
