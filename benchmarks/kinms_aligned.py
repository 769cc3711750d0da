"""KinMS 3 on our grid: the same disk, pixel for pixel and channel for channel.

Shared by ``bench_pareto.py`` and ``tests/test_pareto_alignment.py``.  The conventions are
those ``tests/test_kinms.py`` measured (that test shifts KinMS's cube by one pixel after the
fact; this module asks KinMS to put the disk in the right place instead, which also works
for even grids and keeps the edge row).  Read from KinMS 3's source (``KinMS.py``):

- **Pixel centres.**  A cloud at offset ``x`` (pixels) lands in pixel ``round(x + n / 2 +
  phaseCent / cellSize)``, so KinMS's centre is pixel coordinate ``n / 2``; ours is
  ``(n - 1) / 2``.
- **Beam centring.**  KinMS samples its beam centred on pixel coordinate ``n / 2`` and cuts
  an odd-sized kernel around it: for odd ``n`` that is a Gaussian sampled half a pixel off
  its peak, which shifts the image by half a pixel and, even with the shift undone, is a
  different discretisation from ours (1.9e-3 of the peak rms on a disk of R_e = 1 px,
  against KinMS's noise of 1e-4 at 1e6 clouds).  We ask KinMS's own ``makebeam`` (its
  ``cent`` argument) for the kernel peaked on a pixel, as ours is, for any ``n``; its
  centroid offset, measured on ``model.psf`` below, is then 0 and ``phaseCent`` (half a
  pixel) puts the disk's centre on ours.
- **Channel offsets.**  A cloud of velocity ``v`` lands in channel ``round(v / dv + n / 2 +
  vOffset / dv)``: KinMS's channel centres lie half a channel below ours, undone by
  ``vOffset``.
- **Axes.**  KinMS's x and y are ours (a transposition, no flip), and its PA and
  inclination ours for an axisymmetric disk.
- **Units.**  KinMS returns ``(x, y, v)`` normalised to its ``intFlux``; we transpose to
  ``(v, y, x)`` and scale it to a given total (the in-field sum of our cube), which is a
  constant, not a noisy estimate: KinMS divides by its own cube's sum.

Both codes then hold the same sampled, unit-sum Gaussian beam (ours the band-limited
Gaussian, equal to the sampled one to exp(-2 pi^2 sigma^2) ~ 1e-25 for the benchmark's
4-pixel beam; KinMS cuts its kernel below 1e-5 of the peak) and plain binning in
velocity (``line_spread='tophat'``: KinMS has no line spread after binning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from GalCubeCraft import Beam, Galaxy, Observation, SpectralAxis
from GalCubeCraft.model.profiles import sersic_radial

RADIUS_NODES = 20_000
"""Nodes of the radial tables handed to KinMS (log-spaced: 0.07% apart, so its linear
interpolation of the cumulative profile and of v(R) adds nothing visible)."""


def bench_disk(grid: int, n_chan: int) -> tuple[Galaxy, Observation]:
    """Return the disk and observation of ``benchmarks/bench_render.py`` at ``grid^2``.

    R_e = 5 kpc is 4 pixels at 125^2 and scales with the grid; inclination 55 deg, PA
    40 deg, h_z = 0.7 kpc, sigma = 40 km/s, the default rotation curve; ``n_chan``
    channels over +-600 km/s, a round 4-pixel beam, plain binning in velocity.
    """
    galaxy = Galaxy(
        r_e_kpc=5.0, n_sersic=1.0, h_z_kpc=0.7, inclination_deg=55, pa_deg=40, sigma_kms=40
    )
    observation = Observation(
        nx=grid,
        ny=grid,
        pixel_kpc=5.0 / (4.0 * grid / 125),
        spectral=SpectralAxis(n_chan, -600.0, 600.0),
        beam=Beam(4.0, 4.0),
        line_spread="tophat",
    )
    return galaxy, observation


def _check_supported(galaxy: Galaxy, observation: Observation) -> None:
    """Raise ``ValueError`` for what the alignment does not translate to KinMS."""
    extras = [
        name
        for name in ("flows", "dispersion_profile", "arms", "rings")
        if getattr(galaxy, name) is not None
    ]
    if galaxy.clumps:
        extras.append("clumps")
    if galaxy.asymmetric_drift:
        extras.append("asymmetric_drift")
    if galaxy.x_kpc or galaxy.y_kpc or galaxy.v_sys_kms:
        extras.append("an offset (x_kpc, y_kpc, v_sys_kms)")
    if extras:
        raise ValueError(f"the KinMS alignment takes a plain centred disk; got {extras}")
    beam = observation.beam
    if beam is not None and beam.bmaj_px != beam.bmin_px:
        raise ValueError(f"the KinMS alignment takes a round beam; got {beam}")
    if observation.line_spread != "tophat":
        raise ValueError(
            "KinMS bins velocities with no line spread after: the observation's line_spread "
            f"must be 'tophat'; got {observation.line_spread!r}"
        )


@dataclass(frozen=True)
class AlignedKinMS:
    """A KinMS model of one of our disks, set up to land on our grid.

    Time ``model.model_cube(**arguments)``: KinMS's own call, as a fit repeats it (its
    random draws are made once, in the constructor).  :meth:`on_our_grid` turns its
    result into a cube comparable with ours.
    """

    model: Any
    arguments: dict[str, Any]

    def run(self) -> np.ndarray:
        """Return KinMS's cube as it makes it: ``(x, y, v)``, normalised to ``intFlux``."""
        return self.model.model_cube(**self.arguments)

    @staticmethod
    def on_our_grid(raw: np.ndarray, total: float) -> np.ndarray:
        """Return ``raw`` as ``(v, y, x)`` float64 scaled to sum to ``total``."""
        cube = np.transpose(raw, (2, 1, 0)).astype(np.float64)
        return cube * (total / cube.sum())


def aligned_kinms(
    galaxy: Galaxy, observation: Observation, n_clouds: int, seed: int = 1
) -> AlignedKinMS:
    """Return KinMS set up to render ``galaxy`` in ``observation`` with ``n_clouds`` clouds.

    Parameters
    ----------
    galaxy : Galaxy
        A plain centred Sérsic disk (no flows, arms, clumps, rings or offsets).
    observation : Observation
        Its grid and channels; a round beam or none; ``line_spread='tophat'``.
    n_clouds : int
        KinMS's ``nSamps``.
    seed : int
        KinMS's four generators are seeded ``seed * (100, 101, 102, 103)``.
    """
    from kinms import KinMS

    _check_supported(galaxy, observation)
    cell, spectral = observation.pixel_kpc, observation.spectral
    dv = spectral.channel_width_kms
    beam = observation.beam
    beam_size = [0.0, 0.0, 0.0] if beam is None else [beam.bmaj_px * cell] * 2 + [0.0]
    model = KinMS(
        observation.nx * cell,
        observation.ny * cell,
        spectral.n_chan * dv,
        cellSize=cell,
        dv=dv,
        beamSize=beam_size,
        cleanOut=beam is None,
        nSamps=int(n_clouds),
        seed=[int(seed)] * 4,
    )
    if beam is not None:
        # KinMS's own kernel, asked (its ``cent`` argument) to peak on a pixel: by default it
        # peaks at n / 2, half a pixel off for odd n, a Gaussian sampled between pixels.
        model.psf = model.makebeam(
            observation.nx,
            observation.ny,
            beam_size,
            cellSize=cell,
            cent=[observation.nx // 2, observation.ny // 2],
        )
    shift_x, shift_y = _psf_offsets(model.psf) if beam is not None else (0.0, 0.0)
    # KinMS's disk centre lands at n / 2 + phaseCent / cell + the kernel's centroid offset
    # (0 for the kernel above): ours is (n - 1) / 2.
    phase_centre = [(-0.5 - shift_x) * cell, (-0.5 - shift_y) * cell]
    # KinMS's channel k is centred on (k - n/2) dv - vOffset; ours on v_min + (k + 1/2) dv.
    v_offset = -0.5 * (spectral.v_min_kms + spectral.v_max_kms) - 0.5 * dv
    radii = _radii_kpc(galaxy, observation)
    profile = sersic_radial(radii, 1.0, galaxy.r_e_kpc, galaxy.n_sersic)
    assert galaxy.rotation_curve is not None  # Galaxy fills in its default
    arguments = dict(
        inc=galaxy.inclination_deg,
        posAng=galaxy.pa_deg,
        gasSigma=galaxy.sigma_kms,
        diskThick=galaxy.h_z_kpc,
        sbProf=profile,
        sbRad=radii,
        velRad=radii,
        velProf=np.asarray(galaxy.rotation_curve(radii), dtype=float),
        intFlux=1.0,
        phaseCent=phase_centre,
        vOffset=v_offset,
    )
    return AlignedKinMS(model, arguments)


def _psf_offsets(psf: np.ndarray) -> tuple[float, float]:
    """Return the centroid of KinMS's ``psf[x, y]`` from its middle pixel, in x and y."""
    weights = np.asarray(psf, dtype=float)
    total = weights.sum()
    x = np.arange(weights.shape[0]) - 0.5 * (weights.shape[0] - 1)
    y = np.arange(weights.shape[1]) - 0.5 * (weights.shape[1] - 1)
    return float(x @ weights.sum(axis=1) / total), float(y @ weights.sum(axis=0) / total)


def _radii_kpc(galaxy: Galaxy, observation: Observation) -> np.ndarray:
    """Return radii (kpc) reaching every disk radius that can project into the field."""
    half_diagonal = 0.5 * math.hypot(observation.nx, observation.ny) * observation.pixel_kpc
    cos_i = max(math.cos(math.radians(galaxy.inclination_deg)), 0.1)
    r_max = 1.5 * half_diagonal / cos_i + 10.0 * galaxy.h_z_kpc
    return np.concatenate([[0.0], np.geomspace(1e-6 * r_max, r_max, RADIUS_NODES)])
