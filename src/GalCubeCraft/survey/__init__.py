"""Mock surveys: fields of many galaxies, made out of core on Dask, with their truth.

- :mod:`.spec`: the field spec (sky area, frequency band, line, beam, noise, population),
  read from TOML; presets ``sdc2`` and ``small``.
- :mod:`.population`: galaxies from the HI mass function, mass-size and Tully-Fisher
  relations, or a user's catalogue completed by them.
- :mod:`.stamps`: one galaxy rendered once into its beam-convolved box.
- :mod:`.tiles`, :mod:`.field`, :mod:`.cluster`: the Zarr field made tile by tile on a
  ``dask.distributed`` client, bit-identical for any tiling and any number of workers,
  resumable.
- :mod:`.catalogue`, :mod:`.fits`: the SDC2-format truth, the label cube's companions,
  and streamed FITS export.
- :mod:`.picture`: a field's moment 0 with its truth catalogue, and a zoom.

Nothing here is imported by ``import GalCubeCraft``; Dask, Zarr and pandas load on first
use.
"""

from .field import FieldRun, make_field
from .fits import export_fits, field_header
from .picture import plot_field
from .population import complete_catalogue, draw_population
from .spec import FieldSpec, PopulationSpec, load_field_spec

__all__ = [
    "FieldRun",
    "FieldSpec",
    "PopulationSpec",
    "complete_catalogue",
    "draw_population",
    "export_fits",
    "field_header",
    "load_field_spec",
    "make_field",
    "plot_field",
]
