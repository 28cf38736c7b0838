"""The ward and its routes in the database: storing imports, listing, GeoJSON out.

The caller commits. Spatial SQL comes only from domain.geo.spatial.
"""
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Route, Ward
from ..errors import N_, InvalidInput
from . import spatial
from .geo_import import BoundaryInput, ParsedGeography
from .gis_files import Feature, Layer


@dataclass
class ImportResult:
    """What an import changed."""

    boundary: str = ""
    routes_created: list = field(default_factory=list)
    routes_updated: list = field(default_factory=list)
    ignored: list = field(default_factory=list)


def get_ward(session: Session) -> Ward | None:
    """The ward this installation serves, or None before set-up."""
    return session.scalar(select(Ward).order_by(Ward.id).limit(1))


def ensure_ward(session: Session, name: str, code_prefix: str) -> Ward:
    """The ward, created with this name and prefix if there is none yet."""
    ward = get_ward(session)
    if ward is None:
        ward = Ward(name=name, code_prefix=code_prefix)
        session.add(ward)
        session.flush()
    return ward


def ward_centre(session: Session, fallback: Sequence[float] = (10.17, 105.59)) -> list[float]:
    """(lat, lon) of the ward boundary's centroid, to centre maps before a GPS fix."""
    ward = get_ward(session)
    if ward is None or ward.boundary is None:
        return list(fallback)
    centre = to_shape(ward.boundary).centroid
    return [round(centre.y, 6), round(centre.x, 6)]


def choose_boundary(boundaries: Sequence[BoundaryInput], boundary_name: str | None = None) -> BoundaryInput | None:
    """Pick the boundary to use from a file's boundaries; several need a name."""
    if boundary_name:
        for boundary in boundaries:
            if boundary.name == boundary_name:
                return boundary
        raise InvalidInput(
            N_("No boundary named %(name)s in the file; it has: %(names)s."),
            name=boundary_name, names="; ".join(b.name for b in boundaries) or "-",
        )
    if len(boundaries) > 1:
        raise InvalidInput(
            N_("The file has %(n)s boundaries; choose one by name (--boundary): %(names)s."),
            n=len(boundaries), names="; ".join(b.name for b in boundaries),
        )
    return boundaries[0] if boundaries else None


def import_geography(session: Session, parsed: ParsedGeography, ward_name: str, code_prefix: str,
                     boundary_name: str | None = None, default_corridor_m: float = 50) -> ImportResult:
    """Store a parsed file: set the ward boundary and create or replace routes by code."""
    result = ImportResult(ignored=list(parsed.ignored))
    boundary = choose_boundary(parsed.boundaries, boundary_name)
    if boundary is not None:
        ward = ensure_ward(session, ward_name, code_prefix)
        ward.boundary = from_shape(boundary.area, srid=spatial.SRID)
        ward.boundary_name = boundary.name
        ward.boundary_verified = boundary.verified
        ward.boundary_source = boundary.source
        result.boundary = boundary.name
    for item in parsed.routes:
        route = session.scalar(select(Route).where(Route.code == item.code))
        if route is None:
            route = Route(code=item.code, corridor_m=item.corridor_m or default_corridor_m)
            session.add(route)
            result.routes_created.append(item.code)
        else:
            result.routes_updated.append(item.code)
            if item.corridor_m:
                route.corridor_m = item.corridor_m
        # A file without a real name (a device's time stamp) leaves the route its name.
        route.name = item.name or route.name or item.code
        route.name_en = item.name_en
        route.geom = from_shape(item.line, srid=spatial.SRID)
        route.verified = item.verified
        route.source = item.source
    session.flush()
    return result


def list_routes(session: Session) -> Sequence[Route]:
    """Every route, by code."""
    return session.scalars(select(Route).order_by(Route.code)).all()


def routes_with_length(session: Session, include_retired: bool = False) -> Sequence[Any]:
    """(route, length in metres) for every route in use (and the retired ones if asked), by code."""
    length = spatial.length_m_expr(session, Route.geom).label("length_m")
    query = select(Route, length).order_by(Route.code)
    if not include_retired:
        query = query.where(Route.retired_at.is_(None))
    return session.execute(query).all()


def routes_within(session: Session, lon: float, lat: float, metres: float) -> Sequence[Route]:
    """Routes whose line passes within metres of a point, by code."""
    query = select(Route).where(spatial.within_distance(session, Route.geom, lon, lat, metres)).order_by(Route.code)
    return session.scalars(query).all()


def nearest_route(session: Session, lon: float, lat: float, max_metres: float) -> tuple[Route, float] | None:
    """(route, distance in metres) of the nearest route within max_metres, or None."""
    rows = spatial.nearest(session, select(Route), Route.geom, lon, lat, max_metres, limit=1)
    return (rows[0][0], rows[0][1]) if rows else None


# Drawn routes and boundaries are simplified to about 1 m (far below a route's corridor): a route
# imported with 200,000 points made the map page 10 MB. The stored geometry stays exact.
DISPLAY_TOLERANCE_DEG = 1e-5


def for_display(geometry: BaseGeometry) -> BaseGeometry:
    """A shapely geometry simplified for drawing (and for week coverage), topology kept."""
    simpler = geometry.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    return simpler if not simpler.is_empty else geometry


def routes_feature_collection(session: Session) -> dict[str, Any]:
    """Every route as a GeoJSON FeatureCollection (dict), with its length and flags."""
    length = spatial.length_m_expr(session, Route.geom).label("length_m")
    geojson = spatial.geojson_expr(session, Route.geom).label("geojson")
    rows = session.execute(select(Route, length, geojson).order_by(Route.code)).all()
    features = [
        {
            "type": "Feature",
            "id": route.id,
            "geometry": mapping(for_display(shape(json.loads(geometry)))),
            "properties": {
                "code": route.code,
                "name": route.name,
                "name_en": route.name_en,
                "length_m": round(length_m, 1),
                "corridor_m": route.corridor_m,
                "verified": route.verified,
                "source": route.source,
            },
        }
        for route, length_m, geometry in rows
    ]
    return {"type": "FeatureCollection", "features": features}


ROUTE_FIELDS = ("code", "name", "name_en", "length_m", "corridor_m", "verified", "retired", "source")


def routes_layer(session: Session) -> Layer:
    """Every route, retired ones too (said so), with its exact line (not simplified) as a GIS layer."""
    length = spatial.length_m_expr(session, Route.geom).label("length_m")
    layer = Layer(name="routes", geometry_type="LineString", fields=ROUTE_FIELDS, name_field="code")
    for route, length_m in session.execute(select(Route, length).order_by(Route.code)).all():
        layer.features.append(Feature(to_shape(route.geom), {
            "code": route.code, "name": route.name, "name_en": route.name_en, "length_m": round(length_m, 1),
            "corridor_m": route.corridor_m, "verified": route.verified, "retired": route.retired_at is not None,
            "source": route.source}))
    return layer


def boundary_layer(session: Session) -> Layer:
    """The ward's boundary (none yet: an empty layer) as a GIS layer, with whether it was checked."""
    layer = Layer(name="boundary", geometry_type="MultiPolygon", fields=("name", "verified"), name_field="name")
    ward = get_ward(session)
    if ward is not None and ward.boundary is not None:
        outline = to_shape(ward.boundary)
        layer.geometry_type = outline.geom_type
        layer.features.append(Feature(outline, {"name": ward.name, "verified": ward.boundary_verified}))
    return layer
