"""Fit a GalCubeCraft cube with 3D-Barolo's 3DFIT, as one would fit real data.

Run:  python examples/fit_with_3d_barolo.py [folder]

Needs ``pip install pybbarolo`` (its build needs the Debian packages libcfitsio-dev,
libfftw3-dev and wcslib-dev); the test extras install it.  The recipe:

- write the noiseless cube to FITS in the source's rest frame
  (``Cube.write_fits(..., spectral_frame="rest")``): 3D-Barolo reads the WCS, the
  ``VRAD`` axis in m/s of velocities from systemic (so ``vsys`` is 0; the default,
  observed frequencies, would give it velocities about the line at z = 0, compressed
  by 1 + z), ``SPECSYS``, the beam (``BMAJ/BMIN/BPA``), ``OBJECT`` and ``TELESCOP``;
  the exact zeros the instrument stage writes below the round-off floor (``ZFLOOR``)
  are what it treats as blank, so its noise estimate and mask are sane;
- rings one beam apart out to 2.5 R_e; centre and systemic velocity fixed (the grid
  centre, 0 km/s); inclination and PA started 5 degrees off the truth;
- the vertical profile is ours: exponential (``ltype=3``) with ``z0`` = the true scale
  height in arcsec; ``norm='LOCAL'`` (3D-Barolo's default ``'AZIM'`` leaves the
  rotation 5 km/s high on this disk); default mask; free ``VROT VDISP INC PA``.

What to expect (measured; thick disk h_z = 0.3 beam at inclination 60 degrees, R_e = 5
beams; about 30 s): the median over the rings beyond R_e is 1.5 degrees low in
inclination and within 0.1 degree in PA, and the outermost ring's rotation is 2.1 km/s
high.  A thin disk (h_z = 0.05 beam) comes back 0.8 degree low with the rotation 0.6
km/s high.  Rings inside two beams are beam-smeared and come back lower still.  Without
the exact zeros the thick disk comes back 2.6 degrees low (its outermost ring 10
degrees low) with the rotation 19 km/s high.

The bias is 3DFIT's own: 3D-Barolo's GALMOD model of the same disks (``galmod_twin``:
our exponential layer and true ``z0``, smoothed by the beam), fitted the same way,
comes back 1.7 degrees low (58.28) when thick and 0.8 degree low (59.17) when thin, and
its moment-0 axis ratio equals ours to 1e-5 (thick: 0.52854 against 0.52853) and 5e-4
(thin: 0.52391 against 0.52344).
"""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits

from GalCubeCraft import (
    ArctanRotationCurve,
    Beam,
    Galaxy,
    Observation,
    SpectralAxis,
    make_cubes,
)

BEAM_PX = 4.0
PIXEL_KPC = 0.5


def thick_disk(h_z_beams: float = 0.3) -> tuple[Galaxy, Observation]:
    """Return the test disk (inclination 60, PA 30, R_e 5 beams) and its observation."""
    galaxy = Galaxy(
        r_e_kpc=10.0,
        n_sersic=1.0,
        h_z_kpc=h_z_beams * BEAM_PX * PIXEL_KPC,
        inclination_deg=60.0,
        pa_deg=30.0,
        sigma_kms=15.0,
        rotation_curve=ArctanRotationCurve(200.0, 3.0),
    )
    observation = Observation(
        nx=128,
        ny=128,
        pixel_kpc=PIXEL_KPC,
        spectral=SpectralAxis(60, -300.0, 300.0),
        beam=Beam(BEAM_PX, BEAM_PX),
    ).with_sky(redshift=0.01)
    return galaxy, observation


@dataclass(frozen=True)
class BaroloFit:
    """3DFIT's rings beside the truth."""

    radius_kpc: np.ndarray
    inclination_deg: np.ndarray
    pa_deg: np.ndarray
    vrot_kms: np.ndarray
    true_vrot_kms: np.ndarray

    def outer(self, values: np.ndarray, r_e_kpc: float) -> float:
        """Median of ``values`` over the rings beyond ``r_e_kpc``."""
        return float(np.median(values[self.radius_kpc > r_e_kpc]))


def fit_with_barolo(galaxy: Galaxy, observation: Observation, folder: Path) -> BaroloFit:
    """Write the clean cube of ``galaxy`` to FITS in ``folder`` and fit it with 3DFIT."""
    from pyBBarolo import FitMod3D

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "disk.fits"
    make_cubes([galaxy], observation).clean.write_fits(path, overwrite=True, spectral_frame="rest")
    arcsec_per_px = abs(fits.getheader(path)["CDELT1"]) * 3600.0
    r_max_px = min(2.5 * galaxy.r_e_kpc / PIXEL_KPC, observation.nx / 2 - 2)
    radii_px = np.arange(BEAM_PX / 2, r_max_px, BEAM_PX)
    centre = 0.5 * (observation.nx - 1)  # 3D-Barolo's pixels are 0-based, like ours
    model = FitMod3D(str(path))
    model.init(
        radii=radii_px * arcsec_per_px,
        xpos=centre,
        ypos=centre,
        vsys=0.0,
        vrot=150.0,
        vdisp=10.0,
        vrad=0.0,
        z0=galaxy.h_z_kpc / PIXEL_KPC * arcsec_per_px,
        inc=galaxy.inclination_deg - 5.0,
        phi=galaxy.pa_deg + 5.0,
    )
    model.set_options(
        free="VROT VDISP INC PA", ltype=3, norm="LOCAL", outfolder=str(folder / "barolo")
    )
    with contextlib.redirect_stdout(io.StringIO()):  # its Python side is chatty
        rings, _ = model.compute(threads=1)
    radius_kpc = rings[:, 1] / arcsec_per_px * PIXEL_KPC
    return BaroloFit(
        radius_kpc=radius_kpc,
        inclination_deg=rings[:, 4],
        pa_deg=rings[:, 5],
        vrot_kms=rings[:, 2],
        true_vrot_kms=np.asarray(galaxy.rotation_curve(radius_kpc)),
    )


def axis_ratio(image: np.ndarray) -> float:
    """Return the minor-to-major axis ratio of ``image``'s second moments."""
    y, x = np.indices(image.shape)
    w = np.clip(image, 0.0, None)
    total = w.sum()
    dy, dx = y - (w * y).sum() / total, x - (w * x).sum() / total
    c = np.array([[(w * dy * dy).sum(), (w * dx * dy).sum()],
                  [(w * dx * dy).sum(), (w * dx * dx).sum()]]) / total  # fmt: skip
    low, high = np.linalg.eigvalsh(c)
    return float(np.sqrt(low / high))


def galmod_twin(galaxy: Galaxy, observation: Observation, folder: Path) -> np.ndarray:
    """Return 3D-Barolo's GALMOD model of ``galaxy`` (our vertical profile, smoothed by the beam).

    The same disk as 3D-Barolo builds it: rings 2 px apart out beyond the field, the
    Sérsic surface density, the rotation curve, the exponential layer of scale height
    ``h_z``.  Writes our clean cube to ``folder`` for its header.
    """
    from pyBBarolo import GalMod

    from GalCubeCraft.model.profiles import b_n

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "disk.fits"
    make_cubes([galaxy], observation).clean.write_fits(path, overwrite=True, spectral_frame="rest")
    arcsec_per_px = abs(fits.getheader(path)["CDELT1"]) * 3600.0
    radii_px = np.arange(1.0, 1.1 * observation.nx, 2.0)
    radius_kpc = radii_px * PIXEL_KPC
    n = galaxy.n_sersic
    density = np.exp(-b_n(n) * ((radius_kpc / galaxy.r_e_kpc) ** (1.0 / n) - 1.0))
    centre = 0.5 * (observation.nx - 1)
    model = GalMod(str(path))
    model.init(radii=radii_px * arcsec_per_px, xpos=centre, ypos=centre, vsys=0.0,
               vrot=np.asarray(galaxy.rotation_curve(radius_kpc)), vdisp=galaxy.sigma_kms,
               vrad=0.0, z0=galaxy.h_z_kpc / PIXEL_KPC * arcsec_per_px,
               inc=galaxy.inclination_deg, phi=galaxy.pa_deg, dens=density)  # fmt: skip
    model.set_options(ltype=3, cmode=1, outfolder=str(folder / "galmod"))
    with contextlib.redirect_stdout(io.StringIO()):
        model.compute()
        smoothed = model.smooth()
    return np.asarray(smoothed.data, dtype=np.float64)


def main() -> None:
    """Fit the thick disk and print what 3DFIT recovered."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "barolo_fit")
    galaxy, observation = thick_disk()
    result = fit_with_barolo(galaxy, observation, folder)
    r_e = galaxy.r_e_kpc
    print(f"inclination {result.outer(result.inclination_deg, r_e):.2f} (true 60)")
    print(f"PA          {result.outer(result.pa_deg, r_e):.2f} (true 30)")
    print(f"outer vrot  {result.vrot_kms[-1]:.1f} km/s (true {result.true_vrot_kms[-1]:.1f})")
    ours = make_cubes([galaxy], observation).clean.data.astype(np.float64).sum(axis=0)
    theirs = galmod_twin(galaxy, observation, folder / "twin").sum(axis=0)
    print(f"moment-0 axis ratio {axis_ratio(ours):.5f}")
    print(f"  3D-Barolo's GALMOD {axis_ratio(theirs):.5f}")


if __name__ == "__main__":
    main()
