"""The ``public-api`` directive: one module's public names, each documented at its home.

``.. public-api:: GalCubeCraft.datasets`` shows the module's docstring, a summary table of
its public names (:func:`public_names.public_names`) and, for each name whose home
(:func:`public_names.homes`) is this module, its full entry by autodoc.  A name documented
at another module's page appears in the table only, linked there.  At the end of the
build, a module of :data:`public_names.API_MODULES` that no page shows, or a page showing
a module not in that list, is a warning (an error under ``-W``).
"""

from __future__ import annotations

import importlib
import inspect

from docutils import nodes
from docutils.statemachine import StringList
from public_names import (
    API_MODULES,
    data_docstring,
    home_key,
    homes,
    is_routine,
    public_names,
    summary,
)
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)
_HOMES: dict[object, str] = {}


class PublicApi(SphinxDirective):
    """Document one module of the API reference."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        """Return the module's docstring, its summary table and its entries."""
        module_name = self.arguments[0]
        if module_name not in API_MODULES:
            raise self.error(f"{module_name} is not in public_names.API_MODULES")
        if not _HOMES:
            _HOMES.update(homes())
        _shown_modules(self.env).add(module_name)
        module = importlib.import_module(module_name)
        names = public_names(module)
        lines = [f".. automodule:: {module_name}", "   :no-members:", ""]
        if names:
            lines += [".. list-table::", "   :widths: 30 70", ""]
            for name in names:
                home = _HOMES[home_key(name, getattr(module, name))]
                module_of_home, _, home_name = home.rpartition(".")
                lines += [f"   * - :py:obj:`~{home}`",
                          f"     - {summary(module_of_home, home_name)}"]  # fmt: skip
            lines.append("")
        for name in names:
            value = getattr(module, name)
            if _HOMES[home_key(name, value)] != f"{module_name}.{name}":
                continue
            lines += _entry(module_name, name, value)
        content = StringList(lines, source=f"<public-api {module_name}>")
        node = nodes.container()
        nested_parse_with_titles(self.state, content, node)
        return node.children


def _entry(module_name: str, name: str, value: object) -> list[str]:
    """Return the directive that documents ``value`` as ``module_name.name``."""
    dotted = f"{module_name}.{name}"
    if inspect.isclass(value):
        return [f".. autoclass:: {dotted}", "   :members:", ""]
    if is_routine(value):
        return [f".. autofunction:: {dotted}", ""]
    # Data: their docstring is read from the source line that assigns them (autodoc would
    # show a re-exported tuple's docstring: the tuple type's).
    docstring = data_docstring(module_name, name) or ""
    head = [f".. py:data:: {name}", f"   :module: {module_name}", ""]
    return head + [f"   {line}" for line in docstring.splitlines()] + [""]


def _shown_modules(env: BuildEnvironment) -> set[str]:
    """Return the set of modules shown so far in this build (kept across documents)."""
    if not hasattr(env, "public_api_modules"):
        env.public_api_modules = set()  # type: ignore[attr-defined]
    return env.public_api_modules  # type: ignore[attr-defined, no-any-return]


def _check_every_module_shown(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn for each module of the list that no page of the reference shows."""
    for module_name in sorted(set(API_MODULES) - _shown_modules(env)):
        logger.warning("public_names.API_MODULES has %s, but no page shows it", module_name)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: object) -> None:
    """Merge the shown modules of a parallel reader into the main environment."""
    _shown_modules(env).update(_shown_modules(other))  # type: ignore[arg-type]


def setup(app: Sphinx) -> dict[str, object]:
    """Register the directive and the end-of-read check."""
    app.add_directive("public-api", PublicApi)
    app.connect("env-check-consistency", _check_every_module_shown)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
