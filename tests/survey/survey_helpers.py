"""Shared values of the survey tests: a small field and the SDC2 scorer."""

from __future__ import annotations

import importlib
import importlib.resources
import sys
import types

from GalCubeCraft.survey import FieldSpec, PopulationSpec


SMALL = FieldSpec(
    nx=64, ny=64, n_chan=64, pixel_arcsec=2.8, ra_deg=180.0, dec_deg=-30.0,
    start_hz=1.14e9, channel_width_hz=30e3, beam_arcsec=7.0, noise_rms_jy_beam=3e-5,
    population=PopulationSpec(n_galaxies=20), seed=3, tile=(32, 32, 32),
)  # fmt: skip
"""A 64^3 field of 20 galaxies inside SDC2's band and at its scorer's field centre."""


def sdc2_scorer() -> type:
    """Return ``ska_sdc.Sdc2Scorer``.

    ska-sdc 2.0.0 reads its data files through ``pkg_resources``, which setuptools 81
    removed; where it is missing, a stand-in with the two calls it makes (on
    ``importlib.resources``) is registered first.  The scorer itself runs unchanged.
    """
    try:
        importlib.import_module("pkg_resources")
    except ModuleNotFoundError:
        shim = types.ModuleType("pkg_resources")

        def resource_filename(package: str, name: str) -> str:
            return str(importlib.resources.files(package).joinpath(name))

        def resource_stream(package: str, name: str):  # noqa: ANN202 - a file object
            return importlib.resources.files(package).joinpath(name).open("rb")

        shim.resource_filename = resource_filename  # type: ignore[attr-defined]
        shim.resource_stream = resource_stream  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    from ska_sdc import Sdc2Scorer

    return Sdc2Scorer
