"""``[galaxies]``: how many galaxies a cube holds and the priors each is drawn from.

The defaults are broad, for training sets: the primary's position angle is uniform over
the whole circle (both receding sides, so both senses of rotation on the sky occur), its
inclination is isotropic (``cos i`` uniform) and its rotation speed is drawn.  The
narrower ranges of GalCubeCraft 1.2 are the ``galcubecraft-1.2`` preset
(:meth:`~GalCubeCraft.priors.spec.DatasetSpec.from_preset`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import Checked, declare

Range = tuple[float, float]
"""A prior's ``(low, high)`` bounds (each field's documentation says how it is drawn)."""

ORIENTATIONS = ("inclination_pa", "tilts")
"""What a spec's two drawn angles mean (:attr:`GalaxyPriors.orientation`)."""
INCLINATION_PRIORS = ("isotropic", "uniform")
"""How inclinations are drawn (:attr:`GalaxyPriors.inclination_prior`)."""
V_0_PRIORS = ("range", "tully_fisher")
"""How rotation speeds are drawn (:attr:`GalaxyPriors.v_0_prior`)."""


@dataclass(frozen=True)
class GalaxyPriors(Checked):
    """``[galaxies]``: how many galaxies a cube holds and the priors they are drawn from.

    Satellites are drawn relative to the primary (:mod:`GalCubeCraft.priors.galaxies`).
    A prior given as ``[low, high]`` is uniform (the resolution log-uniform); a number
    fixes it.  The defaults, and why:

    - ``n_gals = [1, 3]``: galaxies per cube, uniform.  It may start at 0 (fields with no
      source, noise only); such a spec needs an absolute noise level (an interferometer's
      thermal noise), not a peak S/N, and no lens or diffuse emission.
    - ``pa_deg = [0, 360]``: the primary's position angle (north through east, to the
      receding half of the major axis), uniform over the circle: each projected major
      axis is seen with either half receding, i.e. rotating either way on the sky.
    - ``inclination_deg = [0, 90]`` with ``inclination_prior = "isotropic"``: disk normals
      uniform on the sphere, ``cos i`` uniform between the cosines of the range's ends;
      "uniform" draws ``i`` uniform in degrees.  Satellites are isotropic over the whole
      sphere, or (uniform) take a tilt uniform in [-180, 180] (as 1.2 did).
    - ``v_0_prior = "range"`` with ``v_0_kms = [50, 300]``: the rotation curve's amplitude
      (:class:`~GalCubeCraft.model.rotation.MilkyWayRotationCurve`, ``1.022 v_0`` at
      ``R_0`` and rising by 20% a decade beyond), uniform from dwarfs to massive spirals.
      "tully_fisher" instead draws each galaxy's baryonic mass, log-uniform in
      ``baryonic_mass_log_msun = [8.5, 11.5]``, and sets ``v_0`` to the flat speed of the
      baryonic Tully-Fisher relation ``M_b = A V_f^4``, ``A = 47 M_sun km^-4 s^4``
      (McGaugh 2012, AJ 143, 40), with a Gaussian scatter of
      ``tully_fisher_scatter_dex = 0.1`` dex in ``log M_b`` at fixed ``V_f`` (the
      intrinsic scatter of Lelli, McGaugh & Schombert 2016, ApJ 816, L14); the default
      masses span 51 to 286 km/s, about the default range.
    - ``line_flux_jykms = "none"``: each galaxy's emissivity follows 1.2's
      surface-brightness prior; a range instead scales each galaxy so that its total
      line flux (Jy km/s) is a uniform draw from it (a flat S/N distribution at a fixed
      noise level).
    - ``r_e_kpc = [4, 6]``, ``h_z_kpc = [0.5, 1]``, ``n_sersic = [0.5, 1.5]``,
      ``sigma_kms = [30, 50]``, ``resolution = [0.25, 4]``: 1.2's ranges.
    - ``satellite_scale = [1/3, 1/2]``: each satellite's R_e, h_z and S_e over the
      primary's, three uniform draws; ``s_e_base = [0.08, 0.12]``: the primary's
      emissivity per voxel is a draw from it times ``(1 / resolution)^1.5`` (1.2's).

    ``orientation`` says what the two drawn angles are: 'inclination_pa', the primary's
    inclination and sky PA; 'tilts' (1.2's), two tilts ``a``, ``b`` of the disk
    about the column then the row axis, from ``inclination_deg`` and ``pa_deg``, whose
    inclination ``arccos |cos a cos b|`` and PA follow exactly; with 'tilts',
    "uniform" draws both tilts uniformly (1.2: a median inclination of about 65
    degrees over [0, 85]) and "isotropic" draws ``sin a`` uniform, which makes the
    normals uniform over the patch the ranges allow.  ``resolution_cycle`` gives cubes ``0, 1, 2,
    ...`` these resolutions in turn instead of drawing them; they must lie in
    ``resolution``.

    A key added since a store was written is absent from the spec that store records;
    reading it back (:meth:`~GalCubeCraft.priors.spec.DatasetSpec.from_stored`) gives it
    the value that draws what was drawn then (:data:`~.legacy.ADDED_KEYS`), not the
    default.
    """

    TABLE = "galaxies"
    n_gals: tuple[int, int] = declare(
        (1, 3), "int_range", bounds=(0, 10), help="galaxies per cube, uniform"
    )
    offset_gals: float = declare(
        5.0, "real", bounds=(0.0, 1e6), unit="px", help="satellites lie this near the primary"
    )
    resolution: Range = declare(
        (0.25, 4.0), "range", bounds=(0.05, 50.0), help="R_e / (bmin / 2), log-uniform"
    )
    resolution_cycle: tuple[float, ...] | None = declare(
        None, "reals", optional=True, help="fixed resolutions given to the cubes in turn"
    )
    r_e_kpc: Range = declare(
        (4.0, 6.0), "range", bounds=(1e-3, 1e3), unit="kpc", help="primary's effective radius"
    )
    h_z_kpc: Range = declare(
        (0.5, 1.0), "range", bounds=(1e-4, 1e2), unit="kpc", help="primary's scale height"
    )
    n_sersic: Range = declare(
        (0.5, 1.5), "range", bounds=(0.2, 10.0), help="primary's Sersic index"
    )
    sigma_kms: Range = declare(
        (30.0, 50.0), "range", bounds=(0.0, 1e3), unit="km/s", help="velocity dispersion"
    )
    inclination_deg: Range = declare(
        (0.0, 90.0),
        "range",
        bounds=(0.0, 90.0),
        unit="deg",
        help="primary's inclination (or first tilt)",
    )
    pa_deg: Range = declare(
        (0.0, 360.0),
        "range",
        bounds=(-360.0, 360.0),
        unit="deg",
        help="primary's position angle (or second tilt)",
    )
    v_0_kms: Range = declare(
        (50.0, 300.0), "range", bounds=(0.0, 1e3), unit="km/s", help="rotation curve amplitude"
    )
    orientation: str = declare(
        "inclination_pa", "choice", choices=ORIENTATIONS, help="what the two drawn angles are"
    )
    inclination_prior: str = declare(
        "isotropic",
        "choice",
        choices=INCLINATION_PRIORS,
        help="isotropic: cos i uniform; uniform: i uniform in degrees",
    )
    v_0_prior: str = declare(
        "range",
        "choice",
        choices=V_0_PRIORS,
        help="range: v_0_kms uniform; tully_fisher: from a drawn baryonic mass",
    )
    baryonic_mass_log_msun: Range = declare(
        (8.5, 11.5),
        "range",
        bounds=(5.0, 13.0),
        unit="log10 M_sun",
        help="baryonic mass, log-uniform (v_0_prior = tully_fisher)",
    )
    tully_fisher_scatter_dex: float = declare(
        0.1,
        "real",
        bounds=(0.0, 1.0),
        unit="dex",
        help="scatter in log M_b at fixed speed (v_0_prior = tully_fisher)",
    )
    satellite_scale: Range = declare(
        (1.0 / 3.0, 0.5),
        "range",
        bounds=(0.01, 1.0),
        help="satellites' R_e, h_z and S_e over the primary's, each uniform",
    )
    s_e_base: Range = declare(
        (0.08, 0.12),
        "range",
        bounds=(1e-6, 1e6),
        help="primary's emissivity per voxel times resolution^1.5, uniform",
    )
    line_flux_jykms: Range | None = declare(
        None,
        "range",
        bounds=(0.0, 1e6),
        optional=True,
        unit="Jy km/s",
        help="each galaxy's total line flux, uniform; none: from the emissivity prior",
    )
