"""JSON sidecars: a bare ``.npy`` cube described by the file beside it.

A cube folder's bare arrays (``cube_1.npy``) stay plain NumPy files; ``cube_1.json``
beside each says everything a FITS header would:

- ``velocities_kms``, ``channel_width_kms``, ``pixel_kpc``, ``pixel_arcsec`` (when the
  observation has an angular scale), ``redshift``, ``line``, ``rest_frequency_hz``;
- ``beam`` (pixels and arcsec), ``unit``, ``kind``, ``noise_rms``;
- ``params``: the galaxy parameters (the writer's dict, arrays as lists, NaN as null);
- ``data_per_jy_beam`` (when not 1): the factor the stored array carries over the
  Jy/beam cube it describes;
- ``run``: what made the file (seed, cube index, run id), so a resumed run can check it;
  the index is 0-based and ``file_number`` (``index + 1``) is the number in the file's
  name (:mod:`GalCubeCraft.io.cube_folder` says why);
- ``header``: the cube's full FITS header as ``{keyword: value}``, from which
  :func:`load_cube` rebuilds the observation exactly.

Sidecars are written atomically and before their cube, so a cube file never lacks one.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._support.atomic import atomic_path

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ..products.cube import Cube

SIDECAR_FORMAT = "GalCubeCraft cube description"
SIDECAR_VERSION = 1


def sidecar_path(cube_path: str | os.PathLike[str]) -> Path:
    """Return the sidecar of a cube file: ``cube_1.npy`` -> ``cube_1.json``."""
    return Path(cube_path).with_suffix(".json")


def as_json(value: Any) -> Any:
    """Return ``value`` with arrays as lists, NumPy scalars as Python ones and NaN as None."""
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return as_json(value.tolist())
    if isinstance(value, np.generic):
        return as_json(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # paths and anything else: their text


def describe(cube: Cube, params: Mapping[str, Any] | None = None,
             run: Mapping[str, Any] | None = None,
             data_per_jy_beam: float = 1.0) -> dict[str, Any]:  # fmt: skip
    """Return the sidecar content of ``cube`` (see the module docstring)."""
    obs = cube.observation
    beam = obs.beam
    sky = obs.sky
    content: dict[str, Any] = {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "axes": ["velocity", "y", "x"],
        "shape": list(cube.shape),
        "unit": cube.unit,
        "kind": cube.kind,
        "noise_rms": cube.noise_rms,
        "velocities_kms": obs.velocities_kms,
        "channel_width_kms": obs.spectral.channel_width_kms,
        "pixel_kpc": obs.pixel_kpc,
        "beam": None,
    }
    if beam is not None:
        content["beam"] = {"bmaj_px": beam.bmaj_px, "bmin_px": beam.bmin_px,
                           "bpa_deg": beam.bpa_deg}  # fmt: skip
    if sky is not None:
        content.update(pixel_arcsec=obs.pixel_arcsec, redshift=sky.redshift, line=sky.line,
                       rest_frequency_hz=sky.rest_frequency_hz)  # fmt: skip
        if beam is not None:
            content["beam"].update(bmaj_arcsec=beam.bmaj_px * obs.pixel_arcsec,
                                   bmin_arcsec=beam.bmin_px * obs.pixel_arcsec)  # fmt: skip
        header = cube.fits_header()
        content["header"] = {card.keyword: card.value for card in header.cards}
    content["params"] = dict(params or {})
    content["run"] = dict(run or {})
    if data_per_jy_beam != 1.0:
        content["data_per_jy_beam"] = data_per_jy_beam
    return as_json(content)


def write_sidecar(path: str | os.PathLike[str], cube: Cube,
                  params: Mapping[str, Any] | None = None,
                  run: Mapping[str, Any] | None = None,
                  data_per_jy_beam: float = 1.0) -> Path:  # fmt: skip
    """Write the sidecar of ``cube`` to ``path`` (``.json``), atomically; return the path.

    ``data_per_jy_beam`` is the factor the ``.npy`` array beside it carries (if not 1).
    """
    path = Path(path)
    content = describe(cube, params, run, data_per_jy_beam)
    text = json.dumps(content, indent=1, allow_nan=False)
    with atomic_path(path) as temporary:
        Path(temporary).write_text(text + "\n")
    return path


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the content of a sidecar, checking that it is one."""
    with open(path) as handle:
        content = json.load(handle)
    if not isinstance(content, dict) or content.get("format") != SIDECAR_FORMAT:
        raise ValueError(f"{path} is not a GalCubeCraft cube description")
    return content


def _params_factor(params: Mapping[str, Any]) -> float | None:
    """Return a 2.0 sidecar's ``<units>_per_jy_beam`` params entry (None without one)."""
    factors = [v for k, v in params.items() if k.endswith("_per_jy_beam")]
    return float(factors[0]) if len(factors) == 1 else None


def load_cube(path: str | os.PathLike[str]) -> Cube:
    """Return the ``.npy`` cube at ``path`` with the observation its sidecar describes.

    Raises
    ------
    FileNotFoundError
        If the cube or its sidecar is missing.
    ValueError
        If the sidecar's shape differs from the array's.
    """
    from ..observation.beam import Beam
    from ..observation.records import Observation, SpectralAxis, observation_from_header
    from ..products.cube import Cube

    content = read_sidecar(sidecar_path(path))
    data = np.load(path)
    # Arrays stored in other amplitude units record their factor per Jy/beam; sidecars
    # written by 2.0 kept it among the params, as ``<units>_per_jy_beam``.
    factor = content.get("data_per_jy_beam") or _params_factor(content.get("params") or {})
    if factor:
        data = (data / np.float32(factor)).astype(data.dtype)
    if list(data.shape) != content["shape"]:
        raise ValueError(f"{path} has shape {data.shape}; its sidecar says {content['shape']}")
    if "header" in content:
        obs = observation_from_header(content["header"])[0]
    else:
        velocities = np.asarray(content["velocities_kms"], dtype=float)
        half = 0.5 * float(content["channel_width_kms"])
        beam = content["beam"]
        obs = Observation(
            nx=data.shape[2], ny=data.shape[1], pixel_kpc=float(content["pixel_kpc"]),
            spectral=SpectralAxis(data.shape[0], velocities[0] - half, velocities[-1] + half),
            beam=None if beam is None else Beam(beam["bmaj_px"], beam["bmin_px"], beam["bpa_deg"]),
        )  # fmt: skip
    return Cube(data, obs, kind=content["kind"], noise_rms=float(content["noise_rms"]))
