"""Every bad input is refused with a message naming it, before any work or file."""

import math

import pytest

from GalCubeCraft import (
    Beam,
    DatasetSpec,
    Galaxy,
    GalCubeCraft,
    Observation,
    RenderSettings,
    SpectralAxis,
    make_cubes,
    render,
)
from GalCubeCraft.renderer.budget import BudgetError

BAD_FACADE_ARGUMENTS = [
    ({"n_cubes": 0}, ValueError, "n_cubes"),
    ({"n_cubes": 1.5}, TypeError, "n_cubes"),
    ({"n_gals": 0}, ValueError, "n_gals"),
    ({"resolution": "sharp"}, ValueError, "resolution"),
    ({"resolution": math.nan}, ValueError, "resolution"),
    ({"beam_info": [5, 4, 0]}, ValueError, "bmin"),
    ({"beam_info": [0, 4, 0]}, ValueError, "beam_info"),
    ({"beam_info": [4, 4]}, ValueError, "beam_info"),
    ({"beam_info": [4, math.inf, 0]}, ValueError, "beam_info"),
    ({"grid_size": 8}, ValueError, "grid_size"),
    ({"grid_size": 20}, ValueError, "grid_size"),
    ({"n_spectral_slices": 0}, ValueError, "n_spectral_slices"),
    ({"seed": -1}, ValueError, "seed"),
    ({"offset_gals": -2}, ValueError, "offset_gals"),
    ({"n_sersic": 0.0}, ValueError, "n_sersic"),
    ({"fname": 3}, TypeError, "fname"),
    ({"save_format": "hdf5"}, ValueError, "save_format"),
]


@pytest.mark.parametrize(("kwargs", "error", "name"), BAD_FACADE_ARGUMENTS)
def test_facade_refuses_bad_arguments_and_writes_nothing(tmp_cwd, kwargs, error, name):
    """A bad constructor argument raises, names the argument, and leaves no file behind."""
    with pytest.raises(error, match=name):
        GalCubeCraft(**kwargs)
    assert list(tmp_cwd.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"r_e_kpc": -1.0}, "r_e_kpc"),
        ({"r_e_kpc": 3.0, "inclination_deg": 95.0}, "inclination_deg"),
        ({"r_e_kpc": 3.0, "h_z_kpc": math.nan}, "h_z_kpc"),
        ({"r_e_kpc": 3.0, "sigma_kms": -5.0}, "sigma_kms"),
        ({"r_e_kpc": 3.0, "n_sersic": 0.0}, "n_sersic"),
    ],
)
def test_galaxy_refuses_bad_parameters(kwargs, name):
    """Galaxy parameters out of range raise ValueError naming the parameter."""
    with pytest.raises(ValueError, match=name):
        Galaxy(**kwargs)


def test_observation_refusals():
    """Zero channels, inverted velocity ranges, bmin > bmaj and oversize beams are refused."""
    with pytest.raises(ValueError, match="n_chan"):
        SpectralAxis(0)
    with pytest.raises(ValueError, match="v_max_kms"):
        SpectralAxis(10, 100.0, -100.0)
    with pytest.raises(ValueError, match="bmin_px"):
        Beam(bmaj_px=2.0, bmin_px=3.0)
    with pytest.raises(ValueError, match="bmaj must be smaller than the field"):
        Observation(nx=16, ny=16, beam=Beam(20.0, 10.0))


def test_render_refuses_galaxy_larger_than_grid():
    """A galaxy whose R_e does not fit in the field is a ValueError, not a silent loss."""
    obs = Observation(nx=16, ny=16, pixel_kpc=0.1)
    with pytest.raises(ValueError, match="grid too small"):
        render(Galaxy(r_e_kpc=5.0), obs)


OBS = Observation(nx=24, ny=24, pixel_kpc=0.5, spectral=SpectralAxis(8, -500, 500),
                  beam=Beam(3, 2.5, 10))  # fmt: skip
"""Issue 31's reproducers' observation."""


@pytest.mark.parametrize(
    ("call", "kind", "named"),
    [
        (lambda: Observation.from_angular(n_pix="3"), TypeError, "n_pix must be an integer"),
        (lambda: Observation.from_angular(beam_arcsec=(-1, 0.3, 0)), ValueError, "beam_arcsec"),
        (lambda: Observation.from_angular(n_pix=16, redshift=1e-300), ValueError, "redshift"),
        (lambda: Observation.from_angular(channel_width_kms=1e308), ValueError, "channel_width"),
        (lambda: DatasetSpec(galaxies={"offset_gals": 1e308}), ValueError, "offset_gals"),
        (lambda: DatasetSpec(n_cubes=2**62), ValueError, "n_cubes must be at most"),
        (lambda: GalCubeCraft(offset_gals=1e308, verbose=False), ValueError, "offset_gals"),
        (lambda: GalCubeCraft(beam_info=1e308, verbose=False), ValueError, "beam_info"),
        (lambda: GalCubeCraft(verbose="no"), TypeError, "verbose must be True or False"),
        (lambda: Galaxy.with_line_flux(1.0, r_e_kpc=1e-200), ValueError, "r_e_kpc"),
        (lambda: Galaxy(r_e_kpc=1.0, clumps=5), TypeError, "clumps must be a sequence"),
        (lambda: Galaxy(r_e_kpc=1.0, s_e=1e308), ValueError, "s_e must lie in"),
        (lambda: render(None, OBS), TypeError, "galaxies must be a Galaxy"),
        (lambda: render(Galaxy(r_e_kpc=1.0, x_kpc=1e308), OBS), ValueError, "x_kpc"),
        (lambda: Beam(1e-200, 1e-200), ValueError, "bmaj_px must lie in [0.001, 1000000]"),
        (lambda: make_cubes(Galaxy(r_e_kpc=1.0), OBS, noise_rng=3), TypeError, "noise_rng"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_issue_31_refusals_name_the_argument_and_what_is_allowed(call, kind, named):
    """Each refusal raises ValueError/TypeError naming the argument as the user wrote it."""
    with pytest.raises(kind) as info:
        call()
    assert named in str(info.value)


def test_budget_errors_say_the_limit_and_how_to_change_it():
    """A BudgetError names the limit, the setting that changes it, and what to shrink."""
    with pytest.raises(BudgetError) as info:
        render(Galaxy(r_e_kpc=1.0), OBS, settings=RenderSettings(memory_limit_gib=1e-6))
    message = str(info.value)
    assert "limit" in message and "memory_limit_gib" in message and "n_chan" in message


def test_the_original_core_module_still_imports():
    """1.2.1's ``GalCubeCraft.core`` names resolve: the class and the diffuse defaults."""
    from GalCubeCraft.core import DEFAULT_DIFFUSE_PARAMS, GalCubeCraft_Phy, cosmo, moment0

    assert DEFAULT_DIFFUSE_PARAMS["halo_Re_factor"] == 3.0 and callable(moment0)
    assert cosmo.H0.value == 70.0 and GalCubeCraft_Phy is not None
    changed = {**DEFAULT_DIFFUSE_PARAMS, "enabled": True}
    g = GalCubeCraft(n_cubes=1, grid_size=32, n_spectral_slices=8, diffuse_params=changed,
                     verbose=False, seed=1)  # fmt: skip
    assert g.diffuse_params["enabled"] is True
