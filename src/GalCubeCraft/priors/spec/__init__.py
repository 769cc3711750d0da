"""What a set of cubes is: :class:`DatasetSpec` and its sub-records, one per TOML table.

The fields' declarations check them and build the command line's flags.

- :mod:`.fields`: a field's declaration (kind, bounds, choices, unit, help) and the checker;
- :mod:`.records`: ``[galaxies]``, ``[observation]``, ``[noise]``, ``[features]``,
  ``[lens]``, ``[interferometer]``, ``[render]``;
- :mod:`.dataset`: :class:`DatasetSpec` and the checks that couple tables;
- :mod:`.toml`: reading and writing the tables; :mod:`.legacy`: 2.0's flat keys.
"""

from .dataset import DatasetSpec
from .fields import Declared, SpecError, SpecTypeError, SpecValueError, declarations, declare
from .records import (
    ORIENTATIONS,
    TABLES,
    FeaturePriors,
    GalaxyPriors,
    InterferometerPriors,
    LensPriors,
    NoiseSpec,
    ObservationSpec,
    Range,
    RenderSpec,
)

__all__ = [
    "ORIENTATIONS",
    "TABLES",
    "DatasetSpec",
    "Declared",
    "FeaturePriors",
    "GalaxyPriors",
    "InterferometerPriors",
    "LensPriors",
    "NoiseSpec",
    "ObservationSpec",
    "Range",
    "RenderSpec",
    "SpecError",
    "SpecTypeError",
    "SpecValueError",
    "declarations",
    "declare",
]
