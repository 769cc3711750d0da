"""What the telescope sees: pixel grid, spectral axis, beam, angular scale, WCS and header."""

from .beam import Beam
from .records import AngularScale, Observation, SpectralAxis

__all__ = ["AngularScale", "Beam", "Observation", "SpectralAxis"]
