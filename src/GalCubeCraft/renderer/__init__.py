"""The renderer: exact sky-frame sampling of galaxies into Jy/pixel spectral cubes."""

from .settings import RenderSettings

__all__ = ["RenderSettings"]
