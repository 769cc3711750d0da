"""The cube value object: data with the observation that gives it meaning.

A :class:`Cube` carries its data ``(n_chan, ny, nx)``, the :class:`Observation` (grid,
channels, beam, sky), what it is (``kind``) and therefore its unit:

- ``'model'``: the rendered sky in Jy/pixel, before any instrument;
- ``'observed'``: after the line spread and the beam, in Jy/beam (Jy/pixel when the
  observation has no beam), noiseless;
- ``'noisy'``: an observed cube with noise of standard deviation ``noise_rms``;
- ``'dirty'``: an interferometer's dirty cube, Jy/beam of its dirty beam, with the
  thermal noise of its visibilities (:mod:`GalCubeCraft.interferometry`); its
  observation's beam is the clean beam fitted to the dirty beam;
- ``'restored'``: a dirty cube CLEANed and restored with that clean beam (Jy/beam).

It is frozen: every operation (:meth:`Cube.with_data`, the instrument, noise) returns a
new cube, and its array is read-only.  Moments, FITS files and plots take it whole.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support import validate as _validate
from ..model.galaxy import Galaxy
from ..model.parameters import galaxy_cards
from ..observation.records import Observation
from .moments import Moments, moments

if TYPE_CHECKING:  # pragma: no cover - typing only
    from astropy.io.fits import Header

KINDS = ("model", "observed", "noisy", "dirty", "restored")


@dataclass(frozen=True, eq=False)
class Cube:
    """A spectral cube and its observation.

    Parameters
    ----------
    data : numpy.ndarray
        Shape ``observation.shape``, finite.  Stored as a read-only view.
    observation : Observation
        Grid, channels, beam and (optionally) sky.
    kind : {'model', 'observed', 'noisy', 'dirty', 'restored'}
        What the data are (see the module docstring); sets :attr:`unit`.
    noise_rms : float
        Standard deviation of the noise in the data (0 unless ``kind == 'noisy'``).
    galaxies : tuple of Galaxy
        The sources, recorded in FITS headers.
    """

    data: np.ndarray
    observation: Observation
    kind: str = "model"
    noise_rms: float = 0.0
    galaxies: tuple[Galaxy, ...] = ()

    def __post_init__(self) -> None:
        """Check that the data fit the observation; freeze the array."""
        self._check(finite=True)

    @classmethod
    def of_finite(
        cls,
        data: np.ndarray,
        observation: Observation,
        kind: str = "model",
        noise_rms: float = 0.0,
        galaxies: tuple[Galaxy, ...] = (),
    ) -> Cube:
        """Return a cube of ``data`` that the caller knows to be finite.

        The constructor's twin for the cube factory, which knows its arrays finite from
        passes it makes anyway: every check but the pass over the data for NaN and inf.
        """
        cube = object.__new__(cls)
        for name, value in (("data", data), ("observation", observation), ("kind", kind),
                            ("noise_rms", noise_rms), ("galaxies", galaxies)):  # fmt: skip
            object.__setattr__(cube, name, value)
        cube._check(finite=False)
        return cube

    def _check(self, finite: bool) -> None:
        """Check that the data fit the observation (and, if ``finite``, are finite); freeze."""
        if not isinstance(self.observation, Observation):
            raise TypeError(
                f"observation must be an Observation; got {type(self.observation).__name__}"
            )
        _validate.choice("kind", self.kind, KINDS)
        object.__setattr__(self, "noise_rms", _validate.non_negative("noise_rms", self.noise_rms))
        data = np.asarray(self.data)
        if data.shape != self.observation.shape:
            raise ValueError(
                f"data must have the observation's shape {self.observation.shape}; got shape "
                f"{data.shape}, which does not match"
            )
        if data.dtype not in (np.float32, np.float64):
            raise TypeError(f"data must be float32 or float64; got {data.dtype}")
        if finite and not _validate.all_finite(data):  # no cube-sized mask
            raise ValueError("data must be finite; NaN or inf would reach moments and files")
        view = data.view()
        view.flags.writeable = False
        object.__setattr__(self, "data", view)
        object.__setattr__(self, "galaxies", tuple(self.galaxies))

    def __repr__(self) -> str:
        """Return a one-line summary (the array itself is not printed)."""
        return (
            f"Cube(kind={self.kind!r}, shape={self.shape}, unit={self.unit!r}, "
            f"dtype={self.data.dtype}, noise_rms={self.noise_rms:g})"
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(n_chan, ny, nx)``."""
        return self.observation.shape

    @property
    def unit(self) -> str:
        """'Jy/pixel' for models and beamless observations, else 'Jy/beam'."""
        if self.kind == "model" or self.observation.beam is None:
            return "Jy/pixel"
        return "Jy/beam"

    @property
    def velocities_kms(self) -> np.ndarray:
        """Channel centres (km/s), ascending."""
        return self.observation.velocities_kms

    def with_data(
        self, data: np.ndarray, kind: str | None = None, noise_rms: float | None = None
    ) -> Cube:
        """Return a cube with new data (and optionally a new kind and noise rms)."""
        return dataclasses.replace(
            self,
            data=data,
            kind=self.kind if kind is None else kind,
            noise_rms=self.noise_rms if noise_rms is None else noise_rms,
        )

    def moments(self, mask: np.ndarray | None = None, min_fraction: float = 1e-3) -> Moments:
        """Return moment 0 (unit km/s), 1 and 2 (km/s) maps (see :mod:`.moments`)."""
        return moments(self.data, self.velocities_kms, mask=mask, min_fraction=min_fraction)

    def line_flux_jykms(self) -> float:
        """Return the line flux in the field and band (Jy km/s).

        Sums the cube in Jy/pixel (dividing by the beam area for Jy/beam cubes) times
        the channel width.
        """
        total = float(np.sum(self.data, dtype=np.float64))
        if self.unit == "Jy/beam":
            assert self.observation.beam is not None  # a Jy/beam cube has a beam
            total /= self.observation.beam.area_px
        return total * self.observation.spectral.channel_width_kms

    # --- FITS -----------------------------------------------------------------------------

    def fits_header(
        self, spectral_type: str | None = None, spectral_frame: str = "observed"
    ) -> Header:
        """Return the FITS header: the observation's, plus noise and galaxy parameters.

        The spectral axis is in the observer's frame unless ``spectral_frame='rest'``
        (:func:`~GalCubeCraft.observation.header.observation_header`).
        """
        h = self.observation.fits_header(self.unit, spectral_type, spectral_frame)
        h["OBJECT"] = "GalCubeCraft synthetic galaxy"
        h["TELESCOP"] = "GalCubeCraft"
        h["CUBEKIND"] = (self.kind, "model, observed, noisy, dirty or restored")
        if self.noise_rms > 0:
            h["NOISERMS"] = (self.noise_rms, f"[{self.unit}] rms of the added noise")
        if self.kind == "observed":
            from .roundoff import roundoff_floor  # instrument imports this module

            h["ZFLOOR"] = (roundoff_floor(self.data.dtype), "values < ZFLOOR x peak set to 0")
        h["NGAL"] = (len(self.galaxies), "galaxies in the cube")
        for k, g in enumerate(self.galaxies, start=1):
            for key, card in galaxy_cards(g, k).items():
                h[key] = card
        return h

    def write_fits(
        self,
        path: str | os.PathLike[str],
        overwrite: bool = False,
        spectral_type: str | None = None,
        extensions: dict[str, Any] | None = None,
        header_cards: dict[str, Any] | None = None,
        spectral_frame: str = "observed",
    ) -> Path:
        """Write the cube to a FITS file, atomically (see :func:`.fits.write_fits`).

        The spectral axis holds observed frequencies unless told otherwise:
        ``spectral_frame='rest'`` writes velocities relative to systemic.
        """
        from .fits import write_fits

        return write_fits(path, self, overwrite=overwrite, spectral_type=spectral_type,
                          extensions=extensions, header_cards=header_cards,
                          spectral_frame=spectral_frame)  # fmt: skip

    @classmethod
    def from_fits(cls, path: str | os.PathLike[str], redshift: float | None = None) -> Cube:
        """Read a cube from a FITS file (ours, or any cube with a linear spectral axis).

        ``redshift`` sets the pixel scale of files that do not record it (``ZSOURCE``).
        """
        from .fits import read_fits_parts

        data, observation, kind, noise_rms = read_fits_parts(path, redshift)
        return cls(
            data, observation, kind=kind if kind in KINDS else "observed", noise_rms=noise_rms
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore from a pickle, freezing the array again (it unpickles writeable)."""
        data = np.array(state["data"])
        data.flags.writeable = False
        state = {**state, "data": data}
        for key, value in state.items():
            object.__setattr__(self, key, value)
