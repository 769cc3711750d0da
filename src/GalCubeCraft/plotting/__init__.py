"""Figures of a cube: moment maps, channel maps, spectra, PV diagrams, and all at once.

The only package that imports matplotlib.  Every figure takes a
:class:`~GalCubeCraft.products.cube.Cube`, so axes, units, velocities and the beam come
from the cube's observation.  Figures are built with ``matplotlib.figure.Figure`` (no
pyplot state), so saving works headless and no GUI backend is forced on a user who has one.

Defaults that hold on noisy cubes:

- moments 1 and 2 are masked (:func:`~GalCubeCraft.products.masks.default_mask`);
- the spectrum sums the emission aperture around the galaxy, not the whole field;
- the PV slit runs along the kinematic major axis (the galaxy's PA when the cube records
  it, else measured from moment 1), through the galaxy's centre;
- channel maps and PV diagrams of noisy data use a colour scale symmetric about 0, and
  every sky panel has offset axes and the beam.

Modules: :mod:`.frame` (axes, beam, colour scales), :mod:`.maps` (moment, channel and
lensing maps), :mod:`.lines` (spectra, PV diagrams, the overview figure).
"""

from .frame import AXES_UNITS
from .lines import overview_figure, pv_figure, spectrum_figure
from .maps import (
    MAX_PANELS,
    channel_map_figure,
    lensing_figure,
    moment0_noise_levels,
    moment_figure,
    velocity_limits,
)

__all__ = [
    "AXES_UNITS",
    "MAX_PANELS",
    "channel_map_figure",
    "lensing_figure",
    "moment0_noise_levels",
    "moment_figure",
    "overview_figure",
    "pv_figure",
    "spectrum_figure",
    "velocity_limits",
]
