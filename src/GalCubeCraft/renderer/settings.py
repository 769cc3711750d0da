"""All speed/accuracy knobs of the renderer, travelling together."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._support import validate as _validate

MIN_TOLERANCE = 1e-10
"""Tightest refinement tolerance: a pixel's float32 samples round at about 1e-7 of its
flux, itself 1e-3 to 1e-5 of the galaxy's, so a tighter test splits on rounding alone
(every cell, down to ``max_refine_depth``)."""

ACCURACIES = ("default", "fast")
"""The accuracy names :meth:`RenderSettings.for_accuracy` takes."""
SPEC_ACCURACIES = ("auto", *ACCURACIES)
"""The accuracy names a dataset spec takes: a preset, or 'auto' (:class:`AutoAccuracy`)."""


@dataclass(frozen=True)
class RenderSettings:
    """Accuracy settings of the renderer.

    Parameters
    ----------
    los_nodes : int
        Gauss-Legendre nodes per line-of-sight panel.
    los_panels : int
        Panels per line-of-sight piece (each sight line is cut into up to seven pieces,
        around the midplane crossing and around the point closest to the disk axis; see
        :mod:`GalCubeCraft.renderer.los`).  Face-on disks always use one: their sight
        lines are integrated exactly.
    refine_tolerance : float
        A sky cell is split in four while its 2x2 Gauss-Legendre flux and its one-point
        flux differ by more than this fraction of the galaxy's total flux; in
        ``[1e-10, 1]``.
    voxel_tolerance : float
        A sky cell is also split while its one-point and 2x2 spectra differ, in the
        estimate of :func:`~GalCubeCraft.renderer.sampling._spectral_error`, by more than
        this fraction of the brightest line profile: it bounds per-voxel errors where
        velocities change fast across the sky (galaxy centres, compact disks); in
        ``[1e-10, 1]``.  Refinement that would hold more sight lines than the memory
        limit is refused (:func:`~GalCubeCraft.renderer.budget.check_refinement`).
    max_refine_depth : int
        Most halvings of a pixel (cells down to ``2**-depth`` pixels).
    lost_fraction : float
        Fraction of the light allowed outside the radial truncation, and again outside
        the vertical one; the renderer only samples inside them.
    fine_per_width : float
        Fine velocity nodes per ``min(sigma, channel width)`` for the linear deposit.
    max_fine_per_channel : int
        Cap on fine nodes per channel (bounds memory when sigma is tiny).
    memory_limit_gib : float, optional
        Refuse cubes that would need more memory than this (GiB) before any work; default
        the memory available when the cube is made (:mod:`GalCubeCraft.renderer.budget`).
    """

    los_nodes: int = 10
    los_panels: int = 1
    refine_tolerance: float = 1e-5
    voxel_tolerance: float = 3e-5
    max_refine_depth: int = 7
    lost_fraction: float = 1e-7
    fine_per_width: float = 8.0
    max_fine_per_channel: int = 64
    memory_limit_gib: float | None = None

    @classmethod
    def converged(cls) -> RenderSettings:
        """Return settings far stricter than the default, for checking it (slow).

        Twice the line-of-sight nodes in twice the panels, flux and spectral refinement
        tolerances 100x and 30x tighter, one more refinement level, a thousand times less
        light beyond the truncation and a four times finer velocity grid.
        """
        return cls(los_nodes=20, los_panels=2, refine_tolerance=1e-7, voxel_tolerance=1e-6,
                   max_refine_depth=8, lost_fraction=1e-10, fine_per_width=32.0,
                   max_fine_per_channel=512)  # fmt: skip

    @classmethod
    def for_accuracy(cls, accuracy: str) -> RenderSettings:
        """Return the settings an accuracy name stands for (:data:`ACCURACIES`).

        ``'default'`` is ``RenderSettings()``, ``'fast'`` is :meth:`fast`: the names the
        dataset specs and the command line take.
        """
        _validate.choice("accuracy", accuracy, ACCURACIES)
        return cls.fast() if accuracy == "fast" else cls()

    @classmethod
    def fast(cls) -> RenderSettings:
        """Return settings about 2.5x faster than the default, for data at scale.

        Six line-of-sight nodes, flux and spectral refinement tolerances 10x and 17x
        looser, and five refinement levels.  Measured against :meth:`converged`, the
        worst voxel (of the peak) and the flux:

        - the 40x125^2 disk of ``benchmarks/bench_render.py`` (R_e = 4 px): 4e-4 at
          55 deg, 9e-4 at 75 deg, 1.3e-3 edge-on, 1.2e-4 compact, 5e-5 face-on; flux
          within 2e-4;
        - the 24^3 cubes of ``tests/renderer/test_render.py``: 2.2e-4 face-on, 1.4e-3 at 60 deg,
          4.4e-3 for a thin edge-on disk, 3.6e-4 compact; flux within 4.4e-4.

        The default's are 2e-5 to 1.9e-4.  KinMS's default clouds leave about 1% of the
        peak.
        """
        return cls(los_nodes=6, refine_tolerance=1e-4, voxel_tolerance=5e-4, max_refine_depth=5)

    def __post_init__(self) -> None:
        """Check the settings."""
        _validate.integer("los_nodes", self.los_nodes, low=1, high=64)
        _validate.integer("los_panels", self.los_panels, low=1, high=16)
        _validate.real("refine_tolerance", self.refine_tolerance, low=MIN_TOLERANCE, high=1.0)
        _validate.real("voxel_tolerance", self.voxel_tolerance, low=MIN_TOLERANCE, high=1.0)
        _validate.integer("max_refine_depth", self.max_refine_depth, low=0, high=12)
        _validate.real("lost_fraction", self.lost_fraction, low=0.0, low_open=True, high=0.1)
        _validate.real("fine_per_width", self.fine_per_width, low=1.0, high=256.0)
        _validate.integer("max_fine_per_channel", self.max_fine_per_channel, low=1, high=4096)
        if self.memory_limit_gib is not None:
            _validate.positive("memory_limit_gib", self.memory_limit_gib)

    @property
    def memory_limit_bytes(self) -> float | None:
        """The memory limit in bytes, or None for the available memory."""
        return None if self.memory_limit_gib is None else self.memory_limit_gib * float(1 << 30)


AUTO_MARGIN = 2.0
"""Safety factor between the worst error measured on the calibration sample and the
error :data:`AUTO_LADDER` states."""
AUTO_LADDER: tuple[tuple[str, float], ...] = (("fast", 7.5e-3), ("default", 1e-3))
"""The presets :class:`AutoAccuracy` picks from, coarsest first, each with its stated
worst-voxel error ``E`` as a fraction of the peak of the noiseless observed
(beam-convolved) cube: :data:`AUTO_MARGIN` times the worst measured against
:meth:`RenderSettings.converged`, rounded up, over 200 items of the default spec (64^2 x
40 channels, 4 px beam; inclinations 0-90 deg, PA 0-360 deg, v_0 100-300 km/s: wider
than the default priors), ``python benchmarks/bench_accuracy.py calibrate``: 'fast'
3.7e-3 (99th percentile 3.3e-3, median 3.0e-4), 'default' 4.9e-4 (3.2e-4, 3.2e-5).  Two
smaller samples (40 and 60 items) reached 4.8e-3 and 2.5e-4.  The tail is long (thin
edge-on and compact disks): most cubes are ten times better than their preset's ``E``.
Presets between the two (6-8 line-of-sight nodes, tolerances 2-5x the default's)
measured 1.7e-3 to 3.2e-3 on the 60 items where 'fast' reached 4.8e-3, for 17-34% less
time than 'default': the error falls by ten only with the default's nodes and
tolerances together, so none was added."""


def stated_error(settings: RenderSettings | None) -> float:
    """Return the stated worst-voxel error ``E`` of a preset of :data:`AUTO_LADDER`.

    As a fraction of the noiseless observed cube's peak; NaN for settings that are no
    preset of the ladder (a user's own).  Dataset items record it (``render_error``), so
    the preset an item was rendered at is known: :func:`settings_with_error`.
    """
    for name, error in AUTO_LADDER:
        if settings == RenderSettings.for_accuracy(name):
            return error
    return math.nan


def settings_with_error(error: float) -> RenderSettings:
    """Return the preset of :data:`AUTO_LADDER` whose stated error is ``error``."""
    for name, stated in AUTO_LADDER:
        if stated == error:
            return RenderSettings.for_accuracy(name)
    raise ValueError(f"no preset states the error {error!r}; the presets state {AUTO_LADDER}")


@dataclass(frozen=True)
class AutoAccuracy:
    """Renderer settings chosen per cube from its noise (a spec's ``accuracy = "auto"``).

    The rule: a cube with noise of rms ``sigma`` whose noiseless observed cube peaks at
    ``P`` renders at the coarsest preset of :data:`AUTO_LADDER` whose stated error ``E``
    keeps ``E * P <= rms_fraction * sigma``, that is ``E * peak_snr <= rms_fraction``;
    when none does, and for a noiseless cube, at 'default' (the last), so a cube is never
    rendered less accurately than its noise allows nor more than 'default'.  Its
    worst-voxel error is then below ``max(rms_fraction * sigma, E_default * P)``.  At
    the default ``rms_fraction = 0.1`` this takes 'fast' up to peak S/N 13.3; at 0.01,
    'fast' only at peak S/N <= 1.33 and 'default' meets the bound up to peak S/N 10.
    Why 0.1 by default: an error of a tenth of the rms in the worst voxel adds 0.5% to
    that voxel's noise standard deviation (``sqrt(1 + 0.1**2)``), ``E`` is twice the
    worst error measured, and the median voxel's error is ten times smaller than the
    worst; at 0.01 no item of a spec at peak S/N >= 2 would render faster than
    'default', so the rule would buy nothing.  The stated
    errors were measured with the default spec's 4 px beam and 30 km/s channels; a
    sharper beam or finer channels show more of the render's error.

    With a peak S/N the ratio is known before rendering.  With an rms or an integrated
    S/N the peak (and for the latter the rms) is known only once rendered: the cube is
    rendered at the coarsest preset, and again at a finer one only while the bound,
    checked with that render's own peak and rms, fails
    (:func:`GalCubeCraft.factory.make_cubes`).

    Parameters
    ----------
    rms_fraction : float
        The worst-voxel render error allowed, as a fraction of the noise rms, in
        ``[1e-6, 1]``.
    """

    rms_fraction: float = 0.1

    def __post_init__(self) -> None:
        """Check the fraction."""
        _validate.real("rms_fraction", self.rms_fraction, low=1e-6, high=1.0)

    @property
    def presets(self) -> tuple[RenderSettings, ...]:
        """The ladder's settings, coarsest first."""
        return tuple(RenderSettings.for_accuracy(name) for name, _error in AUTO_LADDER)

    def step_for(self, peak_over_rms: float) -> int:
        """Return the ladder step (0: coarsest) of a cube of ``peak / rms`` (NaN, inf: no noise)."""
        if not math.isfinite(peak_over_rms):
            return len(AUTO_LADDER) - 1
        for step, (_name, error) in enumerate(AUTO_LADDER):
            if error * peak_over_rms <= self.rms_fraction:
                return step
        return len(AUTO_LADDER) - 1

    def settings_for(self, peak_over_rms: float) -> RenderSettings:
        """Return the settings of a cube whose noiseless peak is ``peak_over_rms`` noise rms."""
        return self.presets[self.step_for(peak_over_rms)]
