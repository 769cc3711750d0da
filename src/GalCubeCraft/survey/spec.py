"""The field spec: a sky area, a frequency band, a line, a beam, a noise level, a population.

A spec is a frozen record read from TOML (:func:`load_field_spec`) with one table per
part::

    [field]       nx, ny, pixel_arcsec, ra_deg, dec_deg
    [band]        n_chan, start_hz (centre of channel 0), channel_width_hz, line
    [instrument]  beam_arcsec, noise_rms_jy_beam (the rms AFTER the beam)
    [population]  see :class:`PopulationSpec`
    [run]         seed, tile (n_chan, ny, nx), label_fraction, clean

Channels are evenly spaced in frequency and ascend (``CTYPE3 = FREQ``).  Unknown keys are
refused with the list of known ones, so a typo never passes silently.

**Lines.**  HI 21 cm by default; any line of
:data:`~GalCubeCraft.observation.axes.LINES_HZ` (the CO ladder, [CII]) renders the same
way at its own rest frequency, but the drawn population is HI's (an HI mass function, the
HI mass-size and 21 cm mass-flux relations), so a field of another line takes its
galaxies from a catalogue (``[population] catalogue``) that gives that line's flux and
disc size: asked to draw, it is refused.  We ship no CO population: a CO luminosity
function, CO sizes and their evolution with redshift would each need their own sourced
relation.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from ..observation.axes import LINES_HZ

SPEED_OF_LIGHT_KMS = 299_792.458
LINE_CATALOGUE_COLUMNS = ("x_px", "y_px", "z", "line_flux_jy_hz", "d_hi_kpc", "v_flat_kms")
"""Columns a catalogue must give for a line other than HI: nothing is derived from an HI
mass then (``d_hi_kpc`` is the diameter of that line's disc, as SDC2's ``hi_size``)."""


@dataclass(frozen=True)
class PopulationSpec:
    """How galaxies are drawn (each relation's source is in :mod:`.population`).

    Parameters
    ----------
    alpha, log_m_star, phi_star : float
        Schechter HI mass function: faint-end slope, knee (log10 M_sun) and normalisation
        (Mpc^-3 dex^-1); default ALFALFA's (Jones et al. 2018, MNRAS 477, 2).
    log_m_min, log_m_max : float
        HI mass range drawn (log10 M_sun).
    n_galaxies : int or None
        Draw exactly this many galaxies (the same distributions); None draws a Poisson
        number with the mass function's mean in the band's comoving volume.
    baryon_per_hi : float
        Baryonic over HI mass, feeding the Tully-Fisher relation (1.33 for helium times
        about 1.75 for the stars of HI-selected galaxies; see :mod:`.population`).
    tully_fisher_scatter_dex : float
        Gaussian scatter of ``log M_b`` about the baryonic Tully-Fisher relation.
    sigma_kms : float
        HI velocity dispersion.
    catalogue : str or None
        A CSV table of galaxies used instead of drawing (columns of :mod:`.population`).
    """

    alpha: float = -1.25
    log_m_star: float = 9.94
    phi_star: float = 4.5e-3
    log_m_min: float = 8.5
    log_m_max: float = 11.0
    n_galaxies: int | None = None
    baryon_per_hi: float = 2.33
    tully_fisher_scatter_dex: float = 0.1
    sigma_kms: float = 10.0
    catalogue: str | None = None

    def __post_init__(self) -> None:
        """Check the population."""
        _validate.real("alpha", self.alpha, low=-3.0, high=1.0)
        _validate.real("log_m_star", self.log_m_star, low=5.0, high=13.0)
        _validate.positive("phi_star", self.phi_star)
        _validate.real("log_m_min", self.log_m_min, low=5.0, high=12.5)
        _validate.real("log_m_max", self.log_m_max, low=5.0, high=13.0)
        if not self.log_m_max > self.log_m_min:
            raise ValueError(
                f"log_m_max must exceed log_m_min; got {self.log_m_min!r} .. {self.log_m_max!r}"
            )
        if self.n_galaxies is not None:
            _validate.integer("n_galaxies", self.n_galaxies, low=0)
        _validate.real("baryon_per_hi", self.baryon_per_hi, low=1.0, high=100.0)
        _validate.real("tully_fisher_scatter_dex", self.tully_fisher_scatter_dex, low=0.0,
                       high=1.0)  # fmt: skip
        _validate.real("sigma_kms", self.sigma_kms, low=0.0, high=1000.0)
        _plain_fields(self)


def _plain_fields(spec: Any) -> None:
    """Store NumPy numbers as Python's and paths as strings (checked already).

    A field folder records ``repr(spec)`` and compares it on resume; read back without
    running it (:func:`.picture.recorded_spec`) it must hold literals only, and
    ``np.float64(1.3e9)`` or ``PosixPath(...)`` in it would not be.
    """
    for item in dataclasses.fields(spec):
        value = getattr(spec, item.name)
        if isinstance(value, np.integer):
            object.__setattr__(spec, item.name, int(value))
        elif isinstance(value, np.floating):
            object.__setattr__(spec, item.name, float(value))
        elif isinstance(value, os.PathLike):
            object.__setattr__(spec, item.name, os.fspath(value))


@dataclass(frozen=True)
class FieldSpec:
    """One mock survey field (see the module docstring for the TOML tables).

    Parameters
    ----------
    nx, ny : int
        Field size (pixels), at least 8.
    pixel_arcsec : float
        Pixel size (arcsec).
    ra_deg, dec_deg : float
        Pointing: the sky position of the field centre (pixel ``(n - 1) / 2``).
    n_chan : int
        Channels.
    start_hz : float
        Frequency of the centre of channel 0 (Hz).
    channel_width_hz : float
        Channel spacing (Hz), > 0: channels ascend in frequency.
    line : str
        A line of :data:`~GalCubeCraft.observation.axes.LINES_HZ` (HI by default); a line
        other than HI needs ``population.catalogue`` (see the module docstring).
    beam_arcsec : float
        FWHM of the round Gaussian beam (arcsec).
    noise_rms_jy_beam : float
        Noise rms after the beam (Jy/beam), >= 0.
    population : PopulationSpec
        The galaxies.
    seed : int
        Root seed of the population and the noise.
    tile : (int, int, int)
        Tile (= Zarr chunk) shape ``(n_chan, ny, nx)``.
    label_fraction : float
        A voxel is labelled with a galaxy where that galaxy's noiseless emission exceeds
        ``label_fraction * noise_rms_jy_beam`` (any positive emission without noise).
    clean : bool
        Also store the noiseless field (array ``clean``).
    """

    nx: int = 256
    ny: int = 256
    pixel_arcsec: float = 2.8
    ra_deg: float = 0.0
    dec_deg: float = -30.0
    n_chan: int = 256
    start_hz: float = 1.30e9
    channel_width_hz: float = 30e3
    line: str = "HI"
    beam_arcsec: float = 7.0
    noise_rms_jy_beam: float = 0.0
    population: PopulationSpec = field(default_factory=PopulationSpec)
    seed: int = 0
    tile: tuple[int, int, int] = (64, 128, 128)
    label_fraction: float = 1.0
    clean: bool = False

    def __post_init__(self) -> None:
        """Check the field."""
        _validate.integer("nx", self.nx, low=8)
        _validate.integer("ny", self.ny, low=8)
        _validate.integer("n_chan", self.n_chan, low=1)
        _validate.positive("pixel_arcsec", self.pixel_arcsec)
        _validate.real("ra_deg", self.ra_deg, low=0.0, high=360.0, high_open=True)
        _validate.real("dec_deg", self.dec_deg, low=-90.0, high=90.0)
        _validate.positive("start_hz", self.start_hz)
        _validate.positive("channel_width_hz", self.channel_width_hz)
        _validate.choice("line", self.line, tuple(LINES_HZ))
        if not self.start_hz + self.n_chan * self.channel_width_hz < LINES_HZ[self.line]:
            raise ValueError(
                f"the band must lie below the line's rest frequency {LINES_HZ[self.line]:.6g} Hz "
                f"(positive redshifts); got up to {self.stop_hz:.6g} Hz"
            )
        _validate.positive("beam_arcsec", self.beam_arcsec)
        if not self.beam_arcsec < 0.25 * min(self.nx, self.ny) * self.pixel_arcsec:
            raise ValueError(
                "beam_arcsec must be below a quarter of the field's smaller side "
                f"({0.25 * min(self.nx, self.ny) * self.pixel_arcsec:g} arcsec); "
                f"got {self.beam_arcsec!r}"
            )
        _validate.non_negative("noise_rms_jy_beam", self.noise_rms_jy_beam)
        _validate.instance("population", self.population, PopulationSpec)
        if self.line != "HI" and self.population.catalogue is None:
            raise ValueError(
                f"line {self.line!r} needs [population] catalogue: the drawn population is "
                "HI's (HI mass function, HI mass-size and 21 cm mass-flux relations); give "
                f"a CSV of your galaxies with the columns {LINE_CATALOGUE_COLUMNS}, or use "
                "line = 'HI'"
            )
        _validate.integer("seed", self.seed, low=0, high=2**63 - 1)
        tile = _validate.real_sequence("tile", self.tile, 3)
        for k, n in enumerate(tile):
            _validate.integer(f"tile[{k}]", int(n) if n == int(n) else n, low=1)
        object.__setattr__(self, "tile", tuple(int(n) for n in tile))
        _validate.non_negative("label_fraction", self.label_fraction)
        _validate.boolean("clean", self.clean)
        _plain_fields(self)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Field shape ``(n_chan, ny, nx)``."""
        return (self.n_chan, self.ny, self.nx)

    @property
    def rest_hz(self) -> float:
        """Rest frequency of the line (Hz)."""
        return LINES_HZ[self.line]

    @property
    def stop_hz(self) -> float:
        """Upper edge of the last channel (Hz)."""
        return self.start_hz + (self.n_chan - 0.5) * self.channel_width_hz

    @property
    def redshift_range(self) -> tuple[float, float]:
        """Redshifts of the line at the band's upper and lower edges."""
        low_edge = self.start_hz - 0.5 * self.channel_width_hz
        return self.rest_hz / self.stop_hz - 1.0, self.rest_hz / low_edge - 1.0

    @property
    def solid_angle_sr(self) -> float:
        """Solid angle of the field (sr; pixels are small, so their sum)."""
        pixel_rad = math.radians(self.pixel_arcsec / 3600.0)
        return self.nx * self.ny * pixel_rad**2

    def replace(self, **changes: Any) -> FieldSpec:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)


_TABLES = {
    "field": ("nx", "ny", "pixel_arcsec", "ra_deg", "dec_deg"),
    "band": ("n_chan", "start_hz", "channel_width_hz", "line"),
    "instrument": ("beam_arcsec", "noise_rms_jy_beam"),
    "run": ("seed", "tile", "label_fraction", "clean"),
}


def field_spec_from_mapping(config: Mapping[str, Any], where: str = "spec") -> FieldSpec:
    """Return the spec of a parsed TOML document (tables as in the module docstring)."""
    known = set(_TABLES) | {"population"}
    unknown = set(config) - known
    if unknown:
        raise ValueError(f"{where}: unknown tables {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, Any] = {}
    for table, keys in _TABLES.items():
        entries = config.get(table, {})
        if not isinstance(entries, Mapping):
            raise TypeError(f"{where}: [{table}] must be a table; got {entries!r}")
        bad = set(entries) - set(keys)
        if bad:
            raise ValueError(f"{where}: unknown keys {sorted(bad)} in [{table}]; known: {keys}")
        values.update(entries)
    population = config.get("population", {})
    names = {f.name for f in dataclasses.fields(PopulationSpec)}
    bad = set(population) - names
    if bad:
        raise ValueError(f"{where}: unknown keys {sorted(bad)} in [population]; known: "
                         f"{sorted(names)}")  # fmt: skip
    try:
        return FieldSpec(population=PopulationSpec(**population), **values)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{where}: {error}") from None


PRESETS = ("sdc2", "small")
"""Field presets shipped with the package (``survey/presets/<name>.toml``)."""


def load_field_spec(source: str | Path) -> FieldSpec:
    """Return the spec of a TOML file, or of a preset named in :data:`PRESETS`."""
    if isinstance(source, str) and source in PRESETS:
        text = resources.files(__package__).joinpath(f"presets/{source}.toml").read_text()
        where = f"preset {source!r}"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no field spec at {path} (and not a preset of {PRESETS})")
        text = path.read_text(encoding="utf-8")
        where = str(path)
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{where}: not valid TOML: {error}") from None
    return field_spec_from_mapping(config, where)
