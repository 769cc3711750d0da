"""The instrument: line spread, beam (Jy/pixel -> Jy/beam) and noise, each its own stage."""

from .beam import beam_kernel_image, convolve_beam
from .line_spread import apply_line_spread
from .observe import apply_instrument, observe

__all__ = [
    "apply_instrument",
    "apply_line_spread",
    "beam_kernel_image",
    "convolve_beam",
    "observe",
]
