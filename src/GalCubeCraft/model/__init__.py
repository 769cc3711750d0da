"""The galaxy model: light profiles, rotation curves and the galaxy record."""

from .galaxy import Galaxy
from .profiles import (
    b_n,
    sersic_flux_density_3d,
    sersic_radial,
    sersic_truncation_radius,
    total_flux,
    vertical_exponential,
)
from .rotation import (
    ArctanRotationCurve,
    FlatRotationCurve,
    MilkyWayRotationCurve,
    RotationCurve,
    TabulatedRotationCurve,
)

__all__ = [
    "ArctanRotationCurve",
    "FlatRotationCurve",
    "Galaxy",
    "MilkyWayRotationCurve",
    "RotationCurve",
    "TabulatedRotationCurve",
    "b_n",
    "sersic_flux_density_3d",
    "sersic_radial",
    "sersic_truncation_radius",
    "total_flux",
    "vertical_exponential",
]
