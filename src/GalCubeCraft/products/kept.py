"""Which of a cube's products the factory keeps: ``make_cubes(..., keep=...)``.

A 256 x 512^2 cube is 256 MiB in float32, and the factory returns three of them (the
model, the clean cube, the noisy cube).  A caller that needs only some asks for those
(:func:`check_keep` reads the request), and the factory then never holds the others at
once: the instrument works in the render's memory when the model is not kept, the noise
is added in the clean cube's memory when the clean cube is not kept, and no noise is
drawn when the noisy cube is not kept.  A product not kept is an attribute that raises
:class:`ProductNotKeptError` (an ``AttributeError``, so ``hasattr`` answers False) naming
``keep``, through the :class:`KeptProduct` descriptor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Generic, TypeVar, cast

PRODUCTS = ("model", "clean", "noisy")
"""The cubes :func:`~GalCubeCraft.factory.make_cubes` can keep, all by default."""

T = TypeVar("T")
_REQUIRED: Any = object()


class ProductNotKeptError(AttributeError):
    """A product read from cube products that were made without it (``keep``)."""


def check_keep(keep: str | Iterable[str]) -> tuple[str, ...]:
    """Return the products named in ``keep`` (one name, or several), in :data:`PRODUCTS` order.

    Raises TypeError or ValueError naming ``keep``, the allowed names and what was given,
    for anything but a non-empty collection of those names (repeats are allowed).
    """
    names = (keep,) if isinstance(keep, str) else keep
    try:
        given = tuple(names)
    except TypeError:
        raise TypeError(
            f"keep must be a collection of the names {PRODUCTS}; got {type(keep).__name__}"
        ) from None
    unknown = [name for name in given if name not in PRODUCTS]
    if unknown or not given:
        raise ValueError(
            f"keep must name one or more of {PRODUCTS}; got {keep!r}"
            + (f" ({unknown[0]!r} is not one of them)" if unknown else "")
        )
    return tuple(name for name in PRODUCTS if name in given)


class KeptProduct(Generic[T]):
    """A dataclass field that holds a product, or raises when it was not kept.

    The instance's ``kept`` field lists the products kept; a field of a product not
    among them raises :class:`ProductNotKeptError` when read.  ``default``: the field's
    default (none: the field must be given).
    """

    def __init__(self, product: str, default: T = _REQUIRED) -> None:
        self.product = product
        self.default = default
        self.name = product

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object | None, owner: type | None = None) -> T:
        if instance is None:  # the dataclass asks for the default: AttributeError is "none"
            if self.default is _REQUIRED:
                raise AttributeError(f"{self.name} has no default")
            return cast(T, self.default)
        state = instance.__dict__
        kept = state.get("kept", PRODUCTS)
        if self.product not in kept:
            of = "" if self.name == self.product else f" (part of {self.product!r})"
            raise ProductNotKeptError(
                f"{type(instance).__name__}.{self.name}{of} was not kept: the cubes were made "
                f"with keep={kept!r}; add {self.product!r} to keep to have it"
            )
        return cast(T, state[self.name])

    def __set__(self, instance: object, value: T | None) -> None:
        # None stands for a product not kept (the factory passes it for those).
        instance.__dict__[self.name] = value


class KeptRepr:
    """A dataclass's ``__repr__`` that shows a field not kept as ``<not kept>``."""

    def __repr__(self) -> str:
        """Return ``Class(field=value, ...)``, as a dataclass's own repr."""
        shown = []
        for field in dataclasses.fields(cast(Any, self)):
            try:
                value = repr(getattr(self, field.name))
            except ProductNotKeptError:
                value = "<not kept>"
            shown.append(f"{field.name}={value}")
        return f"{type(self).__name__}({', '.join(shown)})"
