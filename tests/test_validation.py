"""Every bad input is refused with a message naming it, before any work or file."""

import math

import pytest

from GalCubeCraft import Beam, Galaxy, GalCubeCraft, Observation, SpectralAxis, render

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
