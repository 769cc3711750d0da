"""Train / validation / test splits by item index, the same on every machine.

Each item (or each group of ``group`` consecutive items, e.g. the views of one galaxy)
draws a number ``u`` in [0, 1) from a hash of ``(seed, group index)`` (SplitMix64): no
random state, no dependence on the order or the process that asks.  Then one of two rules:

- exact sizes (default): the groups, ordered by ``u``, fill the splits in turn, each
  taking ``round(n_groups * fraction)`` of them, rounded by largest remainder so that the
  sizes add up to ``n_groups`` (ties go to the earlier split).  Extending the dataset can
  move an item between splits (the cut points between ``u`` values move).
- ``stable=True``: a group goes to the split whose share of [0, 1) holds its ``u``
  (train if ``u < 0.8``, ... for 80/10/10), whatever ``n``: an item keeps its split
  when the dataset is extended (items are pure functions of ``(spec, index)``, so a longer
  spec repeats the shorter one's items), and no test item ever becomes a training item.
  The sizes are then binomial about ``n * fraction`` (for 2,000 items at 10%, +-13).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea & Flood 2014), elementwise on uint64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def index_uniforms(seed: int, keys: np.ndarray) -> np.ndarray:
    """Return one number in [0, 1) per key, a pure function of ``(seed, key)``.

    SplitMix64: the key's place in the stream that ``seed`` starts, mixed; the top 53 bits
    make the float.
    """
    with np.errstate(over="ignore"):
        start = _mix(np.array([seed], dtype=np.uint64) * _GOLDEN)
        z = _mix(start + (keys.astype(np.uint64) + np.uint64(1)) * _GOLDEN)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _check(n: Any, fractions: Sequence[float], seed: Any, group: Any) -> tuple[float, ...]:
    """Check the arguments of :func:`split_indices`; return the fractions as floats."""
    for name, value, low, high in (("n", n, 0, None), ("seed", seed, 0, 2**64 - 1),
                                   ("group", group, 1, None)):  # fmt: skip
        whole = not isinstance(value, bool) and isinstance(value, numbers.Integral)
        if not whole or int(value) < low or (high is not None and int(value) > high):
            rule = f">= {low}" if high is None else f"in [{low}, {high}]"
            raise ValueError(f"{name} must be a whole number {rule}; got {value!r}")
    if isinstance(fractions, str) or not isinstance(fractions, Sequence) or not fractions:
        raise ValueError(f"fractions must be a sequence of numbers; got {fractions!r}")
    values = tuple(float(f) for f in fractions)
    if any(not math.isfinite(f) or f < 0 for f in values) or abs(sum(values) - 1.0) > 1e-9:
        raise ValueError(
            f"fractions must be finite numbers >= 0 adding up to 1; got {list(fractions)}"
        )
    return values


def split_sizes(n: int, fractions: Sequence[float]) -> list[int]:
    """Return ``n`` shared out as ``fractions`` by largest remainder (ties: earlier first)."""
    quotas = [n * f for f in fractions]
    sizes = [math.floor(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda k: (-(quotas[k] - sizes[k]), k))
    for k in order[: n - sum(sizes)]:
        sizes[k] += 1
    return sizes


def split_indices(
    n: int,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
    *,
    stable: bool = False,
    group: int = 1,
) -> tuple[np.ndarray, ...]:
    """Split item indices ``0 .. n-1`` into disjoint sets covering them all.

    Parameters
    ----------
    n : int
        Number of items.
    fractions : sequence of float
        Each split's share, adding up to 1 (e.g. train, validation, test).
    seed : int
        Chooses the split; the same ``(n, fractions, seed, stable, group)`` always gives
        the same indices.
    stable : bool
        False: exact sizes (largest-remainder rounding of ``n_groups * fraction``); True:
        each item's split is independent of ``n``, so extending the dataset keeps every
        item in its split (see the module docstring).
    group : int
        Keep each run of ``group`` consecutive items together (``i // group`` is drawn),
        e.g. the views of one galaxy, so that none is split between training and test.
        Sizes are then counted in groups (the last may be short).

    Returns
    -------
    tuple of numpy.ndarray
        One sorted ``int64`` index array per fraction; they can index a dataset
        directly or make ``torch.utils.data.Subset`` objects.
    """
    shares = _check(n, fractions, seed, group)
    n_groups = -(-n // group)
    keys = np.arange(n_groups, dtype=np.int64)
    u = index_uniforms(seed, keys)
    if stable:
        edges = np.cumsum(shares)
        which = np.minimum(np.searchsorted(edges, u, side="right"), len(shares) - 1)
    else:
        which = np.empty(n_groups, dtype=np.int64)
        order = np.argsort(u, kind="stable")  # equal u: the lower group first
        which[order] = np.repeat(np.arange(len(shares)), split_sizes(n_groups, shares))
    item_split = np.repeat(which, group)[:n]
    return tuple(np.flatnonzero(item_split == k).astype(np.int64) for k in range(len(shares)))


class Subset:
    """Some items of a dataset, by index: what ``torch.utils.data.Subset`` is, without torch.

    Parameters
    ----------
    dataset : map-style dataset
        Anything with ``__getitem__`` by item index.
    indices : sequence of int
        The items, in order: ``subset[k]`` is ``dataset[indices[k]]``.
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self) -> int:
        """Return the number of items."""
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        """Return item ``indices[index]`` of the dataset."""
        return self.dataset[int(self.indices[index])]

    def __repr__(self) -> str:
        """Say how many items of which dataset."""
        return f"Subset({len(self)} items of {self.dataset!r})"
