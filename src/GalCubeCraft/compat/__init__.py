"""Everything that exists for the original package's users.

The :class:`GalCubeCraft` class (a translator onto the one cube factory), the
original's ``utils`` and ``visualise`` functions, its 1.2.1 HDF5 files and its amplitude
units live here, at the top of the house: nothing in the core imports this package.
"""

from .facade import GalCubeCraft
from .variants import GalCubeCraft_Phy, init, init_phy

__all__ = ["GalCubeCraft", "GalCubeCraft_Phy", "init", "init_phy"]
