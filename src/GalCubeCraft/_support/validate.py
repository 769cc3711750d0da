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
        lo_txt = "-inf" if low is None else f"{low:.10g}"
        hi_txt = "inf" if high is None else f"{high:.10g}"
        raise ValueError(f"{name} must lie in {left}{lo_txt}, {hi_txt}{right}; got {value!r}")
    return x


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a finite float > 0, or raise."""
    return real(name, value, low=0.0, low_open=True)


def non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a finite float >= 0, or raise."""
    return real(name, value, low=0.0)


SPEED_OF_LIGHT_KMS = 299792.458
"""The speed of light (km/s), exact: no velocity of the model reaches it.

Bounding speeds by it keeps every velocity, and its square, far inside float32, which the
renderer's samples and fine velocity grid use.
"""


def speed_kms(name: str, value: Any, *, signed: bool = True) -> float:
    """Return ``value`` as a speed (km/s) below the speed of light, or raise.

    ``signed`` speeds (a systemic velocity) lie in ``(-c, c)``; unsigned ones (a
    dispersion) in ``[0, c)``, ``c`` = :data:`SPEED_OF_LIGHT_KMS`.
    """
    x = real(name, value)
    c = SPEED_OF_LIGHT_KMS
    if not (-c < x < c if signed else 0.0 <= x < c):
        span = f"(-{c:.10g}, {c:.10g})" if signed else f"[0, {c:.10g})"
        raise ValueError(f"{name} must lie in {span} km/s, below the speed of light; got {value!r}")
    return x


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


FINITE_CHUNK = 1 << 16
"""Values checked at a time by :func:`all_finite` (a 64 KiB mask stays in cache)."""


def all_finite(array: np.ndarray) -> bool:
    """Return ``np.all(np.isfinite(array))`` without an array-sized mask.

    A chunk at a time: a 256 x 512^2 cube's mask would be 67 MB of fresh pages.
    """
    flat = np.asarray(array).reshape(-1)
    mask = np.empty(min(flat.size, FINITE_CHUNK), dtype=bool)
    for start in range(0, flat.size, FINITE_CHUNK):
        chunk = flat[start : start + FINITE_CHUNK]
        if not np.isfinite(chunk, out=mask[: chunk.size]).all():
            return False
    return True


def fits_dtype(
    name: str, array: np.ndarray, dtype: Any, growth: float = 1.0, peak: float | None = None
) -> None:
    """Raise unless ``array`` times ``growth`` stays finite in ``dtype``.

    ``growth`` bounds how much the work ahead may raise the largest value (a beam's
    area, say): refusing here is one clear error where the overflow would leave inf,
    then NaN, in the result.  ``peak``: the array's largest ``|value|``, when the
    caller knows it (no pass over the array).
    """
    limit = float(np.finfo(dtype).max) / growth
    if peak is None:
        # max |x| as the larger of max x and -min x: two passes, no |x| temporary.
        peak = max(float(np.max(array, initial=0.0)), -float(np.min(array, initial=0.0)))
    if peak > limit:
        raise ValueError(
            f"{name} must have |values| <= {limit:.3g} to stay finite in {np.dtype(dtype)}; "
            f"got a value of {peak:.3g}"
        )


def function_of_radius(
    name: str, function: Any, radii: np.ndarray, *, low: float, high: float, unit: str
) -> None:
    """Refuse a user's ``function(r_kpc)`` whose values at ``radii`` are not real in range.

    Called once, where the function is handed over (a rotation curve, a dispersion
    profile), on float64 and float32 radii (the renderer's samples are float32), so the
    renderer can use its values unchecked.  Complex, object or non-numeric results raise
    TypeError; NaN, inf or values outside ``[low, high)`` raise ValueError.
    """
    # 1-D float64, then a 2-D float32 row: the renderer's samples are (rows, samples).
    single = np.minimum(radii, 1e30).astype(np.float32)[None, :]  # inside float32's range
    for probe in (radii.astype(np.float64), single):
        try:
            with np.errstate(all="ignore"):  # a NaN is reported below, not warned about
                values = np.asarray(function(probe))
        except Exception as error:  # what the user's function does is unknown
            raise TypeError(
                f"{name} must accept an array of radii (kpc) and return {unit}; calling it "
                f"raised {type(error).__name__}: {error}"
            ) from error
        if values.dtype.kind not in "fiu":
            raise TypeError(f"{name} must return real values ({unit}); got dtype {values.dtype}")
        if values.shape not in ((), probe.shape):
            raise ValueError(
                f"{name} must return one value per radius; got shape {values.shape} "
                f"for {probe.shape}"
            )
        values = np.broadcast_to(values, probe.shape)
        bad = np.flatnonzero(~(np.isfinite(values) & (values >= low) & (values < high)))
        if bad.size:
            at, got = float(probe.flat[bad[0]]), float(values.flat[bad[0]])
            raise ValueError(
                f"{name} must return finite values in [{low:.10g}, {high:.10g}) {unit}; "
                f"got {got!r} at r = {at:.4g} kpc"
            )


def real_sequence(name: str, value: Any, length: int) -> tuple[float, ...]:
    """Return ``value`` as a tuple of ``length`` finite floats, or raise."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _fail_type(name, f"a sequence of {length} numbers", value)
    items = tuple(value)
    if len(items) != length:
        raise ValueError(f"{name} must have {length} elements; got {len(items)}")
    return tuple(real(f"{name}[{k}]", v) for k, v in enumerate(items))


def float_dtype(name: str, value: Any) -> np.dtype:
    """Return ``value`` as the numpy dtype float32 or float64, or raise naming ``name``."""
    # np.dtype(None) and np.dtype(nan) both read as float64: neither names a type here.
    if value is not None and not isinstance(value, float):
        try:
            dtype = np.dtype(value)
        except (TypeError, ValueError):
            pass
        else:
            if dtype.kind == "f" and dtype.itemsize in (4, 8):
                return np.dtype(np.float32 if dtype.itemsize == 4 else np.float64)  # native
    raise TypeError(f"{name} must be numpy.float32 or numpy.float64; got {value!r}")
