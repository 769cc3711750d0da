"""The original's ``GalCubeCraft`` class: a translator onto the one cube factory.

Its arguments become one :class:`~GalCubeCraft.priors.spec.DatasetSpec`
(:mod:`GalCubeCraft.compat.translate`, which also gives the spec's errors back under the
arguments' names); cubes come from :func:`GalCubeCraft.factory.make_indexed_cube`; the
results go back into the original's ``(cube, params)`` pairs
(:mod:`GalCubeCraft.compat.params`) and are saved through the one cube-folder writer
(:class:`GalCubeCraft.io.cube_folder.CubeFolder`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from .._support.progress import check_show, progress_bar
from .._support.random import fresh_root_seed
from ..factory import IndexedCube
from ..io.cube_folder import CUBE_WRITERS, CubeFolder
from ..observation.records import Observation
from ..priors.galaxies import CubeDraw, draw_scene
from ..priors.spec.toml import flat_toml
from ..products.cube import Cube
from ..renderer.settings import RenderSettings
from .beam import beam_from_original, beam_to_original
from .make import make_cube
from .original_h5 import require_h5py, write_h5_cube
from .params import LISTS, cube_params, per_cube
from .profiles import milky_way_rot_curve_analytical, sersic_flux_density_3d
from .translate import original_spec, spec_memory
from .units import UNITS, output_scale

WRITERS = {**CUBE_WRITERS, "h5": write_h5_cube}
"""The facade's ``save_format`` values: the cube folder's formats and 1.2.1's ``.h5``."""


class GalCubeCraft:
    """Generate synthetic spectral cubes of rotating disk galaxies.

    Parameters
    ----------
    n_gals : int, (int, int) or None
        Galaxies per cube: a number, a range ``(lo, hi)`` drawn uniformly per cube (1.2.1),
        or ``None`` for 1 to 3.
    n_cubes : int
        Number of cubes, >= 1.
    resolution : {'all', 'resolved', 'unresolved', 'visualise'} or float
        ``r = R_e / (bmin / 2)``: drawn log-uniformly in [0.25, 4], [1, 4] or [0.25, 1],
        fixed to the given number, or 0.1.2's 'visualise': 0.3, 1.2, 2, 3, 5 for cubes
        1-5 (cycled beyond; the original stopped at five).
    offset_gals : float
        Satellites within this many pixels of the primary in x, y and depth (a depth
        offset becomes a Hubble-flow velocity).
    beam_info : sequence of 3 numbers
        ``(bmin_px, bmaj_px, bpa_deg)``: FWHMs in pixels, PA north through east.
    grid_size : int
        Cubes are ``grid_size x grid_size`` pixels.
    n_spectral_slices : int
        Channels between -600 and +600 km/s.
    fname : str or path, optional
        Folder for saved cubes; default ``data/raw_data/<nz>x<ny>x<nx>`` here.
    verbose : bool
        Print the saved folder; show a progress bar when stderr is a terminal.
    seed : int, optional
        Root seed: cube ``i`` depends only on ``(seed, i)``; ``None`` picks one (:attr:`seed`).
    n_sersic : float, optional
        Fix the Sérsic index of every galaxy (default: drawn in [0.5, 1.5]).
    save : bool
        Write each cube to ``<folder>/cube_<i>.<save_format>`` (``i`` from 1).
    peak_snr : float, optional
        Add beam-correlated noise of rms peak / ``peak_snr`` (clean cubes in
        :attr:`clean_cubes`); default ``None``: noiseless, as the original.
    settings : RenderSettings, optional
        Accuracy knobs of the renderer.
    save_format : {'npy', 'fits', 'h5'}
        Bare ``.npy`` arrays (with a ``.json`` description), FITS cubes with a WCS (pixels
        get an angular size at redshift 1), or 1.2.1's ``cube_<i>.h5`` (needs h5py).
    units : {'Jy/beam', 'original'}
        'Jy/beam' (default), or the original's amplitude: the Jy/beam cube times
        ``channel width / 5`` (km/s; :mod:`GalCubeCraft.compat.units`).
    diffuse_params : dict, optional
        1.2.1's diffuse emission (:mod:`GalCubeCraft.model.diffuse`), merged into its
        defaults and on unless ``'enabled': False``; ``None`` (default): off.
    threads : int or None
        Threads the linear-algebra libraries may use while cubes are made (default 1;
        ``None`` leaves their settings).
    progress : bool or None
        The progress bar: True always, False never, None (default) as ``verbose`` says.

    Attributes
    ----------
    all_Re, all_Se, all_hz, all_n, all_gal_x_angles, all_gal_y_angles, all_inclinations,
    all_position_angles, all_gal_vz_sigmas, all_gal_v_0, all_pix_spatial_scales : list
        Per cube, an array of one value per galaxy (:data:`GalCubeCraft.compat.params.LISTS`).
    results : list of tuple
        What :meth:`generate_cubes` returned.
    """

    sersic_flux_density_3d = staticmethod(sersic_flux_density_3d)
    milky_way_rot_curve_analytical = staticmethod(milky_way_rot_curve_analytical)

    def __init__(
        self,
        n_gals: int | tuple[int, int] | None = None,
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
        save_format: str = "npy",
        diffuse_params: dict[str, Any] | None = None,
        units: str = "Jy/beam",
        threads: int | None = 1,
        progress: bool | None = None,
    ) -> None:
        # What only the facade knows is checked here; the spec checks the rest.
        self.threads = None if threads is None else _validate.integer("threads", threads, low=1)
        self.units = _validate.choice("units", units, UNITS)
        self.save_format = _validate.choice("save_format", save_format, tuple(WRITERS))
        if self.save_format == "h5":
            require_h5py()  # before any work: say what to install
        if self.units == "original" and self.save_format == "fits":
            raise ValueError("units='original' has no FITS unit: save as 'npy' or 'h5'")
        if fname is not None and not isinstance(fname, (str, os.PathLike)):
            raise TypeError(f"fname must be a path or None; got {type(fname).__name__}")
        self.spec = original_spec(
            n_gals=n_gals, n_cubes=n_cubes, resolution=resolution, offset_gals=offset_gals,
            beam=beam_from_original(beam_info), grid_size=grid_size,
            n_spectral_slices=n_spectral_slices,
            seed=fresh_root_seed() if seed is None else seed, n_sersic=n_sersic,
            peak_snr=peak_snr, diffuse_params=diffuse_params,
        )  # fmt: skip
        spec, obs, galaxies = self.spec, self.spec.observation, self.spec.galaxies
        self.n_cubes, self.seed, self.grid_size = spec.n_cubes, spec.seed, obs.grid_size
        self.n_spectral_slices, self.offset_gals = obs.n_chan, galaxies.offset_gals
        self.beam, self.beam_info = obs.beam, beam_to_original(obs.beam)
        self.resolution = resolution if isinstance(resolution, str) else galaxies.resolution[0]
        self.n_sersic = None if n_sersic is None else galaxies.n_sersic[0]
        self.peak_snr = None if peak_snr is None else spec.noise.peak_snr[0]  # type: ignore[index]
        self.diffuse_params = spec.features.diffuse.to_dict()
        self.fname, self.verbose = fname, _validate.flag("verbose", verbose)
        self.save, self.progress = _validate.flag("save", save), check_show("progress", progress)
        settings = RenderSettings() if settings is None else settings
        self.settings = _validate.instance("settings", settings, RenderSettings)
        self._draws: dict[int, CubeDraw] = {}
        self.results: list[tuple[np.ndarray, dict[str, Any]]] = []
        self.clean_cubes: list[np.ndarray] = []

    def draw(self, index: int) -> CubeDraw:
        """Return what was drawn for cube ``index`` (drawn on first use, then kept)."""
        if index not in self._draws:
            self._draws[index] = draw_scene(self.spec, index)
        return self._draws[index]

    @cached_property
    def draws(self) -> list[CubeDraw]:
        """What was drawn for every cube."""
        return [self.draw(i) for i in range(self.n_cubes)]

    def __getattr__(self, name: str) -> list[np.ndarray]:
        """Return the ``all_*`` lists of :data:`GalCubeCraft.compat.params.LISTS`."""
        if name not in LISTS:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return per_cube(self.draws, name)

    @property
    def n_gals(self) -> list[int]:
        """Galaxies in each cube."""
        return [len(d.drawn) for d in self.draws]

    @property
    def original_units_per_jy_beam(self) -> float:
        """Return the original's amplitude per Jy/beam: the channel width (km/s) over 5."""
        width = self.spec.observation.for_pixel(1.0).spectral.channel_width_kms
        return output_scale("original", width)

    @property
    def _output_scale(self) -> float:
        return self.original_units_per_jy_beam if self.units == "original" else 1.0

    def __len__(self) -> int:
        """Return the number of cubes."""
        return self.n_cubes

    def observation(self, index: int) -> Observation:
        """Return the observation (grid, channels, beam, sky) of cube ``index``."""
        return self.spec.observation.for_pixel(self.draw(index).pixel_kpc)

    def params(self, index: int) -> dict[str, Any]:
        """Return the parameters of cube ``index`` (0-based; its file ``cube_<file_number>``)."""
        return cube_params(self.draw(index), self.observation(index).velocities_kms,
                           beam_info=list(self.beam_info),
                           diffuse_emission=bool(self.spec.features.diffuse.enabled),
                           bunit="original" if self.units == "original" else "Jy/beam",
                           seed=self.seed, index=index, file_number=index + 1)  # fmt: skip

    def make(self, index: int) -> IndexedCube:
        """Return cube ``index`` with its truth (no file written)."""
        if not 0 <= index < self.n_cubes:
            raise IndexError(f"index must lie in [0, {self.n_cubes - 1}]; got {index}")
        return make_cube(self.spec, index, self.settings, self.threads)

    def cube(self, index: int) -> Cube:
        """Return cube ``index`` as a :class:`Cube` (with noise if asked)."""
        return self.make(index).products.noisy

    @cached_property
    def run_id(self) -> str:
        """Return what identifies cube ``i`` of this run: spec (but ``n_cubes``) and settings."""
        # The spec in 2.0's flat form: folders of cubes made before the spec's tables resume.
        text = flat_toml(self.spec.replace(n_cubes=1)) + repr(self.settings)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def output_folder(self) -> Path:
        """Return the folder cubes are saved in."""
        if self.fname is not None:
            return Path(self.fname)
        shape = f"{self.n_spectral_slices}x{self.grid_size}x{self.grid_size}"
        return Path.cwd() / "data" / "raw_data" / shape

    @property
    def folder(self) -> CubeFolder:
        """Return the folder this run writes (:class:`GalCubeCraft.io.cube_folder.CubeFolder`)."""
        return CubeFolder(self.output_folder(), self.save_format, WRITERS)

    def cube_path(self, index: int) -> Path:
        """Return the file cube ``index`` is saved to (``cube_<index+1>.<save_format>``)."""
        return self.folder.path(index)

    def write_cube(self, index: int) -> Path:
        """Make cube ``index`` and save it, keeping nothing in memory; return the path."""
        products = self.make(index).products
        params = {**self.params(index), "noise_rms": products.noise_rms * self._output_scale}
        return self._save(index, products.noisy, params, products.galaxy_clean)

    def _save(self, index: int, cube: Cube, params: dict[str, Any], galaxy_clean: np.ndarray
              ) -> Path:  # fmt: skip
        if self.save_format == "h5":
            params = {**params, "diffuse_params": self.diffuse_params}
        run = {"seed": self.seed, "run_id": self.run_id}
        return self.folder.write(index, cube, params, run, self._output_scale,
                                 {"galaxy_clean": galaxy_clean})  # fmt: skip

    def generate_cubes(self) -> list[tuple[np.ndarray, dict[str, Any]]]:
        """Render every cube; return ``(cube, params)`` pairs (and save them if asked).

        Cubes are float32 ``(n_spectral_slices, grid_size, grid_size)`` in :attr:`units`.
        """
        spec_memory(self.spec, self.settings, 2 * self.n_cubes)  # before a bar or any file
        self.results, self.clean_cubes = [], []
        bar = progress_bar(self.n_cubes, self.progress if self.verbose or self.progress else False)
        for index in range(self.n_cubes):
            products = self.make(index).products
            scale = np.float32(self._output_scale)
            # Copies: the original hands out plain arrays that users may change in place.
            cube, clean = products.noisy.data * scale, products.clean.data * scale
            params = {**self.params(index), "noise_rms": products.noise_rms * float(scale)}
            if self.save:
                path = self._save(index, products.noisy, params, products.galaxy_clean)
                params["path"] = str(path)
            # 1.2.1's truth: each galaxy's beam-convolved cube (not in the sidecar: large).
            params["per_galaxy_cubes"] = products.galaxy_clean * scale
            if products.diffuse_clean is not None:
                params["diffuse_cube"] = products.diffuse_clean * scale
            self.results.append((cube, params))
            self.clean_cubes.append(clean)
            bar.update(1)
        bar.close()
        if self.verbose and self.save:
            print(f"saved {self.n_cubes} cube(s) to {self.output_folder()}")
        return self.results

    def visualise(self, data: list[tuple[np.ndarray, dict[str, Any]]], idx: int = 0,
                  save: bool = False, fname_save: str | os.PathLike[str] | None = None
                  ) -> list[Path] | list[Any]:  # fmt: skip
        """Plot ``data[idx]``'s moments and spectrum: PDF paths or figures (visualise_result)."""
        from .visualise import visualise_result

        # The noiseless twin, when ``data`` is this object's own output, masks moment 1.
        own = data is self.results and len(self.clean_cubes) == len(data)
        clean = self.clean_cubes[idx] if own and 0 <= idx < len(data) else None
        return visualise_result(data, idx, save=save, fname_save=fname_save, clean=clean)
