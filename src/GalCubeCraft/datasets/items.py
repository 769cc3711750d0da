"""One dataset item as a pure function of ``(spec, index)``.

An item is what the one cube factory (:func:`GalCubeCraft.factory.make_indexed_cube`)
makes of cube ``index``, with its labels (:mod:`.labels`), as named arrays every store
holds (:func:`array_shapes`; a store of an earlier layout holds fewer: :mod:`.layouts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support import buffers as _buffers
from ..factory import make_indexed_cube
from ..model.galaxy import Galaxy
from ..model.parameters import GALAXY_PARAMETER_NAMES, galaxy_from_row, galaxy_row
from ..priors.galaxies import WARP_LENGTH_RE
from ..priors.interferometry import INTERFEROMETER_COLUMNS, interferometer_row
from ..priors.lenses import LENS_COLUMNS, lens_row
from ..priors.spec import DatasetSpec
from ..renderer.lensing import LensingTruth, curve_mask
from ..renderer.settings import stated_error
from .checksums import DamagedItemError as DamagedItemError
from .checksums import damaged
from .checksums import item_checksum as _item_crc
from .labels import CATALOGUE_COLUMNS, galaxy_catalogue, label_arrays
from .layouts import LAYOUT_5_COLUMNS, added_in, layout5_parameter_names

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..interferometry.observe import InterferometricCubes

ARRAY_NAMES = (
    "noisy",
    "clean",
    "galaxy_clean",
    "moment0",
    "velocity_field",
    "galaxy_centre_px",
    "galaxy_vsys_kms",
    "dispersion_field",
    "clean_moment0",
    "clean_moment1",
    "clean_moment2",
    "segmentation",
    "catalogue",
    "params",
)
"""The arrays of every item, as stores hold them and datasets return them (:class:`Item`)."""
LENS_ARRAY_NAMES = ("source_clean", "magnification", "critical_curves", "caustics")
"""The arrays a lensed spec's items add (:func:`array_names`)."""
INTERFEROMETER_ARRAY_NAMES = (
    "model",
    "dirty",
    "dirty_beam",
    "restored",
    "uv_mask",
    "model_convolved",
    "residual",
    "uv_weights",
)
"""The arrays an interferometric spec's items add (:func:`array_names`), paired for
deconvolution (:mod:`GalCubeCraft.interferometry.cubes`): ``model`` the intrinsic sky
(Jy/pixel), ``model_convolved`` it convolved with the clean beam (Jy/beam), ``dirty``,
``residual`` (``dirty`` less the dirty image of the noiseless sky: the imaged thermal
noise), ``dirty_beam`` (the PSF, peak 1), ``restored`` (CLEAN's, zeros when the spec does
not CLEAN), ``uv_mask`` and ``uv_weights`` (the gridded imaging weights, each channel's
summing to 1)."""
ARRAY_UNITS: dict[str, str | None] = {
    "noisy": "Jy/beam",
    "clean": "Jy/beam",
    "galaxy_clean": "Jy/beam",
    "moment0": "Jy km / (pix s)",
    "velocity_field": "km/s",
    "dispersion_field": "km/s",
    "clean_moment0": "Jy km / (beam s)",
    "clean_moment1": "km/s",
    "clean_moment2": "km/s",
    "segmentation": None,  # galaxy ids
    "catalogue": None,  # mixed: see labels.CATALOGUE_UNITS
    "galaxy_centre_px": "pix",
    "galaxy_vsys_kms": "km/s",
    "params": None,  # mixed: see parameter_names()
    "source_clean": "Jy/beam",
    "magnification": None,
    "critical_curves": None,
    "caustics": None,
    "model": "Jy/pixel",
    "dirty": "Jy/beam",
    "dirty_beam": None,
    "restored": "Jy/beam",
    "uv_mask": None,
    "model_convolved": "Jy/beam",
    "residual": "Jy/beam",
    "uv_weights": None,
}
"""The unit of each array (astropy spelling): FITS stores write it as ``BUNIT``."""

GLOBAL_COLUMNS = (
    "n_gals",
    "pixel_kpc",
    "resolution",
    "noise_rms",
    "peak_snr",
    "integrated_snr",
    "render_error",
    "halo_flux",
    "bridge_flux",
    "tail_flux",
)
"""Per-cube columns.  ``noise_rms`` (Jy/beam), ``peak_snr`` and ``integrated_snr`` are the
noise as realised, whichever way the spec set it (:mod:`GalCubeCraft.instrument.noise_level`;
0, NaN and NaN when noiseless); ``render_error`` is the stated worst-voxel render error
of the preset the item was rendered at, as a fraction of its clean cube's peak
(:func:`GalCubeCraft.renderer.settings.stated_error`: 'auto' picks it from the noise);
the diffuse components' line fluxes (Jy km/s) are 0 without them."""
GALAXY_COLUMNS = GALAXY_PARAMETER_NAMES
"""Per-galaxy columns (``g<k>_<name>``): :data:`GalCubeCraft.model.parameters.GALAXY_PARAMETERS`."""
RENAMED_COLUMNS: dict[str, str] = {}
"""Old column name -> new, for stores written before a column was renamed (none yet)."""


def parameter_names(spec: DatasetSpec, layout: int | None = None) -> list[str]:
    """Return the names of an item's parameter vector (unused galaxy slots are NaN).

    A lensed spec's vector ends with the lens's columns (:data:`LENS_COLUMNS`), an
    interferometric one's with the array's.  ``layout``: the names a store of that layout
    holds (5: :data:`~.layouts.LAYOUT_5_COLUMNS`); default this version's.
    """
    if layout is not None and layout <= 5:
        return layout5_parameter_names(spec)
    names = list(GLOBAL_COLUMNS)
    for k in range(1, spec.max_galaxies + 1):
        names.extend(f"g{k}_{column}" for column in GALAXY_COLUMNS)
    if spec.lensing:
        names.extend(LENS_COLUMNS)
    if spec.interferometry:
        names.extend(INTERFEROMETER_COLUMNS)
    return names


def array_names(spec: DatasetSpec, layout: int | None = None) -> tuple[str, ...]:
    """Return the names of ``spec``'s item arrays: :data:`ARRAY_NAMES`, the lens's, the array's.

    ``params`` stays last: some stores write in this order and let its file mark the
    item done.  ``layout``: the arrays a store of that layout holds (default: all).
    """
    extra = (LENS_ARRAY_NAMES if spec.lensing else ()) + (
        INTERFEROMETER_ARRAY_NAMES if spec.interferometry else ()
    )
    names = ARRAY_NAMES[:-1] + extra + ARRAY_NAMES[-1:]
    return names if layout is None else tuple(n for n in names if added_in(n) <= layout)


def recorded_columns(spec: DatasetSpec) -> dict[str, list[str]]:
    """Return the column names of the table arrays, as a store records them at creation."""
    return {"params": parameter_names(spec), "catalogue": list(CATALOGUE_COLUMNS)}


def array_shapes(
    spec: DatasetSpec, layout: int | None = None
) -> dict[str, tuple[tuple[int, ...], str, float]]:
    """Return ``{name: (shape, dtype, fill value)}`` of one item's arrays.

    Unused galaxy slots (a cube holds up to ``spec.max_galaxies``) are zero in
    ``galaxy_clean`` and NaN in the per-galaxy vectors and catalogue rows; moment 1 and
    2 maps are NaN off-source.  A lensed spec adds ``source_clean`` (the unlensed scene
    through the same instrument), ``magnification`` (signed, at pixel centres) and the
    pixels that the critical curves and the caustics cross (``uint8`` masks).
    ``layout``: those of a store of that layout (default: this version's).
    """
    c, y, x = spec.shape
    g = spec.max_galaxies
    lensed = {
        "source_clean": ((c, y, x), "float32", 0.0),
        "magnification": ((y, x), "float32", np.nan),
        "critical_curves": ((y, x), "uint8", 0),
        "caustics": ((y, x), "uint8", 0),
    }
    observed = {
        "model": ((c, y, x), "float32", 0.0),
        "dirty": ((c, y, x), "float32", 0.0),
        "dirty_beam": ((c, y, x), "float32", 0.0),
        "restored": ((c, y, x), "float32", 0.0),
        "uv_mask": ((c, y, x), "uint8", 0),
        "model_convolved": ((c, y, x), "float32", 0.0),
        "residual": ((c, y, x), "float32", 0.0),
        "uv_weights": ((c, y, x), "float32", 0.0),
    }
    shapes = {
        "noisy": ((c, y, x), "float32", 0.0),
        "clean": ((c, y, x), "float32", 0.0),
        "galaxy_clean": ((g, c, y, x), "float32", 0.0),
        "moment0": ((y, x), "float32", 0.0),
        "velocity_field": ((y, x), "float32", np.nan),
        "galaxy_centre_px": ((g, 2), "float64", np.nan),
        "galaxy_vsys_kms": ((g,), "float64", np.nan),
        "dispersion_field": ((y, x), "float32", np.nan),
        "clean_moment0": ((y, x), "float32", 0.0),
        "clean_moment1": ((y, x), "float32", np.nan),
        "clean_moment2": ((y, x), "float32", np.nan),
        "segmentation": ((c, y, x), "uint8", 0),
        "catalogue": ((g, len(CATALOGUE_COLUMNS)), "float64", np.nan),
        "params": ((len(parameter_names(spec, layout)),), "float64", np.nan),
        **(lensed if spec.lensing else {}),
        **(observed if spec.interferometry else {}),
    }
    return {name: shapes[name] for name in array_names(spec, layout)}


@dataclass(frozen=True, eq=False)
class Item:
    """One item: its index and its named arrays (:data:`ARRAY_NAMES`).

    ``noisy`` and ``clean`` are in Jy/beam; ``galaxy_clean`` holds each galaxy observed
    alone (their sum is ``clean`` less any diffuse emission, whose line fluxes are in
    ``params``); ``moment0`` (Jy/pixel km/s), ``velocity_field`` and
    ``dispersion_field`` (moments 1 and 2, km/s, NaN off-source) come from the
    intrinsic, unconvolved model, ``clean_moment0``, ``clean_moment1`` and
    ``clean_moment2`` from the noiseless observed cube; ``segmentation`` labels each
    voxel with the galaxy (1-based) whose noiseless emission it holds (:mod:`.labels`);
    ``galaxy_centre_px`` are 0-based ``(x, y)`` pixel coordinates of each galaxy's
    centre and ``galaxy_vsys_kms`` its systemic velocity; ``catalogue`` holds one row per
    galaxy (:data:`~.labels.CATALOGUE_COLUMNS`); ``params`` is a row of the parameter
    table (:func:`parameter_names`).
    """

    index: int
    arrays: dict[str, np.ndarray]

    def as_dict(self) -> dict[str, Any]:
        """Return the item as a dict of arrays plus ``index`` (what a DataLoader collates)."""
        return {"index": self.index, **self.arrays}


def item_checksum(arrays: Mapping[str, np.ndarray]) -> int:
    """Return the CRC-32 of an item's arrays (in :func:`array_names` order, as stored).

    Stores of layout 5 written before per-array checksums recorded this one.
    """
    # Layout-5 arrays keep their order in this tuple: its old checksums still match.
    extra = LENS_ARRAY_NAMES + INTERFEROMETER_ARRAY_NAMES
    return _item_crc(arrays, ARRAY_NAMES + extra)


def check_item(arrays: Mapping[str, np.ndarray], expected: int, where: str, index: int) -> None:
    """Raise :class:`DamagedItemError` unless ``arrays`` have the item checksum ``expected``."""
    if item_checksum(arrays) != expected:
        raise damaged(where, index, "its arrays do not match the checksum recorded when it "
                      "was written")  # fmt: skip


def render_item(spec: DatasetSpec, index: int) -> Item:
    """Render item ``index`` of ``spec``; the same inputs give bit-identical outputs."""
    made = make_indexed_cube(spec, index)
    draw, products = made.draw, made.products
    shapes = array_shapes(spec)
    # The cubes' memory comes from the process's pool: an item written and dropped lends
    # it to the next item, so the OS maps and zeroes no fresh pages per item.
    arrays = {
        name: _buffers.full(shape, fill, dtype) for name, (shape, dtype, fill) in shapes.items()
    }
    n = len(draw.galaxies)
    arrays["noisy"][...] = products.noisy.data
    arrays["clean"][...] = products.clean.data
    arrays["galaxy_clean"][:n] = products.galaxy_clean
    arrays["moment0"][...] = products.moment0
    arrays["velocity_field"][...] = products.velocity_field
    for name, label in label_arrays(products).items():
        arrays[name][...] = label
    if n:  # an empty field (galaxies.n_gals from 0) leaves every galaxy slot empty
        arrays["galaxy_centre_px"][:n] = [(c[0], c[1]) for c in draw.centres_px]
        arrays["galaxy_vsys_kms"][:n] = [g.v_sys_kms for g in draw.galaxies]
        arrays["catalogue"][:n] = galaxy_catalogue(draw.galaxies, products.galaxy_clean,
                                                   products.clean.observation)  # fmt: skip
    params = arrays["params"]
    diffuse = draw.diffuse
    halo_flux = diffuse.halo.line_flux if diffuse is not None and diffuse.halo else 0.0
    bridge_flux = sum(b.total_flux for b in diffuse.bridges) if diffuse is not None else 0.0
    tail_flux = sum(t.total_flux for t in diffuse.tails) if diffuse is not None else 0.0
    params[: len(GLOBAL_COLUMNS)] = [
        n, draw.pixel_kpc, draw.resolution, products.noise_rms, products.peak_snr,
        products.integrated_snr, stated_error(products.settings), halo_flux, bridge_flux,
        tail_flux,
    ]  # fmt: skip
    for k, galaxy in enumerate(draw.galaxies):
        start = len(GLOBAL_COLUMNS) + k * len(GALAXY_COLUMNS)
        params[start : start + len(GALAXY_COLUMNS)] = galaxy_row(galaxy)
    if spec.lensing:
        _fill_lensing(arrays, products.lensing, _columns(spec, LENS_COLUMNS))
    if made.interferometric is not None:
        _fill_interferometric(arrays, made.interferometric, spec)
    return Item(index=index, arrays=arrays)


def _columns(spec: DatasetSpec, block: tuple[str, ...]) -> slice:
    """Return where a block of columns (the lens's, the interferometer's) sits in ``params``."""
    start = parameter_names(spec).index(block[0])
    return slice(start, start + len(block))


def _fill_interferometric(
    arrays: dict[str, np.ndarray], made: InterferometricCubes, spec: DatasetSpec
) -> None:
    """Write an interferometric item's cubes and the interferometer's columns of ``params``."""
    arrays["model"][...] = made.model.data
    arrays["dirty"][...] = made.dirty.data
    arrays["dirty_beam"][...] = made.dirty_beam
    if made.restored is not None:
        arrays["restored"][...] = made.restored.data
    arrays["uv_mask"][...] = made.uv_mask
    arrays["model_convolved"][...] = made.model_convolved()
    if made.residual is not None:
        arrays["residual"][...] = made.residual
    if made.uv_weights is not None:
        arrays["uv_weights"][...] = made.uv_weights
    arrays["params"][_columns(spec, INTERFEROMETER_COLUMNS)] = interferometer_row(spec, made)


def _fill_lensing(arrays: dict[str, np.ndarray], truth: LensingTruth | None, columns: slice
                  ) -> None:  # fmt: skip
    """Write a lensed item's truth: its arrays and, at ``columns``, the lens's parameters."""
    if truth is None:  # a lens that deflects nothing: the scene is its own source
        arrays["source_clean"][...] = arrays["clean"]
        arrays["magnification"][...] = 1.0
        arrays["params"][columns] = lens_row(None, 1.0)
        return
    arrays["source_clean"][...] = truth.source_clean
    arrays["magnification"][...] = truth.magnification
    obs = truth.source_model.observation
    arrays["critical_curves"][...] = curve_mask(truth.critical_curves, obs)
    arrays["caustics"][...] = curve_mask(truth.caustics, obs)
    arrays["params"][columns] = lens_row(truth.lens, truth.total_magnification)


def stored_column(name: str) -> str:
    """Return the column a name read from a store means today (:data:`RENAMED_COLUMNS`)."""
    prefix, _, column = name.partition("_")
    if prefix[:1] == "g" and prefix[1:].isdigit() and column in RENAMED_COLUMNS:
        return f"{prefix}_{RENAMED_COLUMNS[column]}"
    return RENAMED_COLUMNS.get(name, name)


def galaxies_from_params(
    spec: DatasetSpec, params: np.ndarray, layout: int | None = None
) -> list[Galaxy]:
    """Rebuild an item's galaxies from its parameter vector (a row of the table).

    Flows and linear warps come back (the table holds them); clumps do not (it holds
    only their number and share): :func:`GalCubeCraft.model.parameters.galaxy_from_row`.
    ``layout``: the store layout the row was written in (a layout-5 row has fewer
    per-item columns before the galaxies'; default: this version's).
    """
    if layout == 5:
        n_global, columns = len(LAYOUT_5_COLUMNS["global"]), LAYOUT_5_COLUMNS["galaxy"]
    else:
        n_global, columns = len(GLOBAL_COLUMNS), GALAXY_COLUMNS
    galaxies = []
    for k in range(int(params[0])):
        start = n_global + k * len(columns)
        row = dict(zip(columns, params[start : start + len(columns)], strict=True))
        galaxies.append(galaxy_from_row(row, WARP_LENGTH_RE))
    return galaxies
