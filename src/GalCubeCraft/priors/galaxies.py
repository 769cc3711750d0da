"""The sampling ranges of every cube, turned into explicit galaxy records.

All randomness of a cube's parameters lives here: :func:`draw_scene` draws every
parameter of cube ``index`` of a :class:`~GalCubeCraft.priors.spec.DatasetSpec` from that cube's
own generator (:mod:`GalCubeCraft._support.random`), lazily, one cube at a time.  Noise draws its
own stream elsewhere, so it never shifts these draws.  With several views per scene
(:mod:`GalCubeCraft.priors.views`) the draws are the scene's, and a view may draw its
galaxies' angles again.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._support.random import (
    ARMS_STREAM,
    CLUMPS_STREAM,
    DISPERSION_STREAM,
    FLOWS_STREAM,
    LINE_FLUX_STREAM,
    TULLY_FISHER_STREAM,
    WARP_STREAM,
    cube_generator,
)
from ..cosmology import hubble_flow_kms
from ..instrument.noise_level import NoiseModel
from ..model.arms import SpiralArms
from ..model.clumps import Clump
from ..model.diffuse import DiffuseComponents, DiffuseSource, draw_diffuse
from ..model.drift import ExponentialDispersion
from ..model.flows import NonCircularFlows
from ..model.galaxy import Galaxy
from ..model.lens import Lens
from ..model.profiles import total_flux
from ..model.rings import linear_warp
from ..model.rotation import MilkyWayRotationCurve
from .lenses import draw_lens
from .noise import draw_noise
from .orientation import (
    isotropic_first_tilt,
    isotropic_inclination,
    isotropic_satellite_angle,
    tilt_to_inclination_pa,
    tilts_to_inclination_pa,
)
from .tully_fisher import tully_fisher_speed_kms
from .views import orientation_generator, scene_and_view

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .spec import DatasetSpec

RESOLUTION_RANGES = {"all": (0.25, 4.0), "unresolved": (0.25, 1.0), "resolved": (1.0, 4.0)}
"""Named ranges of ``r = R_e / (bmin / 2)``, sampled log-uniformly."""

S_E_BASE = (0.08, 0.12)
"""The primary's emissivity per voxel is ``U(0.08, 0.12) * (1 / r)^1.5`` by default
(``galaxies.s_e_base``)."""
S_E_RESOLUTION_POWER = 1.5
SATELLITE_ANGLE_DEG = (-180.0, 180.0)
"""Satellites' two angles, each uniform in this range (the primary's come from the spec)."""
SATELLITE_SCALE = (1.0 / 3.0, 0.5)
"""Satellites' R_e, h_z and S_e, each this fraction of the primary's (uniform), by default
(``galaxies.satellite_scale``)."""


@dataclass(frozen=True)
class DrawnGalaxy:
    """One galaxy as drawn: its record, and what the record does not keep.

    Parameters
    ----------
    galaxy : Galaxy
        The record the renderer takes (``galaxy.s_e`` is per kpc^3).
    s_e_per_voxel : float
        The emissivity as drawn, per voxel of the cube's grid (``galaxy.s_e`` times
        ``pixel_kpc^3``, kept as drawn so no rounding enters).
    angles_deg : tuple of 2 floats
        The two drawn angles (:attr:`DatasetSpec.orientation` says what they are: two
        tilts, about the column axis then the row axis, or an inclination and a PA).
    centre_px : tuple of 3 ints
        The centre as 0-based whole pixels ``(x = column, y = row, depth)``.
    log_mass_msun : float
        The baryonic mass its speed was drawn from (``v_0_prior = "tully_fisher"``;
        NaN otherwise).
    """

    galaxy: Galaxy
    s_e_per_voxel: float
    angles_deg: tuple[float, float]
    centre_px: tuple[int, int, int]
    log_mass_msun: float = math.nan


@dataclass
class CubeDraw:
    """Everything drawn for one cube: its scale, its galaxies as drawn, noise, diffuse and lens.

    ``noise`` is None for noiseless cubes.  Depth offsets of the galaxies' centres from
    the primary's become Hubble-flow velocities.  ``scene`` and ``view`` say which view
    of which scene the item shows (:mod:`GalCubeCraft.priors.views`; ``(index, 0)`` with
    one view per scene).
    """

    resolution: float
    pixel_kpc: float
    noise: NoiseModel | None = None
    drawn: list[DrawnGalaxy] = field(default_factory=list)
    diffuse: DiffuseComponents | None = None
    lens: Lens | None = None
    scene: int = 0
    view: int = 0

    @property
    def peak_snr(self) -> float:
        """The peak S/N drawn (NaN when the noise is noiseless or set another way)."""
        if self.noise is None or self.noise.peak_snr is None:
            return math.nan
        return self.noise.peak_snr

    @property
    def galaxies(self) -> list[Galaxy]:
        """The galaxy records, primary first."""
        return [d.galaxy for d in self.drawn]

    @property
    def centres_px(self) -> list[tuple[int, int, int]]:
        """Each galaxy's centre as 0-based whole pixels ``(x, y, depth)``."""
        return [d.centre_px for d in self.drawn]


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """Return a uniform draw in ``bounds``; a fixed value ``(v, v)`` still takes one draw.

    Taking the draw either way keeps every later parameter of a cube the same whether an
    earlier prior is fixed or not.
    """
    return float(rng.uniform(*bounds))


def _primary_angles(spec: DatasetSpec, rng: np.random.Generator) -> tuple[float, float]:
    """Draw the primary's two angles: inclination and PA, or two tilts."""
    priors = spec.galaxies
    if priors.inclination_prior == "uniform":
        first = _uniform(rng, priors.inclination_deg)
    elif priors.orientation == "tilts":
        first = isotropic_first_tilt(float(rng.uniform()), priors.inclination_deg)
    else:
        first = isotropic_inclination(float(rng.uniform()), priors.inclination_deg)
    return first, _uniform(rng, priors.pa_deg)


def _satellite_angles(spec: DatasetSpec, rng: np.random.Generator) -> tuple[float, float]:
    """Draw a satellite's two angles, uniform in [-180, 180] (the first made isotropic)."""
    first, second = (float(a) for a in rng.uniform(*SATELLITE_ANGLE_DEG, size=2))
    if spec.galaxies.inclination_prior == "isotropic":
        first = isotropic_satellite_angle(first, spec.galaxies.orientation == "tilts")
    return first, second


def _speed(spec: DatasetSpec, rng: np.random.Generator, scatter: np.random.Generator | None
           ) -> tuple[float, float]:  # fmt: skip
    """Draw one galaxy's ``v_0`` (km/s) and the log baryonic mass it came from (or NaN)."""
    priors = spec.galaxies
    if priors.v_0_prior == "range":
        return _uniform(rng, priors.v_0_kms), math.nan
    assert scatter is not None  # made by draw_scene for this prior
    log_mass = _uniform(rng, priors.baryonic_mass_log_msun)  # where v_0's draw sat
    offset = float(scatter.normal(0.0, priors.tully_fisher_scatter_dex))
    return tully_fisher_speed_kms(log_mass, offset), log_mass


def _flows(spec: DatasetSpec, galaxy: Galaxy, rng: np.random.Generator) -> dict[str, object]:
    """Draw one galaxy's non-circular flows."""
    radial = _uniform(rng, spec.features.radial_flow_kms)
    bar = _uniform(rng, spec.features.bar_flow_kms)
    angle = float(rng.uniform(0.0, 180.0))
    return {"flows": NonCircularFlows(radial_kms=radial, bar_tangential_kms=bar,
                                      bar_radial_kms=bar, bar_angle_deg=angle)}  # fmt: skip


def _clumps(spec: DatasetSpec, galaxy: Galaxy, rng: np.random.Generator) -> dict[str, object]:
    """Draw one galaxy's clumps: uniform in area within 2 R_e, shares of the drawn total."""
    count = int(_uniform(rng, spec.features.clump_count))
    total = _uniform(rng, spec.features.clump_fraction)
    shares = rng.dirichlet(np.ones(count)) * total if count else np.zeros(0)
    clumps = tuple(
        Clump(
            radius_kpc=2.0 * galaxy.r_e_kpc * math.sqrt(float(rng.uniform())),
            azimuth_deg=float(rng.uniform(0.0, 360.0)),
            sigma_kpc=_uniform(rng, spec.features.clump_size_re) * galaxy.r_e_kpc,
            flux_fraction=float(share),
        )
        for share in shares
    )
    return {"clumps": clumps}


def _dispersion(spec: DatasetSpec, galaxy: Galaxy, rng: np.random.Generator) -> dict[str, object]:
    """Draw one galaxy's dispersion profile; switch asymmetric drift as the spec says."""
    ratio = _uniform(rng, spec.features.sigma_centre_ratio)
    profile = None
    if spec.features.sigma_centre_ratio != (1.0, 1.0):
        profile = ExponentialDispersion(galaxy.sigma_kms * ratio, galaxy.sigma_kms,
                                        galaxy.r_e_kpc)  # fmt: skip
    return {"dispersion_profile": profile, "asymmetric_drift": spec.features.asymmetric_drift}


def _arms(spec: DatasetSpec, galaxy: Galaxy, rng: np.random.Generator) -> dict[str, object]:
    """Draw one galaxy's spiral arms."""
    contrast = _uniform(rng, spec.features.arm_contrast)
    pitch = _uniform(rng, spec.features.arm_pitch_deg)
    count = int(_uniform(rng, spec.features.arm_count))
    phase = float(rng.uniform(0.0, 360.0))
    streaming = _uniform(rng, spec.features.arm_streaming_kms)  # drawn last: earlier draws keep
    return {"arms": SpiralArms(m=count, pitch_deg=pitch, contrast=contrast, phase_deg=phase,
                               streaming_radial_kms=streaming,
                               streaming_tangential_kms=streaming)}  # fmt: skip


WARP_LENGTH_RE = 2.0
"""A drawn warp turns over this many effective radii beyond its start."""


def _warps(spec: DatasetSpec, galaxy: Galaxy, rng: np.random.Generator) -> dict[str, object]:
    """Draw one galaxy's warp and flare (outer inclination clipped to [0, 90])."""
    start = _uniform(rng, spec.features.warp_start_re) * galaxy.r_e_kpc
    d_incl = _uniform(rng, spec.features.warp_inclination_deg)
    d_pa = _uniform(rng, spec.features.warp_pa_deg)
    flare = _uniform(rng, spec.features.flare_factor)
    outer = min(max(galaxy.inclination_deg + d_incl, 0.0), 90.0)
    rings = linear_warp(start, WARP_LENGTH_RE * galaxy.r_e_kpc, (galaxy.inclination_deg, outer),
                        (galaxy.pa_deg, galaxy.pa_deg + d_pa),
                        (galaxy.h_z_kpc, galaxy.h_z_kpc * flare))  # fmt: skip
    return {"rings": rings}


_FEATURES = (
    (FLOWS_STREAM, _flows,
     lambda s: s.features.radial_flow_kms != (0.0, 0.0) or s.features.bar_flow_kms != (0.0, 0.0)),
    (CLUMPS_STREAM, _clumps, lambda s: s.features.clump_count[1] >= 1.0),
    (DISPERSION_STREAM, _dispersion,
     lambda s: s.features.sigma_centre_ratio != (1.0, 1.0) or s.features.asymmetric_drift),
    (ARMS_STREAM, _arms, lambda s: s.features.arm_contrast[1] > 0.0),
    (WARP_STREAM, _warps, lambda s: s.features.warping),
)  # fmt: skip
"""Beyond-the-disk features: each drawn, when its priors ask, from a stream of its own
(so switching one on moves no other draw of the cube)."""


def _with_features(spec: DatasetSpec, scene: int, galaxies: list[Galaxy]) -> list[Galaxy]:
    """Return the galaxies with every feature the spec asks for drawn onto them."""
    for stream, draw_one, wanted in _FEATURES:
        if wanted(spec):
            rng = cube_generator(spec.seed, scene, stream)
            galaxies = [dataclasses.replace(g, **draw_one(spec, g, rng)) for g in galaxies]  # type: ignore[arg-type]
    return galaxies


def draw_scene(spec: DatasetSpec, index: int) -> CubeDraw:
    """Draw cube ``index`` of ``spec`` (view ``index % views`` of scene ``index // views``).

    Returns
    -------
    CubeDraw
        The cube's resolution, pixel scale and noise level, and each galaxy as drawn
        (:class:`DrawnGalaxy`: the record the renderer takes, the emissivity per voxel it
        was drawn as, the two drawn angles and the centre pixel).
    """
    if not 0 <= index < spec.n_cubes:
        raise IndexError(f"index must lie in [0, {spec.n_cubes - 1}]; got {index}")
    scene, view = scene_and_view(spec, index)
    priors = spec.galaxies
    rng = cube_generator(spec.seed, scene)
    reoriented = orientation_generator(spec, index)
    # Each drawn only when its prior asks, from a stream of its own: the main stream's
    # draws stay where they were.
    scatter = (cube_generator(spec.seed, scene, TULLY_FISHER_STREAM)
               if priors.v_0_prior == "tully_fisher" else None)  # fmt: skip
    fluxes = (cube_generator(spec.seed, scene, LINE_FLUX_STREAM)
              if priors.line_flux_jykms is not None else None)  # fmt: skip
    low_count, high_count = priors.n_gals
    count = int(rng.integers(low_count, high_count + 1))
    low, high = priors.resolution
    r = float(math.exp(rng.uniform(math.log(low), math.log(high))))
    if priors.resolution_cycle is not None:  # fixed in turn; the draw above keeps later ones
        r = priors.resolution_cycle[scene % len(priors.resolution_cycle)]
    r_e_px = r * spec.observation.beam.bmin_px / 2.0
    r_e_kpc = _uniform(rng, priors.r_e_kpc)
    pixel_kpc = r_e_kpc / r_e_px
    draw = CubeDraw(resolution=r, pixel_kpc=pixel_kpc, scene=scene, view=view)

    h_z = _uniform(rng, priors.h_z_kpc)
    s_e = _uniform(rng, priors.s_e_base) * (1.0 / r) ** S_E_RESOLUTION_POWER
    # The primary sits on the pixel ``grid_size // 2`` (the centre of an odd grid; for an
    # even one the pixel above and right of the geometric centre), so every galaxy's
    # centre is a whole pixel.
    centre_pixel = spec.observation.grid_size // 2
    from_field_centre = centre_pixel - 0.5 * (spec.observation.grid_size - 1)
    for k in range(count):
        if k == 0:
            scale = np.ones(3)
            angles = _primary_angles(spec, rng)
            if reoriented is not None:
                angles = _primary_angles(spec, reoriented)
            centre: tuple[int, ...] = (0, 0, 0)
        else:
            scale = rng.uniform(*priors.satellite_scale, size=3)
            angles = _satellite_angles(spec, rng)
            if reoriented is not None:
                angles = _satellite_angles(spec, reoriented)
            reach = int(math.floor(priors.offset_gals))
            centre = tuple(int(c) for c in rng.integers(-reach, reach + 1, size=3))
        n = _uniform(rng, priors.n_sersic)
        sigma = _uniform(rng, priors.sigma_kms)
        v_0, log_mass = _speed(spec, rng, scatter)
        gal_r_e_kpc = r_e_kpc * float(scale[0])
        gal_h_z = h_z * float(scale[1])
        gal_s_e = s_e * float(scale[2])
        s_e_kpc = gal_s_e / pixel_kpc**3
        if fluxes is not None:  # scaled to a drawn total line flux instead
            flux = _uniform(fluxes, priors.line_flux_jykms)  # type: ignore[arg-type]
            s_e_kpc = flux / total_flux(1.0, gal_r_e_kpc, n, gal_h_z)
            gal_s_e = s_e_kpc * pixel_kpc**3
        if priors.orientation == "tilts":
            inclination, pa = tilts_to_inclination_pa(*angles)
        else:
            inclination, pa = tilt_to_inclination_pa(*angles)
        galaxy = Galaxy(
            r_e_kpc=gal_r_e_kpc,
            n_sersic=n,
            h_z_kpc=gal_h_z,
            s_e=s_e_kpc,
            inclination_deg=inclination,
            pa_deg=pa,
            sigma_kms=sigma,
            rotation_curve=MilkyWayRotationCurve.for_sersic(v_0, gal_r_e_kpc, n),
            x_kpc=(from_field_centre + centre[0]) * pixel_kpc,
            y_kpc=(from_field_centre + centre[1]) * pixel_kpc,
            v_sys_kms=hubble_flow_kms(centre[2] * pixel_kpc),
        )
        draw.drawn.append(DrawnGalaxy(
            galaxy=galaxy,
            s_e_per_voxel=gal_s_e,
            angles_deg=angles,
            centre_px=(centre_pixel + centre[0], centre_pixel + centre[1],
                       centre_pixel + centre[2]),
            log_mass_msun=log_mass,
        ))  # fmt: skip
    draw.noise = draw_noise(spec.noise, rng)  # one draw when noisy, as it always was
    featured = _with_features(spec, scene, draw.galaxies)
    draw.drawn = [dataclasses.replace(d, galaxy=g)
                  for d, g in zip(draw.drawn, featured, strict=True)]  # fmt: skip
    if spec.lensing:  # from a stream of its own, like the features
        draw.lens = draw_lens(spec, scene, draw.galaxies[0])
    if spec.features.diffuse.enabled:
        # Drawn last, from the same generator: switching diffuse emission on leaves the
        # galaxies' draws unchanged.
        source = DiffuseSource(
            centres_px=np.asarray(draw.centres_px, dtype=float),
            s_e_per_voxel=np.asarray([d.s_e_per_voxel for d in draw.drawn]),
            r_e_px=np.asarray([d.galaxy.r_e_kpc / pixel_kpc for d in draw.drawn]),
            h_z_px=np.asarray([d.galaxy.h_z_kpc for d in draw.drawn]) / pixel_kpc,
            v_sys_kms=np.asarray([g.v_sys_kms for g in draw.galaxies]),
            primary=draw.galaxies[0],
            pixel_kpc=pixel_kpc,
            grid_size=spec.observation.grid_size,
        )
        draw.diffuse = draw_diffuse(spec.features.diffuse, source, rng)
    return draw
