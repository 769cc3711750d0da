"""Tilted rings (warps and flares): the flat limit, flux, profiles and refusals."""

import dataclasses

import numpy as np
import pytest

from GalCubeCraft import (
    SIE,
    AngularScale,
    Beam,
    FlatRotationCurve,
    Galaxy,
    Lens,
    Observation,
    SpectralAxis,
    observe,
    render,
)
from GalCubeCraft.datasets import DatasetSpec
from GalCubeCraft.datasets.items import galaxies_from_params, parameter_names, render_item
from GalCubeCraft.model.clumps import Clump
from GalCubeCraft.model.rings import FLAT_PROBES, TiltedRings, linear_warp
from GalCubeCraft.priors.galaxies import draw_scene
from GalCubeCraft.renderer.geometry import DiskGeometry, taper_weight
from GalCubeCraft.renderer.sky_frames import in_taper_band

OBS = Observation(nx=96, ny=96, pixel_kpc=0.5, beam=Beam(3.0, 3.0),
                  spectral=SpectralAxis(48, -300.0, 300.0))  # fmt: skip
DISK = Galaxy(r_e_kpc=3.0, h_z_kpc=0.3, inclination_deg=55.0, pa_deg=40.0, sigma_kms=20.0,
              rotation_curve=FlatRotationCurve(180.0))  # fmt: skip


@pytest.mark.parametrize(
    "rings",
    [
        TiltedRings(),
        TiltedRings(lambda r: 55.0 + 0 * r, lambda r: 40.0 + 0 * r, lambda r: 0.3 + 0 * r),
        linear_warp(4.0, 6.0, (55.0, 55.0), (40.0, 40.0), (0.3, 0.3)),
    ],
    ids=["no profiles", "constant callables", "constant table"],
)
def test_a_warp_that_never_turns_is_the_flat_disk(rings):
    """Constant inclination, PA and height: the flat disk bit for bit (the issue asks 1e-6).

    Such a disk is flat throughout, so it is all flat core, rendered by the sky sampler.
    """
    flat = observe(render(DISK, OBS)).data
    ringed = observe(render(dataclasses.replace(DISK, rings=rings), OBS)).data
    assert np.array_equal(ringed, flat)


RINGS_FROM_THE_CENTRE = TiltedRings(h_z_kpc=lambda r: 0.3 + 1e-12 * r)
"""A flat disk's rings whose height changes (by 1e-12 kpc per kpc) from the centre out."""


def test_rings_alone_approximate_the_flat_disk():
    """Rings from the centre out, in one plane, against the sky renderer's flat disk.

    To 1.2% of the peak voxel at worst (near the centre, where the velocity cusp is
    sharpest; measured 0.81%) and 3e-4 of it in rms (measured 1.4e-4), flux to 1e-4
    (measured 9e-6): the node quadrature against the adaptive sight-line one.
    """
    flat = observe(render(DISK, OBS)).data.astype(float)
    assert RINGS_FROM_THE_CENTRE.flat_radius(30.0) == 0.0
    galaxy = dataclasses.replace(DISK, rings=RINGS_FROM_THE_CENTRE)
    ringed = observe(render(galaxy, OBS)).data.astype(float)
    assert np.max(np.abs(ringed - flat)) < 0.012 * flat.max()
    assert np.sqrt(np.mean((ringed - flat) ** 2)) < 3e-4 * flat.max()
    assert ringed.sum() == pytest.approx(flat.sum(), rel=1e-4)


@pytest.mark.parametrize("inclination_deg", [0.0, 55.0, 80.0])
def test_flat_core_and_rings_join_without_a_seam(inclination_deg):
    """A flat core to 3 kpc (6 pixels), then rings (in the same plane): the flat disk.

    The core fades out over the 2 pixels inside 3 kpc where the rings fade in.  Measured
    against the flat disk: worst voxel 0.41-0.56% of the peak (the rings' own node
    error, below the 0.81% of rings from the centre), rms 7.6e-5 to 1.3e-4, flux 1e-6 to
    4e-5 (3.1e-4 face-on before the sky sampler sent the fading band to its 2x2 rule).
    """
    disk = dataclasses.replace(DISK, inclination_deg=inclination_deg)
    flat = observe(render(disk, OBS)).data.astype(float)
    rings = TiltedRings.tabulated([0.0, 3.0, 30.0], h_z_kpc=[0.3, 0.3, 0.3 + 1e-9])
    assert rings.flat_radius(30.0) == 3.0
    joined = observe(render(dataclasses.replace(disk, rings=rings), OBS)).data.astype(float)
    assert np.max(np.abs(joined - flat)) < 0.008 * flat.max()
    assert np.sqrt(np.mean((joined - flat) ** 2)) < 2.5e-4 * flat.max()
    assert joined.sum() == pytest.approx(flat.sum(), rel=1e-4)


def test_flat_radius_is_exact_for_tables_and_probed_for_callables():
    """A table's flat part ends at its last unchanged breakpoint; a callable's at a probe."""
    assert TiltedRings().flat_radius(20.0) == np.inf
    table = TiltedRings.tabulated([1.0, 4.0, 9.0, 12.0], inclination_deg=[30.0, 30.0, 30.0, 50.0],
                                  pa_deg=[10.0, 10.0, 20.0, 20.0])  # fmt: skip
    assert table.flat_radius(20.0) == 4.0  # the PA turns first
    step = TiltedRings(h_z_kpc=lambda r: np.where(r < 3.3, 0.3, 0.5))
    probe = 20.0 / FLAT_PROBES
    assert 3.3 - probe <= step.flat_radius(20.0) < 3.3
    assert TiltedRings(pa_deg=lambda r: 40.0 + 0.0 * r).flat_radius(20.0) == np.inf


def test_taper_weight_is_a_smooth_complementary_step():
    """1 inside, 0 outside, point-symmetric about the middle, flat at both ends."""
    r = np.linspace(0.0, 10.0, 1001)
    w = taper_weight(r, 4.0, 6.0)
    assert np.all(w[r <= 4.0] == 1.0) and np.all(w[r >= 6.0] == 0.0)
    assert np.all(np.diff(w) <= 0.0)
    np.testing.assert_allclose(w + w[::-1], 1.0, atol=1e-12)  # w(5 + t) = 1 - w(5 - t)
    slope = np.gradient(w, r)
    assert abs(slope[400]) < 1e-3 and abs(slope[600]) < 1e-3


def test_warped_and_flared_disk_keeps_its_flux():
    """A strong warp and flare move light, never create or lose it (1e-3 of the line flux)."""
    rings = TiltedRings.tabulated([0.0, 4.0, 15.0], inclination_deg=[55.0, 55.0, 85.0],
                                  pa_deg=[40.0, 40.0, 90.0], h_z_kpc=[0.3, 0.3, 1.5])  # fmt: skip
    galaxy = dataclasses.replace(DISK, rings=rings)
    wide = OBS.replace(nx=160, ny=160, spectral=SpectralAxis(40, -400.0, 400.0))
    cube = render(galaxy, wide)
    assert cube.line_flux_jykms() == pytest.approx(galaxy.line_flux, rel=1e-3)


def test_outer_rings_turn_the_kinematic_axis():
    """Moment 1 on an outer ring peaks at the ring's own PA, on an inner one at the disk's."""
    rings = TiltedRings.tabulated([0.0, 4.0, 12.0], pa_deg=[40.0, 40.0, 100.0])
    galaxy = dataclasses.replace(DISK, h_z_kpc=0.05, rings=rings, sigma_kms=5.0)
    model = render(galaxy, OBS.replace(beam=None))
    m1 = model.moments(min_fraction=1e-3).m1
    for radius, expected in ((3.0, 40.0), (11.0, 92.5)):
        # The projected ring: sample the sky ellipse of this radius at its own PA and
        # inclination, and find where the line-of-sight velocity is largest.
        pa = np.radians(np.linspace(0.0, 360.0, 721))
        best, best_v = None, -np.inf
        for theta in pa:  # disk azimuth from the receding node
            a, b = radius * np.cos(theta), radius * np.sin(theta) * np.cos(np.radians(55.0))
            ring_pa = np.radians(expected)
            x = -a * np.sin(ring_pa) + b * np.cos(ring_pa)
            y = a * np.cos(ring_pa) + b * np.sin(ring_pa)
            ix, iy = int(round(x / 0.5 + 47.5)), int(round(y / 0.5 + 47.5))
            v = m1[iy, ix]
            if np.isfinite(v) and v > best_v:
                best, best_v = theta, v
        assert abs((np.degrees(best) + 180) % 360 - 180) <= 12.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TiltedRings(inclination_deg=30.0), "callable"),
        (lambda: TiltedRings.tabulated([0.0, 1.0], inclination_deg=[10.0, 95.0]), "inclination"),
        (lambda: TiltedRings.tabulated([1.0, 0.0], pa_deg=[0.0, 1.0]), "increasing"),
        (lambda: TiltedRings.tabulated([0.0, 1.0], h_z_kpc=[0.1, -0.1]), "h_z_kpc"),
        (
            lambda: render(
                dataclasses.replace(DISK, rings=TiltedRings()),
                OBS.replace(sky=AngularScale(redshift=1.0)),
                lens=Lens((SIE(1.0),)),
            ),
            "not lensed",
        ),
    ],
)
def test_bad_rings_are_refused(build, message):
    """Non-callable profiles, bad tables and lensed rings are refused."""
    with pytest.raises((TypeError, ValueError), match=message):
        build()


WARPED_SPEC = DatasetSpec(
    n_cubes=3,
    seed=4,
    observation={"grid_size": 48, "n_chan": 12},
    galaxies={"n_gals": (1, 2), "resolution": (1.0, 2.0)},
    noise={"peak_snr": None},
    features={
        "warp_inclination_deg": (10.0, 25.0),
        "warp_pa_deg": (-30.0, 30.0),
        "flare_factor": (1.5, 3.0),
    },
)


def test_warp_priors_are_drawn_recorded_and_rebuilt():
    """Each galaxy's warp lies in the priors, is in the table, and rebuilds the same cube."""
    names = parameter_names(WARPED_SPEC)
    plain = WARPED_SPEC.replace(
        features={
            "warp_inclination_deg": (0.0, 0.0),
            "warp_pa_deg": (0.0, 0.0),
            "flare_factor": (1.0, 1.0),
        }
    )
    for index in range(WARPED_SPEC.n_cubes):
        draw = draw_scene(WARPED_SPEC, index)
        flat = draw_scene(plain, index)
        for warped, galaxy in zip(draw.galaxies, flat.galaxies, strict=True):
            assert dataclasses.replace(warped, rings=None) == galaxy  # its own stream
        item = render_item(WARPED_SPEC, index)
        row = dict(zip(names, item.arrays["params"], strict=True))
        assert 10.0 <= row["g1_warp_inclination_deg"] <= 25.0 or row["g1_inclination_deg"] > 65
        assert -30.0 <= row["g1_warp_pa_deg"] <= 30.0 and 1.5 <= row["g1_flare_factor"] <= 3.0
        assert 1.5 <= row["g1_warp_start_kpc"] / row["g1_r_e_kpc"] <= 2.5
        rebuilt = galaxies_from_params(WARPED_SPEC, item.arrays["params"])
        observation = WARPED_SPEC.observation.for_pixel(row["pixel_kpc"])
        for galaxy, original in zip(rebuilt, draw.galaxies, strict=True):
            np.testing.assert_array_equal(render(galaxy, observation).data,
                                          render(original, observation).data)  # fmt: skip


def test_warped_specs_behind_a_lens_are_refused():
    """Warps behind a lens are refused when the spec is made."""
    with pytest.raises(ValueError, match="warped disks are not lensed"):
        WARPED_SPEC.replace(lens={"theta_e_re": (2.0, 3.0)}, observation={"grid_size": 96})


CLUMPS = (Clump(2.0, 30.0, 0.4, 0.1), Clump(10.0, 0.0, 0.5, 0.15, v_offset_kms=20.0))


def test_clumps_on_a_warp_that_never_turns_are_the_flat_disks():
    """A never-turning warp carries its clumps exactly where the flat disk does, bit for bit."""
    flat = render(dataclasses.replace(DISK, clumps=CLUMPS), OBS).data
    constant = TiltedRings(lambda r: 55.0 + 0 * r, lambda r: 40.0 + 0 * r)
    ringed = render(dataclasses.replace(DISK, clumps=CLUMPS, rings=constant), OBS).data
    assert np.array_equal(ringed, flat)


def test_a_clump_beyond_the_turn_lies_and_moves_in_its_rings_plane():
    """At R = 10 kpc the ring is at inclination 70 and PA 100: the clump is there.

    A clump on its ring's receding major axis sits at ``R (-sin PA, cos PA)`` on the sky
    and moves at ``v_c sin i``: its flux-weighted centre to 1e-3 kpc and velocity to
    0.01 km/s.  The clump alone holds all the light here (flux fraction 1).
    """
    rings = TiltedRings.tabulated([0.0, 4.0, 8.0], inclination_deg=[55.0, 55.0, 70.0],
                                  pa_deg=[40.0, 40.0, 100.0])  # fmt: skip
    clump = Clump(10.0, 0.0, 0.5, 1.0)
    galaxy = dataclasses.replace(DISK, clumps=(clump,), rings=rings)
    model = render(galaxy, OBS.replace(beam=None, spectral=SpectralAxis(96, -480.0, 480.0)))
    cube = model.data.astype(float)
    y, x = np.mgrid[0 : OBS.ny, 0 : OBS.nx]
    image = cube.sum(axis=0)
    centre_x = ((x - 0.5 * (OBS.nx - 1)) * OBS.pixel_kpc * image).sum() / image.sum()
    centre_y = ((y - 0.5 * (OBS.ny - 1)) * OBS.pixel_kpc * image).sum() / image.sum()
    pa = np.radians(100.0)
    assert centre_x == pytest.approx(-10.0 * np.sin(pa), abs=1e-3)
    assert centre_y == pytest.approx(10.0 * np.cos(pa), abs=1e-3)
    spectrum = cube.sum(axis=(1, 2))
    velocity = (model.observation.velocities_kms * spectrum).sum() / spectrum.sum()
    assert velocity == pytest.approx(180.0 * np.sin(np.radians(70.0)), abs=0.01)


def test_clumps_and_warps_are_drawn_together():
    """A spec may draw both: the table records both, and the clean cube is their render.

    The galaxies rebuilt from the table (which keeps the clumps' number and share, not
    their places) render as the drawn ones without clumps.
    """
    spec = WARPED_SPEC.replace(features={"clump_count": (1, 3), "clump_fraction": (0.1, 0.3)})
    names = parameter_names(spec)
    for index in range(spec.n_cubes):
        draw = draw_scene(spec, index)
        assert all(g.clumps and g.rings is not None for g in draw.galaxies)
        item = render_item(spec, index)
        row = dict(zip(names, item.arrays["params"], strict=True))
        assert 1 <= row["g1_n_clumps"] <= 3 and 0.1 <= row["g1_clump_fraction"] <= 0.3
        assert row["g1_warp_pa_deg"] != 0.0
        observation = spec.observation.for_pixel(row["pixel_kpc"])
        expected = render(draw.galaxies, observation)
        assert expected.line_flux_jykms() == pytest.approx(
            sum(g.line_flux for g in draw.galaxies), rel=2e-3
        )
        rebuilt = galaxies_from_params(spec, item.arrays["params"])
        for galaxy, original in zip(rebuilt, draw.galaxies, strict=True):
            unclumped = dataclasses.replace(original, clumps=())
            np.testing.assert_array_equal(render(galaxy, observation).data,
                                          render(unclumped, observation).data)  # fmt: skip


@pytest.mark.parametrize(
    ("inclination_deg", "offsets", "expected"),
    [
        (0.0, [(0.0, 0.0), (2.5, 0.0), (4.0, 0.0), (0.0, 2.5), (1.8, 1.8)], [0, 1, 0, 1, 1]),
        (90.0, [(1.0, 0.0), (4.0, 0.0), (1.0, 4.0), (1.0, 6.0)], [1, 0, 1, 0]),  # z_max 4.8
    ],
)
def test_taper_band_holds_the_cells_whose_sight_lines_cross_the_fade(
    inclination_deg, offsets, expected
):
    """The cells whose sight lines cross the fading band, grown by half a cell diagonal.

    Face-on, the band is the annulus; edge-on, every sight line through the layer inside
    the band's outer radius crosses it.
    """
    geometry = DiskGeometry.from_galaxy(DISK.replace(inclination_deg=inclination_deg), 1e-7)
    geometry = dataclasses.replace(geometry, taper=(2.0, 3.0))
    a, b = np.array(offsets, dtype=float).T
    assert in_taper_band(a, b, geometry, 0.5).tolist() == [bool(e) for e in expected]
    untapered = dataclasses.replace(geometry, taper=None)
    assert not in_taper_band(a, b, untapered, 0.5).any()


def test_a_constant_plane_of_its_own_is_that_flat_disk():
    """Constant profiles unlike the galaxy's own values: the flat disk in their plane.

    A flare keeps the surface brightness, so the equivalent flat disk has the thicker
    scale height and a midplane emissivity lower in proportion (the same line flux).
    Equal to float rounding (the core's truncation height is scaled, not recomputed).
    """
    rings = TiltedRings(lambda r: 70.0 + 0 * r, lambda r: 100.0 + 0 * r, lambda r: 0.5 + 0 * r)
    ringed = observe(render(dataclasses.replace(DISK, rings=rings), OBS)).data
    same = DISK.replace(inclination_deg=70.0, pa_deg=100.0, h_z_kpc=0.5, s_e=DISK.s_e * 0.6)
    assert same.line_flux == pytest.approx(DISK.line_flux, rel=1e-12)
    flat = observe(render(same, OBS)).data
    np.testing.assert_allclose(ringed, flat, rtol=0.0, atol=1e-6 * float(flat.max()))
