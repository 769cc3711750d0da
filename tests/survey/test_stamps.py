"""A galaxy's stamp: its beam products, its accuracy that follows the noise, its exact flux."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from survey_helpers import SMALL

from GalCubeCraft._support.threads import limited_threads
from GalCubeCraft.instrument.beam import convolve_beam
from GalCubeCraft.observation.beam import Beam
from GalCubeCraft.survey import draw_population
from GalCubeCraft.survey import stamps as stamps_module
from GalCubeCraft.survey.stamps import (
    convolve_stamp,
    field_beam,
    line_flux_kms,
    render_stamp,
)


@pytest.fixture(scope="module")
def rows():
    """Return the small field's catalogue rows."""
    table = draw_population(SMALL)
    return [SimpleNamespace(**record) for record in table.to_dict("records")]


@pytest.mark.parametrize("shape", [(5, 27, 27), (12, 33, 21), (3, 64, 64)])
def test_the_banded_products_are_the_beam_convolution(shape):
    """Equal to convolve_beam's 1-D passes to float32 rounding, and the flux kept."""
    rng = np.random.default_rng(7)
    data = np.zeros(shape, dtype=np.float32)
    inner = (shape[0], shape[1] - 18, shape[2] - 18)
    data[:, 9:-9, 9:-9] = rng.random(inner, dtype=np.float32)
    beam = Beam.from_arcsec(7.0, 7.0, 0.0, 2.8)
    got = convolve_stamp(data, beam)
    expected = convolve_beam(data.copy(), beam)
    assert got.dtype == np.float32
    assert np.abs(got - expected).max() <= 2e-6 * expected.max()
    # The sampled 2.5-pixel beam rings at ~1e-4 of its peak at every distance (its
    # transfer function is cut at the Nyquist frequency): a box keeps the flux to 1e-4.
    assert got.sum(dtype=np.float64) == pytest.approx(data.sum(dtype=np.float64), rel=1e-4)


def test_the_banded_products_do_not_depend_on_the_callers_blas_threads():
    """Run on one BLAS thread inside, so two threads outside give the same bits."""
    data = np.random.default_rng(1).random((20, 41, 41), dtype=np.float32)
    beam = Beam.from_arcsec(7.0, 7.0, 0.0, 2.8)
    with limited_threads(2):
        two = convolve_stamp(data, beam)
    with limited_threads(1):
        one = convolve_stamp(data, beam)
    np.testing.assert_array_equal(two, one)


def test_every_stamp_holds_its_catalogue_flux(rows):
    """The model is scaled to the galaxy's line flux: sum x channel / beam area = flux."""
    beam = field_beam(SMALL)
    for row in rows[:6]:
        box, stamp = render_stamp(row, SMALL)
        dv = (
            SMALL.channel_width_hz
            * stamps_module.SPEED_OF_LIGHT_KMS
            / (SMALL.rest_hz / (1.0 + row.z))
        )
        flux = stamp.sum(dtype=np.float64) / beam.area_px * dv
        assert flux == pytest.approx(line_flux_kms(row, SMALL), rel=1e-4)
        assert stamp.shape == (box.n_c, box.n_y, box.n_x)


PRESETS = {"fast": stamps_module.LADDER[0], "default": stamps_module.LADDER[-1]}


def _with_ladder(monkeypatch, names, row, spec):
    """Render ``row`` with the ladder cut to the presets ``names``."""
    monkeypatch.setattr(stamps_module, "LADDER", tuple(PRESETS[name] for name in names))
    return render_stamp(row, spec)[1]


def test_the_preset_follows_the_noise(rows, monkeypatch):
    """Faint (peak S/N < 13.3): 'fast'; bright or noiseless: 'default', bit for bit."""
    row = rows[0]
    faint = render_stamp(row, SMALL)[1]
    peak_snr = float(faint.max()) / SMALL.noise_rms_jy_beam
    assert peak_snr < 13.3
    bright_spec = SMALL.replace(noise_rms_jy_beam=float(faint.max()) / 100.0)
    noiseless_spec = SMALL.replace(noise_rms_jy_beam=0.0)
    bright = render_stamp(row, bright_spec)[1]
    noiseless = render_stamp(row, noiseless_spec)[1]
    np.testing.assert_array_equal(faint, _with_ladder(monkeypatch, ["fast"], row, SMALL))
    default = _with_ladder(monkeypatch, ["default"], row, SMALL)
    np.testing.assert_array_equal(bright, default)
    np.testing.assert_array_equal(noiseless, default)
    # The presets differ, by less than 'fast's stated error of the peak.
    assert not np.array_equal(faint, default)
    assert np.abs(faint - default).max() <= 7.5e-3 * float(default.max())
