"""Normalisations of dataset items, applied by the dataset to each item it returns.

A transform is a callable taking an item (a dict of arrays and ``index``) and returning
a new one; its ``needs`` names the arrays it reads, so that
``StoreDataset(path, arrays=("noisy", "clean"), transform=...)`` also reads those (and
returns only the arrays asked for).  Each is a frozen record of plain values: it pickles,
so DataLoader workers (forked or spawned) get it whole.

- :class:`PeakNormalise`: divide chosen arrays by the largest absolute value of one of
  them (default: the noisy cube, which a network also has at inference), so that array
  lies in [-1, 1].  The item gains ``peak_scale``, the divisor.
- :class:`NoiseNormalise`: divide chosen arrays by the item's noise rms (Jy/beam; the
  ``noise_rms`` column of its parameter vector, found by name), so the noise has unit
  rms.  The item gains ``noise_scale``, the divisor.
- :class:`Compose`: several in turn.

The same divisor goes to every chosen array, so a denoiser's input and target stay in
one unit; multiply a prediction by the recorded scale to get Jy/beam back.  Divisions
are done in each array's own precision (float32 stays float32); arrays that are not
floating point are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..priors.spec import DatasetSpec
from .items import parameter_names

Item = dict[str, Any]
NOISE_COLUMN = "noise_rms"
"""The parameter-vector column :class:`NoiseNormalise` divides by."""


def _names(value: Any, what: str) -> tuple[str, ...]:
    """Return ``value`` as a non-empty tuple of array names, or raise naming ``what``."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise TypeError(f"{what} must be a non-empty sequence of array names; got {value!r}")
    if not all(isinstance(name, str) for name in value):
        raise TypeError(f"{what} must hold array names (str); got {value!r}")
    return tuple(value)


def _divided(item: Item, arrays: tuple[str, ...], scale: float, key: str) -> Item:
    """Return a copy of ``item`` with ``arrays`` divided by ``scale``, and ``key: scale``."""
    out = dict(item)
    for name in arrays:
        array = np.asarray(item[name])
        if array.dtype.kind != "f":
            raise TypeError(
                f"only floating-point arrays can be normalised; {name} is {array.dtype}"
            )
        out[name] = array / array.dtype.type(scale)
    out[key] = scale
    return out


@dataclass(frozen=True)
class PeakNormalise:
    """Divide ``arrays`` by the largest absolute value of ``reference`` in the same item.

    Parameters
    ----------
    arrays : sequence of str
        The arrays divided (default the noisy and clean cubes).
    reference : str
        The array whose peak absolute value is the divisor (default ``noisy``).  An
        all-zero reference leaves the arrays as they are (divisor 1).
    """

    arrays: tuple[str, ...] = ("noisy", "clean")
    reference: str = "noisy"

    def __post_init__(self) -> None:
        """Check the names (a list becomes a tuple)."""
        object.__setattr__(self, "arrays", _names(self.arrays, "arrays"))
        if not isinstance(self.reference, str):
            raise TypeError(f"reference must be an array name (str); got {self.reference!r}")

    @property
    def needs(self) -> tuple[str, ...]:
        """The arrays this transform reads."""
        return tuple(dict.fromkeys((*self.arrays, self.reference)))

    def __call__(self, item: Item) -> Item:
        """Return the item with ``arrays`` divided by its peak; ``peak_scale`` records it."""
        peak = float(np.max(np.abs(item[self.reference])))
        return _divided(item, self.arrays, peak if peak > 0.0 else 1.0, "peak_scale")


@dataclass(frozen=True)
class NoiseNormalise:
    """Divide ``arrays`` by the item's noise rms: ``params[column]``, the ``noise_rms`` column.

    Build it with :meth:`for_spec`, which finds the column by name.

    Parameters
    ----------
    column : int
        Where ``noise_rms`` sits in the item's parameter vector.
    arrays : sequence of str
        The arrays divided (default the noisy and clean cubes).
    """

    column: int
    arrays: tuple[str, ...] = ("noisy", "clean")

    def __post_init__(self) -> None:
        """Check the names (a list becomes a tuple) and the column."""
        object.__setattr__(self, "arrays", _names(self.arrays, "arrays"))
        if isinstance(self.column, bool) or not isinstance(self.column, int) or self.column < 0:
            raise ValueError(f"column must be a whole number >= 0; got {self.column!r}")

    @classmethod
    def for_spec(
        cls, spec: DatasetSpec, arrays: Sequence[str] = ("noisy", "clean")
    ) -> NoiseNormalise:
        """Return the transform for items of ``spec`` (its ``noise_rms`` column by name)."""
        return cls(parameter_names(spec).index(NOISE_COLUMN), tuple(arrays))

    @property
    def needs(self) -> tuple[str, ...]:
        """The arrays this transform reads."""
        return tuple(dict.fromkeys((*self.arrays, "params")))

    def __call__(self, item: Item) -> Item:
        """Return the item with ``arrays`` divided by its noise rms; ``noise_scale`` records it.

        Raises
        ------
        ValueError
            If the item's noise rms is not positive (a noiseless item).
        """
        rms = float(item["params"][self.column])
        if not rms > 0.0:
            raise ValueError(
                f"item {item.get('index')} has {NOISE_COLUMN} = {rms}: noise normalisation "
                "needs items with noise (set the spec's noise)"
            )
        return _divided(item, self.arrays, rms, "noise_scale")


@dataclass(frozen=True)
class Compose:
    """Apply ``transforms`` in turn.

    Parameters
    ----------
    transforms : sequence of callables
        Each takes and returns an item; its ``needs`` (if any) names the arrays it reads.
    """

    transforms: tuple[Callable[[Item], Item], ...]

    def __post_init__(self) -> None:
        """Check that each transform is callable (a list becomes a tuple)."""
        object.__setattr__(self, "transforms", tuple(self.transforms))
        for transform in self.transforms:
            if not callable(transform):
                raise TypeError(f"transforms must be callables; got {transform!r}")

    @property
    def needs(self) -> tuple[str, ...]:
        """The arrays any of the transforms reads."""
        return tuple(dict.fromkeys(n for t in self.transforms for n in needs_of(t)))

    def __call__(self, item: Item) -> Item:
        """Return the item after every transform."""
        for transform in self.transforms:
            item = transform(item)
        return item


def needs_of(transform: Callable[[Item], Item] | None) -> tuple[str, ...]:
    """Return the arrays ``transform`` reads (none, for a plain function or None)."""
    return tuple(getattr(transform, "needs", ()))
