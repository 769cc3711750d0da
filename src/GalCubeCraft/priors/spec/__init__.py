"""What a set of cubes is: :class:`DatasetSpec` and its sub-records, one per TOML table.

The fields' declarations check them and build the command line's flags.

- :mod:`.fields`: a field's declaration (kind, bounds, choices, unit, help) and the checker;
- :mod:`.records`: ``[galaxies]``, ``[observation]``, ``[noise]``, ``[features]``,
  ``[lens]``, ``[interferometer]``, ``[render]``;
- :mod:`.dataset`: :class:`DatasetSpec` and the checks that couple tables;
- :mod:`.galaxy_priors`: ``[galaxies]``, its documented defaults;
- :mod:`.toml`: reading and writing the tables; :mod:`.legacy`: 2.0's flat keys and the
  keys added since (what an older stored spec means by their absence);
- :mod:`.presets`: named specs shipped with the package (``DatasetSpec.from_preset``).
"""

from .dataset import DatasetSpec
from .fields import Declared, SpecError, SpecTypeError, SpecValueError, declarations, declare
from .galaxy_priors import INCLINATION_PRIORS, V_0_PRIORS
from .presets import describe_presets, preset_names
from .records import (
    ORIENTATIONS,
    TABLES,
    VIEWS_VARY,
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
    "INCLINATION_PRIORS",
    "ORIENTATIONS",
    "TABLES",
    "VIEWS_VARY",
    "V_0_PRIORS",
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
    "describe_presets",
    "preset_names",
]
