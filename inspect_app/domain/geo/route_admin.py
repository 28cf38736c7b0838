"""The office's changes to routes and the boundary: corridor width, verified flags, a route
redrawn from a patrol's GPS track, and imports from uploaded files. The caller commits.
"""
import json
from collections.abc import Sequence
from datetime import datetime

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import LineString, mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Patrol, Route, Ward
from ...models.vocabulary import PatrolStatus
from ..errors import N_, InvalidInput, NotFound
from ..field.coverage import to_local_metres
from ..ward_time import VIETNAM_OFFSET
from . import spatial
from .geo_import import ParsedGeography, make_route_input, parse_geojson, parse_gpx

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# A GPS track has a fix every few metres with jitter; ~2 m of simplification keeps the shape.
TRACK_SIMPLIFY_DEGREES = 0.00002


def get_route_or_fail(session: Session, route_id: int) -> Route:
    """The route with this id; NotFound otherwise."""
    route = session.get(Route, route_id) if isinstance(route_id, int) else None
    if route is None:
        raise NotFound(N_("This route does not exist."))
    return route


def set_corridor(route: Route, metres: int) -> int:
    """Change how far from the line still counts as 'on the route' (1–1000 m)."""
    if not isinstance(metres, int) or isinstance(metres, bool) or not 1 <= metres <= 1000:
        raise InvalidInput(N_("Route %(code)s has a corridor width of %(value)s; use 1 to 1000 metres."),
                           code=route.code, value=metres)
    previous, route.corridor_m = route.corridor_m, metres
    return previous


def set_route_verified(route: Route, verified: bool) -> None:
    """Mark the route's line as checked on the ground (or not)."""
    route.verified = bool(verified)


def set_boundary_verified(ward: Ward, verified: bool) -> None:
    """Mark the ward boundary as checked against the official map (or not)."""
    if ward is None or ward.boundary is None:
        raise InvalidInput(N_("The ward has no boundary yet; import one first."))
    ward.boundary_verified = bool(verified)


def retire_route(route: Route, now: datetime) -> None:
    """Stop offering the route for new patrols; its patrols and cases keep it."""
    if route.retired_at is not None:
        raise InvalidInput(N_("Route %(code)s is already retired."), code=route.code)
    route.retired_at = now


def restore_route(route: Route) -> None:
    """Offer a retired route for patrols again."""
    if route.retired_at is None:
        raise InvalidInput(N_("Route %(code)s is in use, not retired."), code=route.code)
    route.retired_at = None


def patrols_with_tracks(session: Session, limit: int = 50) -> Sequence[Patrol]:
    """Ended patrols that have a usable track, newest first (candidates for redrawing a route)."""
    return session.scalars(
        select(Patrol).where(Patrol.status == PatrolStatus.ENDED, Patrol.track.is_not(None))
        .order_by(Patrol.started_at.desc()).limit(limit)
    ).all()


def replace_line_with_track(session: Session, route: Route, patrol_id: int) -> Patrol:
    """Redraw the route along a patrol's GPS track; the route is then unverified until checked."""
    patrol = session.get(Patrol, patrol_id) if isinstance(patrol_id, int) else None
    if patrol is None:
        raise NotFound(N_("This patrol does not exist."))
    if patrol.status != PatrolStatus.ENDED or patrol.track is None:
        raise InvalidInput(N_("Patrol #%(id)s has no finished GPS track to use."), id=patrol.id)
    # A track with gaps is redrawn along its longest segment: a gap is never drawn as a road.
    longest = max(to_shape(patrol.track).geoms, key=lambda part: part.length)
    line = longest.simplify(TRACK_SIMPLIFY_DEGREES, preserve_topology=False)
    if not isinstance(line, LineString):
        raise InvalidInput(N_("Patrol #%(id)s has no finished GPS track to use."), id=patrol.id)
    checked = make_route_input(code=route.code, name=route.name, geom=line)
    started = patrol.started_at.astimezone(VIETNAM_OFFSET).strftime("%d/%m/%Y")
    route.geom = from_shape(checked.line, srid=spatial.SRID)
    route.verified = False
    # Stored data, read by the ward's staff: written in Vietnamese like the rest of their records.
    route.source = f"Vết GPS của chuyến tuần tra #{patrol.id} ({patrol.inspector.username}, {started})"
    session.flush()
    return patrol


def parsed_as_geojson(parsed: ParsedGeography) -> str:
    """A parsed file as GeoJSON (boundaries and routes with their properties): the preview shows it on a
    map, and the confirming form sends it back to be checked again and stored."""
    features = [
        {"type": "Feature", "geometry": mapping(b.area),
         "properties": {"kind": "boundary", "name": b.name, "verified": b.verified, "source": b.source}}
        for b in parsed.boundaries
    ] + [
        {"type": "Feature", "geometry": mapping(r.line),
         "properties": {"kind": "route", "code": r.code, "name": r.name, "name_en": r.name_en, "verified": r.verified,
                        "source": r.source, **({"corridor_m": r.corridor_m} if r.corridor_m else {})}}
        for r in parsed.routes
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def share_outside_ward(session: Session, line: LineString) -> float:
    """Share (0..1) of a route's length outside the ward boundary; 0 when no boundary is known yet."""
    ward = session.scalar(select(Ward).limit(1))
    if ward is None or ward.boundary is None or line.length == 0:
        return 0.0
    centre = line.centroid
    line_m = to_local_metres(line, centre.x, centre.y)
    boundary_m = to_local_metres(to_shape(ward.boundary), centre.x, centre.y)
    return max(0.0, min(1.0, line_m.difference(boundary_m).length / line_m.length))


MOSTLY_OUTSIDE = 0.5  # a route with more than this share of its length outside the ward must be confirmed


def routes_mostly_outside(session: Session, parsed: ParsedGeography) -> dict[str, float]:
    """{code: share outside} of a parsed file's routes lying mostly outside the ward."""
    shares = {r.code: share_outside_ward(session, r.line) for r in parsed.routes}
    return {code: share for code, share in shares.items() if share > MOSTLY_OUTSIDE}


def parse_uploaded_geography(filename: str, data: bytes, route_code: str | None = None,
                             route_name: str | None = None) -> ParsedGeography:
    """Parse an uploaded .geojson/.json or .gpx file (bytes) into checked boundaries and routes."""
    if not data:
        raise InvalidInput(N_("Choose a GeoJSON or GPX file to import."))
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(N_("The file is larger than %(mb)s MB."), mb=MAX_IMPORT_BYTES // (1024 * 1024))
    try:
        text_value = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(N_("The file %(path)s is not UTF-8 text."), path=filename or "?") from None
    filename = "".join(ch for ch in (filename or "") if ch.isprintable())[-100:]
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("geojson", "json"):
        return parse_geojson(text_value, filename)
    if suffix == "gpx":
        return parse_gpx(text_value, filename, route_code=route_code or None, route_name=route_name or None)
    raise InvalidInput(N_("Unknown file type %(suffix)s: use .geojson or .gpx."), suffix=f".{suffix}" if suffix else "?")
