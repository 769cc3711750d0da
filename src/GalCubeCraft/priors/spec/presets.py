"""Named specs shipped with the package: the registry is the folder of TOML files.

Each preset is one spec file, ``GalCubeCraft/priors/presets/<name>.toml``, in the tables
any spec file uses, opening with a comment header: its first line says what it is (the
listing shows it), the next ones cite its source and say which values were chosen where
the source is silent.  **Adding a preset is adding its file**: :func:`preset_names`,
:func:`describe_presets` (the CLI's help), ``DatasetSpec.from_preset`` and the contract
test over every preset all read the folder.  Keys a preset leaves out take the spec's
defaults.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from importlib.resources.abc import Traversable


@functools.cache
def _preset_files() -> dict[str, Traversable]:
    """Return every shipped preset file by name, sorted."""
    folder = resources.files("GalCubeCraft.priors") / "presets"
    files = {f.name[: -len(".toml")]: f for f in folder.iterdir() if f.name.endswith(".toml")}
    return dict(sorted(files.items()))


def preset_names() -> tuple[str, ...]:
    """Return the names of the presets shipped with the package."""
    return tuple(_preset_files())


@functools.cache
def preset_text(name: str) -> str:
    """Return preset ``name``'s TOML text; an unknown name is a ``ValueError`` listing them."""
    files = _preset_files()
    if not isinstance(name, str) or name not in files:
        raise ValueError(f"preset must be one of {', '.join(files)}; got {name!r}")
    return files[name].read_text(encoding="utf-8")


def preset_summary(name: str) -> str:
    """Return the first line of preset ``name``'s comment header (what it is)."""
    first = preset_text(name).splitlines()[0] if preset_text(name) else ""
    return first.lstrip("#").strip()


def describe_presets() -> str:
    """Return one line per preset, ``name: summary`` (for help texts)."""
    names = preset_names()
    width = max((len(name) for name in names), default=0)
    return "\n".join(f"{name:<{width}}  {preset_summary(name)}" for name in names)
