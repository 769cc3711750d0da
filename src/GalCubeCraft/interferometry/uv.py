"""uv coverage: where an array's baselines sample the sky's Fourier plane during a track.

A baseline of east/north/up components ``(E, N, U)`` at latitude ``phi`` is, in the
equatorial frame (``X`` toward hour angle 0 on the equator, ``Y`` east, ``Z`` the pole),
``X = -sin(phi) N + cos(phi) U``, ``Y = E``, ``Z = cos(phi) N + sin(phi) U``; toward a source
at hour angle ``H`` and declination ``delta`` its ``(u, v, w)`` are (Thompson, Moran &
Swenson, eq. 4.1)::

    u =  sin H X + cos H Y
    v = -sin(delta) cos H X + sin(delta) sin H Y + cos(delta) Z
    w =  cos(delta) cos H X - cos(delta) sin H Y + sin(delta) Z

in metres; divided by the wavelength, in wavelengths (so coverage scales with frequency).
An hour angle in hours is 15 degrees per hour (24 h of hour angle make a circle); the
time elapsed during a track advances it at the sidereal rate, 15.041 degrees per hour of
time.  Only the elapsed time is scaled by the sidereal rate: the track's centre is an
hour angle already.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._support import validate as _validate
from .arrays import AntennaArray

HOUR_ANGLE_DEG_PER_HOUR = 15.0
"""Degrees per hour of hour angle (a sidereal hour)."""
SIDEREAL_DEG_PER_HOUR = HOUR_ANGLE_DEG_PER_HOUR * 1.00273790935
"""How fast the hour angle advances per hour of time: 360 degrees per sidereal day."""


@dataclass(frozen=True)
class Track:
    """An observation's time on source.

    Parameters
    ----------
    declination_deg : float
        Source declination (degrees).
    duration_h : float
        Track length (hours of time), > 0.
    integration_s : float
        Visibility integration time (s), > 0: one uv point per baseline per integration.
    hour_angle_centre_h : float
        Hour angle at the track's middle (hours of hour angle, 15 degrees each; 0 is
        transit).
    elevation_limit_deg : float
        The source must stay above this elevation throughout (degrees; ALMA observes
        above about 15).
    """

    declination_deg: float
    duration_h: float = 1.0
    integration_s: float = 30.0
    hour_angle_centre_h: float = 0.0
    elevation_limit_deg: float = 15.0

    def __post_init__(self) -> None:
        """Check the track."""
        checked = {
            "declination_deg": _validate.real("declination_deg", self.declination_deg,
                                              low=-90.0, high=90.0),
            "duration_h": _validate.real("duration_h", self.duration_h, low=0.0,
                                         low_open=True, high=24.0),
            "integration_s": _validate.positive("integration_s", self.integration_s),
            "hour_angle_centre_h": _validate.real("hour_angle_centre_h",
                                                  self.hour_angle_centre_h, low=-12, high=12),
            "elevation_limit_deg": _validate.real("elevation_limit_deg",
                                                  self.elevation_limit_deg, low=0, high=89),
        }  # fmt: skip
        for name, value in checked.items():
            object.__setattr__(self, name, value)
        if self.integration_s > self.duration_h * 3600.0:
            raise ValueError(
                f"integration_s ({self.integration_s:g} s) must not exceed the track "
                f"({self.duration_h:g} h)"
            )

    @property
    def n_integrations(self) -> int:
        """Number of integrations in the track."""
        return max(1, round(self.duration_h * 3600.0 / self.integration_s))

    def hour_angles_rad(self) -> np.ndarray:
        """Return the hour angle at the middle of each integration (radians).

        The centre is an hour angle (15 degrees per hour); each integration's offset from
        it is time, which the Earth's rotation turns at the sidereal rate.
        """
        n = self.n_integrations
        offsets_h = (np.arange(n) + 0.5 - 0.5 * n) * (self.integration_s / 3600.0)
        centre_deg = self.hour_angle_centre_h * HOUR_ANGLE_DEG_PER_HOUR
        return np.radians(centre_deg + offsets_h * SIDEREAL_DEG_PER_HOUR)

    def check_visible(self, latitude_deg: float) -> None:
        """Raise ``ValueError`` if the source dips below the elevation limit during the track."""
        phi, delta = math.radians(latitude_deg), math.radians(self.declination_deg)
        sin_el = math.sin(phi) * math.sin(delta) + math.cos(phi) * math.cos(delta) * np.cos(
            self.hour_angles_rad()
        )
        lowest = math.degrees(math.asin(float(np.clip(np.min(sin_el), -1.0, 1.0))))
        if lowest < self.elevation_limit_deg:
            transit = 90.0 - abs(latitude_deg - self.declination_deg)
            raise ValueError(
                f"declination {self.declination_deg:g} deg is not observable for this track "
                f"from latitude {latitude_deg:g} deg: the source reaches {lowest:.1f} deg "
                f"elevation (transit {transit:.1f} deg), below the limit of "
                f"{self.elevation_limit_deg:g} deg; shorten the track or choose another "
                "declination"
            )


def uvw_m(array: AntennaArray, track: Track) -> np.ndarray:
    """Return the ``(n_baselines * n_integrations, 3)`` baseline coordinates (u, v, w) in m.

    Baselines vary fastest: row ``t * n_baselines + b`` is baseline ``b`` at integration
    ``t``.  One row per baseline and time; the conjugate points ``(-u, -v)`` are implied.
    """
    track.check_visible(array.latitude_deg)
    east, north, up = array.baselines_enu_m().T
    phi = math.radians(array.latitude_deg)
    x = -math.sin(phi) * north + math.cos(phi) * up
    y = east
    z = math.cos(phi) * north + math.sin(phi) * up
    delta = math.radians(track.declination_deg)
    h = track.hour_angles_rad()[:, None]
    sin_h, cos_h = np.sin(h), np.cos(h)
    u = sin_h * x + cos_h * y
    v = -math.sin(delta) * cos_h * x + math.sin(delta) * sin_h * y + math.cos(delta) * z
    w = math.cos(delta) * cos_h * x - math.cos(delta) * sin_h * y + math.sin(delta) * z
    return np.column_stack([u.ravel(), v.ravel(), w.ravel()])
