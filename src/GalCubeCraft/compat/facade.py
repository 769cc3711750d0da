"""The seed-compatible ``GalCubeCraft`` class: the original API over the one cube factory.

The facade only translates: the seed's arguments become a
:class:`~GalCubeCraft.priors.spec.DatasetSpec` (its ``beam_info = (bmin, bmaj, bpa)`` becomes
the package's :class:`~GalCubeCraft.observation.beam.Beam` here, once), cubes come from
:func:`GalCubeCraft.factory.make_indexed_cube`, and the results go back into the seed's
``(cube, params)`` pairs and ``all_*`` lists.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .._support import validate as _validate
from .._support.progress import progress_bar
from .._support.random import fresh_root_seed
from .._support.threads import limited_threads
from ..factory import IndexedCube, make_indexed_cube
from ..io.npy import save_npy
from ..io.sidecar import sidecar_path, write_sidecar
from ..model.diffuse import DiffuseParams
from ..model.profiles import sersic_flux_density_3d as _sersic_flux_density_3d
from ..model.rotation import milky_way_rot_curve_analytical as _milky_way_rot_curve
from ..observation.beam import Beam
from ..observation.records import Observation
from ..priors.galaxies import RESOLUTION_RANGES, CubeDraw, draw_scene
from ..priors.spec import DatasetSpec, FeaturePriors, GalaxyPriors, NoiseSpec, ObservationSpec
from ..priors.spec.toml import flat_toml
from ..products.cube import Cube
from ..renderer.settings import RenderSettings
from .original_h5 import require_h5py, write_original_h5

_MAX_GALAXIES = 10
UNITS = ("Jy/beam", "original")
"""Amplitude conventions of the facade's cubes."""
_FINE_BINS = 5  # the original averaged each channel over this many fine velocity bins
_SEED_REDSHIFT = 1.0  # gives the seed's kpc pixels an angular size for FITS files


def _check_n_gals(n_gals: Any) -> tuple[int, int]:
    """Return the seed's ``n_gals`` (None, a number or 1.2.1's ``(lo, hi)``) as a range."""
    if n_gals is None:
        return (1, 3)
    if isinstance(n_gals, (tuple, list)):
        if len(n_gals) != 2:
            raise ValueError(f"n_gals must be a number or (lo, hi); got {n_gals!r}")
        low = _validate.integer("n_gals[0]", n_gals[0], low=1, high=_MAX_GALAXIES)
        high = _validate.integer("n_gals[1]", n_gals[1], low=low, high=_MAX_GALAXIES)
        return (low, high)
    count = _validate.integer("n_gals", n_gals, low=1, high=_MAX_GALAXIES)
    return (count, count)


def _seed_sersic_flux_density_3d(
    x: Any,
    y: Any,
    z: Any,
    Se: float,  # noqa: N803 - the original's names
    Re: float,  # noqa: N803
    n: float,
    hz: float,
) -> np.ndarray:
    """Return the original's ``sersic_flux_density_3d(x, y, z, Se, Re, n, hz)``.

    ``Se exp[-b_n((r/Re)^(1/n) - 1)] exp(-|z|/hz)`` with ``r = sqrt(x^2 + y^2)``;
    :func:`GalCubeCraft.model.profiles.sersic_flux_density_3d` under the original's
    argument names, so keyword calls written for it work.
    """
    return _sersic_flux_density_3d(x, y, z, Se, Re, n, hz)


VISUALISE_RESOLUTIONS = (0.3, 1.2, 2.0, 3.0, 5.0)
"""0.1.2's ``resolution='visualise'``: these R_e / (bmin / 2), cube by cube (cycled)."""


def _check_resolution(resolution: Any) -> tuple[float, float]:
    """Return the seed's resolution as a ``(low, high)`` range of R_e / (bmin / 2)."""
    if resolution == "visualise":
        return (min(VISUALISE_RESOLUTIONS), max(VISUALISE_RESOLUTIONS))
    if isinstance(resolution, str):
        return RESOLUTION_RANGES[
            _validate.choice("resolution", resolution, tuple(RESOLUTION_RANGES))
        ]
    r = _validate.real("resolution", resolution, low=0.05, high=50.0)
    return (r, r)


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
    save_format : {'npy', 'fits', 'h5'}
        Saved files: the seed's bare ``.npy`` arrays, FITS cubes with a WCS (pixels get
        an angular size at redshift 1), beam, units and the galaxies' parameters, or
        1.2.1's ``cube_<i>.h5`` (:mod:`GalCubeCraft.compat.original_h5`; needs h5py).
    units : {'Jy/beam', 'original'}
        'Jy/beam' (default), or the original's amplitude convention: each channel the
        mean over its five fine bins of the summed per-voxel ``S_e`` profile, which is
        the Jy/beam cube times ``channel width / 5`` (km/s;
        :attr:`original_units_per_jy_beam`).  Cubes, clean and per-galaxy cubes and the
        noise rms are scaled; saved ``.npy`` sidecars record the factor.
    diffuse_params : dict, optional
        1.2.1's diffuse emission (halo, bridges, tails; :mod:`GalCubeCraft.model.diffuse`):
        a dict is merged into 1.2.1's defaults and switches it on unless it says
        ``'enabled': False``; ``None`` (default): off, as the seed documents none.
    threads : int or None
        Threads the linear-algebra libraries may use while cubes are made: 1 (default;
        faster on small shared machines, see :mod:`GalCubeCraft._support.threads`), more, or
        None to leave their own settings.

    Attributes
    ----------
    all_Re, all_Se, all_hz, all_n : list of numpy.ndarray
        Per cube, per galaxy: R_e (pixels), S_e (flux per voxel), h_z (pixels), Sérsic n.
    all_gal_x_angles, all_gal_y_angles : list of numpy.ndarray
        The original's two tilts (degrees): about the column axis, then about the row
        axis; ``all_inclinations`` and ``all_position_angles`` are what they make.
    all_gal_vz_sigmas, all_gal_v_0, all_pix_spatial_scales : list of numpy.ndarray
        Dispersion (km/s), rotation scale (km/s) and pixel scale (kpc/px) per galaxy.
    n_gals : list of int
        Galaxies in each cube.
    results : list of tuple
        What :meth:`generate_cubes` returned.
    """

    sersic_flux_density_3d = staticmethod(_seed_sersic_flux_density_3d)
    milky_way_rot_curve_analytical = staticmethod(_milky_way_rot_curve)

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
    ) -> None:
        n_gals_range = _check_n_gals(n_gals)
        self.threads = None if threads is None else _validate.integer("threads", threads, low=1)
        self.units = _validate.choice("units", units, UNITS)
        diffuse = DiffuseParams.from_dict(diffuse_params)
        self.diffuse_params = diffuse.to_dict()
        self.n_cubes = _validate.integer("n_cubes", n_cubes, low=1)
        resolution_range = _check_resolution(resolution)
        self.resolution = resolution if isinstance(resolution, str) else resolution_range[0]
        self.beam = Beam.from_seed_beam_info(beam_info)
        self.beam_info = self.beam.to_seed_beam_info()
        self.grid_size = _validate.integer("grid_size", grid_size, low=8)
        self.n_spectral_slices = _validate.integer("n_spectral_slices", n_spectral_slices, low=1)
        if fname is not None and not isinstance(fname, (str, os.PathLike)):
            raise TypeError(f"fname must be a path or None; got {type(fname).__name__}")
        self.fname = fname
        self.verbose = bool(verbose)
        if seed is not None:
            _validate.integer("seed", seed, low=0)
        self.seed = fresh_root_seed() if seed is None else int(seed)
        if n_sersic is not None:
            _validate.real("n_sersic", n_sersic, low=0.2, high=10.0)
        self.n_sersic = n_sersic
        self.save = bool(save)
        self.save_format = _validate.choice("save_format", save_format, ("npy", "fits", "h5"))
        if self.save_format == "h5":
            require_h5py()  # before any work: say what to install
        if self.units == "original" and self.save_format == "fits":
            raise ValueError("units='original' has no FITS unit: save as 'npy' or 'h5'")
        self.peak_snr = None if peak_snr is None else _validate.positive("peak_snr", peak_snr)
        self.settings = RenderSettings() if settings is None else settings
        self.offset_gals = _validate.non_negative("offset_gals", offset_gals)
        self.spec = DatasetSpec(
            n_cubes=self.n_cubes,
            seed=self.seed,
            observation=ObservationSpec(
                grid_size=self.grid_size,
                n_chan=self.n_spectral_slices,
                beam=self.beam,
                line_spread="gaussian",
                redshift=_SEED_REDSHIFT,
            ),
            galaxies=GalaxyPriors(
                n_gals=n_gals_range,
                offset_gals=self.offset_gals,
                resolution=resolution_range,
                resolution_cycle=VISUALISE_RESOLUTIONS if resolution == "visualise" else None,
                orientation="tilts",
            ),
            noise=NoiseSpec(None if self.peak_snr is None else (self.peak_snr, self.peak_snr)),
            features=FeaturePriors(diffuse=diffuse),
        )
        if n_sersic is not None:
            self.spec = self.spec.replace(galaxies={"n_sersic": (float(n_sersic), float(n_sersic))})
        self._draws: dict[int, CubeDraw] = {}
        self.results: list[tuple[np.ndarray, dict[str, Any]]] = []
        self.clean_cubes: list[np.ndarray] = []

    # --- lazily drawn parameters, in the original's terms -------------------------------

    def draw(self, index: int) -> CubeDraw:
        """Return what was drawn for cube ``index`` (drawn on first use, then kept)."""
        if index not in self._draws:
            self._draws[index] = draw_scene(self.spec, index)
        return self._draws[index]

    @cached_property
    def draws(self) -> list[CubeDraw]:
        """What was drawn for every cube."""
        return [self.draw(i) for i in range(self.n_cubes)]

    def _per_cube(self, name: str) -> list[np.ndarray]:
        return [np.asarray(getattr(d, name)) for d in self.draws]

    @property
    def n_gals(self) -> list[int]:
        """Galaxies in each cube."""
        return [len(d.galaxies) for d in self.draws]

    @property
    def all_Re(self) -> list[np.ndarray]:  # noqa: N802 - the original's name
        """Per cube, per galaxy: effective radius (pixels)."""
        return self._per_cube("r_e_px")

    @property
    def all_Se(self) -> list[np.ndarray]:  # noqa: N802 - the original's name
        """Per cube, per galaxy: the original's S_e (flux per voxel)."""
        return self._per_cube("s_e")

    @property
    def all_hz(self) -> list[np.ndarray]:
        """Per cube, per galaxy: scale height (pixels, as the original's)."""
        return [np.asarray(d.h_z_kpc) / d.pixel_kpc for d in self.draws]

    @property
    def all_n(self) -> list[np.ndarray]:
        """Per cube, per galaxy: Sérsic index."""
        return self._per_cube("n_sersic")

    @property
    def all_gal_x_angles(self) -> list[np.ndarray]:
        """Per cube, per galaxy: tilt about the column axis (degrees, the original's)."""
        return self._per_cube("x_angle_deg")

    @property
    def all_gal_y_angles(self) -> list[np.ndarray]:
        """Per cube, per galaxy: then tilt about the row axis (degrees, the original's)."""
        return self._per_cube("y_angle_deg")

    @property
    def all_inclinations(self) -> list[np.ndarray]:
        """Per cube, per galaxy: inclination derived from the two tilts (degrees)."""
        return [np.asarray([g.inclination_deg for g in d.galaxies]) for d in self.draws]

    @property
    def all_position_angles(self) -> list[np.ndarray]:
        """Per cube, per galaxy: sky PA of the receding side, north through east (degrees)."""
        return [np.asarray([g.pa_deg for g in d.galaxies]) for d in self.draws]

    @property
    def all_gal_vz_sigmas(self) -> list[np.ndarray]:
        """Per cube, per galaxy: velocity dispersion (km/s)."""
        return self._per_cube("sigma_kms")

    @property
    def all_gal_v_0(self) -> list[np.ndarray]:
        """Per cube, per galaxy: rotation-curve scale v_0 (km/s)."""
        return self._per_cube("v_0_kms")

    @property
    def all_pix_spatial_scales(self) -> list[np.ndarray]:
        """Per cube, per galaxy: pixel scale (kpc/pixel)."""
        return [np.full(len(d.galaxies), d.pixel_kpc) for d in self.draws]

    @property
    def original_units_per_jy_beam(self) -> float:
        """Return the original's amplitude per Jy/beam: the channel width (km/s) over 5.

        The original's channel holds the mean of its five fine bins, each the sum over
        voxels of ``S_e x profile`` (flux per voxel): ``sum / 5``.  A Jy/beam channel is
        that sum over the channel width (km/s), so the original's value is the Jy/beam
        value times ``width / 5``.
        """
        return self.spec.observation.for_pixel(1.0).spectral.channel_width_kms / _FINE_BINS

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
        """Return the parameter dictionary of cube ``index``."""
        draw = self.draw(index)
        obs = self.observation(index)
        return {
            "galaxy_centers": [np.asarray(c, dtype=np.int64) for c in draw.centre_indices],
            "average_vels": obs.velocities_kms,
            "beam_info": list(self.beam_info),
            "n_gals": len(draw.galaxies),
            "pix_spatial_scale": draw.pixel_kpc,
            "resolution": draw.resolution,
            "Re": np.asarray(draw.r_e_px),
            "Re_kpc": np.asarray(draw.r_e_kpc),
            "Se": np.asarray(draw.s_e),
            "hz": np.asarray(draw.h_z_kpc) / draw.pixel_kpc,
            "hz_kpc": np.asarray(draw.h_z_kpc),
            "n": np.asarray(draw.n_sersic),
            "gal_x_angle": np.asarray(draw.x_angle_deg),
            "gal_y_angle": np.asarray(draw.y_angle_deg),
            "inclination": np.asarray([g.inclination_deg for g in draw.galaxies]),
            "position_angle": np.asarray([g.pa_deg for g in draw.galaxies]),
            "gal_vz_sigma": np.asarray(draw.sigma_kms),
            "v_0": np.asarray(draw.v_0_kms),
            "v_sys": np.asarray([g.v_sys_kms for g in draw.galaxies]),
            "systemic_vels": np.asarray([g.v_sys_kms for g in draw.galaxies]),
            "diffuse_emission": bool(self.spec.features.diffuse.enabled),
            "line_flux": np.asarray([g.line_flux for g in draw.galaxies]),
            "bunit": "original" if self.units == "original" else "Jy/beam",
            "seed": self.seed,
            "index": index,
        }

    def make(self, index: int) -> IndexedCube:
        """Return cube ``index`` with its truth (no file written)."""
        if not 0 <= index < self.n_cubes:
            raise IndexError(f"index must lie in [0, {self.n_cubes - 1}]; got {index}")
        with limited_threads(self.threads):
            return make_indexed_cube(self.spec, index, self.settings)

    def cube(self, index: int) -> Cube:
        """Return cube ``index`` as a :class:`Cube` (with noise if asked)."""
        return self.make(index).products.noisy

    @cached_property
    def run_id(self) -> str:
        """Return what identifies cube ``i`` of this run: the spec (but ``n_cubes``) and settings.

        Two runs with the same id write the same cube ``i``; a resumed run checks it.
        """
        import hashlib

        # The spec in 2.0's flat form: folders of cubes made before the spec's tables resume.
        text = flat_toml(self.spec.replace(n_cubes=1)) + repr(self.settings)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def cube_path(self, index: int) -> Path:
        """Return the file cube ``index`` is saved to (``cube_<index+1>.npy`` or ``.fits``)."""
        return self.output_folder() / f"cube_{index + 1}.{self.save_format}"

    def write_cube(self, index: int) -> Path:
        """Make cube ``index`` and save it (with its description); return the path.

        Unlike :meth:`generate_cubes` nothing is kept in memory, so any number of cubes
        can be written one by one (the command line does this).
        """
        made = self.make(index)
        params = self.params(index)
        params["noise_rms"] = made.products.noise_rms * self._output_scale
        return self._save(index, made.products.noisy, params, made.products.galaxy_clean)

    def _save(
        self, index: int, cube: Cube, params: dict[str, Any], galaxy_clean: np.ndarray
    ) -> Path:
        """Write ``cube`` to :meth:`cube_path`: npy with its JSON sidecar, FITS or HDF5."""
        from .._version import __version__

        path = self.cube_path(index)
        run = {"seed": self.seed, "index": index, "run_id": self.run_id, "version": __version__}
        scale = self._output_scale
        if self.save_format == "h5":
            described = {**params, "diffuse_params": self.diffuse_params}
            return write_original_h5(path, cube.data * scale, described, galaxy_clean * scale, run)
        if self.save_format == "npy":
            # The description first: a cube file never exists without one.  It describes
            # the Jy/beam cube; an 'original'-unit array records its factor.
            if scale != 1.0:
                params = {**params, "original_per_jy_beam": scale}
            write_sidecar(sidecar_path(path), cube, params, run)
            return save_npy(path, (cube.data * scale).astype(np.float32))
        cards = {"RUNID": (self.run_id, "GalCubeCraft run identity"),
                 "SEED": (self.seed, "root seed of the run"),
                 "CUBEIDX": (index, "0-based index of the cube in the run")}  # fmt: skip
        return cube.write_fits(path, overwrite=True, header_cards=cards)

    def output_folder(self) -> Path:
        """Return the folder cubes are saved in."""
        if self.fname is not None:
            return Path(self.fname)
        shape = f"{self.n_spectral_slices}x{self.grid_size}x{self.grid_size}"
        return Path.cwd() / "data" / "raw_data" / shape

    def generate_cubes(self) -> list[tuple[np.ndarray, dict[str, Any]]]:
        """Render every cube and return a list of ``(cube, params)``.

        Each cube is float32 of shape ``(n_spectral_slices, grid_size, grid_size)``, in
        Jy/beam, non-negative and finite (unless noise was asked for).  With
        ``save=True`` cube ``i`` is written to ``<folder>/cube_<i+1>.npy`` (or ``.fits``),
        atomically, beside its description ``cube_<i+1>.json`` for ``.npy``
        (:mod:`GalCubeCraft.io.sidecar`).
        """
        self.results = []
        self.clean_cubes = []
        bar = progress_bar(self.n_cubes, enabled=self.verbose)
        folder = self.output_folder()
        for index in range(self.n_cubes):
            products = self.make(index).products
            scale = np.float32(self._output_scale)
            # Copies: the seed hands out plain arrays that users may change in place.
            cube, clean = products.noisy.data * scale, products.clean.data * scale
            params = self.params(index)
            params["noise_rms"] = products.noise_rms * float(scale)
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
            print(f"saved {self.n_cubes} cube(s) to {folder}")
        return self.results

    def visualise(
        self,
        data: list[tuple[np.ndarray, dict[str, Any]]],
        idx: int = 0,
        save: bool = False,
        fname_save: str | os.PathLike[str] | None = None,
    ) -> list[Path] | list[Any]:
        """Plot moment-0 and moment-1 maps and the spectrum of cube ``idx`` of ``data``.

        ``save=True`` writes PDFs under ``figures/<shape>/`` (or ``fname_save``) and
        returns their paths; otherwise it returns the matplotlib figures (shown first
        when an interactive backend is in use).
        """
        from ..plotting import visualise_result

        # The noiseless twin, when ``data`` is this object's own output, masks moment 1.
        own = data is self.results and len(self.clean_cubes) == len(data)
        clean = self.clean_cubes[idx] if own and 0 <= idx < len(data) else None
        return visualise_result(data, idx, save=save, fname_save=fname_save, clean=clean)


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

    1.2.1 reordered the class's arguments (``n_sersic, save`` before ``fname``),
    defaults ``save=False`` here and saves ``cube_<i>.h5`` files; this function keeps
    that order, default and format, so calls written for 1.2.1 mean what they meant.
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
PHY_BAND_KMS = 1200.0
"""Band width of the original (-600 to +600 km/s), split into channels of the asked width."""


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
        pixel_kpc = _validate.positive("spatial_resolution", spatial_resolution)
        width = _validate.positive("spectral_resolution", spectral_resolution)
        fov = _validate.positive("fov", fov)
        bmin, bmaj, bpa = _validate.real_sequence("beam_info", beam_info, 3)
        n_chan = int(PHY_BAND_KMS // width)
        if n_chan < 1:
            raise ValueError(
                f"spectral_resolution must be at most {PHY_BAND_KMS:g} km/s; got {width:g}"
            )
        self.spatial_resolution = pixel_kpc
        self.spectral_resolution = width
        self.fov = fov
        beam_px = (bmin / pixel_kpc, bmaj / pixel_kpc, bpa)
        super().__init__(
            n_gals=(1, 2) if n_gals is None else n_gals,
            n_cubes=n_cubes,
            # R_e / (bmin / 2), both in kpc: with R_e fixed it fixes the pixel scale.
            resolution=PHY_CENTRAL_R_E_KPC / (0.5 * bmin),
            offset_gals=_validate.non_negative("offset_gals", offset_gals) / pixel_kpc,
            beam_info=beam_px,
            grid_size=int(fov / pixel_kpc),
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
