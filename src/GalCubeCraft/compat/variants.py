"""1.2.1's entry points beside the class: ``init``, and ``GalCubeCraft_Phy``/``init_phy`` (kpc)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .._support import validate as _validate
from .beam import beam_from_original, beam_to_original
from .facade import GalCubeCraft
from .observation import BAND_KMS


def init(
    n_gals: int | tuple[int, int] | None = None,
    n_cubes: int = 1,
    resolution: str | float = "all",
    offset_gals: float = 5,
    beam_info: Sequence[float] = (4, 4, 0),
    grid_size: int = 125,
    n_spectral_slices: int = 40,
    n_sersic: float | None = None,
    save: bool = False,
    fname: str | os.PathLike[str] | None = None,
    verbose: bool = True,
    seed: int | None = None,
    diffuse_params: dict[str, Any] | None = None,
) -> GalCubeCraft:
    """Return a :class:`GalCubeCraft`: 1.2.1's ``GalCubeCraft.init``, in its argument order.

    1.2.1 reordered the arguments (``n_sersic, save`` before ``fname``), defaults
    ``save=False`` and saves ``cube_<i>.h5`` files; so does this function.
    """
    return GalCubeCraft(n_gals=n_gals, n_cubes=n_cubes, resolution=resolution,
                        offset_gals=offset_gals, beam_info=beam_info, grid_size=grid_size,
                        n_spectral_slices=n_spectral_slices, n_sersic=n_sersic, save=save,
                        fname=fname, verbose=verbose, seed=seed,
                        diffuse_params=diffuse_params,
                        save_format="h5" if save else "npy")  # fmt: skip


PHY_CENTRAL_R_E_KPC = 5.0
"""1.2.1's physical generator fixes the primary's R_e at 5 kpc."""
PHY_H_Z_KPC = (0.4, 9.0)
"""1.2.1's physical generator draws the primary's scale height in this range (kpc)."""


class GalCubeCraft_Phy(GalCubeCraft):  # noqa: N801 - the original's name
    """1.2.1's generator in physical units: kpc per pixel, km/s per channel, kpc field.

    Parameters
    ----------
    n_gals : int, (int, int) or None
        Galaxies per cube; ``None`` gives 1 or 2 (1.2.1's default here).
    n_cubes : int
        Number of cubes.
    spatial_resolution : float
        kpc per pixel.
    spectral_resolution : float
        Channel width (km/s): as many whole channels as fit in -600..600 km/s, centred on
        0 (the original needed widths that divided its oversampled grid).
    offset_gals : float
        Satellites within this many kpc of the primary.
    beam_info : sequence of 3 numbers
        ``(bmin_kpc, bmaj_kpc, bpa_deg)``.
    fov : float
        Field of view (kpc): ``grid_size = int(fov / spatial_resolution)``.
    n_sersic, save, fname, verbose, seed, diffuse_params
        As :class:`GalCubeCraft`; saving writes 1.2.1's ``cube_<i>.h5``.

    The primary has R_e = 5 kpc and h_z drawn in [0.4, 9] kpc, as in 1.2.1; every other
    draw follows :class:`GalCubeCraft`.
    """

    def __init__(
        self,
        n_gals: int | tuple[int, int] | None = None,
        n_cubes: int = 1,
        spatial_resolution: float = 4.5,
        spectral_resolution: float = 10,
        offset_gals: float = 20,
        beam_info: Sequence[float] = (18, 18, 0),
        fov: float = 125,
        n_sersic: float | None = None,
        save: bool = False,
        fname: str | os.PathLike[str] | None = None,
        verbose: bool = True,
        seed: int | None = None,
        diffuse_params: dict[str, Any] | None = None,
    ) -> None:
        # Only the arguments in physical units are checked here: the rest is the class's.
        pixel_kpc = _validate.positive("spatial_resolution", spatial_resolution)
        width = _validate.positive("spectral_resolution", spectral_resolution)
        self.fov = _validate.positive("fov", fov)
        n_chan = int(2.0 * BAND_KMS // width)
        if n_chan < 1:
            raise ValueError(
                f"spectral_resolution must be at most {2.0 * BAND_KMS:g} km/s; got {width:g}"
            )
        self.spatial_resolution, self.spectral_resolution = pixel_kpc, width
        bmin, bmaj, bpa = beam_to_original(beam_from_original(beam_info))
        super().__init__(
            n_gals=(1, 2) if n_gals is None else n_gals,
            n_cubes=n_cubes,
            # R_e / (bmin / 2), both in kpc: with R_e fixed it fixes the pixel scale.
            resolution=PHY_CENTRAL_R_E_KPC / (0.5 * bmin),
            offset_gals=_validate.non_negative("offset_gals", offset_gals) / pixel_kpc,
            beam_info=(bmin / pixel_kpc, bmaj / pixel_kpc, bpa),
            grid_size=int(self.fov / pixel_kpc),
            n_spectral_slices=n_chan,
            fname=fname,
            verbose=verbose,
            seed=seed,
            n_sersic=n_sersic,
            save=save,
            save_format="h5" if save else "npy",
            diffuse_params=diffuse_params,
        )
        self.spec = self.spec.replace(
            galaxies={
                "r_e_kpc": (PHY_CENTRAL_R_E_KPC, PHY_CENTRAL_R_E_KPC),
                "h_z_kpc": PHY_H_Z_KPC,
            },
            observation={"v_max_kms": 0.5 * n_chan * width},
        )


def init_phy(*args: Any, **kwargs: Any) -> GalCubeCraft_Phy:
    """Return a :class:`GalCubeCraft_Phy`: 1.2.1's ``GalCubeCraft.init_phy``.

    The arguments, positional or by name, are the class's (1.2.1's order).
    """
    return GalCubeCraft_Phy(*args, **kwargs)
