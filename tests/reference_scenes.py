"""Fixed scenes whose clean cubes are pinned in ``tests/data/reference_cubes.npz``.

The speed work changes how cubes are computed, never what: ``tests/renderer/test_reference.py``
checks every scene against the stored cubes to 1e-6 of the peak per voxel and in total
flux.  Regenerate the file only for an intended change of the physics, and say so in
CHANGELOG.md:  ``python tests/reference_scenes.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from GalCubeCraft import (
    ArctanRotationCurve,
    Beam,
    FlatRotationCurve,
    Galaxy,
    Observation,
    SpectralAxis,
    make_cubes,
)

DATA = Path(__file__).with_name("data") / "reference_cubes.npz"


ROUND_BEAM = Beam(4.0, 4.0, 0.0)


def _obs(n: int = 40, n_chan: int = 24, beam: Beam | None = ROUND_BEAM) -> Observation:
    return Observation(nx=n, ny=n, pixel_kpc=0.5, spectral=SpectralAxis(n_chan, -360, 360),
                       beam=beam, line_spread="gaussian")  # fmt: skip


def _disk(**kwargs: float) -> Galaxy:
    base = {"r_e_kpc": 2.5, "h_z_kpc": 0.4, "sigma_kms": 30.0, "pa_deg": 30.0,
            "rotation_curve": ArctanRotationCurve(200.0, 1.5)}  # fmt: skip
    return Galaxy(**{**base, **kwargs})


SCENES = {
    "face_on": ([_disk(inclination_deg=0.0)], _obs()),
    "inclined_60": ([_disk(inclination_deg=60.0)], _obs()),
    "edge_on": ([_disk(inclination_deg=90.0, h_z_kpc=0.2)], _obs()),
    "compact": ([_disk(inclination_deg=50.0, r_e_kpc=0.4, n_sersic=2.0)], _obs()),
    "three_galaxies": (
        [
            _disk(inclination_deg=40.0, x_kpc=-4.0, y_kpc=2.0),
            _disk(inclination_deg=70.0, r_e_kpc=1.5, pa_deg=120.0, x_kpc=4.0, v_sys_kms=80.0),
            _disk(
                inclination_deg=20.0,
                r_e_kpc=1.0,
                y_kpc=-5.0,
                v_sys_kms=-60.0,
                rotation_curve=FlatRotationCurve(150.0),
            ),
        ],
        _obs(),
    ),  # fmt: skip
    "channels_128": ([_disk(inclination_deg=55.0)], _obs(n=32, n_chan=128)),
    "elliptical_beam": ([_disk(inclination_deg=45.0)], _obs(beam=Beam(6.0, 3.5, 30.0))),
}
"""Scene name -> (galaxies, observation)."""


def clean_cube(name: str) -> np.ndarray:
    """Return the clean (noiseless, observed) cube of scene ``name``."""
    galaxies, obs = SCENES[name]
    return np.asarray(make_cubes(galaxies, obs).clean.data)


if __name__ == "__main__":
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **{name: clean_cube(name) for name in SCENES})
    print(f"wrote {DATA}")
