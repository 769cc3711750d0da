"""The galaxy record: every parameter of one disk, in physical units."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate
from .arms import SpiralArms
from .clumps import Clump, clump_fraction
from .flows import NonCircularFlows
from .profiles import total_flux
from .rings import TiltedRings
from .rotation import MilkyWayRotationCurve

MIN_KPC, MAX_KPC = 1e-6, 1e6
"""Bounds of a galaxy's lengths (kpc): a milliparsec to a gigaparsec covers every disk."""
MAX_S_E = 1e30
"""Largest surface brightness / line flux: keeps every voxel far inside float32."""


@dataclass(frozen=True)
class Galaxy:
    """One rotating Sérsic disk with an exponential vertical profile.

    Parameters
    ----------
    r_e_kpc : float
        Effective (half-light) radius in the disk plane (kpc).
    n_sersic : float
        Sérsic index, in [0.2, 10].
    h_z_kpc : float
        Exponential scale height (kpc).
    s_e : float
        Emissivity at ``R_e`` in the midplane, in Jy km/s per kpc^3: the line flux
        of the galaxy is the volume integral of the emissivity (:attr:`line_flux`).
    inclination_deg : float
        0 face-on, 90 edge-on.
    pa_deg : float
        Position angle of the receding major axis, degrees north through east.
    sigma_kms : float
        Isotropic velocity dispersion: the line profile of every emitting point is a
        Gaussian of this width (km/s), in ``[0, c)``; 0 gives infinitely narrow lines.
    rotation_curve : callable, optional
        ``v_circ(r_kpc) -> km/s``; default the Milky-Way power law for this disk
        (:meth:`MilkyWayRotationCurve.for_sersic` with ``v_0 = 200`` km/s).  Its values
        must be real, finite and below the speed of light in magnitude (tried once,
        from the centre to 100 ``r_e_kpc``).
    x_kpc, y_kpc : float
        Offset of the centre from the field centre along the array's x (column) and y
        (row, north) axes, in kpc.
    v_sys_kms : float
        Systemic velocity (km/s), positive receding; ``|v_sys_kms|`` below the speed of
        light ``c`` (:data:`~GalCubeCraft._support.validate.SPEED_OF_LIGHT_KMS`).
    flows : NonCircularFlows, optional
        Radial, bisymmetric and lopsided flows in the disk plane
        (:mod:`GalCubeCraft.model.flows`); default none (circular rotation).
    dispersion_profile : callable, optional
        ``sigma(r_kpc) -> km/s``: a line width that varies with radius, used instead of
        ``sigma_kms``; real, finite, in ``[0, c)``.
    asymmetric_drift : bool
        Rotate at ``v_rot`` below ``v_circ`` by the pressure support of the dispersion
        (:mod:`GalCubeCraft.model.drift`); default False.
    clumps : tuple of Clump
        Co-rotating Gaussian knots in the plane (:mod:`GalCubeCraft.model.clumps`); they
        take their flux fractions from the smooth disk, so :attr:`line_flux` is the total.
    arms : SpiralArms, optional
        Logarithmic spiral arms modulating the surface brightness
        (:mod:`GalCubeCraft.model.arms`); they keep every ring's flux.
    rings : TiltedRings, optional
        A warp and/or flare: inclination, PA and scale height as functions of radius
        (:mod:`GalCubeCraft.model.rings`); ``inclination_deg``, ``pa_deg`` and ``h_z_kpc``
        stand where it gives no profile.  Rendered in the disk's own frame.
    """

    r_e_kpc: float
    n_sersic: float = 1.0
    h_z_kpc: float = 0.5
    s_e: float = 1.0
    inclination_deg: float = 0.0
    pa_deg: float = 0.0
    sigma_kms: float = 40.0
    rotation_curve: Callable[[np.ndarray], np.ndarray] | None = None
    x_kpc: float = 0.0
    y_kpc: float = 0.0
    v_sys_kms: float = 0.0
    flows: NonCircularFlows | None = None
    dispersion_profile: Callable[[np.ndarray], np.ndarray] | None = None
    asymmetric_drift: bool = False
    clumps: tuple[Clump, ...] = ()
    arms: SpiralArms | None = None
    rings: TiltedRings | None = None

    def __post_init__(self) -> None:
        """Check every parameter once, so the renderer never has to."""
        # Store plain floats: NumPy scalars would change the dtype of downstream arithmetic.
        checked = {
            "r_e_kpc": _validate.real("r_e_kpc", self.r_e_kpc, low=MIN_KPC, high=MAX_KPC),
            "n_sersic": _validate.real("n_sersic", self.n_sersic, low=0.2, high=10.0),
            "h_z_kpc": _validate.real("h_z_kpc", self.h_z_kpc, low=MIN_KPC, high=MAX_KPC),
            "s_e": _validate.real("s_e", self.s_e, low=0.0, high=MAX_S_E),
            "inclination_deg": _validate.real(
                "inclination_deg", self.inclination_deg, low=0.0, high=90.0
            ),
            "pa_deg": _validate.real("pa_deg", self.pa_deg),
            "sigma_kms": _validate.speed_kms("sigma_kms", self.sigma_kms, signed=False),
            "x_kpc": _validate.real("x_kpc", self.x_kpc),
            "y_kpc": _validate.real("y_kpc", self.y_kpc),
            "v_sys_kms": _validate.speed_kms("v_sys_kms", self.v_sys_kms),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        # The user's functions are tried once here, on radii from the centre to 100 R_e,
        # so the renderer can take their values as they come (no check per sample).
        radii = self.r_e_kpc * np.concatenate([[0.0], np.logspace(-3.0, 2.0, 256)])
        c = _validate.SPEED_OF_LIGHT_KMS
        if self.rotation_curve is None:
            curve = MilkyWayRotationCurve.for_sersic(200.0, self.r_e_kpc, self.n_sersic)
            object.__setattr__(self, "rotation_curve", curve)
        elif not callable(self.rotation_curve):
            raise TypeError(
                "rotation_curve must be a callable v(r_kpc) -> km/s; "
                f"got {type(self.rotation_curve).__name__}"
            )
        else:
            _validate.function_of_radius(
                "rotation_curve", self.rotation_curve, radii, low=-c, high=c, unit="km/s"
            )
        if self.dispersion_profile is not None and not callable(self.dispersion_profile):
            kind = type(self.dispersion_profile).__name__
            raise TypeError(f"dispersion_profile must be a callable sigma(r_kpc); got {kind}")
        if self.dispersion_profile is not None:
            _validate.function_of_radius(
                "dispersion_profile", self.dispersion_profile, radii, low=0.0, high=c, unit="km/s"
            )
        object.__setattr__(
            self, "asymmetric_drift", _validate.boolean("asymmetric_drift", self.asymmetric_drift)
        )
        if isinstance(self.clumps, (str, bytes)) or not isinstance(self.clumps, Iterable):
            raise TypeError(f"clumps must be a sequence of Clump; got {type(self.clumps).__name__}")
        clumps = tuple(self.clumps)
        for k, clump in enumerate(clumps):
            if not isinstance(clump, Clump):
                raise TypeError(f"clumps[{k}] must be a Clump; got {type(clump).__name__}")
        if clump_fraction(clumps) > 1.0:
            raise ValueError(f"clumps hold {clump_fraction(clumps):g} of the flux; at most 1")
        object.__setattr__(self, "clumps", clumps)
        if self.arms is not None and not isinstance(self.arms, SpiralArms):
            raise TypeError(f"arms must be SpiralArms or None; got {type(self.arms).__name__}")
        if self.rings is not None:
            if not isinstance(self.rings, TiltedRings):
                raise TypeError(
                    f"rings must be TiltedRings or None; got {type(self.rings).__name__}"
                )
        if self.flows is not None and not isinstance(self.flows, NonCircularFlows):
            kind = type(self.flows).__name__
            raise TypeError(f"flows must be NonCircularFlows or None; got {kind}")

    @classmethod
    def with_line_flux(cls, line_flux_jykms: float, **parameters: object) -> Galaxy:
        """Return a galaxy whose total line flux is ``line_flux_jykms`` (Jy km/s).

        ``s_e`` is solved from the analytic volume integral; every other keyword is
        passed to the constructor.
        """
        flux = _validate.real("line_flux_jykms", line_flux_jykms, low=0.0, high=MAX_S_E)
        unit = cls(s_e=1.0, **parameters)  # type: ignore[arg-type]
        s_e = flux / unit.line_flux if unit.line_flux > 0.0 else math.inf
        if not s_e <= MAX_S_E:
            raise ValueError(
                f"line_flux_jykms / (the flux of s_e = 1) must be at most {MAX_S_E:g}; got "
                f"line_flux_jykms={flux!r} over {unit.line_flux!r} (raise r_e_kpc or h_z_kpc)"
            )
        return dataclasses.replace(unit, s_e=s_e)

    @property
    def line_flux(self) -> float:
        """Total line flux (Jy km/s): the volume integral of the emissivity."""
        return total_flux(self.s_e, self.r_e_kpc, self.n_sersic, self.h_z_kpc)

    def replace(self, **changes: object) -> Galaxy:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
