"""3D-Barolo (pyBBarolo, in the test extras) fits our FITS files as it fits real data.

One case, the thick disk of ``examples/fit_with_3d_barolo.py`` (about 30 s): the recipe
there is what this runs.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import fit_with_3d_barolo as recipe  # noqa: E402


def test_3dfit_recovers_a_thick_disk_from_our_fits_file(tmp_path):
    """h_z = 0.3 beam at 60 degrees: rings beyond R_e give the PA to 0.5 degree.

    Measured: inclination 1.5 degrees low, PA 0.06 low, outermost rotation 2.1 km/s high;
    the bounds below (2 degrees, 0.5 degree, 3 km/s) hold them with a margin and fail
    without the round-off floor's exact zeros (then 2.6 degrees and 19 km/s).
    """
    galaxy, observation = recipe.thick_disk()
    fit = recipe.fit_with_barolo(galaxy, observation, tmp_path)
    r_e = galaxy.r_e_kpc
    assert len(fit.radius_kpc) >= 10
    assert abs(fit.outer(fit.inclination_deg, r_e) - galaxy.inclination_deg) <= 2.0
    assert abs(fit.outer(fit.pa_deg, r_e) - galaxy.pa_deg) <= 0.5
    assert abs(fit.vrot_kms[-1] - fit.true_vrot_kms[-1]) <= 3.0


def test_our_thick_disk_projects_as_3d_barolos_own_model(tmp_path):
    """Moment 0 of our thick disk has the axis ratio of 3D-Barolo's GALMOD twin (5e-4).

    The same disk built by 3D-Barolo (its exponential layer, our z0, beam-smoothed):
    measured 0.52853 against 0.52852.  GALMOD itself, fitted as the test above fits ours,
    comes back 1.7 degrees low, so the 3DFIT bias is not our cube's.
    """
    galaxy, observation = recipe.thick_disk()
    ours = recipe.make_cubes([galaxy], observation).clean.data.astype(float).sum(axis=0)
    theirs = recipe.galmod_twin(galaxy, observation, tmp_path).sum(axis=0)
    assert recipe.axis_ratio(ours) == pytest.approx(recipe.axis_ratio(theirs), abs=5e-4)
