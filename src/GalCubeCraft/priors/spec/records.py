"""The spec's sub-records, one per TOML table, each field declared beside its bounds.

A sub-record checks its own fields (:func:`~.fields.check_record`, from the declarations)
when it is made; what couples fields of several tables is checked by
:class:`~GalCubeCraft.priors.spec.DatasetSpec`.  A prior is a number (fixed) or
``[low, high]`` (uniform; the resolution is log-uniform).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...interferometry.arrays import ARRAY_NAMES
from ...interferometry.weighting import WEIGHTINGS
from ...model.diffuse import DiffuseParams
from ...observation.axes import LINES_HZ
from ...observation.beam import Beam
from ...observation.records import LINE_SPREADS, AngularScale, Observation, SpectralAxis
from .fields import Checked as _Checked
from .fields import declare
from .galaxy_priors import ORIENTATIONS as ORIENTATIONS
from .galaxy_priors import GalaxyPriors, Range
from .noise_render import NoiseSpec, RenderSpec


def _beam(key: str, value: Any) -> Beam:
    return Beam.from_sequence(value, key)


def _diffuse(key: str, value: Any) -> DiffuseParams:
    return DiffuseParams.from_dict(value)


@dataclass(frozen=True)
class ObservationSpec(_Checked):
    """``[observation]``: the grid, the band, the beam and where the source is."""

    TABLE = "observation"
    grid_size: int = declare(64, "int", low=8, unit="px", help="pixels per side")
    n_chan: int = declare(40, "int", low=1, help="channels")
    v_max_kms: float = declare(
        600.0,
        "real",
        low=0.0,
        low_open=True,
        unit="km/s",
        help="the band runs from -v_max_kms to +v_max_kms",
    )
    beam: Beam = declare(
        Beam(4.0, 4.0, 0.0),
        "custom",
        convert=_beam,
        unit="px, px, deg",
        help="bmaj, bmin (FWHM) and bpa (north through east)",
    )
    line_spread: str = declare(
        "gaussian", "choice", choices=tuple(LINE_SPREADS), help="channel response"
    )
    redshift: float = declare(
        1.0,
        "real",
        bounds=(0.0, 20.0),
        low_open=True,
        help="source redshift (sets arcsec per pixel)",
    )
    line: str = declare(
        "CO(2-1)",
        "choice",
        choices=tuple(LINES_HZ),
        help="line preset (sets the FITS rest frequency)",
    )

    @property
    def shape(self) -> tuple[int, int, int]:
        """Cube shape ``(n_chan, grid_size, grid_size)``."""
        return (self.n_chan, self.grid_size, self.grid_size)

    def for_pixel(self, pixel_kpc: float) -> Observation:
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


@dataclass(frozen=True)
class FeaturePriors(_Checked):
    """``[features]``: flows, clumps, dispersion, arms, warps and diffuse emission.

    Every galaxy draws each feature from its range (:mod:`GalCubeCraft.model`); the
    defaults draw none.  Flows: a constant radial velocity (negative: inflow) and a
    bisymmetric flow, bar angle uniform.  Clumps: their number (rounded down), their total
    share of the flux and each one's width in R_e, placed within 2 R_e.  Dispersion: the
    central over the outer one, falling over R_e.  Arms: contrast, pitch angle, number
    (rounded down) and streaming amplitude.  Warps: flat within ``warp_start_re``, then
    over two more R_e the inclination and PA change by the drawn amounts and h_z grows by
    the flare factor.  ``diffuse``: a halo, bridges and tails (a table merged into
    their defaults, on unless it says ``enabled = false``).
    """

    TABLE = "features"
    radial_flow_kms: Range = declare(
        (0.0, 0.0), "range", bounds=(-1e3, 1e3), unit="km/s", help="radial flow (negative: inflow)"
    )
    bar_flow_kms: Range = declare(
        (0.0, 0.0), "range", bounds=(0.0, 1e3), unit="km/s", help="bisymmetric (bar) flow amplitude"
    )
    clump_count: Range = declare(
        (0.0, 0.0), "range", bounds=(0.0, 50.0), help="clumps per galaxy (rounded down)"
    )
    clump_fraction: Range = declare(
        (0.0, 0.0), "range", bounds=(0.0, 0.9), help="clumps' share of the galaxy's flux"
    )
    clump_size_re: Range = declare(
        (0.05, 0.15), "range", bounds=(1e-3, 10.0), unit="R_e", help="each clump's width"
    )
    sigma_centre_ratio: Range = declare(
        (1.0, 1.0), "range", bounds=(0.1, 10.0), help="central over outer dispersion"
    )
    asymmetric_drift: bool = declare(False, "bool", help="rotate with asymmetric drift")
    arm_contrast: Range = declare(
        (0.0, 0.0), "range", bounds=(0.0, 1.0), help="spiral arm contrast (0: no arms)"
    )
    arm_pitch_deg: Range = declare(
        (10.0, 30.0), "range", bounds=(1.0, 89.0), unit="deg", help="spiral arm pitch angle"
    )
    arm_count: Range = declare(
        (2.0, 2.0), "range", bounds=(1.0, 12.0), help="number of arms (rounded down)"
    )
    arm_streaming_kms: Range = declare(
        (0.0, 0.0), "range", bounds=(-200.0, 200.0), unit="km/s", help="arms' streaming motions"
    )
    warp_inclination_deg: Range = declare(
        (0.0, 0.0), "range", bounds=(-90.0, 90.0), unit="deg", help="warp: change of inclination"
    )
    warp_pa_deg: Range = declare(
        (0.0, 0.0),
        "range",
        bounds=(-180.0, 180.0),
        unit="deg",
        help="warp: change of position angle",
    )
    flare_factor: Range = declare(
        (1.0, 1.0), "range", bounds=(0.1, 20.0), help="flare: growth of h_z"
    )
    warp_start_re: Range = declare(
        (1.5, 2.5), "range", bounds=(0.0, 20.0), unit="R_e", help="warp: flat within this radius"
    )
    diffuse: DiffuseParams = declare(
        DiffuseParams(),
        "custom",
        convert=_diffuse,
        help="diffuse halo, bridges and tails (a table)",
    )

    @property
    def warping(self) -> bool:
        """Whether the galaxies are drawn with warps or flares."""
        return (
            self.warp_inclination_deg != (0.0, 0.0)
            or self.warp_pa_deg != (0.0, 0.0)
            or self.flare_factor != (1.0, 1.0)
        )


@dataclass(frozen=True)
class LensPriors(_Checked):
    """``[lens]``: an SIE with external shear in front of every cube.

    Its Einstein radius is ``theta_e_re`` times the primary's R_e and the primary sits
    ``source_offset`` Einstein radii from its centre; PA and shear angle uniform.
    ``theta_e_re = 0`` (default) draws no lens.
    """

    TABLE = "lens"
    theta_e_re: Range = declare(
        (0.0, 0.0), "range", bounds=(0.0, 50.0), unit="R_e", help="Einstein radius (0: no lens)"
    )
    axis_ratio: Range = declare((0.6, 1.0), "range", bounds=(0.05, 1.0), help="lens axis ratio")
    shear: Range = declare((0.0, 0.1), "range", bounds=(0.0, 0.5), help="external shear")
    source_offset: Range = declare(
        (0.0, 0.5),
        "range",
        bounds=(0.0, 10.0),
        unit="theta_E",
        help="primary's offset from the lens centre",
    )
    redshift: float = declare(
        0.5, "real", low=0.0, low_open=True, help="lens redshift, below the sources'"
    )

    @property
    def enabled(self) -> bool:
        """Whether a lens is drawn."""
        return self.theta_e_re[1] > 0.0


@dataclass(frozen=True)
class InterferometerPriors(_Checked):
    """``[interferometer]``: observe every cube with one of the arrays (none: no interferometer).

    The track and the receivers are drawn per cube, each uniform in its range; names are
    those of :class:`~GalCubeCraft.interferometry.uv.Track` and
    :class:`~GalCubeCraft.interferometry.observe.Interferometer`.
    """

    TABLE = "interferometer"
    arrays: tuple[str, ...] = declare(
        (), "names", choices=ARRAY_NAMES, help="arrays, one drawn per cube"
    )
    duration_h: Range = declare(
        (0.5, 2.0), "range", bounds=(0.01, 24.0), unit="h", help="track length"
    )
    declination_deg: Range = declare(
        (-40.0, -20.0), "range", bounds=(-90.0, 90.0), unit="deg", help="source declination"
    )
    hour_angle_centre_h: Range = declare(
        (-1.0, 1.0), "range", bounds=(-12.0, 12.0), unit="h", help="hour angle at mid-track"
    )
    integration_s: Range = declare(
        (30.0, 30.0), "range", bounds=(0.01, 3600.0), unit="s", help="integration per visibility"
    )
    t_sys_k: Range = declare(
        (80.0, 120.0), "range", bounds=(1.0, 1e5), unit="K", help="system temperature"
    )
    weighting: str = declare("briggs", "choice", choices=WEIGHTINGS, help="imaging weights")
    robust: float = declare(0.5, "real", bounds=(-2.0, 2.0), help="Briggs robust")
    clean_threshold_rms: float | None = declare(
        3.0,
        "real",
        low=0.0,
        low_open=True,
        optional=True,
        unit="rms",
        help="CLEAN down to this; none: dirty cubes only",
    )

    @property
    def enabled(self) -> bool:
        """Whether the cubes are observed by an interferometer."""
        return len(self.arrays) > 0


VIEWS_VARY = ("orientation", "noise")
"""What differs between the views of one scene (:attr:`DatasetSpec.views_vary`)."""
TOP_LEVEL_KEYS = ("n_cubes", "seed", "views", "views_vary")
"""The spec's keys above its tables (:class:`~GalCubeCraft.priors.spec.DatasetSpec`'s own)."""

TABLES: dict[str, type] = {
    "galaxies": GalaxyPriors,
    "observation": ObservationSpec,
    "noise": NoiseSpec,
    "features": FeaturePriors,
    "lens": LensPriors,
    "interferometer": InterferometerPriors,
    "render": RenderSpec,
}
"""The spec's TOML tables and the record each one is."""
