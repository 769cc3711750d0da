"""What a set of cubes is: how many, under which seed, and one sub-record per TOML table.

The facade, the datasets and the command line all describe their cubes with a
:class:`DatasetSpec`; :func:`GalCubeCraft.factory.make_indexed_cube` turns ``(spec, i)``
into cube ``i``.  Cube ``i`` is a pure function of ``(spec, i)``: its generator comes from
``SeedSequence(spec.seed, spawn_key=(i,))`` (noise from ``(i, 1)``), so any cube can be
made alone, in any order, on any worker, bit-identically.  With ``views = k`` item ``i``
shows scene ``i // k`` as view ``i % k`` (:mod:`GalCubeCraft.priors.views`); scene ``s``
draws from ``(s,)`` as cube ``s`` would, so ``views = 1`` is the plain scheme.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...renderer.settings import AutoAccuracy, RenderSettings
from .fields import SpecError, SpecTypeError, SpecValueError, check_record, declare
from .legacy import nest, with_added_keys
from .presets import preset_text
from .records import (
    TABLES,
    VIEWS_VARY,
    FeaturePriors,
    GalaxyPriors,
    InterferometerPriors,
    LensPriors,
    NoiseSpec,
    ObservationSpec,
    RenderSpec,
)
from .toml import check_layout, spec_toml

MAX_VIEWS = 10**6
"""Most views one scene may give (far more than a contrastive batch needs)."""
MAX_CUBES = 10**12
"""Most items one dataset may hold: past any disk (the disk check refuses far fewer), and
far below ``2**62``, which a slip would give."""


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: how many cubes, from which priors, observed how, under which seed.

    Each table may be given as its record or as a mapping of its keys (merged into the
    record's defaults; in :meth:`replace`, into the spec's current record).  A mapping
    that names one of ``[noise]``'s three levels (``peak_snr``, ``rms_jy_beam``,
    ``integrated_snr``) sets the level: the other two become none
    (:meth:`~.fields.Checked.merged`), so ``noise={"rms_jy_beam": 1e-3}`` replaces the
    default peak S/N rather than conflicting with it.

    Parameters
    ----------
    n_cubes : int
        Number of items, in [1, 10**12].
    seed : int
        Root seed, >= 0.
    views : int
        Items per scene (default 1): item ``i`` is view ``i % views`` of scene
        ``i // views``.
    views_vary : {'orientation', 'noise'}
        What differs between the views of a scene: 'orientation', each galaxy's
        inclination and PA drawn again from their priors (and a new noise draw, so views
        cannot be paired by their noise); 'noise', only the noise draw (the same clean
        cube).
    galaxies : GalaxyPriors
        ``[galaxies]``: galaxies per cube and the primary's priors.
    observation : ObservationSpec
        ``[observation]``: grid, band, beam, line spread, redshift and line.
    noise : NoiseSpec
        ``[noise]``: the noise level, as a peak S/N, an rms or an integrated S/N (none:
        noiseless).
    features : FeaturePriors
        ``[features]``: flows, clumps, dispersion, arms, warps, diffuse emission.
    lens : LensPriors
        ``[lens]``: a lens in front of every cube (:mod:`GalCubeCraft.priors.lenses`).
    interferometer : InterferometerPriors
        ``[interferometer]``: arrays, track and imaging (needs the interferometry extra).
    render : RenderSpec
        ``[render]``: the renderer's accuracy: a preset, or 'auto' (from each item's noise).
    """

    n_cubes: int = declare(16, "int", low=1, help="number of items")
    seed: int = declare(0, "int", low=0, help="root seed")
    views: int = declare(1, "int", bounds=(1, MAX_VIEWS), help="items per scene")
    views_vary: str = declare(
        "orientation", "choice", choices=VIEWS_VARY, help="what differs between a scene's views"
    )
    galaxies: GalaxyPriors = GalaxyPriors()
    observation: ObservationSpec = ObservationSpec()
    noise: NoiseSpec = NoiseSpec()
    features: FeaturePriors = FeaturePriors()
    lens: LensPriors = LensPriors()
    interferometer: InterferometerPriors = InterferometerPriors()
    render: RenderSpec = RenderSpec()

    def __post_init__(self) -> None:
        """Build tables given as mappings, check every field, then what couples them."""
        for table, record in TABLES.items():
            object.__setattr__(self, table, _as_record(table, record, getattr(self, table)))
        check_record(self, "")
        if self.n_cubes > MAX_CUBES:  # a slip (2**62), not a dataset: said apart from >= 1
            raise SpecValueError("n_cubes", f"must be at most {MAX_CUBES}; got {self.n_cubes}")
        self._check_resolution_cycle()
        self._check_grid_fits()
        self._check_empty_fields()
        if self.interferometry:
            from ..interferometry import check_interferometer_priors

            check_interferometer_priors(self)
        if self.lensing:
            from ..lenses import check_lens_priors

            smallest = self.galaxies.satellite_scale[0] if self.galaxies.n_gals[1] > 1 else 1.0
            check_lens_priors(self, smallest)

    def _check_resolution_cycle(self) -> None:
        cycle, (low, high) = self.galaxies.resolution_cycle, self.galaxies.resolution
        if cycle is not None and not all(low <= r <= high for r in cycle):
            raise SpecValueError(
                "galaxies.resolution_cycle",
                f"{cycle} must lie in galaxies.resolution {self.galaxies.resolution}",
            )

    def _check_empty_fields(self) -> None:
        """Refuse what an empty field (``galaxies.n_gals`` from 0) cannot be given."""
        low, high = self.galaxies.n_gals
        if high < 1:
            raise SpecValueError(
                "galaxies.n_gals", f"must allow 1 galaxy or more; got {[low, high]}"
            )
        if low > 0:
            return
        needs = [
            (self.noise.peak_snr is not None, "noise.peak_snr = none (an empty cube has no "
             "peak: its noise must have an absolute level, an interferometer's thermal noise)"),
            (self.lensing, "lens.theta_e_re = 0 (a lens is placed on the primary galaxy)"),
            (self.features.diffuse.enabled,
             "features.diffuse off (it is drawn around the primary galaxy)"),
        ]  # fmt: skip
        for broken, need in needs:
            if broken:
                raise SpecValueError("galaxies.n_gals", f"may start at 0 (fields of noise only) "
                                     f"only with {need}; got {[low, high]}")  # fmt: skip

    def _check_grid_fits(self) -> None:
        """Refuse a grid that cannot hold the largest galaxy the priors may draw, or the beam."""
        obs, galaxies = self.observation, self.galaxies
        r_max = galaxies.resolution[1] * obs.beam.bmin_px / 2.0
        reach = math.floor(galaxies.offset_gals) + r_max
        needed = int(math.ceil(2.0 * reach)) + 2
        if obs.grid_size < needed:
            raise SpecValueError(
                "observation.grid_size",
                f"must be >= {needed} to hold galaxies with R_e up to {r_max:g} px "
                f"(galaxies.resolution up to {galaxies.resolution[1]:g} times half the "
                f"observation.beam bmin of {obs.beam.bmin_px:g} px) offset by up to "
                f"{math.floor(galaxies.offset_gals)} px (galaxies.offset_gals); got "
                f"{obs.grid_size}",
            )
        if obs.beam.bmaj_px >= obs.grid_size:
            raise SpecValueError(
                "observation.beam",
                f"bmaj ({obs.beam.bmaj_px:g} px) must be "
                f"smaller than observation.grid_size ({obs.grid_size})",
            )

    @property
    def interferometry(self) -> bool:
        """Whether the cubes are observed by an interferometer."""
        return self.interferometer.enabled

    @property
    def lensing(self) -> bool:
        """Whether the cubes are drawn behind a lens."""
        return self.lens.enabled

    @property
    def shape(self) -> tuple[int, int, int]:
        """Cube shape ``(n_chan, grid_size, grid_size)``."""
        return self.observation.shape

    @property
    def max_galaxies(self) -> int:
        """Most galaxies a cube may hold (parameter slots per item)."""
        return self.galaxies.n_gals[1]

    @property
    def render_settings(self) -> RenderSettings | AutoAccuracy:
        """Return the renderer's settings that ``render.accuracy`` names.

        'auto' gives an :class:`~GalCubeCraft.renderer.settings.AutoAccuracy` of
        ``render.rms_fraction``, which the factory turns into each item's settings.
        """
        if self.render.accuracy == "auto":
            return AutoAccuracy(rms_fraction=self.render.rms_fraction)
        return RenderSettings.for_accuracy(self.render.accuracy)

    def replace(self, **changes: Any) -> DatasetSpec:
        """Return a copy with ``changes`` applied (validated again).

        A table given as a mapping changes only those keys of the spec's current table:
        ``spec.replace(observation={"n_chan": 8})``; naming one noise level replaces the
        level (``spec.replace(noise={"rms_jy_beam": 1e-3})`` clears ``peak_snr``).
        """
        for table in TABLES:
            if isinstance(changes.get(table), Mapping):
                _check_keys(table, changes[table])
                changes[table] = getattr(self, table).merged(changes[table])
        return dataclasses.replace(self, **changes)

    def differences(self, other: DatasetSpec) -> dict[str, tuple[Any, Any]]:
        """Return ``{key path: (self's value, other's value)}`` for every key that differs."""
        mine, theirs = self.to_dict(), other.to_dict()
        return {key: (mine[key], theirs[key]) for key in mine if mine[key] != theirs[key]}

    def to_dict(self) -> dict[str, Any]:
        """Return ``{key path: value}`` of every key (``observation.n_chan``, ...)."""
        values: dict[str, Any] = {"n_cubes": self.n_cubes, "seed": self.seed}
        for table in TABLES:
            record = getattr(self, table)
            for f in dataclasses.fields(record):
                values[f"{table}.{f.name}"] = getattr(record, f.name)
        return values

    # --- TOML ---------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, values: dict[str, Any], where: str = "") -> DatasetSpec:
        """Return a spec from a mapping of tables, refusing unknown or misplaced keys."""
        try:
            return cls(**check_layout(values))
        except SpecError as error:
            raise error.in_file(where) from None

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> DatasetSpec:
        """Read a spec from a TOML file (errors name the file)."""
        return cls.from_dict(_read_toml(path), where=f"{path}: ")

    @classmethod
    def from_toml_text(cls, text: str) -> DatasetSpec:
        """Read a spec from TOML text."""
        return cls.from_dict(_parse_toml(text))

    @classmethod
    def from_stored(cls, text: str, where: str = "") -> DatasetSpec:
        """Read the spec a store records: its tables, or 2.0's flat keys (translated).

        A key added since the store was written takes the value that draws what was
        drawn then (:data:`~.legacy.ADDED_KEYS`), not its default: an old store's spec
        draws the same galaxies as when it was written.
        """
        import tomllib

        return cls.from_dict(with_added_keys(nest(tomllib.loads(text))), where)

    @classmethod
    def from_preset(cls, name: str, **changes: Any) -> DatasetSpec:
        """Return a preset spec shipped with the package, with ``changes`` applied.

        ``changes`` are :meth:`replace`'s (a table as a mapping changes only its keys);
        :func:`~.presets.preset_names` lists the presets and :func:`~.presets.describe_presets`
        says what each is.  An unknown name raises ``ValueError`` listing them.
        """
        spec = cls.from_dict(_parse_toml(preset_text(name)), where=f"preset {name}: ")
        return spec.replace(**changes) if changes else spec

    def with_toml(self, path: str | os.PathLike[str]) -> DatasetSpec:
        """Return a copy with the keys a TOML spec file holds changed (errors name the file).

        The file's other keys keep this spec's values (a preset's, say), not the defaults.
        """
        try:
            return self.replace(**check_layout(_read_toml(path)))
        except SpecError as error:
            raise error.in_file(f"{path}: ") from None

    def to_toml(self) -> str:
        """Return the spec as TOML text that :meth:`from_toml_text` reads back exactly."""
        return spec_toml(self)

    def write_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write the spec to a TOML file."""
        path = Path(path)
        path.write_text(self.to_toml())
        return path


def _read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return a TOML file's mapping; a syntax error names the file."""
    import tomllib

    with open(path, "rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: {error}") from None


def _parse_toml(text: str) -> dict[str, Any]:
    """Return TOML text's mapping."""
    import tomllib

    return tomllib.loads(text)


def _check_keys(table: str, values: Mapping[str, Any]) -> None:
    """Refuse a key that the table does not hold, by its path."""
    check_layout({table: dict(values)})


def _as_record(table: str, record: type, value: Any) -> Any:
    """Return a table given as its record, or as a mapping merged into its defaults."""
    if isinstance(value, record):
        return value
    if isinstance(value, Mapping):
        return record().merged(check_layout({table: dict(value)})[table])
    raise SpecTypeError(
        table, f"must be a {record.__name__} or a mapping of its keys; got {type(value).__name__}"
    )
