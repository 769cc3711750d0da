"""Priors over interferometric observations: which array observes cube ``i`` of a spec, how.

A spec asks for interferometric cubes by naming arrays (``interferometer.arrays``).  Each
cube then draws, from a stream of its own
(:data:`~GalCubeCraft._support.random.INTERFEROMETER_STREAM`; its visibility noise from another),
one of those arrays, a track length, a declination, an hour angle at mid-track, an
integration time and a system temperature, each uniform in its range.  The spec is
checked whole when it is made: every array must see every declination of the range for
the longest track at any hour angle of the range, and resolve the coarsest pixels a cube
may draw.  Importing this module does not import finufft; observing does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._support.random import INTERFEROMETER_STREAM, cube_generator
from ..cosmology import kpc_per_arcsec
from .views import scene_and_view

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..interferometry.observe import Interferometer, InterferometricCubes
    from .spec import DatasetSpec

INTERFEROMETER_COLUMNS = (
    "array_index",
    "track_hours",
    "declination_deg",
    "hour_angle_h",
    "integration_s",
    "t_sys_k",
    "dirty_rms",
    "clean_bmaj_arcsec",
    "clean_bmin_arcsec",
    "clean_bpa_deg",
)
"""Parameter-table columns of an interferometric spec; ``array_index`` indexes the spec's
``interferometer.arrays``, ``dirty_rms`` is the median channel's predicted rms (Jy/beam)."""


def check_interferometer_priors(spec: DatasetSpec) -> None:
    """Raise ``ValueError`` if the spec could draw an observation its arrays cannot make."""
    from ..interferometry.arrays import load_array
    from ..interferometry.observe import (
        ARCSEC_PER_RADIAN,
        FIELD_BEAMS,
        SPEED_OF_LIGHT_MS,
        beam_estimate_rad,
    )
    from ..interferometry.uv import Track

    # Array names and weightings are checked by their declarations (priors.spec.records).
    obs, galaxies, priors = spec.observation, spec.galaxies, spec.interferometer
    sky_frequency = obs.for_pixel(1.0).require_sky().observed_frequency_hz
    top_hz = sky_frequency * (1.0 + obs.v_max_kms * 1e3 / SPEED_OF_LIGHT_MS)
    bottom_hz = sky_frequency * (1.0 - obs.v_max_kms * 1e3 / SPEED_OF_LIGHT_MS)
    shortest_m = SPEED_OF_LIGHT_MS / top_hz
    coarsest_kpc = galaxies.r_e_kpc[1] / (galaxies.resolution[0] * obs.beam.bmin_px / 2.0)
    coarsest_arcsec = coarsest_kpc / kpc_per_arcsec(obs.redshift)
    finest_kpc = galaxies.r_e_kpc[0] / (galaxies.resolution[1] * obs.beam.bmin_px / 2.0)
    smallest_field = obs.grid_size * finest_kpc / kpc_per_arcsec(obs.redshift)
    for name in priors.arrays:
        array = load_array(name)
        lengths = np.linalg.norm(array.baselines_enu_m(), axis=1)
        beam = beam_estimate_rad(lengths, bottom_hz) * ARCSEC_PER_RADIAN
        if beam > smallest_field / FIELD_BEAMS:
            raise ValueError(
                f"{name}'s beam (about {beam:.3g} arcsec) needs a field of {FIELD_BEAMS:g} "
                f"times that, but cubes may draw fields of {smallest_field:.3g} arcsec: raise "
                "observation.grid_size or lower galaxies.resolution[1], or choose a more "
                "extended array"
            )
        for declination in priors.declination_deg:
            for hour_angle in priors.hour_angle_centre_h:
                Track(declination, priors.duration_h[1], priors.integration_s[0],
                      hour_angle).check_visible(array.latitude_deg)  # fmt: skip
        nyquist = 0.5 * shortest_m / array.longest_baseline_m() * ARCSEC_PER_RADIAN
        if coarsest_arcsec > nyquist:
            raise ValueError(
                f"{name} resolves {nyquist:.3g} arcsec at the top of the band, but cubes may draw "
                f"pixels of {coarsest_arcsec:.3g} arcsec: raise galaxies.resolution[0] or lower "
                "galaxies.r_e_kpc[1], or choose a more compact array"
            )


def draw_interferometer(spec: DatasetSpec, index: int) -> Interferometer:
    """Return the interferometer that observes cube ``index`` (see the module docstring).

    The views of one scene share it (:mod:`GalCubeCraft.priors.views`).
    """
    from ..interferometry.observe import Interferometer
    from ..interferometry.uv import Track

    priors = spec.interferometer
    rng = cube_generator(spec.seed, scene_and_view(spec, index)[0], INTERFEROMETER_STREAM)
    name = priors.arrays[int(rng.integers(len(priors.arrays)))]
    hours = float(rng.uniform(*priors.duration_h))
    declination = float(rng.uniform(*priors.declination_deg))
    hour_angle = float(rng.uniform(*priors.hour_angle_centre_h))
    integration = float(rng.uniform(*priors.integration_s))
    t_sys = float(rng.uniform(*priors.t_sys_k))
    return Interferometer(
        array=name, track=Track(declination, hours, integration, hour_angle),
        weighting=priors.weighting, robust=priors.robust, t_sys_k=t_sys,
        clean_threshold_rms=priors.clean_threshold_rms,
    )  # fmt: skip


def interferometer_row(spec: DatasetSpec, made: InterferometricCubes) -> list[float]:
    """Return the :data:`INTERFEROMETER_COLUMNS` values of one observed cube."""
    itf = made.interferometer
    assert itf is not None  # observe_interferometer records it
    pixel = made.model.observation.pixel_arcsec
    beam = made.clean_beam
    return [
        float(spec.interferometer.arrays.index(itf.array)), itf.track.duration_h,
        itf.track.declination_deg, itf.track.hour_angle_centre_h, itf.track.integration_s,
        itf.t_sys_k, float(np.median(made.noise_rms)), beam.bmaj_px * pixel,
        beam.bmin_px * pixel, beam.bpa_deg,
    ]  # fmt: skip
