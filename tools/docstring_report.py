"""Count the public names of the API reference that have no docstring (the target is 0).

    python tools/docstring_report.py

The names are exactly those the docs site documents (``docs/_ext/public_names.py``: each
module of ``API_MODULES``, its ``__all__`` or, without one, the classes and functions it
defines), plus the public methods and properties those classes define.  A class or function
needs its own docstring (one inherited from a base class does not count); data need the
string literal under their assignment, which the site shows.  Prints one line per name
missing one, then the totals; exits 1 if any is missing.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "docs" / "_ext"), str(ROOT / "src")]

from public_names import (  # noqa: E402
    API_MODULES,
    data_docstring,
    home_key,
    homes,
    is_routine,
    public_names,
)


def missing_docstrings() -> tuple[int, list[str]]:
    """Return (how many names were checked, the dotted names without a docstring)."""
    checked: set[str] = set()
    missing: list[str] = []
    places = homes()
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        checked.add(module_name)
        if not (module.__doc__ or "").strip():
            missing.append(module_name)
        for name in public_names(module):
            value = getattr(module, name)
            dotted = places[home_key(name, value)]
            if dotted in checked:
                continue  # documented once, at its home
            checked.add(dotted)
            if inspect.isclass(value) or is_routine(value):
                documented = bool((getattr(value, "__doc__", None) or "").strip())
            else:
                documented = bool(data_docstring(module_name, name))
            if not documented:
                missing.append(dotted)
            if inspect.isclass(value):
                for member in _public_members(value):
                    checked.add(f"{dotted}.{member}")
                    if not _member_documented(value, member):
                        missing.append(f"{dotted}.{member}")
    return len(checked), missing


def _public_members(cls: type) -> list[str]:
    """Return the public methods and properties that ``cls`` itself defines."""
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod)))
    ]


def _member_documented(cls: type, name: str) -> bool:
    """Whether the member has its own docstring, or overrides a documented one of a base."""
    value = vars(cls)[name]
    function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
    if (getattr(function, "__doc__", None) or "").strip():
        return True
    return any(
        (getattr(vars(base).get(name), "__doc__", None) or "").strip() for base in cls.__mro__[1:]
    )


def main() -> int:
    """Print the report; return 1 if a public name has no docstring."""
    total, missing = missing_docstrings()
    for dotted in missing:
        print(f"no docstring: {dotted}")
    print(f"{len(API_MODULES)} modules, {total} public names and members checked, "
          f"{len(missing)} without a docstring")  # fmt: skip
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
