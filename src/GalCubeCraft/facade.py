"""The seed-compatible ``GalCubeCraft`` class: the original API over the new engine.

It samples parameters as the original does (:mod:`GalCubeCraft.priors`), renders each
cube exactly (:mod:`GalCubeCraft.pipeline`), applies the instrument
(:mod:`GalCubeCraft.instrument`) and returns ``(cube, params)`` pairs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _validate
from ._progress import ProgressBar
from ._random import NOISE_STREAM, cube_generator, fresh_root_seed
from .instrument.observe import observe
from .io.npy import save_npy
from .model.profiles import sersic_flux_density_3d as _sersic_flux_density_3d
from .model.rotation import milky_way_rot_curve_analytical as _milky_way_rot_curve
from .observation import Beam, Observation, SpectralAxis
from .pipeline import render
from .priors import RESOLUTION_RANGES, CubeDraw, draw_cube
from .renderer.settings import RenderSettings

_MAX_GALAXIES = 10


def _check_resolution(resolution: Any) -> str | float:
    if isinstance(resolution, str):
        return _validate.choice("resolution", resolution, tuple(RESOLUTION_RANGES))
    return _validate.real("resolution", resolution, low=0.05, high=50.0)


class GalCubeCraft:
    """Generate synthetic spectral cubes of rotating disk galaxies.

    Parameters
    ----------
    n_gals : int or None
        Galaxies per cube; ``None`` draws 1 to 3 per cube.
    n_cubes : int
        Number of cubes, >= 1.
    resolution : {'all', 'resolved', 'unresolved'} or float
        ``r = R_e / (bmin / 2)``: drawn log-uniformly in [0.25, 4], [1, 4] or [0.25, 1],
        or fixed to the given number.
    offset_gals : float
        Satellites are placed within this many pixels of the primary in x, y and depth
        (a depth offset becomes a Hubble-flow velocity).
    beam_info : sequence of 3 numbers
        ``(bmin_px, bmaj_px, bpa_deg)``: beam FWHMs in pixels and the major axis's
        position angle, degrees north through east.
    grid_size : int
        Cubes are ``grid_size x grid_size`` pixels.
    n_spectral_slices : int
        Channels between -600 and +600 km/s.
    fname : str or path, optional
        Folder for saved cubes; default ``data/raw_data/<nz>x<ny>x<nx>`` under the
        current directory.
    verbose : bool
        Show a progress bar (on stderr) and the saved paths.
    seed : int, optional
        Root seed: cube ``i`` depends only on ``(seed, i)``.  ``None`` picks one at
        random and records it in :attr:`seed`.
    n_sersic : float, optional
        Fix the Sérsic index of every galaxy (default: drawn in [0.5, 1.5]).
    save : bool
        Write each cube to ``<folder>/cube_<i>.npy`` (``i`` from 1).
    peak_snr : float, optional
        Add beam-correlated Gaussian noise with rms = peak / ``peak_snr``; the clean
        cubes stay in :attr:`clean_cubes`.  Default ``None``: noiseless, as the original.
    settings : RenderSettings, optional
        Accuracy knobs of the renderer.

    Attributes
    ----------
    all_Re, all_Se, all_hz, all_n : list of numpy.ndarray
        Per cube, per galaxy: R_e (pixels), S_e (flux per voxel), h_z (kpc), Sérsic n.
    all_gal_x_angles, all_gal_y_angles : list of numpy.ndarray
        Inclination-like tilt and position angle (degrees) drawn per galaxy.
    all_gal_vz_sigmas, all_gal_v_0, all_pix_spatial_scales : list of numpy.ndarray
        Dispersion (km/s), rotation scale (km/s) and pixel scale (kpc/px) per galaxy.
    n_gals : list of int
        Galaxies in each cube.
    results : list of tuple
        What :meth:`generate_cubes` returned.
    """

    sersic_flux_density_3d = staticmethod(_sersic_flux_density_3d)
    milky_way_rot_curve_analytical = staticmethod(_milky_way_rot_curve)

    def __init__(
        self,
        n_gals: int | None = None,
        n_cubes: int = 1,
        resolution: str | float = "all",
        offset_gals: float = 5,
        beam_info: Sequence[float] = (4, 4, 0),
        grid_size: int = 125,
        n_spectral_slices: int = 40,
        fname: str | os.PathLike[str] | None = None,
        verbose: bool = True,
        seed: int | None = None,
        n_sersic: float | None = None,
        save: bool = True,
        peak_snr: float | None = None,
        settings: RenderSettings | None = None,
    ) -> None:
        if n_gals is not None:
            _validate.integer("n_gals", n_gals, low=1, high=_MAX_GALAXIES)
        self.n_cubes = _validate.integer("n_cubes", n_cubes, low=1)
        self.resolution = _check_resolution(resolution)
        self.offset_gals = _validate.non_negative("offset_gals", offset_gals)
        bmin, bmaj, bpa = _validate.real_sequence("beam_info", beam_info, 3)
        _check_beam(bmin, bmaj)
        self.beam = Beam(bmaj_px=bmaj, bmin_px=bmin, bpa_deg=bpa)
        self.beam_info = [bmin, bmaj, bpa]
        self.grid_size = _validate.integer("grid_size", grid_size, low=8)
        self.n_spectral_slices = _validate.integer("n_spectral_slices", n_spectral_slices, low=1)
        if fname is not None and not isinstance(fname, (str, os.PathLike)):
            raise TypeError(f"fname must be a path or None; got {type(fname).__name__}")
        self.fname = fname
        self.verbose = bool(verbose)
        if seed is not None:
            _validate.integer("seed", seed, low=0)
        self.seed = fresh_root_seed() if seed is None else int(seed)
        self.n_sersic = (
            None if n_sersic is None else _validate.real("n_sersic", n_sersic, low=0.2, high=10.0)
        )
        self.save = bool(save)
        self.peak_snr = None if peak_snr is None else _validate.positive("peak_snr", peak_snr)
        self.settings = RenderSettings() if settings is None else settings
        self._check_grid_fits(bmin, bmaj)

        self.draws: list[CubeDraw] = [
            draw_cube(
                cube_generator(self.seed, i),
                n_gals=n_gals,
                resolution=self.resolution,
                bmin_px=bmin,
                offset_gals=self.offset_gals,
                grid_size=self.grid_size,
                n_sersic=self.n_sersic,
            )
            for i in range(self.n_cubes)
        ]
        self.n_gals = [len(d.galaxies) for d in self.draws]
        self.all_Re = [np.asarray(d.r_e_px) for d in self.draws]
        self.all_Se = [np.asarray(d.s_e) for d in self.draws]
        self.all_hz = [np.asarray(d.h_z_kpc) for d in self.draws]
        self.all_n = [np.asarray(d.n_sersic) for d in self.draws]
        self.all_gal_x_angles = [np.asarray(d.x_angle_deg) for d in self.draws]
        self.all_gal_y_angles = [np.asarray(d.y_angle_deg) for d in self.draws]
        self.all_gal_vz_sigmas = [np.asarray(d.sigma_kms) for d in self.draws]
        self.all_gal_v_0 = [np.asarray(d.v_0_kms) for d in self.draws]
        self.all_pix_spatial_scales = [np.full(len(d.galaxies), d.pixel_kpc) for d in self.draws]
        self.results: list[tuple[np.ndarray, dict[str, Any]]] = []
        self.clean_cubes: list[np.ndarray] = []

    def _check_grid_fits(self, bmin: float, bmaj: float) -> None:
        """Refuse a grid that cannot hold the largest galaxy the priors may draw."""
        if isinstance(self.resolution, str):
            r_max = RESOLUTION_RANGES[self.resolution][1]
        else:
            r_max = self.resolution
        reach = math.floor(self.offset_gals) + r_max * bmin / 2.0
        needed = int(math.ceil(2.0 * reach)) + 2
        if self.grid_size < needed:
            raise ValueError(
                f"grid_size must be >= {needed} to hold galaxies with R_e up to "
                f"{r_max * bmin / 2:g} px offset by up to {math.floor(self.offset_gals)} px; "
                f"got {self.grid_size}"
            )
        if bmaj >= self.grid_size:
            raise ValueError(
                f"beam_info bmaj ({bmaj:g} px) must be smaller than grid_size ({self.grid_size})"
            )

    def __len__(self) -> int:
        """Return the number of cubes."""
        return self.n_cubes

    def observation(self, index: int) -> Observation:
        """Return the observation (grid, channels, beam) of cube ``index``."""
        return Observation(
            nx=self.grid_size,
            ny=self.grid_size,
            pixel_kpc=self.draws[index].pixel_kpc,
            spectral=SpectralAxis(self.n_spectral_slices, -600.0, 600.0),
            beam=self.beam,
            line_spread="gaussian",
            line_spread_sigma_chan=0.6,
        )

    def params(self, index: int) -> dict[str, Any]:
        """Return the parameter dictionary of cube ``index``."""
        draw = self.draws[index]
        obs = self.observation(index)
        return {
            "galaxy_centers": [np.asarray(c, dtype=float) for c in draw.centres_px],
            "average_vels": obs.spectral.centres_kms,
            "beam_info": list(self.beam_info),
            "n_gals": len(draw.galaxies),
            "pix_spatial_scale": draw.pixel_kpc,
            "resolution": draw.resolution,
            "Re": np.asarray(draw.r_e_px),
            "Re_kpc": np.asarray(draw.r_e_kpc),
            "Se": np.asarray(draw.s_e),
            "hz": np.asarray(draw.h_z_kpc),
            "n": np.asarray(draw.n_sersic),
            "gal_x_angle": np.asarray(draw.x_angle_deg),
            "gal_y_angle": np.asarray(draw.y_angle_deg),
            "inclination": np.asarray([g.inclination_deg for g in draw.galaxies]),
            "position_angle": np.asarray([g.pa_deg for g in draw.galaxies]),
            "gal_vz_sigma": np.asarray(draw.sigma_kms),
            "v_0": np.asarray(draw.v_0_kms),
            "v_sys": np.asarray([g.v_sys_kms for g in draw.galaxies]),
            "line_flux": np.asarray([g.line_flux for g in draw.galaxies]),
            "bunit": "Jy/beam" if self.beam is not None else "Jy/pixel",
            "seed": self.seed,
            "index": index,
        }

    def render_cube(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(observed, clean)`` float32 cubes for ``index`` (no file written)."""
        obs = self.observation(index)
        model = render(self.draws[index].galaxies, obs, self.settings)
        clean = observe(model, obs).astype(np.float32)
        if self.peak_snr is None:
            return clean, clean
        from .instrument.noise import add_noise_peak_snr

        noise_rng = cube_generator(self.seed, index, stream=NOISE_STREAM)
        return add_noise_peak_snr(clean, self.peak_snr, obs.beam, noise_rng), clean

    def output_folder(self) -> Path:
        """Return the folder cubes are saved in."""
        if self.fname is not None:
            return Path(self.fname)
        shape = f"{self.n_spectral_slices}x{self.grid_size}x{self.grid_size}"
        return Path.cwd() / "data" / "raw_data" / shape

    def generate_cubes(self) -> list[tuple[np.ndarray, dict[str, Any]]]:
        """Render every cube and return a list of ``(cube, params)``.

        Each cube is float32 of shape ``(n_spectral_slices, grid_size, grid_size)``, in
        Jy/beam (Jy/pixel without a beam), non-negative and finite.  With ``save=True``
        cube ``i`` is written to ``<folder>/cube_<i+1>.npy``, atomically.
        """
        self.results = []
        self.clean_cubes = []
        bar = ProgressBar(self.n_cubes) if self.verbose else None
        folder = self.output_folder()
        for index in range(self.n_cubes):
            cube, clean = self.render_cube(index)
            params = self.params(index)
            if self.save:
                path = save_npy(folder / f"cube_{index + 1}.npy", cube)
                params["path"] = str(path)
            self.results.append((cube, params))
            self.clean_cubes.append(clean)
            if bar is not None:
                bar.advance()
        if self.verbose and self.save:
            print(f"saved {self.n_cubes} cube(s) to {folder}")
        return self.results

    def visualise(
        self,
        data: list[tuple[np.ndarray, dict[str, Any]]],
        idx: int = 0,
        save: bool = False,
        fname_save: str | os.PathLike[str] | None = None,
    ) -> list[Path]:
        """Plot moment-0 and moment-1 maps and the spectrum of cube ``idx`` of ``data``.

        ``save=True`` writes PDFs under ``figures/<shape>/`` (or ``fname_save``) and
        returns their paths; otherwise the figures are shown (when a display exists).
        """
        from .plotting import visualise_result

        return visualise_result(data, idx, save=save, fname_save=fname_save)


def _check_beam(bmin: float, bmaj: float) -> None:
    """Refuse beam_info FWHMs that are not positive or have bmin > bmaj, in its own terms."""
    if bmin <= 0 or bmaj <= 0:
        raise ValueError(f"beam_info FWHMs must be > 0; got bmin={bmin:g}, bmaj={bmaj:g}")
    if bmin > bmaj:
        raise ValueError(f"beam_info bmin must not exceed bmaj; got bmin={bmin:g}, bmaj={bmaj:g}")
