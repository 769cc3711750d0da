"""The field's storage and the two kinds of task the workers run: stamps and tiles.

A field folder holds::

    population.csv     the catalogue with each galaxy's stamp box (written first)
    stamps/g<id>.npy   each galaxy's beam-convolved stamp (written once, atomically)
    field.zarr/        Zarr group: ``field`` (float32, Jy/beam), ``labels`` (uint32),
                       ``clean`` (float32, optional), ``moment0`` (float64, Jy/beam Hz)
    tiles/<c>_<y>_<x>.done   a tile's marker, written after its chunks

**Bit-identical for any tiling and any number of workers.**  A voxel's noiseless value is
the sum of the stamps that reach it, added in galaxy-id order in float32 (the same
additions in the same order whatever the tile); its noise is
:func:`~GalCubeCraft.instrument.noise.noise_region` of the field's key at the voxel's
global position, which is the same whatever box it is drawn in.  Neither depends on the
tile the voxel falls in nor on the worker that made it (workers with the same numerical
libraries: the stamps' beam products run on one BLAS thread, but another BLAS build or
CPU may round them differently).

**Resume.**  A tile's chunks are written, then its marker; a run skips the tiles with a
marker and redoes any other (a chunk half-written by a killed run is overwritten whole,
since a tile is exactly one chunk of every array).  Stamps are written under a temporary
name and renamed, so a stamp file is complete or absent.

**Memory per worker.**  A tile task holds its tile four times over (float32 sum, float32
best value, uint32 labels and float32 noise plus sum: 16 bytes a voxel; 16 MiB for a
64 x 128 x 128 tile, 128 MiB for 128 x 256 x 256; pool buffers, kept for the next
tile), plus one stamp at a time and the noise filter's few planes of the tile with the
beam's halo.  A stamp task holds one
galaxy's stamp and its render's temporaries (bounded by the renderer's chunking).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .._support import buffers as _buffers
from .._support.atomic import atomic_path
from .._support.random import noise_key
from ..instrument.noise import noise_region
from ..io.npy import save_npy
from .spec import FieldSpec
from .stamps import StampBox, box_of, field_beam, render_stamp, stamp_summary

ZARR = "field.zarr"
STAMPS = "stamps"
TILES = "tiles"
POPULATION = "population.csv"
NOISE_INDEX = 0
"""The field's noise is stream ``noise_key(seed, 0)``."""


def stamp_path(root: Path, galaxy_id: int) -> Path:
    """Return the file of a galaxy's stamp."""
    return root / STAMPS / f"g{galaxy_id:08d}.npy"


def tile_origins(spec: FieldSpec) -> list[tuple[int, int, int]]:
    """Return every tile's global origin ``(c, y, x)``, in C order."""
    axes = [range(0, n, t) for n, t in zip(spec.shape, spec.tile, strict=True)]
    return [tuple(o) for o in itertools.product(*axes)]  # type: ignore[misc]


def tile_shape(spec: FieldSpec, origin: tuple[int, int, int]) -> tuple[int, int, int]:
    """Return the shape of the tile at ``origin`` (edge tiles are cut by the field)."""
    c, y, x = (min(t, n - o) for t, n, o in zip(spec.tile, spec.shape, origin, strict=True))
    return c, y, x


def marker_path(root: Path, origin: tuple[int, int, int]) -> Path:
    """Return the done-marker of the tile at ``origin``."""
    return root / TILES / "{}_{}_{}.done".format(*origin)


def open_arrays(root: Path, spec: FieldSpec, create: bool) -> dict[str, Any]:
    """Return the field's Zarr arrays, creating them (empty) when ``create``."""
    import zarr

    group = zarr.open_group(root / ZARR, mode="a")
    names = {"field": "float32", "labels": "uint32"}
    if spec.clean:
        names["clean"] = "float32"
    arrays = {}
    for name, dtype in names.items():
        if name not in group:
            if not create:
                raise FileNotFoundError(f"{root / ZARR} has no array {name!r}")
            # Noise does not compress: the field is stored raw (labels compress well).
            compressors: Any = None if name != "labels" else "auto"
            group.create_array(name, shape=spec.shape, chunks=spec.tile, dtype=dtype,
                               fill_value=0, compressors=compressors)  # fmt: skip
        arrays[name] = group[name]
    return arrays


def stamp_task(root: str, spec: FieldSpec, rows: list[Any]) -> list[dict[str, Any]]:
    """Render the stamps of ``rows`` not yet on disk; return each galaxy's summary.

    A summary holds the id, w20, the flux inside the field and the stamp's moment 0 over
    the band's channels (Jy/beam Hz) with its origin, for the field's moment-0 map.
    """
    out = []
    for row in rows:
        path = stamp_path(Path(root), int(row.id))
        if path.exists():
            box, stamp = box_of(row, spec), np.load(path)
        else:
            box, stamp = render_stamp(row, spec)
            save_npy(path, stamp)
        summary: dict[str, Any] = {"id": int(row.id), **stamp_summary(stamp, box, spec, row.z)}
        low, high = max(0, -box.c0), max(0, min(box.n_c, spec.n_chan - box.c0))
        summary["moment0"] = stamp[low:high].sum(axis=0, dtype=np.float64) * spec.channel_width_hz
        summary["origin"] = (box.y0, box.x0)
        out.append(summary)
    return out


def tile_task(
    root: str,
    spec: FieldSpec,
    origin: tuple[int, int, int],
    boxes: list[StampBox],
) -> tuple[int, int, int]:
    """Make one tile (sum of its stamps, labels, noise), write its chunks, then its marker.

    ``boxes`` are the stamps reaching the tile, in ascending galaxy id (the order of the
    sum, which makes every voxel independent of the tiling).
    """
    shape = tile_shape(spec, origin)
    # The pool's memory: a worker reuses the last tile's pages instead of faulting in
    # fresh ones for every tile.
    clean = _buffers.zeros(shape, np.float32)
    best = _buffers.zeros(shape, np.float32)
    labels = _buffers.zeros(shape, np.uint32)
    threshold = np.float32(spec.label_fraction * spec.noise_rms_jy_beam)
    for box in boxes:
        where = box.overlap(origin, shape)
        if where is None:
            continue
        stamp = np.load(stamp_path(Path(root), box.galaxy_id), mmap_mode="r")
        part = stamp[
            where[0].start - box.c0 : where[0].stop - box.c0,
            where[1].start - box.y0 : where[1].stop - box.y0,
            where[2].start - box.x0 : where[2].stop - box.x0,
        ]
        local = tuple(slice(s.start - o, s.stop - o) for s, o in zip(where, origin, strict=True))
        # Added voxel by voxel in galaxy-id order, whatever the tile: the same float32
        # additions in the same order for a voxel in any tiling.
        clean[local] += part
        # The brighter galaxy takes a voxel; ties go to the lower id (it came first).
        wins = (part > threshold) & (part > best[local])
        np.copyto(labels[local], np.uint32(box.galaxy_id), where=wins)
        np.copyto(best[local], part, where=wins)
    del best
    field = clean
    if spec.noise_rms_jy_beam > 0.0:
        key = noise_key(spec.seed, NOISE_INDEX)
        field = noise_region(key, origin, shape, spec.noise_rms_jy_beam, field_beam(spec))
        field += clean
    arrays = open_arrays(Path(root), spec, create=False)
    region = tuple(slice(o, o + n) for o, n in zip(origin, shape, strict=True))
    arrays["field"][region] = field
    arrays["labels"][region] = labels
    if spec.clean:
        arrays["clean"][region] = clean
    marker = marker_path(Path(root), origin)
    with atomic_path(marker) as temporary:
        temporary.write_text(f"{len(boxes)} galaxies\n")
    return origin


def tiles_of_boxes(
    spec: FieldSpec, boxes: list[StampBox]
) -> dict[tuple[int, int, int], list[StampBox]]:
    """Return, for each tile, the boxes reaching it in ascending galaxy id."""
    reach: dict[tuple[int, int, int], list[StampBox]] = {o: [] for o in tile_origins(spec)}
    for box in sorted(boxes, key=lambda b: b.galaxy_id):
        ranges = []
        for start, size, n, t in zip((box.c0, box.y0, box.x0), (box.n_c, box.n_y, box.n_x),
                                     spec.shape, spec.tile, strict=True):  # fmt: skip
            low, high = max(start, 0), min(start + size, n)
            if low >= high:
                break
            ranges.append(range(low // t * t, (high - 1) // t * t + 1, t))
        else:
            for origin in itertools.product(*ranges):
                reach[origin].append(box)  # type: ignore[index]
    return reach


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Yield ``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def stamp_batch_size(n_galaxies: int, n_workers: int) -> int:
    """Return galaxies per stamp task: a few tasks per worker, at most 32 galaxies each."""
    return max(1, min(32, math.ceil(n_galaxies / (8 * max(1, n_workers)))))
