"""``units='original'``: the original's amplitude, a fixed multiple of Jy/beam.

The original's channel holds the mean of its five fine velocity bins, each the sum over
voxels of ``S_e x profile`` (flux per voxel): ``sum / 5``.  A Jy/beam channel is that
sum over the channel width (km/s), so the original's value is the Jy/beam value times
``width / 5`` (:func:`original_per_jy_beam`).
"""

from __future__ import annotations

UNITS = ("Jy/beam", "original")
"""Amplitude conventions of the facade's cubes."""
FINE_BINS = 5
"""The original averaged each channel over this many fine velocity bins."""


def original_per_jy_beam(channel_width_kms: float) -> float:
    """Return the original's amplitude per Jy/beam for channels this wide (km/s)."""
    return channel_width_kms / FINE_BINS


def output_scale(units: str, channel_width_kms: float) -> float:
    """Return the factor the facade's cubes carry in ``units`` (1 for Jy/beam)."""
    return original_per_jy_beam(channel_width_kms) if units == "original" else 1.0
