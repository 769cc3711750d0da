"""The original's arguments as one :class:`~GalCubeCraft.priors.spec.DatasetSpec`.

The spec is the ``galcubecraft-1.2`` preset (the original's priors, read from the one file
that holds them) with the arguments' values put in.  The spec checks every argument it
receives, once; :func:`spec_errors_as_arguments` gives its errors (each names its key)
back under the argument names the facade's user wrote (:data:`SPEC_NAMES`), so nothing is
checked twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..observation.beam import Beam
from ..observation.records import Observation, SpectralAxis
from ..priors.galaxies import RESOLUTION_RANGES
from ..priors.spec import DatasetSpec, Declared, SpecError
from ..renderer.budget import check_memory
from ..renderer.settings import RenderSettings

VISUALISE_RESOLUTIONS = (0.3, 1.2, 2.0, 3.0, 5.0)
"""0.1.2's ``resolution='visualise'``: these R_e / (bmin / 2), cube by cube (cycled)."""
ORIGINAL_PRESET = "galcubecraft-1.2"
"""The preset holding the original's priors: the facade's spec is it, with the arguments in."""
N_GALS = Declared("int_range", low=1, high=10)
"""The original's galaxies per cube: 1 to 10 (a spec may draw empty fields; it may not)."""

SPEC_NAMES = {
    "n_cubes": "n_cubes",
    "seed": "seed",
    "galaxies.n_gals": "n_gals",
    "galaxies.resolution": "resolution",
    "galaxies.offset_gals": "offset_gals",
    "galaxies.n_sersic": "n_sersic",
    "observation.grid_size": "grid_size",
    "observation.n_chan": "n_spectral_slices",
    "observation.beam": "beam_info",
    "noise.peak_snr": "peak_snr",
    "features.diffuse": "diffuse_params",
}
"""Spec key (as its errors name it) -> the facade argument that set it."""


@contextmanager
def spec_errors_as_arguments() -> Iterator[None]:
    """Re-raise the spec's errors under the argument that set the key they name."""
    try:
        yield
    except SpecError as error:
        if error.key not in SPEC_NAMES:
            raise
        argument = SPEC_NAMES[error.key]
        # A converter's own error may already name the argument: say it once.
        rule = error.rule.removeprefix(f"{argument} ")
        for key in sorted(SPEC_NAMES, key=len, reverse=True):  # keys the rule couples, too
            rule = rule.replace(key, SPEC_NAMES[key])
        raise type(error)(argument, rule) from None


def _is_visualise(resolution: Any) -> bool:
    """Return True for the 'visualise' preset (an array compares element-wise: not it)."""
    return isinstance(resolution, str) and resolution == "visualise"


def resolution_range(resolution: Any) -> tuple[Any, Any]:
    """Return the spec's resolution range of the original's ``resolution`` argument."""
    if _is_visualise(resolution):
        return (min(VISUALISE_RESOLUTIONS), max(VISUALISE_RESOLUTIONS))
    if isinstance(resolution, str):
        if resolution not in RESOLUTION_RANGES:
            raise ValueError(
                f"resolution must be one of {(*RESOLUTION_RANGES, 'visualise')} or a "
                f"number; got {resolution!r}"
            )
        return RESOLUTION_RANGES[resolution]
    return (resolution, resolution)


def original_spec(
    *,
    n_gals: Any,
    n_cubes: Any,
    resolution: Any,
    offset_gals: Any,
    beam: Beam,
    grid_size: Any,
    n_spectral_slices: Any,
    seed: int,
    n_sersic: Any,
    peak_snr: Any,
    diffuse_params: Any,
) -> DatasetSpec:
    """Return the spec of the original's arguments (errors name the arguments)."""
    galaxies: dict[str, Any] = {
        "n_gals": (1, 3) if n_gals is None else n_gals,
        "offset_gals": offset_gals,
        "resolution": resolution_range(resolution),
        "resolution_cycle": VISUALISE_RESOLUTIONS if _is_visualise(resolution) else None,
    }
    if n_sersic is not None:
        galaxies["n_sersic"] = (n_sersic, n_sersic)
    with spec_errors_as_arguments():
        N_GALS.check("galaxies.n_gals", galaxies["n_gals"])
        return DatasetSpec.from_preset(
            ORIGINAL_PRESET,
            n_cubes=n_cubes,
            seed=seed,
            galaxies=galaxies,
            observation={"grid_size": grid_size, "n_chan": n_spectral_slices, "beam": beam},
            noise={"peak_snr": None if peak_snr is None else (peak_snr, peak_snr)},
            features={"diffuse": diffuse_params},
        )


def spec_memory(spec: DatasetSpec, settings: RenderSettings, kept_cubes: int = 0) -> int:
    """Return one cube's bytes, or raise :class:`BudgetError` naming the facade's arguments.

    ``kept_cubes``: float32 cubes of the same shape held besides (the facade's results).
    """
    obs = spec.observation
    grid = Observation(nx=obs.grid_size, ny=obs.grid_size, spectral=SpectralAxis(obs.n_chan))
    return check_memory(grid, spec.galaxies.n_gals[1], spec.noise.enabled,
                        settings.memory_limit_bytes, kept_cubes=kept_cubes,
                        names=("grid_size", "n_spectral_slices"))  # fmt: skip
