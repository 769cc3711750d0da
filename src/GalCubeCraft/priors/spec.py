"""What a set of cubes is: priors, observation and root seed, in one TOML-loadable record.

The seed facade, the datasets and the command line all describe their cubes with a
:class:`DatasetSpec`; :func:`GalCubeCraft.factory.make_indexed_cube` turns ``(spec, i)``
into cube ``i``.  Cube ``i`` is a pure function of ``(spec, i)``: its generator comes from
``SeedSequence(spec.seed, spawn_key=(i,))`` (noise from ``(i, 1)``), so any cube can be
made alone, in any order, on any worker, bit-identically.

A prior is either a number (fixed) or ``[low, high]`` (uniform; the resolution is
log-uniform).  In TOML::

    n_cubes = 1000
    seed = 7
    grid_size = 64
    n_gals = [1, 3]
    n_sersic = 1.0            # fixed
    beam = [5.0, 4.0, 30.0]   # bmaj, bmin (pixels), bpa (degrees north through east)
    peak_snr = [5.0, 50.0]    # omit, or set "none", for noiseless cubes
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._support import validate as _validate
from ..model.diffuse import DiffuseParams
from ..observation.beam import Beam
from ..observation.records import LINE_SPREADS, AngularScale, Observation, SpectralAxis
from ..renderer.settings import ACCURACIES, RenderSettings

Range = tuple[float, float]

_RANGE_LIMITS: dict[str, tuple[float, float]] = {
    "resolution": (0.05, 50.0),
    "r_e_kpc": (1e-3, 1e3),
    "h_z_kpc": (1e-4, 1e2),
    "n_sersic": (0.2, 10.0),
    "sigma_kms": (0.0, 1e3),
    "inclination_deg": (0.0, 90.0),
    "pa_deg": (-360.0, 360.0),
    "v_0_kms": (0.0, 1e3),
    "peak_snr": (1e-3, 1e6),
    "radial_flow_kms": (-1e3, 1e3),
    "bar_flow_kms": (0.0, 1e3),
    "clump_count": (0.0, 50.0),
    "clump_fraction": (0.0, 0.9),
    "clump_size_re": (1e-3, 10.0),
    "sigma_centre_ratio": (0.1, 10.0),
    "arm_contrast": (0.0, 1.0),
    "arm_pitch_deg": (1.0, 89.0),
    "arm_count": (1.0, 12.0),
    "arm_streaming_kms": (-200.0, 200.0),
    "lens_theta_e_re": (0.0, 50.0),
    "lens_axis_ratio": (0.05, 1.0),
    "lens_shear": (0.0, 0.5),
    "lens_source_offset": (0.0, 10.0),
    "track_hours": (0.01, 24.0),
    "declination_deg": (-90.0, 90.0),
    "hour_angle_h": (-12.0, 12.0),
    "integration_s": (0.01, 3600.0),
    "t_sys_k": (1.0, 1e5),
    "warp_inclination_deg": (-90.0, 90.0),
    "warp_pa_deg": (-180.0, 180.0),
    "flare_factor": (0.1, 20.0),
    "warp_start_re": (0.0, 20.0),
}


ORIENTATIONS = ("inclination_pa", "tilts")
"""What a spec's two drawn angles mean (see :class:`DatasetSpec`)."""
"""The renderer's presets a spec may name (:attr:`DatasetSpec.render_settings`)."""


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: how many cubes, from which priors, observed how, under which seed.

    Parameters
    ----------
    n_cubes : int
        Number of items, >= 1.
    seed : int
        Root seed, >= 0.
    grid_size, n_chan : int
        Cube shape ``(n_chan, grid_size, grid_size)``.
    v_max_kms : float
        The band runs from ``-v_max_kms`` to ``+v_max_kms``.
    beam : Beam or (bmaj_px, bmin_px, bpa_deg)
        The beam: FWHMs in pixels, major first, PA north through east.
    line_spread : str
        'tophat', 'hanning' or 'gaussian' (sigma 0.6 channel, the original's).
    redshift : float
        Source redshift: gives pixels an angular size (FITS files, arcsec axes).
    line : str
        Line preset (sets the FITS rest frequency).
    n_gals : tuple of 2 ints
        Galaxies per cube, drawn uniformly in ``[low, high]``.
    offset_gals : float
        Satellites within this many pixels of the primary (x, y, depth).
    resolution, r_e_kpc, h_z_kpc, n_sersic, sigma_kms, inclination_deg, pa_deg, v_0_kms
        Priors ``(low, high)`` of the primary galaxy (satellites follow the original's
        rules); ``resolution`` is R_e / (bmin / 2), log-uniform.
    peak_snr : tuple of 2 floats or None
        Noise level as peak S/N (beam-correlated Gaussian noise); ``None``: no noise.
    orientation : {'inclination_pa', 'tilts'}
        What the two drawn angles are.  'inclination_pa': the primary's inclination and
        sky PA, from ``inclination_deg`` and ``pa_deg``.  'tilts' (the original's): two
        tilts of the disk, about the column axis then about the row axis, drawn from the
        same ranges; the inclination ``arccos |cos a cos b|`` and the sky PA follow
        exactly (:func:`GalCubeCraft.priors.galaxies.tilts_to_inclination_pa`).  Satellites draw
        both angles in [-180, 180] either way.
    resolution_cycle : tuple of floats, optional
        Fixed resolutions given to cubes ``0, 1, 2, ...`` in turn (0.1.2's
        ``resolution='visualise'`` is ``(0.3, 1.2, 2, 3, 5)``) instead of drawing them;
        they must lie in ``resolution``.
    radial_flow_kms, bar_flow_kms : tuple of 2 floats
        Non-circular flows of every galaxy (:mod:`GalCubeCraft.model.flows`): a constant
        radial velocity (negative: inflow) and a bisymmetric flow of equal tangential and
        radial amplitude with a bar angle uniform in [0, 180) degrees, each drawn
        uniformly from its range; ``(0, 0)`` (default) draws nothing.
    clump_count, clump_fraction, clump_size_re : tuple of 2 floats
        Clumps of every galaxy (:mod:`GalCubeCraft.model.clumps`): their number (rounded
        down), their total share of the galaxy's flux (split at random among them) and
        each one's width in R_e; placed uniformly in area within 2 R_e, co-rotating.
        ``clump_count = (0, 0)`` (default) draws none.
    sigma_centre_ratio : tuple of 2 floats
        Each galaxy's central dispersion over its outer one (the drawn ``sigma_kms``):
        ``sigma(R)`` falls exponentially over R_e between them
        (:class:`~GalCubeCraft.model.drift.ExponentialDispersion`); ``(1, 1)`` (default)
        keeps a constant dispersion and draws nothing.
    asymmetric_drift : bool
        Every galaxy rotates with asymmetric drift (:mod:`GalCubeCraft.model.drift`).
    arm_contrast, arm_pitch_deg, arm_count : tuple of 2 floats
        Spiral arms of every galaxy (:mod:`GalCubeCraft.model.arms`): contrast, pitch
        angle and number of arms (rounded down), phase uniform; ``arm_contrast = (0, 0)``
        (default) draws none.
    arm_streaming_kms : tuple of 2 floats
        The arms' streaming motions, radial and tangential amplitudes alike (km/s;
        :class:`~GalCubeCraft.model.arms.SpiralArms`); default none.
    diffuse : DiffuseParams or dict
        1.2.1's diffuse emission (halo, bridges, tails;
        :mod:`GalCubeCraft.model.diffuse`); off by default.  A dict is merged into
        1.2.1's defaults and switches it on unless it says ``enabled = false``.
    warp_inclination_deg, warp_pa_deg, flare_factor, warp_start_re : tuple of 2 floats
        Warps and flares of every galaxy (:mod:`GalCubeCraft.model.rings`): flat within
        ``warp_start_re`` effective radii, then over two more the inclination and PA
        change by the drawn amounts (the inclination clipped to [0, 90]) and h_z grows by
        the flare factor; the defaults ``(0, 0)``, ``(0, 0)``, ``(1, 1)`` draw none.
    lens_theta_e_re, lens_axis_ratio, lens_shear, lens_source_offset : tuple of 2 floats
        A lens in front of every cube (:mod:`GalCubeCraft.priors.lenses`): an SIE whose
        Einstein radius is ``lens_theta_e_re`` times the primary's R_e, with an axis ratio,
        an external shear, and the primary offset from its centre by
        ``lens_source_offset`` Einstein radii; PA and shear angle uniform.
        ``lens_theta_e_re = (0, 0)`` (default) draws no lens.
    lens_redshift : float
        The lens's redshift, below ``redshift``.
    interferometer_arrays : tuple of str
        Observe every cube with one of these arrays (drawn per cube;
        :mod:`GalCubeCraft.priors.interferometry`, needs the interferometry extra); items
        then add the dirty, restored and model cubes, dirty beams and uv masks.  Empty
        (default): no interferometer.
    track_hours, declination_deg, hour_angle_h, integration_s, t_sys_k : tuple of 2 floats
        The track (length, declination, hour angle at its middle, integration time) and
        the system temperature (K), each uniform in its range.
    imaging_weighting : str
        'natural', 'uniform' or 'briggs' (with ``robust``).
    robust : float
        Briggs's robust parameter.
    clean_threshold_rms : float or None
        CLEAN down to this many times each channel's rms; None: dirty cubes only.
    accuracy : {'default', 'fast'}
        The renderer's settings: :class:`~GalCubeCraft.renderer.settings.RenderSettings`
        (every voxel within about 1e-4 of the peak of a converged render) or its
        :meth:`~GalCubeCraft.renderer.settings.RenderSettings.fast` preset (about 2.5x
        faster, within about 1e-3 of the peak; 4e-3 for thin edge-on disks).
    """

    n_cubes: int = 16
    seed: int = 0
    grid_size: int = 64
    n_chan: int = 40
    v_max_kms: float = 600.0
    beam: Beam = Beam(4.0, 4.0, 0.0)
    line_spread: str = "gaussian"
    redshift: float = 1.0
    line: str = "CO(2-1)"
    n_gals: tuple[int, int] = (1, 3)
    offset_gals: float = 5.0
    resolution: Range = (0.25, 4.0)
    r_e_kpc: Range = (4.0, 6.0)
    h_z_kpc: Range = (0.5, 1.0)
    n_sersic: Range = (0.5, 1.5)
    sigma_kms: Range = (30.0, 50.0)
    inclination_deg: Range = (0.0, 85.0)
    pa_deg: Range = (0.0, 85.0)
    v_0_kms: Range = (200.0, 200.0)
    peak_snr: Range | None = (5.0, 50.0)
    orientation: str = "inclination_pa"
    diffuse: DiffuseParams = DiffuseParams()
    resolution_cycle: tuple[float, ...] | None = None
    radial_flow_kms: Range = (0.0, 0.0)
    bar_flow_kms: Range = (0.0, 0.0)
    clump_count: Range = (0.0, 0.0)
    clump_fraction: Range = (0.0, 0.0)
    clump_size_re: Range = (0.05, 0.15)
    sigma_centre_ratio: Range = (1.0, 1.0)
    asymmetric_drift: bool = False
    arm_contrast: Range = (0.0, 0.0)
    arm_pitch_deg: Range = (10.0, 30.0)
    arm_count: Range = (2.0, 2.0)
    arm_streaming_kms: Range = (0.0, 0.0)
    warp_inclination_deg: Range = (0.0, 0.0)
    warp_pa_deg: Range = (0.0, 0.0)
    flare_factor: Range = (1.0, 1.0)
    warp_start_re: Range = (1.5, 2.5)
    lens_theta_e_re: Range = (0.0, 0.0)
    lens_axis_ratio: Range = (0.6, 1.0)
    lens_shear: Range = (0.0, 0.1)
    lens_source_offset: Range = (0.0, 0.5)
    lens_redshift: float = 0.5
    interferometer_arrays: tuple[str, ...] = ()
    track_hours: Range = (0.5, 2.0)
    declination_deg: Range = (-40.0, -20.0)
    hour_angle_h: Range = (-1.0, 1.0)
    integration_s: Range = (30.0, 30.0)
    t_sys_k: Range = (80.0, 120.0)
    imaging_weighting: str = "briggs"
    robust: float = 0.5
    clean_threshold_rms: float | None = 3.0
    accuracy: str = "default"

    def __post_init__(self) -> None:
        """Normalise fixed values to ranges and check everything."""
        _validate.choice("orientation", self.orientation, ORIENTATIONS)
        _validate.choice("accuracy", self.accuracy, ACCURACIES)
        _validate.boolean("asymmetric_drift", self.asymmetric_drift)
        object.__setattr__(self, "diffuse", DiffuseParams.from_dict(self.diffuse))
        if self.resolution_cycle is not None:
            cycle = tuple(float(r) for r in _validate.real_sequence(
                "resolution_cycle", self.resolution_cycle, len(self.resolution_cycle)
            ))  # fmt: skip
            if not cycle:
                raise ValueError("resolution_cycle must hold at least one value")
            object.__setattr__(self, "resolution_cycle", cycle)
        _validate.integer("n_cubes", self.n_cubes, low=1)
        _validate.integer("seed", self.seed, low=0)
        _validate.integer("grid_size", self.grid_size, low=8)
        _validate.integer("n_chan", self.n_chan, low=1)
        object.__setattr__(self, "v_max_kms", _validate.positive("v_max_kms", self.v_max_kms))
        object.__setattr__(self, "beam", Beam.from_sequence(self.beam, "beam"))
        _validate.choice("line_spread", self.line_spread, LINE_SPREADS)
        # The sky record checks the redshift and the line, in its own words.
        object.__setattr__(self, "redshift", AngularScale(self.redshift, self.line).redshift)
        object.__setattr__(
            self, "offset_gals", _validate.non_negative("offset_gals", self.offset_gals)
        )
        counts = _as_range("n_gals", self.n_gals)
        for k, c in enumerate(counts):
            _validate.integer(
                f"n_gals[{k}]", int(c) if float(c).is_integer() else c, low=1, high=10
            )
        object.__setattr__(self, "n_gals", (int(counts[0]), int(counts[1])))
        for name, (low, high) in _RANGE_LIMITS.items():
            value = getattr(self, name)
            if name == "peak_snr" and value is None:
                continue
            lo, hi = _as_range(name, value)
            _validate.real(f"{name}[0]", lo, low=low, high=high)
            _validate.real(f"{name}[1]", hi, low=low, high=high)
            object.__setattr__(self, name, (lo, hi))
        if self.resolution_cycle is not None:
            low, high = self.resolution
            if not all(low <= r <= high for r in self.resolution_cycle):
                raise ValueError(
                    f"resolution_cycle {self.resolution_cycle} must lie in resolution "
                    f"{self.resolution}"
                )
        object.__setattr__(
            self, "lens_redshift",
            _validate.real("lens_redshift", self.lens_redshift, low=0.0, low_open=True),
        )  # fmt: skip
        self._check_grid_fits()
        object.__setattr__(self, "interferometer_arrays", tuple(self.interferometer_arrays))
        _validate.real("robust", self.robust, low=-2.0, high=2.0)
        if self.clean_threshold_rms is not None:
            _validate.positive("clean_threshold_rms", self.clean_threshold_rms)
        if self.interferometry:
            from .interferometry import check_interferometer_priors

            check_interferometer_priors(self)
        if self.lensing:
            from .galaxies import SATELLITE_SCALE
            from .lenses import check_lens_priors

            check_lens_priors(self, SATELLITE_SCALE[0] if self.n_gals[1] > 1 else 1.0)

    @property
    def warping(self) -> bool:
        """Whether the galaxies are drawn with warps or flares."""
        return (self.warp_inclination_deg != (0.0, 0.0) or self.warp_pa_deg != (0.0, 0.0)
                or self.flare_factor != (1.0, 1.0))  # fmt: skip

    @property
    def interferometry(self) -> bool:
        """Whether the cubes are observed by an interferometer."""
        return len(self.interferometer_arrays) > 0

    @property
    def lensing(self) -> bool:
        """Whether the cubes are drawn behind a lens."""
        return self.lens_theta_e_re[1] > 0.0

    def _check_grid_fits(self) -> None:
        """Refuse a grid that cannot hold the largest galaxy the priors may draw, or the beam."""
        r_max = self.resolution[1] * self.beam.bmin_px / 2.0
        reach = math.floor(self.offset_gals) + r_max
        needed = int(math.ceil(2.0 * reach)) + 2
        if self.grid_size < needed:
            raise ValueError(
                f"grid_size must be >= {needed} to hold galaxies with R_e up to {r_max:g} px "
                f"(resolution up to {self.resolution[1]:g}) offset by up to "
                f"{math.floor(self.offset_gals)} px; got {self.grid_size}"
            )
        if self.beam.bmaj_px >= self.grid_size:
            raise ValueError(
                f"beam bmaj ({self.beam.bmaj_px:g} px) must be smaller than grid_size "
                f"({self.grid_size})"
            )

    @property
    def shape(self) -> tuple[int, int, int]:
        """Cube shape ``(n_chan, grid_size, grid_size)``."""
        return (self.n_chan, self.grid_size, self.grid_size)

    @property
    def max_galaxies(self) -> int:
        """Most galaxies a cube may hold (parameter slots per item)."""
        return self.n_gals[1]

    @property
    def render_settings(self) -> RenderSettings:
        """Return the renderer's settings that ``accuracy`` names."""
        return RenderSettings.for_accuracy(self.accuracy)

    def observation(self, pixel_kpc: float) -> Observation:
        """Return the observation of a cube whose pixels are ``pixel_kpc`` wide."""
        return Observation(
            nx=self.grid_size,
            ny=self.grid_size,
            pixel_kpc=pixel_kpc,
            spectral=SpectralAxis(self.n_chan, -self.v_max_kms, self.v_max_kms),
            beam=self.beam,
            line_spread=self.line_spread,
            sky=AngularScale(redshift=self.redshift, line=self.line),
        )

    def replace(self, **changes: Any) -> DatasetSpec:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def differences(self, other: DatasetSpec) -> dict[str, tuple[Any, Any]]:
        """Return ``{key: (self's value, other's value)}`` for every key that differs."""
        return {
            f.name: (getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        }

    # --- TOML ---------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DatasetSpec:
        """Return a spec from a mapping, refusing unknown keys by name."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown dataset spec key(s) {unknown}; known keys: {sorted(known)}")
        cleaned = dict(values)
        for key in ("peak_snr", "resolution_cycle", "clean_threshold_rms"):
            if isinstance(cleaned.get(key), str) and cleaned[key].lower() == "none":
                cleaned[key] = None
        return cls(**cleaned)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> DatasetSpec:
        """Read a spec from a TOML file."""
        import tomllib

        with open(path, "rb") as handle:
            return cls.from_dict(tomllib.load(handle))

    @classmethod
    def from_toml_text(cls, text: str) -> DatasetSpec:
        """Read a spec from TOML text (as stored inside a dataset)."""
        import tomllib

        return cls.from_dict(tomllib.loads(text))

    def to_toml(self) -> str:
        """Return the spec as TOML text that :meth:`from_toml_text` reads back exactly."""
        lines = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            lines.append(f"{f.name} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    def write_toml(self, path: str | os.PathLike[str]) -> Path:
        """Write the spec to a TOML file."""
        path = Path(path)
        path.write_text(self.to_toml())
        return path


def _as_range(name: str, value: Any) -> tuple[float, float]:
    """Return ``value`` as ``(low, high)``: a number is a fixed value; low must not exceed high."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (value, value)  # type: ignore[return-value]
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = value
        for k, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(f"{name}[{k}] must be a number; got {v!r}")
        if low > high:
            raise ValueError(f"{name} range must have min <= max; got [{low!r}, {high!r}]")
        return (low, high)
    raise TypeError(f"{name} must be a number or a [min, max] pair; got {value!r}")


def _toml_value(value: Any) -> str:
    if isinstance(value, DiffuseParams):
        items = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.to_dict().items())
        return "{ " + items + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Beam):
        return _toml_value((value.bmaj_px, value.bmin_px, value.bpa_deg))
    if value is None:
        return '"none"'
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)
