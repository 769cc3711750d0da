"""FITS files written from the cube object: header values, WCS geometry, round trips."""

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from spectral_cube import SpectralCube

from GalCubeCraft import Cube, Galaxy, GalCubeCraft, Observation, observe, render

OBS = Observation.from_angular(
    n_pix=48, pixel_arcsec=0.1, beam_arcsec=(0.5, 0.3, 25.0), n_chan=24,
    channel_width_kms=25.0, line="CO(2-1)", redshift=1.5,
)  # fmt: skip
GALAXY = Galaxy(r_e_kpc=1.2, h_z_kpc=0.2, inclination_deg=50, pa_deg=70, sigma_kms=30)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    cube = observe(render(GALAXY, OBS))
    path = cube.write_fits(tmp_path_factory.mktemp("fits") / "cube.fits")
    return path, cube


C_KMS = 299792.458
NU_SYS_HZ = 230.538e9 / (1 + 1.5)  # CO(2-1) at the source's redshift


def test_header_conventions_and_verify(written):
    """The file passes astropy's verify and carries the exact keywords readers need.

    By default the spectral axis is the observer's: observed frequencies, barycentric.
    """
    path, cube = written
    with fits.open(path) as hdul:
        hdul.verify("exception")
        h = hdul[0].header
    assert h["CDELT1"] == pytest.approx(-0.1 / 3600, rel=1e-12)
    assert h["CDELT2"] == pytest.approx(0.1 / 3600, rel=1e-12)
    assert (h["CTYPE1"], h["CTYPE2"], h["CTYPE3"], h["CUNIT3"]) == (
        "RA---SIN", "DEC--SIN", "FREQ", "Hz",
    )  # fmt: skip
    assert (h["CRPIX1"], h["CRPIX2"], h["CRVAL1"], h["CRVAL2"]) == (24.5, 24.5, 150.0, 2.0)
    # The first channel, at -287.5 km/s from systemic, is observed above nu_0 / (1 + z).
    assert h["CRPIX3"] == 1.0
    assert h["CRVAL3"] == pytest.approx(NU_SYS_HZ * (1 + 287.5 / C_KMS), rel=1e-14)
    assert h["CDELT3"] == pytest.approx(-NU_SYS_HZ * 25.0 / C_KMS, rel=1e-14)
    assert h["RESTFRQ"] == 230.538e9  # the line's rest frequency, exactly
    assert h["BUNIT"] == "Jy/beam" and h["SPECSYS"] == "BARYCENT" and h["SSYSSRC"] == "BARYCENT"
    assert h["BMAJ"] == pytest.approx(0.5 / 3600, rel=1e-12)
    assert h["BMIN"] == pytest.approx(0.3 / 3600, rel=1e-12)
    assert h["BPA"] == pytest.approx(25.0, rel=1e-12)
    assert h["G1INC"] == 50.0 and h["G1FLUX"] == pytest.approx(GALAXY.line_flux)
    assert h["KPCPIX"] == pytest.approx(OBS.pixel_kpc, rel=1e-15) and h["ZSOURCE"] == 1.5
    assert h["CUBEKIND"] == "observed" and "NOISERMS" not in h


def test_rest_frame_is_one_option_away(written, tmp_path):
    """spectral_frame='rest': a VRAD axis (m/s) of velocities from systemic, SPECSYS SOURCE."""
    _, cube = written
    h = fits.getheader(cube.write_fits(tmp_path / "rest.fits", spectral_frame="rest"))
    assert (h["CTYPE3"], h["CUNIT3"], h["SPECSYS"]) == ("VRAD", "m/s", "SOURCE")
    assert h["CRVAL3"] == pytest.approx(-287.5e3) and h["CDELT3"] == pytest.approx(25e3)
    assert h["RESTFRQ"] == 230.538e9 and h["ZSOURCE"] == 1.5


def test_spectral_cube_reads_data_beam_and_observed_frequencies(written):
    """spectral-cube gives back the array, the beam, and the observed frequencies (1e-12).

    Converted about the redshifted line, the axis gives the velocities from systemic.
    """
    path, cube = written
    sc = SpectralCube.read(path)
    np.testing.assert_array_equal(sc.unmasked_data[:].value, cube.data)
    assert sc.beam.major.to(u.arcsec).value == pytest.approx(0.5, rel=1e-9)
    assert sc.beam.minor.to(u.arcsec).value == pytest.approx(0.3, rel=1e-9)
    assert sc.beam.pa.to(u.deg).value == pytest.approx(25.0, rel=1e-9)
    observed = sc.with_spectral_unit(u.GHz).spectral_axis.value
    expected = NU_SYS_HZ * (1 - OBS.velocities_kms / C_KMS) / 1e9
    np.testing.assert_allclose(observed, expected, rtol=1e-12)
    assert 92.1 < observed.min() < observed.max() < 92.4  # about 230.538 GHz / 2.5, not 230.5
    velocities = sc.with_spectral_unit(
        u.km / u.s, velocity_convention="radio", rest_value=NU_SYS_HZ * u.Hz
    ).spectral_axis.value
    np.testing.assert_allclose(velocities, OBS.velocities_kms, rtol=1e-6, atol=1e-6)
    assert sc.unit == u.Jy / u.beam


def test_cube_round_trips_through_fits(written):
    """Cube.from_fits gives back the data, observation (to 1e-9), kind and unit."""
    path, cube = written
    back = Cube.from_fits(path)
    np.testing.assert_array_equal(back.data, cube.data)
    assert back.kind == "observed" and back.unit == "Jy/beam"
    assert back.observation.pixel_kpc == pytest.approx(OBS.pixel_kpc, rel=1e-12)
    np.testing.assert_allclose(back.velocities_kms, OBS.velocities_kms, atol=1e-9)
    for got, want in zip(
        (back.observation.beam.bmaj_px, back.observation.beam.bmin_px,
         back.observation.beam.bpa_deg),
        (5.0, 3.0, 25.0), strict=True,
    ):  # fmt: skip
        assert got == pytest.approx(want, rel=1e-9)
    assert back.observation.sky.redshift == 1.5


def test_galaxy_centre_and_receding_side_in_world_coordinates(tmp_path):
    """An off-centre galaxy's centre maps to its sky position; its receding side lies at its PA."""
    galaxy = Galaxy(r_e_kpc=1.0, h_z_kpc=0.1, inclination_deg=60, pa_deg=130.0, sigma_kms=20,
                    x_kpc=-1.0 * OBS.pixel_kpc * 4, y_kpc=OBS.pixel_kpc * 3)  # fmt: skip
    cube = observe(render(galaxy, OBS.replace(beam=None)))
    path = cube.write_fits(tmp_path / "c.fits")
    wcs = Cube.from_fits(path).observation.wcs.celestial
    centre = wcs.pixel_to_world(23.5 - 4, 23.5 + 3)
    field = SkyCoord(150.0 * u.deg, 2.0 * u.deg)
    # 4 px east (-x) and 3 px north: offsets measured on the sky, in arcsec.
    east, north = field.spherical_offsets_to(centre)
    assert east.to_value(u.arcsec) == pytest.approx(0.4, rel=1e-6)
    assert north.to_value(u.arcsec) == pytest.approx(0.3, rel=1e-6)
    m1 = cube.moments().m1
    receding = np.unravel_index(np.nanargmax(m1), m1.shape)
    approaching = np.unravel_index(np.nanargmin(m1), m1.shape)
    far = wcs.pixel_to_world(receding[1], receding[0])
    near = wcs.pixel_to_world(approaching[1], approaching[0])
    assert near.position_angle(far).to_value(u.deg) == pytest.approx(130.0, abs=4.0)
    assert centre.position_angle(far).to_value(u.deg) == pytest.approx(130.0, abs=8.0)


def test_non_round_beam_survives_facade_fits_and_plot(tmp_path):
    """beam_info (bmin, bmaj, bpa) from the facade reaches BMAJ/BMIN/BPA and the plot ellipse."""
    from GalCubeCraft.plotting import moment_figure

    g = GalCubeCraft(n_gals=1, n_cubes=1, seed=4, beam_info=(3.0, 6.0, 35.0), grid_size=64,
                     n_spectral_slices=16, verbose=False, fname=tmp_path,
                     save_format="fits")  # fmt: skip
    g.generate_cubes()
    path = tmp_path / "cube_1.fits"
    header = fits.getheader(path)
    pixel_deg = header["CDELT2"]
    assert header["BMAJ"] / pixel_deg == pytest.approx(6.0, rel=1e-9)
    assert header["BMIN"] / pixel_deg == pytest.approx(3.0, rel=1e-9)
    assert header["BPA"] == pytest.approx(35.0, rel=1e-12)
    cube = Cube.from_fits(path)
    fig = moment_figure(cube, axes="pixel")
    ellipse = fig.axes[0].patches[0]
    assert (ellipse.width, ellipse.height, ellipse.angle) == pytest.approx((6.0, 3.0, 125.0))


def test_km_per_s_axis_reads_back_in_km_per_s(written, tmp_path):
    """A file whose CUNIT3 is km/s reads back with velocities in km/s (not 1000x too large)."""
    _, cube = written
    path = cube.write_fits(tmp_path / "rest.fits", spectral_frame="rest")
    with fits.open(path) as hdul:
        hdul[0].header["CUNIT3"] = "km/s"
        hdul[0].header["CRVAL3"] /= 1e3
        hdul[0].header["CDELT3"] /= 1e3
        hdul.writeto(tmp_path / "kms.fits")
    back = Cube.from_fits(tmp_path / "kms.fits")
    np.testing.assert_allclose(back.velocities_kms, OBS.velocities_kms, atol=1e-9)


def test_descending_axis_is_put_in_ascending_order(written, tmp_path):
    """A file with channels in descending velocity reads back ascending, data reversed."""
    _, cube = written
    path = cube.write_fits(tmp_path / "rest.fits", spectral_frame="rest")
    with fits.open(path) as hdul:
        hdul[0].data = hdul[0].data[::-1]
        hdul[0].header["CRVAL3"] = 287.5e3
        hdul[0].header["CDELT3"] = -25e3
        hdul.writeto(tmp_path / "down.fits")
    back = Cube.from_fits(tmp_path / "down.fits")
    np.testing.assert_allclose(back.velocities_kms, OBS.velocities_kms, atol=1e-6)
    np.testing.assert_array_equal(back.data, cube.data)


def test_failed_write_leaves_no_file(tmp_path):
    """A cube with NaN is refused and nothing is written."""
    bad = np.zeros(OBS.shape, dtype=np.float32)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Cube(bad, OBS, kind="observed").write_fits(tmp_path / "bad.fits")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """If the writer dies mid-file, neither the final nor the temporary file remains."""

    def explode(self, name, **kwargs):
        with open(name, "wb") as handle:
            handle.write(b"SIMPLE  =  half a header")
        raise OSError("disk full")

    monkeypatch.setattr(fits.HDUList, "writeto", explode)
    with pytest.raises(OSError, match="disk full"):
        Cube(np.zeros(OBS.shape), OBS).write_fits(tmp_path / "cube.fits")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("frame", "kind", "first", "step"),
    [
        ("observed", "FREQ", NU_SYS_HZ * (1 + 287.5 / C_KMS), -NU_SYS_HZ * 25 / C_KMS),
        # The radio velocity of the observed frequencies about nu_0: c z / (1 + z) + v / (1 + z).
        ("observed", "VRAD", (C_KMS * 1.5 - 287.5) / 2.5 * 1e3, 25e3 / 2.5),
        ("rest", "FREQ", 230.538e9 * (1 + 287.5 / C_KMS), -230.538e9 * 25 / C_KMS),
        ("rest", "VRAD", -287.5e3, 25e3),
    ],
)
def test_every_spectral_axis_describes_the_same_channels(tmp_path, frame, kind, first, step):
    """Each frame and axis type writes its own first channel and step; all read back alike.

    spectral-cube converts each to frequency; we read each back to the velocities from
    systemic (1e-6 km/s).
    """
    cube = Cube(np.zeros(OBS.shape, dtype=np.float32), OBS, kind="observed")
    path = cube.write_fits(tmp_path / "c.fits", spectral_type=kind, spectral_frame=frame)
    h = fits.getheader(path)
    assert (h["CTYPE3"], h["SPECSYS"]) == (kind, "BARYCENT" if frame == "observed" else "SOURCE")
    assert h["CRVAL3"] == pytest.approx(first, rel=1e-13)
    assert h["CDELT3"] == pytest.approx(step, rel=1e-12)
    frequency = (
        SpectralCube.read(path)
        .with_spectral_unit(u.Hz, velocity_convention="radio")
        .spectral_axis.value
    )
    nu_sys = NU_SYS_HZ if frame == "observed" else 230.538e9
    np.testing.assert_allclose(frequency, nu_sys * (1 - OBS.velocities_kms / C_KMS), rtol=1e-12)
    np.testing.assert_allclose(Cube.from_fits(path).velocities_kms, OBS.velocities_kms, atol=1e-6)


def test_unknown_spectral_axis_or_frame_is_refused(tmp_path):
    """A wrong spectral_type or spectral_frame is named, and nothing is written."""
    cube = Cube(np.zeros(OBS.shape, dtype=np.float32), OBS, kind="observed")
    with pytest.raises(ValueError, match="spectral_type"):
        cube.write_fits(tmp_path / "x.fits", spectral_type="WAVE")
    with pytest.raises(ValueError, match="spectral_frame must be one of"):
        cube.write_fits(tmp_path / "x.fits", spectral_frame="source")
    assert not (tmp_path / "x.fits").exists()


def test_observation_without_sky_cannot_write_fits(tmp_path):
    """A cube in kpc only is refused with a message on how to give it an angular scale."""
    cube = Cube(np.zeros((2, 8, 8)), Observation(nx=8, ny=8, spectral=OBS.spectral.__class__(2)))
    with pytest.raises(ValueError, match="with_sky"):
        cube.write_fits(tmp_path / "c.fits")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argument", ["overwrite", "checksum"])
@pytest.mark.parametrize("value", ["no", 0, None, 1.0])
def test_boolean_arguments_of_write_fits_are_checked(written, argument, value):
    """``overwrite="no"`` once replaced the file: now a TypeError names the argument."""
    from GalCubeCraft.products.fits import write_fits

    path, cube = written
    before = path.read_bytes()
    with pytest.raises(TypeError, match=f"^{argument} must be True or False; got"):
        write_fits(path, cube, **{argument: value})
    assert path.read_bytes() == before  # untouched
    with pytest.raises(TypeError, match="^overwrite must be True or False; got 'no'"):
        cube.write_fits(path, overwrite="no")
    assert path.read_bytes() == before
    with pytest.raises(TypeError, match="^overwrite must be True or False"):
        cube.write_fits(path.with_name("new.fits"), overwrite="yes")
    assert not path.with_name("new.fits").exists()
