"""What to make: the dataset spec and every random draw from it (galaxies, lenses, arrays)."""

from .spec import DatasetSpec

__all__ = ["DatasetSpec"]
