"""The per-galaxy parameters, declared once: name, unit, meaning, FITS card, value.

:data:`GALAXY_PARAMETERS` is the one list of what a galaxy's row of numbers holds.  The
dataset parameter table's columns (:func:`GalCubeCraft.datasets.items.parameter_names`),
its HDF5 and FITS column records, the galaxies' FITS header cards
(:meth:`GalCubeCraft.products.cube.Cube.fits_header`) and the rebuild of galaxies from a
row (:func:`galaxy_from_row`) all come from it; a new parameter is one entry here.

Each parameter says how it is read off a :class:`~GalCubeCraft.model.galaxy.Galaxy`
(:attr:`GalaxyParameter.read`) and which part of the record it rebuilds
(:attr:`GalaxyParameter.part`): a constructor field of the same name, a part built from
several columns (the rotation curve, the flows, the warp), or nothing (a summary such as
the line flux, kept for the table only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .flows import NonCircularFlows
from .galaxy import Galaxy
from .rings import TiltedRings, linear_warp, warp_parameters
from .rotation import MilkyWayRotationCurve

FIELD, CURVE, FLOWS, RINGS, SUMMARY = "field", "rotation_curve", "flows", "rings", "summary"
"""What a parameter rebuilds: a :class:`Galaxy` field, a part of the record, or nothing."""


@dataclass(frozen=True)
class GalaxyParameter:
    """One per-galaxy parameter.

    Parameters
    ----------
    name : str
        Its name everywhere: the table column (``g<k>_<name>``), the params key.
    unit : str
        Astropy spelling; ``""`` for a pure number.
    meaning : str
        What it is, in a few words (FITS card comments use it).
    card : str
        The FITS keyword stem, at most 4 characters: galaxy ``k`` gets ``G<k><card>``, a
        standard 8-character keyword for up to 999 galaxies.
    read : callable
        ``Galaxy -> float``: the value of a galaxy (NaN where it has none).
    part : str
        What :func:`galaxy_from_row` rebuilds from it (module constants ``FIELD``, ...).
    """

    name: str
    unit: str
    meaning: str
    card: str
    read: Callable[[Galaxy], float]
    part: str = FIELD


def _attribute(name: str) -> Callable[[Galaxy], float]:
    return lambda galaxy: float(getattr(galaxy, name))


def _v_0(galaxy: Galaxy) -> float:
    curve = galaxy.rotation_curve
    return curve.v_0_kms if isinstance(curve, MilkyWayRotationCurve) else math.nan


def _flow(k: int) -> Callable[[Galaxy], float]:
    def read(galaxy: Galaxy) -> float:
        flows = galaxy.flows
        if flows is None:
            return 0.0
        value = (flows.radial_kms, flows.bar_tangential_kms, flows.bar_angle_deg)[k]
        # A flow given as a function of radius has no one value: NaN (no FITS card).
        return math.nan if callable(value) else float(value)

    return read


def _central_sigma(galaxy: Galaxy) -> float:
    profile = galaxy.dispersion_profile
    return galaxy.sigma_kms if profile is None else float(np.asarray(profile(np.zeros(1)))[0])


def _arm(name: str) -> Callable[[Galaxy], float]:
    return lambda galaxy: float(getattr(galaxy.arms, name)) if galaxy.arms else 0.0


def _warp(k: int) -> Callable[[Galaxy], float]:
    return lambda galaxy: warp_parameters(galaxy.rings)[k]


P = GalaxyParameter
GALAXY_PARAMETERS: tuple[GalaxyParameter, ...] = (
    P("r_e_kpc", "kpc", "effective radius", "RE", _attribute("r_e_kpc")),
    P("n_sersic", "", "Sersic index", "N", _attribute("n_sersic")),
    P("h_z_kpc", "kpc", "scale height", "HZ", _attribute("h_z_kpc")),
    P("s_e", "Jy km/s/kpc3", "emissivity at R_e", "SE", _attribute("s_e")),
    P("inclination_deg", "deg", "inclination", "INC", _attribute("inclination_deg")),
    P("pa_deg", "deg", "PA, N through E, receding", "PA", _attribute("pa_deg")),
    P("sigma_kms", "km/s", "dispersion", "SIG", _attribute("sigma_kms")),
    P("v_0_kms", "km/s", "rotation-curve scale v_0", "V0", _v_0, CURVE),
    P("x_kpc", "kpc", "x offset", "X", _attribute("x_kpc")),
    P("y_kpc", "kpc", "y offset", "Y", _attribute("y_kpc")),
    P("v_sys_kms", "km/s", "systemic velocity", "VSYS", _attribute("v_sys_kms")),
    P("line_flux", "Jy km/s", "line flux", "FLUX", lambda g: g.line_flux, SUMMARY),
    P("v_rad_kms", "km/s", "radial flow", "VRAD", _flow(0), FLOWS),
    P("v_bar_kms", "km/s", "bar flow amplitude", "VBAR", _flow(1), FLOWS),
    P("bar_angle_deg", "deg", "bar angle in the disk", "BARA", _flow(2), FLOWS),
    P("n_clumps", "", "number of clumps", "NCLM", lambda g: len(g.clumps), SUMMARY),
    P("clump_fraction", "", "clumps' share of the flux", "FCLM",
      lambda g: sum(c.flux_fraction for c in g.clumps), SUMMARY),
    P("sigma_centre_kms", "km/s", "central dispersion", "SIGC", _central_sigma, SUMMARY),
    P("arm_contrast", "", "spiral-arm contrast", "ARMC", _arm("contrast"), SUMMARY),
    P("arm_pitch_deg", "deg", "spiral-arm pitch", "ARMP", _arm("pitch_deg"), SUMMARY),
    P("arm_streaming_kms", "km/s", "spiral-arm streaming", "ARMV",
      _arm("streaming_tangential_kms"), SUMMARY),
    P("warp_start_kpc", "kpc", "warp start radius", "WRPR", _warp(0), RINGS),
    P("warp_inclination_deg", "deg", "warp inclination change", "WRPI", _warp(1), RINGS),
    P("warp_pa_deg", "deg", "warp PA change", "WRPP", _warp(2), RINGS),
    P("flare_factor", "", "h_z growth of the flare", "FLAR", _warp(3), RINGS),
)  # fmt: skip
"""Every per-galaxy parameter, in table order (stored tables are read by this order)."""
del P

GALAXY_PARAMETER_NAMES = tuple(p.name for p in GALAXY_PARAMETERS)
"""The names, in table order."""


def galaxy_row(galaxy: Galaxy) -> list[float]:
    """Return ``galaxy``'s values of :data:`GALAXY_PARAMETERS`, in order."""
    return [p.read(galaxy) for p in GALAXY_PARAMETERS]


def galaxy_cards(galaxy: Galaxy, k: int) -> dict[str, tuple[float, str]]:
    """Return galaxy ``k``'s FITS cards ``{G<k><card>: (value, comment)}`` (finite values)."""
    cards = {}
    for p in GALAXY_PARAMETERS:
        value = p.read(galaxy)
        if math.isfinite(value):  # FITS headers hold no NaN
            unit = f"[{p.unit}] " if p.unit else ""
            cards[f"G{k}{p.card}"] = (value, f"{unit}galaxy {k} {p.meaning}")
    return cards


def _rings(row: Mapping[str, float], warp_length_re: float) -> TiltedRings | None:
    """Return the linear warp a row records (None for a flat disk)."""
    if (row["warp_inclination_deg"], row["warp_pa_deg"], row["flare_factor"]) == (0.0, 0.0, 1.0):
        return None
    outer = min(max(row["inclination_deg"] + row["warp_inclination_deg"], 0.0), 90.0)
    return linear_warp(row["warp_start_kpc"], warp_length_re * row["r_e_kpc"],
                       (row["inclination_deg"], outer),
                       (row["pa_deg"], row["pa_deg"] + row["warp_pa_deg"]),
                       (row["h_z_kpc"], row["h_z_kpc"] * row["flare_factor"]))  # fmt: skip


def galaxy_from_row(row: Mapping[str, float], warp_length_re: float) -> Galaxy:
    """Rebuild a galaxy from its row ``{name: value}``.

    Fields, the rotation curve, flows and a linear warp (over ``warp_length_re``
    effective radii beyond its start) come back; summaries (line flux, clumps, arms,
    central dispersion) are not rebuilt.
    """
    fields = {p.name: row[p.name] for p in GALAXY_PARAMETERS if p.part == FIELD}
    curve = MilkyWayRotationCurve.for_sersic(row["v_0_kms"], row["r_e_kpc"], row["n_sersic"])
    bar = row["v_bar_kms"]
    flows = NonCircularFlows(radial_kms=row["v_rad_kms"], bar_tangential_kms=bar,
                             bar_radial_kms=bar, bar_angle_deg=row["bar_angle_deg"])  # fmt: skip
    rings = _rings(row, warp_length_re)
    return Galaxy(**fields, rotation_curve=curve, flows=flows, rings=rings)  # type: ignore[arg-type]
