"""Reading ward boundaries and patrol routes from GeoJSON and GPX files.

Pure parsing and validation: nothing here touches the database. A file is read whole
and checked whole before anything is stored, so a bad file stores nothing.
"""
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gpxpy
import gpxpy.gpx
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.ops import linemerge
from shapely.validation import explain_validity

from ..errors import N_, InvalidInput
from ..inputs import has_control_characters

ROUTE_CODE_MAX = 16
_GEOGRAPHIC_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}


@dataclass(frozen=True)
class RouteInput:
    """A validated patrol route read from a file."""

    code: str
    name: str
    line: LineString
    name_en: str = ""
    verified: bool = False
    source: str = ""
    corridor_m: int | None = None


@dataclass(frozen=True)
class BoundaryInput:
    """A validated ward boundary read from a file."""

    name: str
    area: MultiPolygon
    verified: bool = False
    source: str = ""


@dataclass
class ParsedGeography:
    """What a file holds: boundaries, routes, and features deliberately left out."""

    boundaries: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    ignored: list = field(default_factory=list)


def parse_geo_file(path: str | Path, route_code: str | None = None, route_name: str | None = None) -> ParsedGeography:
    """Parse a .geojson/.json or .gpx file into validated boundaries and routes."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(N_("Cannot read the file %(path)s: %(error)s"), path=str(path), error=exc.strerror) from exc
    try:
        text_value = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(N_("The file %(path)s is not UTF-8 text."), path=path.name) from None
    label = f"{path.name}"
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return parse_geojson(text_value, label)
    if suffix == ".gpx":
        return parse_gpx(text_value, label, route_code=route_code, route_name=route_name)
    raise InvalidInput(N_("Unknown file type %(suffix)s: use .geojson or .gpx."), suffix=suffix or "?")


def parse_geojson(text_value: str, label: str = "GeoJSON") -> ParsedGeography:
    """Parse GeoJSON text: Polygon features are boundaries, LineString features with a code are routes."""
    try:
        document = json.loads(text_value)
    except json.JSONDecodeError as exc:
        raise InvalidInput(N_("The file is not valid GeoJSON (line %(line)s: %(error)s)."), line=exc.lineno, error=exc.msg) from exc
    except RecursionError:
        raise InvalidInput(N_("The file is not valid GeoJSON: it is nested too deeply.")) from None
    if not isinstance(document, dict) or "type" not in document:
        raise InvalidInput(N_("The file is JSON but not GeoJSON: it has no \"type\"."))
    _check_crs(document)
    if document["type"] == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise InvalidInput(N_("The FeatureCollection has no \"features\" list."))
    elif document["type"] == "Feature":
        features = [document]
    else:
        features = [{"type": "Feature", "geometry": document, "properties": {}}]

    parsed = ParsedGeography()
    for number, feature in enumerate(features, start=1):
        _read_feature(feature, number, label, parsed)
    _check_unique_codes(parsed.routes)
    if not parsed.boundaries and not parsed.routes:
        raise InvalidInput(N_("The file holds no ward boundary (Polygon) and no route (LineString with a \"code\")."))
    return parsed


def _check_crs(document):
    crs = document.get("crs")
    if not crs:
        return
    name = ((crs.get("properties") or {}).get("name") or "") if isinstance(crs, dict) else ""
    if name not in _GEOGRAPHIC_CRS:
        raise InvalidInput(
            N_("The file uses the coordinate system %(crs)s; export it in WGS84 longitude/latitude (EPSG:4326)."),
            crs=name or "?",
        )


def _read_feature(feature, number, label, parsed):
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput(N_("Feature %(n)s is not a GeoJSON Feature."), n=number)
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidInput(N_("Feature %(n)s has properties that are not an object."), n=number)
    geometry = feature.get("geometry")
    title = str(props.get("code") or props.get("name") or number)
    if not isinstance(geometry, dict) or "coordinates" not in geometry:
        raise InvalidInput(N_("Feature %(n)s (%(title)s) has no geometry."), n=number, title=title)
    _check_positions(geometry.get("coordinates"), number, title)
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise InvalidInput(N_("Feature %(n)s (%(title)s) has a broken geometry: %(error)s"), n=number, title=title, error=str(exc)) from exc

    kind = props.get("kind")
    if kind in ("landmark", "reference_line"):
        parsed.ignored.append(f"{kind}: {props.get('name', number)}")
        return
    source = str(props.get("source") or f"Nhập từ tệp {label}")
    verified = props.get("verified") is True
    if isinstance(geom, (Polygon, MultiPolygon)) and kind in (None, "ward_boundary", "boundary"):
        parsed.boundaries.append(_boundary(geom, str(props.get("name") or label), verified, source, number))
    elif isinstance(geom, (LineString, MultiLineString)) and kind in (None, "route"):
        code = props.get("code")
        if not code:
            raise InvalidInput(N_("Line feature %(n)s (%(title)s) has no \"code\" property; a route needs a code such as R4."),
                               n=number, title=title)
        parsed.routes.append(
            make_route_input(
                code=str(code), name=str(props.get("name") or ""), geom=geom,
                name_en=str(props.get("name_en") or ""), verified=verified, source=source,
                corridor_m=props.get("corridor_m"),
            )
        )
    else:
        parsed.ignored.append(f"{geom.geom_type} {title}")


def _check_positions(coordinates, number, title):
    """Every position must be finite longitude/latitude numbers in range."""
    for position in _positions(coordinates, number, title):
        check_lon_lat(position[0], position[1], number, title)


def check_lon_lat(lon: Any, lat: Any, number: int, title: str) -> None:
    """Raise InvalidInput unless lon/lat are WGS84 degrees in range."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InvalidInput(
            N_("Feature %(n)s (%(title)s) has a coordinate out of range (%(lon)s, %(lat)s): longitude must be "
               "between -180 and 180 and latitude between -90 and 90. Is the file in a projected system such as "
               "VN-2000? Export it in WGS84 (EPSG:4326)."),
            n=number, title=title, lon=lon, lat=lat,
        )


def _positions(coordinates, number, title):
    if isinstance(coordinates, list) and coordinates and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coordinates):
        if len(coordinates) < 2 or not all(math.isfinite(c) for c in coordinates):
            raise InvalidInput(N_("Feature %(n)s (%(title)s) has a position that is not two numbers."), n=number, title=title)
        yield coordinates
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise InvalidInput(N_("Feature %(n)s (%(title)s) has empty or malformed coordinates."), n=number, title=title)
    for item in coordinates:
        yield from _positions(item, number, title)


def _refuse_control_characters(title, *values):
    if any(has_control_characters(value, multiline=True) for value in values):
        raise InvalidInput(N_("%(title)s has invisible control characters in its name or source."), title=title[:40])


def _boundary(geom, name, verified, source, number):
    _refuse_control_characters(name, name, source)
    if not geom.is_valid:
        raise InvalidInput(N_("Boundary %(name)s is not a valid polygon: %(reason)s."), name=name, reason=explain_validity(geom))
    area = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
    return BoundaryInput(name=name[:200], area=area, verified=verified, source=source)


def make_route_input(code: str, name: str | None, geom: Any, name_en: str = "", verified: bool = False, source: str = "",
                     corridor_m: float | None = None) -> RouteInput:
    """Validate one route's code, name, corridor and line; returns a RouteInput."""
    code = code.strip()
    _refuse_control_characters(code, code, name, name_en, source)
    if not code or len(code) > ROUTE_CODE_MAX or any(ch.isspace() for ch in code):
        raise InvalidInput(N_("Route code %(code)r is not allowed: 1–16 characters without spaces."), code=code)
    if isinstance(geom, MultiLineString):
        geom = linemerge(geom)
        if not isinstance(geom, LineString):
            raise InvalidInput(N_("Route %(code)s is made of separate pieces; join them into one line."), code=code)
    if not isinstance(geom, LineString):
        raise InvalidInput(N_("Route %(code)s is not a line."), code=code)
    coords = [tuple(c[:2]) for c in geom.coords]
    distinct = {c for c in coords}
    if len(distinct) < 2:
        raise InvalidInput(N_("Route %(code)s has only %(n)s distinct point(s); a route needs at least two."), code=code, n=len(distinct))
    if corridor_m is not None:
        if not isinstance(corridor_m, (int, float)) or isinstance(corridor_m, bool) or not 0 < corridor_m <= 1000:
            raise InvalidInput(N_("Route %(code)s has a corridor width of %(value)s; use 1 to 1000 metres."), code=code, value=corridor_m)
        corridor_m = int(round(corridor_m))
    return RouteInput(
        code=code, name=(name or "").strip()[:200], line=LineString(coords), name_en=name_en[:200],
        verified=verified, source=source, corridor_m=corridor_m,
    )


_TIME_LIKE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/. ](\d{1,2}|[A-Za-z]{3})[-/. ]\d{2,4}|^\s*(active log|current track|tracklog)\b",
    re.IGNORECASE)


def looks_like_a_time(name: str | None) -> bool:
    """True for the names devices give a recording ("2026-11-28 07:12:03", "ACTIVE LOG", "Current Track: 28 NOV 2026")."""
    return bool(name and _TIME_LIKE.search(name))


def parse_gpx(text_value: str, label: str = "GPX", route_code: str | None = None,
              route_name: str | None = None) -> ParsedGeography:
    """Parse GPX text: each track (segments joined) or route becomes a patrol route.

    A name that is only the device's time stamp names nothing: the code must be given, and the route
    keeps its name (or takes route_name)."""
    try:
        gpx = gpxpy.parse(text_value)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise InvalidInput(N_("The file is not valid GPX: %(error)s"), error=str(exc)) from exc
    lines: list[tuple[str | None, list[Any]]] = []  # track points or route points: both have lon, lat
    for track in gpx.tracks:
        points = [p for segment in track.segments for p in segment.points]
        if points:
            lines.append((track.name, points))
    for gpx_route in gpx.routes:
        if gpx_route.points:
            lines.append((gpx_route.name, gpx_route.points))
    if not lines:
        raise InvalidInput(N_("The GPX file has no track and no route with points."))
    if route_code and len(lines) > 1:
        raise InvalidInput(N_("The GPX file has %(n)s tracks; --code can name only a file with one track."), n=len(lines))
    parsed = ParsedGeography()
    for number, (track_name, points) in enumerate(lines, start=1):
        title = track_name or str(number)
        for p in points:
            check_lon_lat(p.longitude, p.latitude, number, title)
        if looks_like_a_time(track_name):
            track_name = ""
        code = route_code or (track_name or "").split(" ")[0]
        if not code:
            raise InvalidInput(N_("Track %(n)s has no name but a time stamp; give the route's code (for example R1)."), n=number)
        coords = [(p.longitude, p.latitude) for p in points]
        if len(set(coords)) < 2:
            raise InvalidInput(N_("Route %(code)s has only %(n)s distinct point(s); a route needs at least two."),
                               code=code, n=len(set(coords)))
        parsed.routes.append(
            make_route_input(
                code=code, name=route_name or track_name or "", geom=LineString(coords),
                # Stored data, read by the ward's staff: in Vietnamese like the rest of their records.
                source=f"Nhập từ tệp {label}",
            )
        )
    _check_unique_codes(parsed.routes)
    return parsed


def _check_unique_codes(routes):
    seen = set()
    for route in routes:
        if route.code in seen:
            raise InvalidInput(N_("Route code %(code)s appears twice in the file."), code=route.code)
        seen.add(route.code)
