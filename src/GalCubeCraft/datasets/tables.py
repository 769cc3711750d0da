"""A stored dataset's labels as two tables: one row per item, one row per galaxy.

:func:`parameter_table` reads them by column name: a store records the names of its
``params`` and ``catalogue`` columns when it is made (layout 6 on; a layout-5 store's are
known: :mod:`.layouts`), so no column is ever found by its position.

- ``items``: one row per item, indexed by ``index``: the per-item columns of the
  parameter vector (``n_gals``, ``pixel_kpc``, ``resolution``, ``noise_rms``,
  ``peak_snr``, diffuse fluxes, and the lens's and interferometer's columns), no
  per-galaxy slots.
- ``galaxies``: one row per galaxy present (``sum(n_gals)`` rows), indexed by ``(index,
  galaxy)`` with ``galaxy`` 1-based (the ``segmentation`` ids, the ``g<k>_`` prefixes):
  the pixel position, the world position (:data:`~.labels.SKY_COLUMNS`, from the WCS),
  then the rest of the catalogue (:data:`~.labels.CATALOGUE_COLUMNS`: v_rot, flux in
  the cube, W20, W50) and the galaxy's parameters
  (:data:`~GalCubeCraft.model.parameters.GALAXY_PARAMETERS`).  A layout-5 store holds no
  catalogue: positions and ``v_rot_kms`` are derived from its parameters, the measured
  columns (:data:`~.labels.MEASURED_COLUMNS`) are NaN.

:meth:`ParameterTables.wide` gives the parameter vectors as stored, one wide row per item
with NaN in unused galaxy slots (what ``parameter_table`` returned before layout 6).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._support.extras import MissingExtraError
from .items import stored_column
from .labels import CATALOGUE_COLUMNS, layout5_catalogue, sky_positions
from .layouts import layout5_parameter_names
from .stores import Store, open_store

_GALAXY_SLOT = re.compile(r"g(\d+)_(.+)")


@dataclass(frozen=True)
class ParameterTables:
    """A stored dataset's labels: ``items`` (one row per item), ``galaxies`` (one per galaxy).

    Both are ``pandas.DataFrame`` (see the module docstring); ``galaxies.join(items,
    on="index")`` puts each galaxy beside its item's columns.
    """

    items: Any
    galaxies: Any
    wide_table: Any = field(repr=False)

    def wide(self) -> Any:
        """Return the parameter vectors as one wide table (``g<k>_`` slots, NaN when unused)."""
        return self.wide_table.copy()

    def __repr__(self) -> str:
        """Return the tables' sizes (the tables themselves print on their own)."""
        return (
            f"ParameterTables(items={self.items.shape[0]} x {self.items.shape[1]}, "
            f"galaxies={self.galaxies.shape[0]} x {self.galaxies.shape[1]})"
        )


def stored_columns(store: Store) -> dict[str, list[str]]:
    """Return the column names of ``store``'s table arrays (``params``, ``catalogue``).

    As recorded at creation; a layout-5 store records none (an HDF5 one records its
    parameter columns) and holds no catalogue.
    """
    recorded = store.record.get("columns")
    if recorded:
        return {name: [str(c) for c in columns] for name, columns in recorded.items()}
    return {"params": layout5_parameter_names(store.spec)}


def parameter_table(path: str | os.PathLike[str]) -> ParameterTables:
    """Return a stored dataset's parameter tables (``pandas`` DataFrames).

    Parameters
    ----------
    path : str or os.PathLike
        The store (any format).

    Returns
    -------
    ParameterTables
        ``items`` (one row per item written so far, indexed by item index), ``galaxies``
        (one row per galaxy, indexed by ``(index, galaxy)``) and :meth:`~ParameterTables.wide`.
    """
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise MissingExtraError(
            "parameter tables need pandas: pip install 'GalCubeCraft[ml]'"
        ) from error

    store = open_store(path)
    try:
        columns = stored_columns(store)
        indices, rows = store.array_rows("params")
        catalogue = store.array_rows("catalogue")[1] if "catalogue" in columns else None
        spec = store.spec
    finally:
        store.close()
    names = [stored_column(name) for name in columns["params"]]
    wide = pd.DataFrame(rows, columns=names, index=pd.Index(indices, name="index"))
    slots = [(m, name) for name in names if (m := _GALAXY_SLOT.fullmatch(name))]
    items = wide[[name for name in names if not _GALAXY_SLOT.fullmatch(name)]]
    n_slots = max((int(m.group(1)) for m, _ in slots), default=0)
    stems = list(dict.fromkeys(m.group(2) for m, _ in slots))
    # present[i, k]: item i holds galaxy k + 1; taking [present] runs item by item.
    n_gals = np.nan_to_num(wide["n_gals"].to_numpy()).astype(np.int64)
    present = np.arange(n_slots)[None, :] < n_gals[:, None]
    values = {
        stem: np.column_stack([wide[f"g{k}_{stem}"] for k in range(1, n_slots + 1)])[present]
        for stem in stems
    }  # fmt: skip
    if catalogue is not None:
        measured = np.asarray(catalogue)[:, :n_slots][present]
        catalogue_names = columns["catalogue"]
    else:
        grid = spec.observation.grid_size
        pixel_kpc = np.broadcast_to(wide["pixel_kpc"].to_numpy()[:, None], present.shape)
        measured = layout5_catalogue(values, pixel_kpc[present], (grid, grid))
        catalogue_names = list(CATALOGUE_COLUMNS)
    where = np.nonzero(present)
    index = pd.MultiIndex.from_arrays(
        [np.asarray(indices)[where[0]], where[1] + 1], names=["index", "galaxy"]
    )
    table = pd.DataFrame(measured, columns=catalogue_names, index=index)
    # The world positions, for every galaxy at once (one WCS, one cosmology).
    sky = spec.observation.for_pixel(1.0).sky
    assert sky is not None  # a spec's observation always has its angular scale
    world = pd.DataFrame(sky_positions(values["x_kpc"], values["y_kpc"], sky), index=index)
    galaxies = pd.concat(
        [table[["x_px", "y_px"]], world, table.drop(columns=["x_px", "y_px"]),
         pd.DataFrame(values, index=index)[stems]],
        axis=1,
    )  # fmt: skip
    return ParameterTables(items=items.copy(), galaxies=galaxies, wide_table=wide)
