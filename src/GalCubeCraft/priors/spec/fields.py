"""A spec field's declaration beside the field, and the one checker that reads it.

Each field of a spec record is declared with :func:`declare`, which carries a
:class:`Declared` in the field's ``metadata``: what kind of value it takes, its bounds or
choices, its unit and a line of help (astropy's ``Parameter(bounds=...)`` is the model).
:func:`check_record` then checks and normalises every field of a record in one place, and
the command line builds its flags from the same declarations (:func:`declarations`).  A
new spec parameter is one ``declare(...)`` line.

Errors are :class:`SpecValueError` / :class:`SpecTypeError`: they carry the key path as
the spec file spells it (``observation.n_chan``) apart from the rule it broke, so a caller
that knows the key by another name (a command-line option) can say it in its own words.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..._support import validate as _validate

KINDS = ("int", "real", "range", "int_range", "choice", "bool", "names", "reals", "custom")
"""What a declared field holds: a number, a ``[low, high]`` prior (a number fixes it),
whole-number bounds, one of some names, a flag, a list of names or numbers, or a value
that a converter of its own builds (a beam, a table)."""


class SpecError(Exception):
    """What a spec error knows: the key path, an element suffix and the rule broken.

    ``str(error)`` reads ``<where><key><element> <rule>``, e.g. ``observation.n_chan must
    lie in [1, inf]; got 0``; ``where`` names the file the key was read from, if any.
    """

    def __init__(self, key: str, rule: str, element: str = "", where: str = "") -> None:
        self.key, self.rule, self.element, self.where = key, rule, element, where
        super().__init__(where + self.naming(key))

    def naming(self, name: str) -> str:
        """Return the message with the key called ``name`` (e.g. a command-line option)."""
        return f"{name}{self.element} {self.rule}"

    def in_file(self, where: str) -> SpecError:
        """Return the same error, said of the file ``where`` (e.g. ``'spec.toml: '``)."""
        return type(self)(self.key, self.rule, self.element, where)


class SpecValueError(SpecError, ValueError):
    """A value outside its declared bounds or choices, or a key out of place."""


class SpecTypeError(SpecError, TypeError):
    """A value of the wrong type (``key`` names it)."""


@dataclass(frozen=True)
class Declared:
    """How one spec field is checked and described.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    low, high : float, optional
        Inclusive bounds of a number or of both ends of a range (``low_open``: exclusive).
    choices : tuple of str, optional
        The names a 'choice' field, or each name of a 'names' field, may take.
    optional : bool
        ``None`` (``"none"`` in TOML and on the command line) is allowed.
    unit : str
        Unit shown in help text ('' when dimensionless).
    help : str
        One line saying what the field is.
    convert : callable, optional
        ``convert(key, value) -> value`` for a 'custom' field.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    optional: bool = False
    unit: str = ""
    help: str = ""
    convert: Callable[[str, Any], Any] | None = None

    @property
    def allowed(self) -> str:
        """Return the allowed values in words, e.g. ``[0, 90]`` or ``one of a, b``."""
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        if self.low is None and self.high is None:
            return ""
        left = "(" if self.low_open else "["
        # Whole numbers as the integer check writes them (1000000000000, not 1e+12).
        spell = str if self.kind == "int" else (lambda x: f"{x:.10g}")
        low = "-inf" if self.low is None else spell(self.low)
        high = "inf" if self.high is None else spell(self.high)
        return f"{left}{low}, {high}]"

    def _real(self, key: str, value: Any) -> float:
        return _validate.real(key, value, low=self.low, high=self.high, low_open=self.low_open)

    def check(self, key: str, value: Any) -> Any:
        """Return ``value`` checked and normalised, or raise naming ``key``."""
        if value is None and self.optional:
            return None
        try:
            return self._check(key, value)
        except SpecError:
            raise
        except ValueError as error:
            raise _as_spec_error(SpecValueError, key, str(error)) from None
        except TypeError as error:
            raise _as_spec_error(SpecTypeError, key, str(error)) from None

    def _check(self, key: str, value: Any) -> Any:
        if self.kind == "int":
            return _whole(key, value, self.low, self.high, integral_floats=False)
        if self.kind == "real":
            return self._real(key, value)
        if self.kind in ("range", "int_range"):
            pair = enumerate(_as_range(key, value))
            if self.kind == "int_range":
                return tuple(_whole(f"{key}[{k}]", v, self.low, self.high) for k, v in pair)
            return tuple(self._real(f"{key}[{k}]", v) for k, v in pair)
        if self.kind == "choice":
            assert self.choices is not None
            return _validate.choice(key, value, self.choices)
        if self.kind == "bool":
            return _validate.boolean(key, value)
        if self.kind in ("names", "reals"):
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                raise TypeError(f"{key} must be a list; got {value!r}")
            if self.kind == "reals" and not value:
                raise ValueError(f"{key} must hold at least one number; got {value!r}")
            items = enumerate(value)
            if self.kind == "reals":
                return tuple(self._real(f"{key}[{k}]", v) for k, v in items)
            if self.choices is not None:
                return tuple(_validate.choice(f"{key}[{k}]", v, self.choices) for k, v in items)
            return tuple(_validate.instance(f"{key}[{k}]", v, str) for k, v in items)
        assert self.kind == "custom" and self.convert is not None
        return self.convert(key, value)


def declare(default: Any, kind: str, *, help: str, unit: str = "", **rules: Any) -> Any:
    """Return a dataclass field whose metadata declares how it is checked and described.

    ``bounds=(low, high)`` is short for ``low=..., high=...``; the other keywords are
    :class:`Declared`'s.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    if "bounds" in rules:
        rules["low"], rules["high"] = rules.pop("bounds")
    return dataclasses.field(
        default=default, metadata={"declared": Declared(kind, unit=unit, help=help, **rules)}
    )


def declarations(record: Any) -> Iterator[tuple[str, Declared, Any]]:
    """Yield ``(name, declaration, default)`` for every declared field of a record (class)."""
    for f in dataclasses.fields(record):
        if "declared" in f.metadata:
            yield f.name, f.metadata["declared"], f.default


def check_record(record: Any, table: str) -> None:
    """Check and normalise every declared field of a frozen ``record`` (in its table)."""
    prefix = f"{table}." if table else ""
    for name, declared, _default in declarations(type(record)):
        value = declared.check(prefix + name, getattr(record, name))
        object.__setattr__(record, name, value)


def _as_spec_error(kind: type[SpecError], key: str, message: str) -> SpecError:
    """Split a ``_validate`` message, which starts with the name it was given, into parts."""
    if not message.startswith(key):  # a record's own words (a beam, a diffuse table)
        return kind(key, message, ":")
    element, _, rule = message[len(key) :].partition(" ")
    return kind(key, rule, element)


def _whole(
    name: str, value: Any, low: float | None, high: float | None, integral_floats: bool = True
) -> int:
    """Return a whole number; ``integral_floats``: ``2.0`` counts (TOML ranges mix them)."""
    if integral_floats and isinstance(value, float) and value.is_integer():
        value = int(value)
    lo, hi = (None if b is None else int(b) for b in (low, high))
    return _validate.integer(name, value, low=lo, high=hi)


def _as_range(name: str, value: Any) -> tuple[Any, Any]:
    """Return ``value`` as ``(low, high)``: a number is a fixed value; low must not exceed high."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        for k, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(f"{name}[{k}] must be a number; got {v!r}")
        low, high = value
        if low > high:
            raise ValueError(f"{name} range must have min <= max; got [{low!r}, {high!r}]")
        return (low, high)
    raise TypeError(f"{name} must be a number or a [min, max] pair; got {value!r}")


class Checked:
    """A sub-record (one TOML table): its declared fields are checked when it is made.

    ``ONE_OF`` names keys of which the table sets at most one, as one setting: a mapping
    that names one of them, merged into a record (:meth:`merged`), sets the others to
    None (``[noise]``'s levels).
    """

    TABLE: ClassVar[str] = ""
    ONE_OF: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        """Check every declared field (errors name ``<table>.<key>``)."""
        check_record(self, self.TABLE)

    def merged(self, changes: Mapping[str, Any]) -> Any:
        """Return a copy with ``changes``; naming one key of ``ONE_OF`` clears the others."""
        if any(key in changes for key in self.ONE_OF):
            changes = {**dict.fromkeys(self.ONE_OF), **changes}
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]
