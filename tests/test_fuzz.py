"""A table-driven fuzz of the public API: bad arguments are refused by name, nothing written."""

import math

import numpy as np
import pytest

from GalCubeCraft import (
    AngularScale,
    Beam,
    Galaxy,
    GalCubeCraft,
    NoiseModel,
    Observation,
    RenderSettings,
    SpectralAxis,
    make_cubes,
    render,
)
from GalCubeCraft.datasets import DatasetSpec
from GalCubeCraft.datasets.batch import generate_dataset

NUMBERS = [math.nan, math.inf, -math.inf, True, "3", None, [1.0]]
"""Values no numeric argument takes (None only where it is not a documented default)."""
OBS = Observation(nx=16, ny=16, pixel_kpc=0.5, spectral=SpectralAxis(8, -300, 300))
GALAXY = Galaxy(r_e_kpc=2.0, inclination_deg=40.0)


def _facade(tmp_path, **changes):
    kwargs = {"n_cubes": 1, "grid_size": 32, "n_spectral_slices": 8, "seed": 1,
              "verbose": False, "fname": tmp_path / "out"}  # fmt: skip
    return GalCubeCraft(**{**kwargs, **changes}).generate_cubes()


def _dataset(tmp_path, **changes):
    values = {"n_cubes": 1, "observation": {"grid_size": 16, "n_chan": 4}}
    for key, value in changes.items():  # key paths: "observation.beam"
        table, _, name = key.rpartition(".")
        (values.setdefault(table, {}) if table else values)[name] = value
    spec = DatasetSpec(**values)
    return generate_dataset(spec, tmp_path / "d.zarr", workers=0, progress=False)


CASES = [
    # (callable(tmp_path, **kw), argument, bad values)
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "r_e_kpc", [*NUMBERS, 0.0, -1.0]),
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "n_sersic", [*NUMBERS, 0.0, 50.0]),
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "h_z_kpc", [*NUMBERS, 0.0, -0.1]),
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "inclination_deg", [*NUMBERS, -1.0, 91.0]),
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "sigma_kms", [*NUMBERS, -1.0]),
    (lambda t, **k: Galaxy(**{"r_e_kpc": 2.0, **k}), "s_e", [*NUMBERS, -1.0]),
    (lambda t, **k: SpectralAxis(**{"n_chan": 8, **k}), "n_chan", [*NUMBERS, 0, 2.5]),
    (
        lambda t, **k: SpectralAxis(**{"n_chan": 8, "v_max_kms": 1e308, **k}),
        "v_min_kms",
        [*NUMBERS, -1e308, 2e308],
    ),
    (lambda t, **k: Beam(**{"bmaj_px": 4.0, "bmin_px": 3.0, **k}), "bmin_px", [*NUMBERS, 0.0, 5.0]),
    (lambda t, **k: Beam(**{"bmaj_px": 4.0, "bmin_px": 3.0, **k}), "bpa_deg", NUMBERS),
    (lambda t, **k: Observation(**{"nx": 16, "ny": 16, **k}), "pixel_kpc", [*NUMBERS, 0.0]),
    (lambda t, **k: Observation(**{"nx": 16, "ny": 16, **k}), "nx", [*NUMBERS, 0, 1.5]),
    (lambda t, **k: Observation(**{"nx": 16, "ny": 16, **k}), "line_spread", ["box", 3, None]),
    (lambda t, **k: AngularScale(**k), "redshift", [*NUMBERS, -1.0, 0.0]),
    (lambda t, **k: NoiseModel(**{"peak_snr": 5.0, **k}), "hanning", ["no", 1, None]),
    (lambda t, **k: NoiseModel(**k), "peak_snr", [math.nan, -1.0, 0.0, "5"]),
    (lambda t, **k: RenderSettings(**k), "los_nodes", [*NUMBERS, 0, 1000]),
    (lambda t, **k: RenderSettings(**k), "memory_limit_gib", [math.nan, -1.0, 0.0, "1"]),
    (
        lambda t, **k: render(**{"galaxies": GALAXY, "observation": OBS, **k}),
        "settings",
        ["fast", 1, {"los_nodes": 4}],
    ),
    (
        lambda t, **k: render(**{"galaxies": GALAXY, "observation": OBS, **k}),
        "observation",
        [None, "obs", 3],
    ),
    (
        lambda t, **k: make_cubes(
            **{
                "galaxies": GALAXY,
                "observation": OBS,
                "noise": NoiseModel(peak_snr=1e-300),
                "noise_rng": np.random.default_rng(0),
                **k,
            }
        ),
        "peak_snr",
        [None],
    ),  # the default noise of the case overflows float32: refused by name
    (_facade, "n_cubes", [*NUMBERS, 0, -3]),
    (_facade, "grid_size", [*NUMBERS, 4, 0]),
    (_facade, "n_spectral_slices", [*NUMBERS, 0]),
    (_facade, "beam_info", [(5.0, 4.0, 0.0), (4.0,), "444", (math.nan, 4.0, 0.0)]),
    (_facade, "peak_snr", [math.nan, -1.0, 0.0, "5"]),
    (_facade, "seed", [-1, 1.5, "1"]),
    (_facade, "save_format", ["zarr", 1]),
    (_facade, "resolution", ["sharp", -1.0, math.nan]),
    (_dataset, "n_cubes", [*NUMBERS, 0]),
    (_dataset, "seed", [-1, 1.5, "x"]),
    (_dataset, "observation.grid_size", [*NUMBERS, 2]),
    (_dataset, "observation.beam", [4, "x", (3.0, 4.0, 0.0), (math.nan, 3.0, 0.0)]),
    (_dataset, "noise.peak_snr", [(5.0, 1.0), (-1.0, 5.0), "x"]),
]


@pytest.mark.parametrize(("call", "name", "values"), CASES,
                         ids=[f"{c[1]}-{k}" for k, c in enumerate(CASES)])  # fmt: skip
def test_bad_arguments_are_refused_by_name_and_write_nothing(tmp_path, call, name, values):
    """Each bad value raises ValueError or TypeError naming the argument; no file appears."""
    for value in values:
        kwargs = {} if (name == "peak_snr" and value is None) else {name: value}
        with pytest.raises((ValueError, TypeError)) as info:
            call(tmp_path, **kwargs)
        assert name in str(info.value), (value, str(info.value))
        assert list(tmp_path.iterdir()) == [], value
