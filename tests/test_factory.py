"""The one cube factory: linearity over galaxies, the noise streams, and the noise level."""

import numpy as np
import pytest

from GalCubeCraft import Galaxy, Observation
from GalCubeCraft.factory import NoiseModel, make_cubes, make_indexed_cube
from GalCubeCraft.priors.spec import DatasetSpec

OBS = Observation.from_angular(n_pix=48, pixel_arcsec=0.1, beam_arcsec=(0.4, 0.3, 25.0),
                               n_chan=32, channel_width_kms=25.0, redshift=1.0)  # fmt: skip
PRIMARY = Galaxy.with_line_flux(3.0, r_e_kpc=1.5, inclination_deg=50.0, pa_deg=30.0)
SATELLITE = Galaxy.with_line_flux(1.0, r_e_kpc=1.0, inclination_deg=70.0, pa_deg=-40.0,
                                  x_kpc=2.0, y_kpc=-1.5, v_sys_kms=60.0)  # fmt: skip
SPEC = DatasetSpec(
    n_cubes=6,
    seed=21,
    observation={"grid_size": 24, "n_chan": 12, "beam": (4.0, 3.0, 30.0)},
    galaxies={"resolution": (0.5, 2.0)},
    noise={"peak_snr": (5.0, 20.0)},
)


def test_clean_cube_is_the_sum_of_each_galaxy_made_alone():
    """Two galaxies together: clean = the sum of each one's clean cube (3e-7 of the peak).

    Measured 3.5e-8 (float32 sums); the model cubes add exactly.  The per-galaxy cubes
    the factory returns are those same single-galaxy cubes, bit for bit.
    """
    both = make_cubes([PRIMARY, SATELLITE], OBS)
    alone = [make_cubes(galaxy, OBS) for galaxy in (PRIMARY, SATELLITE)]
    summed = alone[0].clean.data.astype(np.float64) + alone[1].clean.data
    peak = float(both.clean.data.max())
    assert np.max(np.abs(both.clean.data - summed)) < 3e-7 * peak
    np.testing.assert_array_equal(both.model.data, alone[0].model.data + alone[1].model.data)
    for k in range(2):
        np.testing.assert_array_equal(both.galaxy_clean[k], alone[k].clean.data)


def test_per_galaxy_cubes_are_read_only_and_one_galaxy_is_the_clean_cube():
    """``galaxy_clean`` cannot be changed in place: for one galaxy it is the clean cube's memory."""
    one = make_cubes(PRIMARY, OBS, noise=NoiseModel(peak_snr=10.0),
                     noise_rng=np.random.default_rng(3))  # fmt: skip
    assert np.shares_memory(one.galaxy_clean, one.clean.data)
    assert not one.galaxy_clean.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        one.galaxy_clean /= 2.0
    two = make_cubes([PRIMARY, SATELLITE], OBS)
    assert not two.galaxy_clean.flags.writeable
    assert not np.shares_memory(two.galaxy_clean, two.clean.data)


def test_noiseless_products_are_consistent():
    """Without noise, noisy is clean; the moment-0 map holds the model's flux (1e-5)."""
    made = make_cubes(PRIMARY, OBS)
    assert made.noisy is made.clean and made.noise_rms == 0.0
    flux = float(made.moment0.sum(dtype=np.float64))
    assert flux == pytest.approx(made.model.line_flux_jykms(), rel=1e-5)
    assert made.clean.kind == "observed" and made.model.kind == "model"


def _unit_noise(spec, index):
    """Return cube ``index``'s noise divided by its rms: the stream's standard draws."""
    products = make_indexed_cube(spec, index).products
    return (products.noisy.data.astype(np.float64) - products.clean.data) / products.noise_rms


def test_noise_depends_only_on_seed_and_index():
    """Cube 3's noise: the same made alone or after others, or with other galaxy priors.

    Its standardised noise (noise / rms) is identical bit for bit in one spec, and to
    5e-6 under other priors (measured 7e-7: float32 clean cubes of other galaxies
    subtracted); another index or seed gives independent noise (difference rms ~ sqrt 2).
    """
    alone = _unit_noise(SPEC, 3)
    for index in (0, 1, 2):  # others first, in this process
        make_indexed_cube(SPEC, index)
    again = _unit_noise(SPEC, 3)
    np.testing.assert_array_equal(again, alone)
    other_galaxies = SPEC.replace(galaxies={"resolution": (1.0, 3.0)}, n_cubes=40)
    np.testing.assert_allclose(_unit_noise(other_galaxies, 3), alone, rtol=0, atol=5e-6)
    assert np.std(_unit_noise(SPEC, 4) - alone) > 1.2
    assert np.std(_unit_noise(SPEC.replace(seed=22), 3) - alone) > 1.2


def test_peak_snr_gives_the_stated_rms_after_the_beam():
    """NoiseModel(peak_snr=8): rms = peak / 8, and the beam-correlated noise has that rms (1.5%).

    Measured 0.35% off over 128^2 x 64 voxels; the beam (13.6 pixels) leaves about 77,000
    independent values, whose rms scatters by 0.25%.
    """
    big = OBS.replace(nx=128, ny=128, spectral=OBS.spectral.centred(64, 25.0))
    made = make_cubes(PRIMARY, big, noise=NoiseModel(peak_snr=8.0),
                      noise_rng=np.random.default_rng(1))  # fmt: skip
    assert made.noise_rms == pytest.approx(float(made.clean.data.max()) / 8.0, rel=1e-7)
    assert made.noisy.kind == "noisy" and made.noisy.noise_rms == made.noise_rms
    noise = made.noisy.data.astype(np.float64) - made.clean.data
    assert np.std(noise) == pytest.approx(made.noise_rms, rel=0.015)
    assert abs(np.mean(noise)) < 0.02 * made.noise_rms


def test_noise_model_takes_one_level():
    """Exactly one of peak_snr, rms and integrated_snr; an absolute rms is used as given."""
    with pytest.raises(ValueError, match="exactly one of peak_snr, rms, integrated_snr; got "
                       "peak_snr, rms"):  # fmt: skip
        NoiseModel(peak_snr=5.0, rms=1.0)
    with pytest.raises(ValueError, match="exactly one of .*; got none"):
        NoiseModel()
    with pytest.raises(ValueError, match=r"integrated_snr must lie in \(0, inf\]; got 0.0"):
        NoiseModel(integrated_snr=0.0)
    assert NoiseModel(rms=0.25).rms_for(np.ones((2, 2, 2))) == 0.25
    with pytest.raises(TypeError, match="noise_rng"):
        make_cubes(PRIMARY, OBS, noise=NoiseModel(rms=1.0))


def test_integrated_snr_is_measured_once_when_read(monkeypatch):
    """Not measured while the cube is made; when read, once, the noise level's own value."""
    from GalCubeCraft import factory
    from GalCubeCraft.instrument.noise_level import integrated_snr

    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return integrated_snr(*args, **kwargs)

    monkeypatch.setattr(factory, "integrated_snr", counted)
    noise = NoiseModel(peak_snr=6.0, hanning=True)
    made = make_cubes(PRIMARY, OBS, noise=noise, noise_rng=np.random.default_rng(3))
    assert calls == []
    expected = integrated_snr(made.clean.data, made.noise_rms, OBS.beam, hanning=True)
    assert made.integrated_snr == expected and made.integrated_snr == expected
    assert len(calls) == 1
    assert np.isnan(make_cubes(PRIMARY, OBS).integrated_snr)  # noiseless
