"""One wording for every argument error.

Every public entry point checks its inputs here, once, before any work or any file is
written; the hot path then takes plain floats and never validates again.  Messages read
``<name> must be <rule>; got <value>`` so that users can tell at a glance which argument
was wrong and what would have been accepted.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def _fail_type(name: str, expected: str, value: Any) -> TypeError:
    return TypeError(f"{name} must be {expected}; got {value!r} ({type(value).__name__})")


def real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite float inside the given bounds, or raise.

    Parameters
    ----------
    name : str
        Argument name used in the message.
    value : Any
        Value to check.  Booleans are refused: ``True`` is not a length.
    low, high : float, optional
        Bounds; ``None`` means unbounded on that side.
    low_open, high_open : bool
        Whether the bound itself is excluded.

    Returns
    -------
    float
        The checked value.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail_type(name, "a real number", value)
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite; got {value!r}")
    lo_ok = low is None or (x > low if low_open else x >= low)
    hi_ok = high is None or (x < high if high_open else x <= high)
    if not (lo_ok and hi_ok):
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo_txt = "-inf" if low is None else f"{low:g}"
        hi_txt = "inf" if high is None else f"{high:g}"
        raise ValueError(f"{name} must lie in {left}{lo_txt}, {hi_txt}{right}; got {value!r}")
    return x


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a finite float > 0, or raise."""
    return real(name, value, low=0.0, low_open=True)


def non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a finite float >= 0, or raise."""
    return real(name, value, low=0.0)


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int inside ``[low, high]``, or raise.

    Floats are refused even when integral (``40.0`` channels is almost always a slip).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail_type(name, "an integer", value)
    k = int(value)
    if (low is not None and k < low) or (high is not None and k > high):
        lo_txt = "-inf" if low is None else str(low)
        hi_txt = "inf" if high is None else str(high)
        raise ValueError(f"{name} must lie in [{lo_txt}, {hi_txt}]; got {value!r}")
    return k


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed`` strings, or raise."""
    allowed = tuple(allowed)
    if not isinstance(value, str):
        raise _fail_type(name, f"one of {allowed}", value)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def boolean(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (NumPy's included), or raise: ``"no"`` is not false."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise _fail_type(name, "True or False", value)


def flag(name: str, value: Any) -> bool:
    """Return a flag given as a bool or as 0/1 (older scripts pass either), or raise."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, int) and value in (0, 1)):
        return bool(value)
    raise _fail_type(name, "True or False", value)


def instance(name: str, value: Any, kind: type) -> Any:
    """Return ``value`` if it is an instance of ``kind``, or raise TypeError naming both."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}; got {type(value).__name__}")
    return value


def finite_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array with only finite values, or raise."""
    array = np.asarray(value)
    if array.dtype.kind not in "fiu" or array.dtype.kind == "b":
        raise TypeError(f"{name} must be a real-valued array; got dtype {array.dtype}")
    if array.dtype.kind in "iu":
        array = array.astype(np.float64)  # integers would truncate what is added later
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{name} must be finite; got {bad} NaN or inf value(s)")
    return array


def real_sequence(name: str, value: Any, length: int) -> tuple[float, ...]:
    """Return ``value`` as a tuple of ``length`` finite floats, or raise."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _fail_type(name, f"a sequence of {length} numbers", value)
    items = tuple(value)
    if len(items) != length:
        raise ValueError(f"{name} must have {length} elements; got {len(items)}")
    return tuple(real(f"{name}[{k}]", v) for k, v in enumerate(items))
