"""make_cubes(keep=...): each cube kept is the default call's, bit for bit; the rest not made."""

import dataclasses
import functools
import math
import pickle
import tracemalloc

import numpy as np
import pytest

from GalCubeCraft import SIE, Beam, Galaxy, Lens, Observation, RenderSettings, SpectralAxis
from GalCubeCraft._support import buffers
from GalCubeCraft.factory import NoiseModel, make_cubes
from GalCubeCraft.model.diffuse import DiffuseComponents
from GalCubeCraft.products.kept import ProductNotKeptError
from GalCubeCraft.renderer.budget import BudgetError, cube_bytes
from GalCubeCraft.renderer.settings import AutoAccuracy

OBS = Observation(nx=40, ny=40, pixel_kpc=0.5, spectral=SpectralAxis(36, -400, 400),
                  beam=Beam(4.0, 3.0, 30.0), line_spread="gaussian")  # fmt: skip
DISK = Galaxy(r_e_kpc=3.0, h_z_kpc=0.5, inclination_deg=55.0, pa_deg=40.0, sigma_kms=40.0)
SATELLITE = Galaxy(r_e_kpc=1.5, inclination_deg=30.0, pa_deg=-60.0, x_kpc=4.0, y_kpc=-3.0,
                   v_sys_kms=80.0)  # fmt: skip
LENSED = Observation.from_angular(n_pix=40, pixel_arcsec=0.05, beam_arcsec=(0.15, 0.15, 0.0),
                                  n_chan=8, channel_width_kms=60.0)  # fmt: skip
SCENES = {  # name: (galaxies, observation, settings, noise, diffuse, lens)
    "one galaxy, peak S/N, Hanning": ([DISK], OBS, RenderSettings.fast(),
                                      NoiseModel(peak_snr=8.0, hanning=True), None, None),
    "two galaxies, integrated S/N": ([DISK, SATELLITE], OBS, RenderSettings.fast(),
                                     NoiseModel(integrated_snr=40.0), None, None),
    "auto accuracy, an rms": ([DISK], OBS, AutoAccuracy(), NoiseModel(rms=2e-4), None, None),
    "diffuse halo": ([DISK], OBS, RenderSettings.fast(), NoiseModel(peak_snr=20.0),
                     DiffuseComponents(halo=Galaxy(r_e_kpc=6.0), bridges=(), tails=()), None),
    "lens": ([Galaxy(r_e_kpc=1.0, h_z_kpc=0.2, inclination_deg=40.0, pa_deg=10.0)], LENSED,
             RenderSettings.fast(), NoiseModel(peak_snr=15.0), None, Lens((SIE(0.6),))),
    "noiseless": ([DISK, SATELLITE], OBS, RenderSettings.fast(), None, None, None),
}  # fmt: skip
KEEPS = [("clean", "noisy"), ("model", "noisy"), ("model", "clean"), ("model",), ("clean",),
         ("noisy",)]  # fmt: skip


def _make(scene, keep=None):
    """Return the scene's products (default keep when None) and its noise generator after."""
    galaxies, obs, settings, noise, diffuse, lens = SCENES[scene]
    rng = np.random.default_rng(5)
    extra = {} if keep is None else {"keep": keep}
    made = make_cubes(galaxies, obs, settings, noise, rng if noise else None, diffuse, lens,
                      **extra)  # fmt: skip
    return made, rng


@functools.cache
def _default(scene):
    return _make(scene)


def _same_bits(a, b):
    """Whether two arrays (NaN included) hold the same bytes."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("keep", KEEPS, ids="+".join)
@pytest.mark.parametrize("scene", list(SCENES))
def test_each_kept_cube_and_every_map_is_the_default_call_s_bit_for_bit(scene, keep):
    """Kept cubes, per-galaxy and diffuse parts, maps, S/Ns, lensing, noise draws: unchanged."""
    (full, full_rng), (made, rng) = _default(scene), _make(scene, keep)
    assert made.kept == keep
    for name in keep:
        assert _same_bits(getattr(made, name).data, getattr(full, name).data), name
        assert getattr(made, name).kind == getattr(full, name).kind
    if "clean" in keep:
        assert _same_bits(made.galaxy_clean, full.galaxy_clean)
        assert (made.diffuse_clean is None) == (full.diffuse_clean is None)
        if full.diffuse_clean is not None:
            assert _same_bits(made.diffuse_clean, full.diffuse_clean)
    assert _same_bits(made.moment0, full.moment0)
    assert _same_bits(made.velocity_field, full.velocity_field)
    for name in ("peak_snr", "integrated_snr", "noise_rms"):
        assert _same_float(getattr(made, name), getattr(full, name)), name
    assert made.settings == full.settings
    if full.lensing is not None:
        assert made.lensing.total_magnification == full.lensing.total_magnification
        assert _same_bits(made.lensing.source_model.data, full.lensing.source_model.data)
    assert rng.bit_generator.state == full_rng.bit_generator.state  # one key taken, as before


def test_a_product_not_kept_raises_naming_keep_and_the_rest_follow_clean():
    """Not kept: an AttributeError naming keep; galaxy_clean and diffuse_clean go with clean."""
    made, _ = _make("diffuse halo", ("model", "noisy"))
    for name, product in (("clean", "clean"), ("galaxy_clean", "clean"),
                          ("diffuse_clean", "clean")):  # fmt: skip
        with pytest.raises(ProductNotKeptError, match=rf"{name}.*keep=\('model', 'noisy'\).*"
                                                      rf"add '{product}'"):  # fmt: skip
            getattr(made, name)
        assert not hasattr(made, name)
    assert "clean=<not kept>" in repr(made) and "model=Cube(" in repr(made)
    back = pickle.loads(pickle.dumps(made))
    assert _same_bits(back.noisy.data, made.noisy.data) and not hasattr(back, "clean")
    alone, _ = _make("one galaxy, peak S/N, Hanning", "model")  # one name alone is allowed
    assert alone.kept == ("model",) and not hasattr(alone, "noisy")


@pytest.mark.parametrize(
    ("keep", "error", "message"),
    [
        ((), ValueError, r"keep must name one or more of \('model', 'clean', 'noisy'\); got \(\)"),
        (("model", "dirty"), ValueError, r"got \('model', 'dirty'\) \('dirty' is not one"),
        (("Model",), ValueError, r"'Model' is not one"),
        (3, TypeError, r"keep must be a collection of the names .*; got int"),
    ],
)
def test_a_bad_keep_is_refused_naming_the_argument_the_names_and_the_value(keep, error, message):
    """keep: one or more of the three names; anything else is refused before any work."""
    with pytest.raises(error, match=message):
        make_cubes(DISK, OBS, keep=keep)


def test_one_galaxy_s_cubes_do_not_share_memory_they_should_not():
    """Without the clean cube, the noisy cube is the galaxy's memory, apart from the model."""
    made, _ = _make("one galaxy, peak S/N, Hanning", ("model", "noisy"))
    assert not np.shares_memory(made.model.data, made.noisy.data)
    assert not made.noisy.data.flags.writeable
    kept, _ = _make("one galaxy, peak S/N, Hanning", ("clean", "noisy"))
    assert np.shares_memory(kept.galaxy_clean, kept.clean.data)  # as by default
    assert not np.shares_memory(kept.clean.data, kept.noisy.data)


def _traced_peak(keep):
    """Return NumPy's peak bytes while make_cubes runs, every array fresh (no pool)."""
    obs = Observation(nx=128, ny=128, pixel_kpc=0.1875, spectral=SpectralAxis(512, -600, 600),
                      beam=Beam(4.0, 4.0), line_spread="gaussian")  # fmt: skip
    noise = NoiseModel(peak_snr=10.0)
    with buffers.idle_limit(0):
        buffers.clear()
        tracemalloc.start()
        try:
            extra = {} if keep is None else {"keep": keep}
            make_cubes(DISK, obs, RenderSettings.fast(), noise, np.random.default_rng(1), **extra)
            return tracemalloc.get_traced_memory()[1], 4 * math.prod(obs.shape)
        finally:
            tracemalloc.stop()


@functools.cache
def _default_peak():
    _traced_peak(None)
    return _traced_peak(None)


@pytest.mark.parametrize("keep", KEEPS[:3], ids="+".join)
def test_two_cubes_kept_hold_a_cube_less_memory_at_their_peak(keep):
    """Any two of the three: NumPy's peak at least 0.6 of a cube below the default's.

    The default holds three 32 MiB cubes at its peak (model, clean, noise); two kept hold
    two, plus the renderer's temporaries, or an eighth of a cube of noise made at a time
    and the integrated S/N's planes (measured: 0.75 to 0.96 of a cube less).
    """
    _traced_peak(keep)  # its kernels compiled and loaded off the trace
    full, cube = _default_peak()
    peak, _ = _traced_peak(keep)
    assert full - peak >= 0.6 * cube


def test_the_memory_check_counts_only_the_cubes_kept():
    """A limit between the two-cube and the three-cube need: refused by default, made with keep."""
    kept = ("clean", "noisy")
    voxels = math.prod(OBS.shape)
    full = cube_bytes(OBS, 1, True)
    assert full - cube_bytes(OBS, 1, True, keep=kept) == 4 * voxels  # no model cube
    for fewer in (("model", "noisy"), ("model", "clean")):  # no noise and no noisy cube
        assert full - cube_bytes(OBS, 1, True, keep=fewer) == 8 * voxels
    assert cube_bytes(OBS, 1, False, keep=("model", "noisy")) == cube_bytes(OBS, 1, False)
    limit = dataclasses.replace(RenderSettings.fast(), memory_limit_gib=(full - 2 * voxels) / 2**30)
    with pytest.raises(BudgetError, match="memory_limit_gib"):
        make_cubes(DISK, OBS, limit, NoiseModel(peak_snr=8.0), np.random.default_rng(1))
    made = make_cubes(DISK, OBS, limit, NoiseModel(peak_snr=8.0), np.random.default_rng(1),
                      keep=kept)  # fmt: skip
    assert made.kept == kept
