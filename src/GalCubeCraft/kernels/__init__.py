"""Low-level compiled helpers shared by :mod:`GalCubeCraft.model` and the renderer."""
