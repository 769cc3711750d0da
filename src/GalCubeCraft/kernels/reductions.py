"""Whole-array passes that LLVM vectorises: the largest magnitude through the float's bits.

numba's float ``max`` keeps NumPy's NaN rules, which LLVM will not reorder, so a loop
taking the largest of a row's values runs one value at a time.  For finite floats the
bits of ``|x|`` (sign cleared, read as an integer of the same width) order as ``|x|``
does, and an integer maximum vectorises: 4x faster.  NaN and inf read as larger than
every finite value, so the same maximum also says whether a row is finite.  The bits are
reinterpreted by two small intrinsics (no array views: cheap to compile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import njit

_WIDTHS: dict[Any, tuple[Any, int]] = {
    types.float32: (types.int32, 32),
    types.float64: (types.int64, 64),
}


def _magnitude_bits_typer(typingctx: Any, value: Any) -> tuple[Any, Callable[..., Any]]:
    """Type the intrinsic: the bits of ``|value|`` (float32/float64), an integer of its width."""
    integer, width = _WIDTHS[value]

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        bits = builder.bitcast(args[0], ir.IntType(width))
        return builder.and_(bits, ir.Constant(ir.IntType(width), (1 << (width - 1)) - 1))

    return integer(value), codegen


def _bits_of_typer(typingctx: Any, bits: Any, like: Any) -> tuple[Any, Callable[..., Any]]:
    """Type the intrinsic: the float of ``like``'s type whose bits are the integer ``bits``."""
    target = ir.FloatType() if like == types.float32 else ir.DoubleType()

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], target)

    return like(_WIDTHS[like][0], like), codegen


_magnitude_bits: Any = intrinsic(_magnitude_bits_typer)
"""``_magnitude_bits(x)``: the bits of ``|x|`` as an integer of ``x``'s width."""
_bits_of: Any = intrinsic(_bits_of_typer)
"""``_bits_of(bits, like)``: the float of ``like``'s type whose bits are ``bits``."""


@njit(inline="always", error_model="numpy")
def max_magnitude(row: np.ndarray, start: Any) -> Any:
    """Return ``max(start, max |row|)`` for a 1-D float32/float64 ``row`` (``start >= 0``).

    In ``row``'s type; NaN or inf if the row holds one (check with ``np.isfinite``).
    """
    best = _magnitude_bits(row.dtype.type(start))
    for x in range(row.shape[0]):
        best = max(best, _magnitude_bits(row[x]))
    return _bits_of(best, row.dtype.type(start))


@njit(error_model="numpy")
def clamp_at_zero(flat: np.ndarray) -> float:
    """Raise ``flat`` (1-D, contiguous) to 0 in place and return its largest value.

    ``np.maximum(flat, 0.0)`` value for value (``-0.0`` becomes ``+0.0``, NaN stays),
    and the largest value after it (NaN if any), in one pass.
    """
    zero = flat.dtype.type(0.0)
    for x in range(flat.shape[0]):
        value = flat[x]
        flat[x] = value if not value <= zero else zero
    return float(max_magnitude(flat, zero))
