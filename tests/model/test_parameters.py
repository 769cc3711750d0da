"""The per-galaxy parameters are declared once; every face of a galaxy comes from it."""

import json
import math
import warnings

import numpy as np
import pytest

from GalCubeCraft import Cube, DatasetSpec, Galaxy, Observation, SpectralAxis
from GalCubeCraft.datasets.items import (
    GALAXY_COLUMNS,
    galaxies_from_params,
    parameter_names,
    render_item,
)
from GalCubeCraft.model.parameters import (
    CURVE,
    FIELD,
    FLOWS,
    GALAXY_PARAMETERS,
    RINGS,
    SUMMARY,
    galaxy_cards,
    galaxy_row,
)
from GalCubeCraft.observation.records import AngularScale

NAMES = [p.name for p in GALAXY_PARAMETERS]
FEATURED = DatasetSpec(
    n_cubes=2, seed=3, observation={"grid_size": 32, "n_chan": 10}, render={"accuracy": "fast"},
    galaxies={"n_gals": (2, 3)},
    features={"radial_flow_kms": (-20.0, -5.0), "bar_flow_kms": (5.0, 20.0),
              "arm_contrast": (0.2, 0.4), "warp_inclination_deg": (5.0, 10.0),
              "flare_factor": (1.0, 1.4)},
)  # fmt: skip


def test_declaration_is_well_formed():
    """Names and cards are unique, cards fit a FITS keyword for 999 galaxies, parts known."""
    assert len(set(NAMES)) == len(NAMES)
    cards = [p.card for p in GALAXY_PARAMETERS]
    assert len(set(cards)) == len(cards)
    assert all(1 <= len(c) <= 4 and c.isalnum() and c.isupper() for c in cards)
    assert {p.part for p in GALAXY_PARAMETERS} <= {FIELD, CURVE, FLOWS, RINGS, SUMMARY}
    fields = set(Galaxy.__dataclass_fields__)
    assert all(p.name in fields for p in GALAXY_PARAMETERS if p.part == FIELD)


def test_every_parameter_is_one_table_column_per_galaxy_slot():
    """The table's per-galaxy columns are the declaration, in order, once per slot."""
    assert list(GALAXY_COLUMNS) == NAMES
    names = parameter_names(FEATURED)
    for k in range(1, FEATURED.max_galaxies + 1):
        assert [n for n in names if n.startswith(f"g{k}_")] == [f"g{k}_{n}" for n in NAMES]


def test_every_parameter_is_one_fits_card_per_galaxy():
    """Each galaxy gets G<k><card> for every declared parameter, untruncated comments."""
    galaxy = Galaxy(r_e_kpc=2.0, s_e=0.3, inclination_deg=40.0, pa_deg=20.0)
    obs = Observation(nx=16, ny=16, pixel_kpc=0.5, spectral=SpectralAxis(8),
                      sky=AngularScale(redshift=1.0))  # fmt: skip
    cube = Cube(np.zeros(obs.shape, np.float32), obs, galaxies=(galaxy, galaxy))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # astropy warns when it truncates a comment
        header = cube.fits_header()
        for k in (1, 2):
            for p in GALAXY_PARAMETERS:
                assert header[f"G{k}{p.card}"] == pytest.approx(p.read(galaxy)), p.name
    assert galaxy_cards(galaxy, 10).keys() == {f"G10{p.card}" for p in GALAXY_PARAMETERS}


def test_hdf5_store_records_the_columns_and_old_stores_fall_back(tmp_path):
    """The HDF5 file names its params columns; a file without them reads the spec's."""
    h5py = pytest.importorskip("h5py")
    from GalCubeCraft.datasets.hdf5_store import HDF5Store

    spec = FEATURED.replace(n_cubes=1)
    path = tmp_path / "d.h5"
    HDF5Store.create_at(path, spec, "id")
    store = HDF5Store.open(path)
    columns = store.parameter_columns()
    store.close()
    assert columns == parameter_names(spec)
    for name in NAMES:
        assert columns.count(f"g1_{name}") == 1
    with h5py.File(path, "r+") as handle:  # as a store written before columns were recorded
        assert json.loads(handle.attrs["parameter_columns"]) == columns
        del handle.attrs["parameter_columns"]
    store = HDF5Store.open(path)
    assert store.parameter_columns() == parameter_names(spec)
    store.close()


def test_params_round_trip_to_the_same_galaxies():
    """A params row rebuilds the same galaxies, in everything the row holds."""
    from GalCubeCraft.priors.galaxies import draw_scene

    for index in range(FEATURED.n_cubes):
        params = render_item(FEATURED, index).arrays["params"]
        drawn = draw_scene(FEATURED, index).galaxies
        rebuilt = galaxies_from_params(FEATURED, params)
        assert len(rebuilt) == len(drawn) == int(params[0])
        for original, again in zip(drawn, rebuilt, strict=True):
            for p in GALAXY_PARAMETERS:
                if p.part == SUMMARY and p.name != "line_flux":
                    continue  # clumps, arms, central dispersion: counted, not rebuilt
                assert p.read(again) == pytest.approx(p.read(original), rel=1e-12), p.name
            assert galaxy_row(again)[: NAMES.index("line_flux") + 1] == pytest.approx(
                galaxy_row(original)[: NAMES.index("line_flux") + 1], rel=1e-12
            )
            np.testing.assert_allclose(again.rotation_curve(np.array([1.0, 5.0])),
                                       original.rotation_curve(np.array([1.0, 5.0])))  # fmt: skip


def test_a_galaxy_without_the_default_curve_has_no_v_0_card():
    """NaN values (v_0 of another curve) stay out of FITS headers."""
    from GalCubeCraft import FlatRotationCurve

    galaxy = Galaxy(r_e_kpc=2.0, rotation_curve=FlatRotationCurve(150.0))
    row = dict(zip(NAMES, galaxy_row(galaxy), strict=True))
    assert math.isnan(row["v_0_kms"])
    assert "G1V0" not in galaxy_cards(galaxy, 1)


def test_a_flow_given_as_a_function_of_radius_writes_no_card():
    """A radial flow that varies with radius has no one value: no G1VRAD card (not 0)."""
    from GalCubeCraft.model.flows import NonCircularFlows

    varying = NonCircularFlows(radial_kms=lambda r: -10.0 + 0.0 * r, bar_tangential_kms=12.0)
    cards = galaxy_cards(Galaxy(r_e_kpc=2.0, inclination_deg=50.0, flows=varying), 1)
    assert "G1VRAD" not in cards and cards["G1VBAR"][0] == 12.0
