"""What the API reference documents: its modules, their public names, each name's home.

Pure Python (no Sphinx), so that ``tools/docstring_report.py`` counts exactly the names the
site shows.  A module's public names are its ``__all__``; a module without one offers the
classes and functions it defines whose names do not start with ``_``.  An object that
several modules export is documented once, at its *home*: the first module in
:data:`API_MODULES` that exports it (so ``GalCubeCraft.Galaxy``, not
``GalCubeCraft.model.Galaxy``); the other modules link to it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from types import GenericAlias, ModuleType

#: The modules of the API reference, in the order that decides each object's home: the
#: top level first, then each stage's package face, then the modules the guides import from.
API_MODULES: tuple[str, ...] = (
    "GalCubeCraft",
    "GalCubeCraft.model",
    "GalCubeCraft.model.flows",
    "GalCubeCraft.model.clumps",
    "GalCubeCraft.model.arms",
    "GalCubeCraft.model.rings",
    "GalCubeCraft.model.diffuse",
    "GalCubeCraft.model.lens",
    "GalCubeCraft.observation",
    "GalCubeCraft.renderer",
    "GalCubeCraft.renderer.settings",
    "GalCubeCraft.products",
    "GalCubeCraft.products.moments",
    "GalCubeCraft.instrument",
    "GalCubeCraft.instrument.noise",
    "GalCubeCraft.factory",
    "GalCubeCraft.interferometry",
    "GalCubeCraft.priors",
    "GalCubeCraft.priors.spec",
    "GalCubeCraft.datasets",
    "GalCubeCraft.datasets.batch",
    "GalCubeCraft.io",
    "GalCubeCraft.io.sidecar",
    "GalCubeCraft.plotting",
    "GalCubeCraft.conventions",
    "GalCubeCraft.cosmology",
    "GalCubeCraft.survey",
    "GalCubeCraft.explorer",
    "GalCubeCraft.compat",
    "GalCubeCraft.compat.utils",
    "GalCubeCraft.compat.visualise",
    "GalCubeCraft.compat.original_h5",
    "GalCubeCraft.compat.observation",
    "GalCubeCraft.cli",
)


def public_names(module: ModuleType) -> list[str]:
    """Return the module's public names: its ``__all__``, else what it defines in public."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    ]


def homes() -> dict[object, str]:
    """Return ``home_key(name, object) -> dotted name`` where each object is documented."""
    found: dict[object, str] = {}
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        for name in public_names(module):
            found.setdefault(home_key(name, getattr(module, name)), f"{module_name}.{name}")
    return found


def home_key(name: str, value: object) -> object:
    """Return the key under which ``value``, exported as ``name``, has one home.

    Classes and functions are the same object wherever they are exported; data (a tuple,
    a string) are told apart by their name too, since equal small values may be one object.
    """
    if inspect.isclass(value) or is_routine(value):
        return id(value)
    return (name, id(value))


def is_routine(value: object) -> bool:
    """Whether ``value`` is documented as a function (a cached function is; a type alias is not)."""
    return callable(value) and not inspect.isclass(value) and not isinstance(value, GenericAlias)


def data_docstring(module_name: str, name: str) -> str | None:
    """Return the docstring written under the assignment that defines ``module.name``.

    Data (a tuple, a mapping) carry their documentation as a string literal right after the
    assignment, which Python does not keep; it is read from the source of the module that
    assigns the name (the exporting module or one it imports the value from).
    """
    value = getattr(importlib.import_module(module_name), name)
    candidates = [module_name] + sorted(
        loaded
        for loaded, module in list(sys.modules.items())
        if loaded.startswith("GalCubeCraft") and getattr(module, name, None) is value
    )
    for candidate in candidates:
        docstring = _assignment_docstring(sys.modules[candidate], name)
        if docstring is not None:
            return docstring
    return None


def _assignment_docstring(module: ModuleType, name: str) -> str | None:
    """Return the documentation of the module-level assignment to ``name``.

    A string literal on the line after the assignment, or a ``#:`` comment at the end of
    its last line (the two forms autodoc reads).
    """
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return None
    body = ast.parse(source).body
    lines = source.splitlines()
    for statement, following in zip(body, [*body[1:], None], strict=True):
        if not any(isinstance(t, ast.Name) and t.id == name for t in _targets(statement)):
            continue
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
            text = following.value.value
            if isinstance(text, str):
                return inspect.cleandoc(text)
        _, marker, comment = lines[(statement.end_lineno or statement.lineno) - 1].partition("#:")
        return comment.strip() if marker else None
    return None


def _targets(statement: ast.stmt) -> list[ast.expr]:
    """Return the names an assignment statement binds (none for other statements)."""
    if isinstance(statement, ast.Assign):
        return statement.targets
    if isinstance(statement, ast.AnnAssign):
        return [statement.target]
    return []


def summary(module_name: str, name: str) -> str:
    """Return the first line of the docstring of ``module.name`` ('' where there is none)."""
    value = getattr(importlib.import_module(module_name), name)
    if inspect.isclass(value) or is_routine(value):
        text = inspect.getdoc(value) or ""
    else:
        text = data_docstring(module_name, name) or ""
    return text.strip().split("\n", 1)[0]
