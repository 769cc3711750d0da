"""Low-level helpers every stage shares.

Argument checks, random streams, atomic files, progress bars and thread limits; nothing
here knows about galaxies or cubes.
"""
