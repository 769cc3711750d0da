"""1.2.1's diffuse emission (halo, bridges, tails): exact, flux-conserving, seeded."""

import math

import numpy as np
import pytest
from scipy import integrate

from GalCubeCraft import DatasetSpec, Galaxy, GalCubeCraft, Observation, SpectralAxis, render
from GalCubeCraft.model.diffuse import DiffuseParams, DiffuseSource, draw_diffuse
from GalCubeCraft.renderer.blobs import render_blobs_into

PARAMS = DiffuseParams.from_dict({"enabled": True})
OBS = Observation(nx=96, ny=96, pixel_kpc=0.5, spectral=SpectralAxis(80, -800, 800))


def _source(v_sys=(0.0, 200.0), centres=((47, 47, 47), (60, 40, 52))):
    primary = Galaxy(r_e_kpc=2.0, h_z_kpc=0.3, inclination_deg=50.0, pa_deg=20.0)
    return DiffuseSource(
        centres_px=np.asarray(centres, dtype=float),
        s_e_per_voxel=np.array([0.1, 0.06]),
        r_e_px=np.array([4.0, 1.5]),
        h_z_px=np.array([0.6, 0.3]),
        v_sys_kms=np.asarray(v_sys),
        primary=primary,
        pixel_kpc=0.5,
        grid_size=96,
    )


def _bridge_integral(params, source):
    """Return the bridge's flux by definition: the integral of 2 pi sigma(s)^2 A window(s)."""
    start, end = params.bridge_start_frac, 1.0 - params.bridge_stop_frac
    fade = params.bridge_edge_fade
    s0 = max(params.bridge_width_start_factor * source.r_e_px[0], 1.0)
    s1 = max(params.bridge_width_end_factor * source.r_e_px[1], 1.0)
    amplitude = params.bridge_Se_factor * min(source.s_e_per_voxel)
    separation = float(np.linalg.norm(source.centres_px[1] - source.centres_px[0]))

    def per_length(s):
        t = (s - start) / (end - start)
        sigma = s0 * (1 - t) + s1 * t
        window = min(min(max((s - start) / fade, 0.0), 1.0), min(max((end - s) / fade, 0.0), 1.0))
        return amplitude * 2 * math.pi * sigma**2 * window

    points = [start + fade, end - fade]
    value, _ = integrate.quad(per_length, start, end, points=points, epsabs=0, epsrel=1e-12)
    return value * separation


def test_each_component_holds_its_analytic_flux_to_1e3():
    """Halo: the disk integral; bridge: the tube integral; tail: 1.2.1's blob sum.

    The rendered model holds each to 1e-3 (the halo through the disk renderer's
    quadrature; blobs exactly, to their share inside the field and band).
    """
    rng = np.random.default_rng(1)
    source = _source()
    components = draw_diffuse(PARAMS, source, rng)
    halo_model = render(components.halo, OBS)
    assert halo_model.line_flux_jykms() == pytest.approx(components.halo.line_flux, rel=1e-3)
    bridge, tail = components.bridges[0], components.tails[0]
    assert bridge.total_flux == pytest.approx(_bridge_integral(PARAMS, source), rel=1e-3)
    u = np.linspace(0.0, 1.0, PARAMS.tail_n_samples)
    sigma = max(PARAMS.tail_width_factor * 0.3, 1.0)
    expected_tail = np.sum(PARAMS.tail_Se_factor * 0.06 * (1 - u)) * (2 * math.pi) ** 1.5 * sigma**3
    assert tail.total_flux == pytest.approx(expected_tail * 5 / PARAMS.tail_n_samples, rel=1e-12)
    for blobs in (bridge, tail):
        cube = np.zeros(OBS.shape)
        render_blobs_into(cube, blobs, OBS)
        flux = cube.sum() * OBS.spectral.channel_width_kms
        assert flux == pytest.approx(blobs.total_flux, rel=1e-3)


def test_bridge_velocity_runs_from_the_primary_to_the_satellite():
    """Blob velocities are linear in the position along the link; moment 1 follows."""
    source = _source(v_sys=(-150.0, 250.0))
    bridge = draw_diffuse(PARAMS, source, np.random.default_rng(2)).bridges[0]
    c0, c1 = source.centres_px[0], source.centres_px[1]
    half = 0.5 * (96 - 1)
    x_px = bridge.x_kpc / 0.5 + half
    s = (x_px - c0[0]) / (c1[0] - c0[0])
    np.testing.assert_allclose(bridge.v_kms, -150.0 + 400.0 * s, atol=1e-9)
    cube = np.zeros(OBS.shape)
    render_blobs_into(cube, bridge, OBS)
    # The rendered line's mean is the flux-weighted mean of the blobs' velocities ...
    spectrum = cube.sum(axis=(1, 2))
    mean = np.sum(spectrum * OBS.velocities_kms) / spectrum.sum()
    assert mean == pytest.approx(np.sum(bridge.flux * bridge.v_kms) / bridge.total_flux, abs=0.5)
    # ... and moment 1 rises along the link (the tube is wide near the primary, so a
    # pixel also sees the slower gas behind it: the rise, not the local value, is exact).
    m0 = cube.sum(axis=0)
    m1 = (cube * OBS.velocities_kms[:, None, None]).sum(axis=0) / np.where(m0 > 0, m0, 1)
    along = [m1[int(round(p[1])), int(round(p[0]))]
             for p in (c0 + f * (c1 - c0) for f in np.linspace(0.3, 1.0, 8))]  # fmt: skip
    assert np.all(np.diff(along) > 0) and along[-1] - along[0] > 100.0


def test_halo_line_has_the_stated_dispersion():
    """The halo does not rotate: its spectrum is a Gaussian of sigma = halo_sigma_vz."""
    halo = draw_diffuse(PARAMS, _source(), np.random.default_rng(3)).halo
    spectral = SpectralAxis(160, -800, 800)
    model = render(halo, OBS.replace(spectral=spectral))
    spectrum = model.data.sum(axis=(1, 2))
    v = model.velocities_kms
    mean = np.sum(spectrum * v) / spectrum.sum()
    spread = math.sqrt(np.sum(spectrum * (v - mean) ** 2) / spectrum.sum())
    width = spectral.channel_width_kms
    assert abs(mean) < 0.5
    expected = math.hypot(PARAMS.halo_sigma_vz, width / math.sqrt(12))
    assert spread == pytest.approx(expected, rel=5e-3)


def test_facade_with_diffuse_is_seeded_and_adds_up():
    """Same seed, same cube, bit for bit; clean = galaxies + diffuse; galaxies unchanged."""
    kwargs = dict(n_gals=3, n_cubes=1, grid_size=48, n_spectral_slices=24, seed=17, save=False,
                  verbose=False)  # fmt: skip
    first = GalCubeCraft(diffuse_params={"enabled": True}, **kwargs).generate_cubes()[0]
    second = GalCubeCraft(diffuse_params={}, **kwargs).generate_cubes()[0]
    np.testing.assert_array_equal(first[0], second[0])
    cube, params = first
    assert params["diffuse_emission"] is True
    assert params["diffuse_cube"].sum() > 0
    parts = params["per_galaxy_cubes"].sum(axis=0) + params["diffuse_cube"]
    np.testing.assert_allclose(parts, cube, atol=1e-6 * cube.max())
    _, plain = GalCubeCraft(**kwargs).generate_cubes()[0]
    np.testing.assert_array_equal(plain["per_galaxy_cubes"], params["per_galaxy_cubes"])
    assert plain["diffuse_emission"] is False and "diffuse_cube" not in plain
    with pytest.raises(ValueError, match="unknown diffuse_params"):
        GalCubeCraft(diffuse_params={"halo_size": 2.0}, **kwargs)


def test_spec_carries_the_diffuse_knobs_through_toml_and_the_parameter_table():
    """A spec with diffuse emission reads back from TOML; items record each component's flux."""
    from GalCubeCraft.datasets.items import parameter_names, render_item

    spec = DatasetSpec(
        n_cubes=2,
        seed=5,
        observation={"grid_size": 40, "n_chan": 16},
        galaxies={"n_gals": (2, 2)},
        features={"diffuse": {"tail_length_factor": 0.3}},
        noise={"peak_snr": None},
    )
    assert spec.features.diffuse.enabled and spec.features.diffuse.tail_length_factor == 0.3
    assert DatasetSpec.from_toml_text(spec.to_toml()) == spec
    item = render_item(spec, 0)
    names = parameter_names(spec)
    row = dict(zip(names, item.arrays["params"], strict=True))
    assert row["halo_flux"] > 0 and row["bridge_flux"] > 0 and row["tail_flux"] > 0
    diffuse = item.arrays["clean"] - item.arrays["galaxy_clean"].sum(axis=0)
    assert diffuse.sum() > 0
    off = render_item(spec.replace(features={"diffuse": DiffuseParams()}), 0)
    assert dict(zip(names, off.arrays["params"], strict=True))["halo_flux"] == 0.0
