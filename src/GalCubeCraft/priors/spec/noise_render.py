"""The ``[noise]`` and ``[render]`` tables: how loud the noise is, and how accurately to render.

They are one pair: ``render.accuracy = "auto"`` picks each item's renderer settings from
its noise (:class:`~GalCubeCraft.renderer.settings.AutoAccuracy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...renderer.settings import SPEC_ACCURACIES
from .fields import Checked, SpecValueError, declare

Range = tuple[float, float]

NOISE_DISTRIBUTIONS = ("uniform", "log-uniform")
"""How a ``[noise]`` level given as ``[low, high]`` is drawn (:attr:`NoiseSpec.distribution`)."""


@dataclass(frozen=True)
class NoiseSpec(Checked):
    """``[noise]``: beam-correlated Gaussian noise, its level set one of three ways.

    At most one of ``peak_snr``, ``rms_jy_beam`` and ``integrated_snr`` is set (none:
    noiseless cubes); each is a number (fixed) or ``[low, high]``, drawn per cube as
    ``distribution`` says.  Peak S/N is the noiseless observed cube's peak over the rms;
    the rms is that of the noise after the beam, in the cube's unit (Jy/beam); the
    integrated S/N is defined in :mod:`GalCubeCraft.instrument.noise_level`.  Every item
    records all three as realised (``noise_rms``, ``peak_snr``, ``integrated_snr``).

    The three are one setting (:attr:`ONE_OF`): a table, a command-line option or a
    ``spec.replace(noise={...})`` that names one of them replaces the level, the others
    not named becoming none.  So ``[noise] rms_jy_beam = 1e-3`` needs no
    ``peak_snr = "none"`` beside it, and ``peak_snr = "none"`` alone is noiseless.  A
    ``NoiseSpec(...)`` made directly keeps its defaults: pass ``peak_snr=None`` beside
    another level.
    """

    TABLE = "noise"
    ONE_OF: ClassVar[tuple[str, ...]] = ("peak_snr", "rms_jy_beam", "integrated_snr")
    peak_snr: Range | None = declare(
        (5.0, 50.0),
        "range",
        bounds=(1e-3, 1e6),
        optional=True,
        help="peak signal-to-noise, max(noiseless cube) / rms; none: no noise",
    )
    rms_jy_beam: Range | None = declare(
        None,
        "range",
        bounds=(0.0, 1e30),
        low_open=True,
        optional=True,
        unit="Jy/beam",
        help="noise rms after the beam; none: not set this way",
    )
    integrated_snr: Range | None = declare(
        None,
        "range",
        bounds=(1e-3, 1e9),
        optional=True,
        help="summed S/N over the voxels above a tenth of the peak; none: not set this way",
    )
    distribution: str = declare(
        "uniform", "choice", choices=NOISE_DISTRIBUTIONS, help="how a [low, high] level is drawn"
    )

    def __post_init__(self) -> None:
        """Check each key, then that at most one level is set."""
        super().__post_init__()
        given = [name for name in self.ONE_OF if getattr(self, name) is not None]
        if len(given) > 1:
            values = " and ".join(f"{name} = {list(getattr(self, name))}" for name in given)
            raise SpecValueError(
                f"noise.{given[-1]}",
                f"is one of the noise levels {', '.join(self.ONE_OF)}, of which at most one "
                f"may be set; got {values} (a table naming one clears the others; a "
                "NoiseSpec made directly keeps peak_snr's default: pass peak_snr=None)",
            )

    @property
    def level(self) -> tuple[str, Range] | None:
        """Return ``(key, range)`` of the level set, or None for noiseless cubes."""
        for name in self.ONE_OF:
            value = getattr(self, name)
            if value is not None:
                return name, value
        return None

    @property
    def enabled(self) -> bool:
        """Whether the cubes get noise."""
        return self.level is not None


@dataclass(frozen=True)
class RenderSpec(Checked):
    """``[render]``: the renderer's accuracy.

    A preset ('default', 'fast':
    :meth:`~GalCubeCraft.renderer.settings.RenderSettings.for_accuracy`), or 'auto' (the
    default): each item at the coarsest preset whose stated worst-voxel
    error (1e-3 of the noiseless observed peak for 'default', 7.5e-3 for 'fast') stays
    within ``rms_fraction`` of its noise rms; 'default' for noiseless items and where
    none does (:class:`~GalCubeCraft.renderer.settings.AutoAccuracy` states the rule).
    """

    TABLE = "render"
    accuracy: str = declare(
        "auto", "choice", choices=SPEC_ACCURACIES, help="renderer preset, or auto: from the noise"
    )
    rms_fraction: float = declare(
        0.1,
        "real",
        bounds=(1e-6, 1.0),
        unit="rms",
        help="accuracy auto: worst-voxel render error at most this fraction of the noise rms",
    )
