"""The package version."""

__version__ = "2.0.0"
"""The package version, as ``pip`` and ``galcubecraft --version`` report it."""
