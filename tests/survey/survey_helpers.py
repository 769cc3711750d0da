"""Shared values of the survey tests: a small field and the SDC2 scorer."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path

from GalCubeCraft.survey import FieldSpec, PopulationSpec

SMALL = FieldSpec(
    nx=64, ny=64, n_chan=64, pixel_arcsec=2.8, ra_deg=180.0, dec_deg=-30.0,
    start_hz=1.14e9, channel_width_hz=30e3, beam_arcsec=7.0, noise_rms_jy_beam=3e-5,
    population=PopulationSpec(n_galaxies=20), seed=3, tile=(32, 32, 32),
)  # fmt: skip
"""A 64^3 field of 20 galaxies inside SDC2's band and at its scorer's field centre."""


def sdc2_scorer() -> type:
    """Return ``ska_sdc.sdc2.sdc2_scorer.Sdc2Scorer``, the challenge's own scorer.

    ska-sdc 2.0.0 predates pandas 3 and setuptools 81: its data-path module
    (``ska_sdc.data.data_resources``) locates its files with ``pkg_resources`` and, on
    import, reads an SDC1 beam table with ``delim_whitespace``, both now removed.  A
    stand-in for that one module is registered, giving the scorer the path of its own
    ``config.ini``; the package's ``__init__`` (which imports the SDC1 scorer) is skipped.
    Under pandas 3 its cross-match is given copies of two read-only arrays.  The
    matching and scoring code itself runs unchanged.
    """
    if "ska_sdc.sdc2.sdc2_scorer" not in sys.modules:
        found = importlib.util.find_spec("ska_sdc")
        assert found is not None and found.submodule_search_locations is not None
        root = Path(next(iter(found.submodule_search_locations)))
        package = types.ModuleType("ska_sdc")
        package.__path__ = [str(root)]
        data = types.ModuleType("ska_sdc.data.data_resources")
        data.SDC2_CONFIG_PATH = str(root / "data" / "conf" / "sdc2" / "config.ini")  # type: ignore[attr-defined]
        sys.modules.setdefault("ska_sdc", package)
        sys.modules.setdefault("ska_sdc.data.data_resources", data)
    import numpy as np
    from ska_sdc.sdc2 import sdc2_scorer as scorer_module
    from ska_sdc.sdc2.utils.sdc2_xmatch import Sdc2XMatch

    class WritableXMatch(Sdc2XMatch):  # type: ignore[misc]
        """Its cross-match, given writable copies of the arrays pandas 3 makes read-only."""

        def get_query_coords(self):  # noqa: ANN202, D102
            return np.array(super().get_query_coords())

        def get_radius_arr(self):  # noqa: ANN202, D102
            return np.array(super().get_radius_arr())

    scorer_module.Sdc2XMatch = WritableXMatch
    return scorer_module.Sdc2Scorer
