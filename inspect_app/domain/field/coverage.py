"""Route coverage: how much of a route a patrol's track came close enough to.

Computed in a local metric projection centred on the route (the ward spans a few km, so
the error is far below a metre), in Python, so that it is the same on both databases.
"""
import math
from collections.abc import Callable, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

Coords = Sequence[tuple[float, float]]

_A = 6_378_137.0
_E2 = 0.006_694_379_990_14


def _scales(lat0):
    """Metres per degree of longitude and latitude at lat0, on the WGS84 ellipsoid."""
    phi = math.radians(lat0)
    denominator = 1 - _E2 * math.sin(phi) ** 2
    prime_vertical = _A / math.sqrt(denominator)
    meridional = _A * (1 - _E2) / denominator ** 1.5
    return math.radians(1) * prime_vertical * math.cos(phi), math.radians(1) * meridional


def local_projection(lon0: float, lat0: float) -> Callable[[float, float], tuple[float, float]]:
    """A function (lon, lat) -> (x, y) metres around (lon0, lat0)."""
    kx, ky = _scales(lat0)
    return lambda lon, lat: ((lon - lon0) * kx, (lat - lat0) * ky)


def to_local_metres(geometry: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """The geometry with its lon/lat coordinates turned into metres around (lon0, lat0)."""
    kx, ky = _scales(lat0)
    origin, scale = np.array([lon0, lat0]), np.array([kx, ky])
    return shapely.transform(geometry, lambda xy: (xy - origin) * scale)


def from_local_metres(geometry: BaseGeometry, lon0: float, lat0: float) -> BaseGeometry:
    """Inverse of to_local_metres."""
    kx, ky = _scales(lat0)
    origin, scale = np.array([lon0, lat0]), np.array([kx, ky])
    return shapely.transform(geometry, lambda xy: xy / scale + origin)


def _track_geometry(track_coords):
    distinct = {tuple(c) for c in track_coords}
    return LineString(track_coords) if len(distinct) > 1 else Point(track_coords[0])


def combined_coverage(route_coords: Coords, tracks: Sequence[Coords],
                      corridor_m: float) -> tuple[float, BaseGeometry | None]:
    """(share 0..1, uncovered parts as lon/lat geometry or None) of a route by several tracks.

    The tracks' corridors are merged first, so stretches walked twice count once.
    """
    route = LineString(route_coords)
    tracks = [t for t in tracks if t]
    centre = route.centroid
    route_m = to_local_metres(route, centre.x, centre.y)
    if not tracks or route_m.length == 0:
        return 0.0, route
    corridor = shapely.union_all(
        [to_local_metres(_track_geometry(t), centre.x, centre.y).buffer(corridor_m, quad_segs=16) for t in tracks]
    )
    covered = route_m.intersection(corridor).length
    uncovered = route_m.difference(corridor)
    share = max(0.0, min(1.0, covered / route_m.length))
    return share, (None if uncovered.is_empty or uncovered.length < 1 else from_local_metres(uncovered, centre.x, centre.y))


def route_coverage(route_coords: Coords, track_coords: Coords, corridor_m: float) -> float:
    """Share (0..1) of the route's length lying within corridor_m of the track."""
    return combined_coverage(route_coords, [track_coords] if track_coords else [], corridor_m)[0]
