"""Datasets as Zarr stores: one compressed chunk per cube, written by any worker.

Layout (one group): ``noisy``, ``clean`` ``(N, n_chan, ny, nx)`` float32 chunked one
cube per chunk; ``moment0``, ``velocity_field`` ``(N, ny, nx)``; ``params`` ``(N, P)``
float64 with column names in ``attrs['parameter_names']``; ``done`` ``(N,)`` uint8 set to
1 only after an item's arrays are written, so a half-written cube is never counted; the
spec's TOML in ``attrs['spec']``.  The only module that imports zarr.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

try:
    import zarr
except ImportError as error:  # pragma: no cover - the test extra installs it
    raise ImportError(
        "zarr is needed for this dataset format: pip install 'GalCubeCraft[ml]'"
    ) from error

from .items import ARRAY_NAMES, Item, parameter_names
from .spec import DatasetSpec

FORMAT_VERSION = 1
# Fast LZ4 with byte shuffle for model products; the noisy cube is stored raw, as noise
# does not compress (6% smaller at twice the write time).  Together this keeps writing
# a small fraction of rendering.
_CUBE_CODEC = zarr.codecs.BloscCodec(cname="lz4", clevel=1, shuffle="shuffle")
_ARRAYS = (*ARRAY_NAMES, "done")
_open_arrays: dict[tuple[int, str], dict[str, Any]] = {}


def _layout(spec: DatasetSpec) -> dict[str, tuple[tuple[int, ...], tuple[int, ...], str, Any]]:
    n, (c, y, x) = spec.n_cubes, spec.shape
    p = len(parameter_names(spec))
    return {
        "noisy": ((n, c, y, x), (1, c, y, x), "float32", 0.0),
        "clean": ((n, c, y, x), (1, c, y, x), "float32", 0.0),
        "moment0": ((n, y, x), (1, y, x), "float32", 0.0),
        "velocity_field": ((n, y, x), (1, y, x), "float32", np.nan),
        "params": ((n, p), (1, p), "float64", np.nan),
        "done": ((n,), (1,), "uint8", 0),
    }


def open_store(path: str | os.PathLike[str], spec: DatasetSpec) -> zarr.Group:
    """Create the store for ``spec`` at ``path``, or open it if it was made from ``spec``.

    Raises
    ------
    ValueError
        If ``path`` holds a store made from another spec.
    """
    if os.path.exists(path):
        group = zarr.open_group(path, mode="r+")
        stored = group.attrs.get("spec")
        if stored is None or DatasetSpec.from_toml_text(stored) != spec:
            raise ValueError(
                f"{path} holds a dataset made from a different spec; choose a new path"
            )
        return group
    _open_arrays.pop((os.getpid(), os.path.abspath(path)), None)
    group = zarr.open_group(path, mode="w")
    for name, (shape, chunks, dtype, fill) in _layout(spec).items():
        if name == "noisy":
            codecs: dict[str, Any] = {"compressors": None}
        else:
            codecs = {"compressors": _CUBE_CODEC} if dtype == "float32" else {}
        group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, fill_value=fill, **codecs)
    group.attrs.update(
        {"spec": spec.to_toml(), "parameter_names": parameter_names(spec),
         "format_version": FORMAT_VERSION, "units": "cubes Jy/beam; moment0 Jy/pixel km/s"}
    )  # fmt: skip
    return group


def _arrays(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the store's arrays, opened once per process (workers write many items)."""
    key = (os.getpid(), os.path.abspath(path))
    if key not in _open_arrays:
        group = zarr.open_group(path, mode="r+")
        _open_arrays[key] = {name: group[name] for name in _ARRAYS}
    return _open_arrays[key]


def write_item(path: str | os.PathLike[str], item: Item) -> None:
    """Write ``item`` into its own chunks, then mark it done."""
    arrays = _arrays(path)
    i = item.index
    for name in ARRAY_NAMES:
        arrays[name][i] = getattr(item, name)
    arrays["done"][i] = 1


def done_indices(path: str | os.PathLike[str]) -> np.ndarray:
    """Return the indices of the items fully written."""
    return np.flatnonzero(zarr.open_group(path, mode="r")["done"][:])


def read_spec(path: str | os.PathLike[str]) -> DatasetSpec:
    """Return the spec stored with a dataset."""
    return DatasetSpec.from_toml_text(zarr.open_group(path, mode="r").attrs["spec"])


def open_for_reading(path: str | os.PathLike[str]) -> Any:
    """Open a store read-only."""
    return zarr.open_group(path, mode="r")


def read_table(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Return (column names, all parameter rows)."""
    group = zarr.open_group(path, mode="r")
    return list(group.attrs["parameter_names"]), group["params"][:]
