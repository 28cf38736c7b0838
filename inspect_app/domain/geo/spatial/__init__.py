"""Spatial queries that behave the same on SpatiaLite and PostGIS.

The rest of the code never asks which database it is on: it calls these functions.
Distances are in metres on the WGS84 ellipsoid; geometries are stored in EPSG:4326.
Every within-distance filter goes through the spatial index on both databases:
SpatiaLite never uses its R*Tree unless asked through the SpatialIndex virtual table,
and PostGIS cannot use a geometry GiST index for a geography ST_DWithin, so both
first cut candidates by a bounding box in degrees, then test the exact distance.
"""
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import BigInteger, Select, String, cast, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .engine import POSTGIS, SPATIALITE, kind_of_url

SRID = 4326
_METRES_PER_DEGREE_LAT = 110_574.0  # smallest value on the ellipsoid (at the equator)
_BOX_MARGIN = 1.02
MICRODEGREES = 1_000_000


def database_kind(session: Session) -> str:
    """'spatialite' or 'postgis' for the session's database."""
    return kind_of_url(session.get_bind().engine.url)


def database_version(session: Session) -> str:
    """Version string of SpatiaLite or PostGIS."""
    if database_kind(session) == SPATIALITE:
        return session.execute(text("SELECT spatialite_version()")).scalar_one()
    return session.execute(text("SELECT postgis_lib_version()")).scalar_one()


def point(lon: float, lat: float) -> ColumnElement:
    """SQL expression for a WGS84 point."""
    return func.ST_GeomFromText(f"POINT({float(lon)!r} {float(lat)!r})", SRID)


def geometry_from_wkt(wkt: str) -> ColumnElement:
    """SQL expression for a WGS84 geometry given as WKT."""
    return func.ST_GeomFromText(wkt, SRID)


def distance_m(session: Session, geom_a: Any, geom_b: Any) -> float:
    """Ellipsoidal distance in metres between two geometry expressions."""
    return session.execute(select(_distance_m_expr(session, geom_a, geom_b))).scalar_one()


def _distance_m_expr(session, geom_a, geom_b):
    if database_kind(session) == SPATIALITE:
        return func.ST_Distance(geom_a, geom_b, 1)
    return func.ST_Distance(cast(geom_a, Geography), cast(geom_b, Geography))


def distance_m_expr(session: Session, geom_column: Any, lon: float, lat: float) -> ColumnElement:
    """SQL expression: metres from a geometry column to a point."""
    return _distance_m_expr(session, geom_column, point(lon, lat))


def length_m_expr(session: Session, geom_column: Any) -> ColumnElement:
    """SQL expression: ellipsoidal length in metres of a line column."""
    if database_kind(session) == SPATIALITE:
        return func.ST_Length(geom_column, 1)
    return func.ST_Length(cast(geom_column, Geography))


def degree_box(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(minlon, minlat, maxlon, maxlat) that surely contains every point within metres."""
    dlat = metres / _METRES_PER_DEGREE_LAT * _BOX_MARGIN
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlon = metres / (111_320.0 * cos_lat) * _BOX_MARGIN
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def _spatialite_index_candidates(geom_column, minx, miny, maxx, maxy):
    """ROWID IN (rows whose bounding box meets the frame), through SpatiaLite's R*Tree."""
    spatial_index = table(
        "SpatialIndex", column("f_table_name", String), column("f_geometry_column", String), column("search_frame")
    )
    candidates: Select = (
        select(literal_column("ROWID"))
        .select_from(spatial_index)
        .where(
            spatial_index.c.f_table_name == geom_column.table.name,
            spatial_index.c.f_geometry_column == geom_column.name,
            spatial_index.c.search_frame == func.BuildMbr(minx, miny, maxx, maxy, SRID),
        )
    )
    return literal_column(f'"{geom_column.table.name}".ROWID').in_(candidates)


def in_bbox(session: Session, geom_column: Any, minlon: float, minlat: float, maxlon: float,
            maxlat: float) -> ColumnElement:
    """WHERE clause: the geometry's bounding box meets the box, through the spatial index."""
    if database_kind(session) == SPATIALITE:
        return _spatialite_index_candidates(geom_column, minlon, minlat, maxlon, maxlat) & func.MbrIntersects(
            geom_column, func.BuildMbr(minlon, minlat, maxlon, maxlat, SRID)
        )
    return geom_column.op("&&")(func.ST_MakeEnvelope(minlon, minlat, maxlon, maxlat, SRID))


def contains_point(session: Session, geom_column: Any, lon: float, lat: float) -> ColumnElement:
    """WHERE clause: the (polygon) column contains the point, through the spatial index."""
    inside = func.ST_Intersects(geom_column, point(lon, lat))
    if database_kind(session) == SPATIALITE:
        return _spatialite_index_candidates(geom_column, lon, lat, lon, lat) & (inside == 1)
    return inside


def insert_ignoring_duplicates(session: Session, model_table: Any, rows: Sequence[Mapping[str, Any]],
                               unique_columns: Sequence[str]) -> int:
    """INSERT rows, silently skipping those that clash with a unique key; returns rows inserted."""
    if not rows:
        return 0
    insert = sqlite_insert if database_kind(session) == SPATIALITE else postgresql_insert
    statement = (
        insert(model_table).values(rows).on_conflict_do_nothing(index_elements=unique_columns)
        .returning(model_table.c[unique_columns[0]])
    )
    # Counted from RETURNING: rowcount is -1 for this statement on psycopg.
    return len(session.execute(statement).all())


def within_distance(session: Session, geom_column: Any, lon: float, lat: float, metres: float) -> ColumnElement:
    """WHERE clause: geom_column lies within metres of the point, through the spatial index."""
    minx, miny, maxx, maxy = degree_box(lon, lat, metres)
    if database_kind(session) == SPATIALITE:
        # Not PtDistWithin: for lines it answered "within 50 m" for a line 63 m away
        # (tests/test_spatial.py); the ellipsoidal ST_Distance on index candidates is exact.
        return _spatialite_index_candidates(geom_column, minx, miny, maxx, maxy) & (
            func.ST_Distance(geom_column, point(lon, lat), 1) <= metres
        )
    envelope = func.ST_MakeEnvelope(minx, miny, maxx, maxy, SRID)
    return geom_column.op("&&")(envelope) & func.ST_DWithin(
        cast(geom_column, Geography), cast(point(lon, lat), Geography), metres
    )


def nearest(session: Session, statement: Select, geom_column: Any, lon: float, lat: float, max_metres: float,
            limit: int = 1) -> Sequence[Any]:
    """Rows of a select within max_metres of the point, nearest first, each with distance_m."""
    distance = distance_m_expr(session, geom_column, lon, lat).label("distance_m")
    query = (
        statement.add_columns(distance)
        .where(within_distance(session, geom_column, lon, lat, max_metres))
        .order_by(distance)
        .limit(limit)
    )
    return session.execute(query).all()


def x_expr(session: Session, geom_column: Any) -> ColumnElement:
    """SQL for a point's longitude (ST_X on both databases)."""
    return func.ST_X(geom_column)


def y_expr(session: Session, geom_column: Any) -> ColumnElement:
    """SQL for a point's latitude (ST_Y on both databases)."""
    return func.ST_Y(geom_column)


def point_microdegrees_exprs(session: Session, geom_column: Any) -> tuple[ColumnElement, ColumnElement]:
    """SQL for a point's longitude and latitude in whole micro-degrees (rounded), as integers.
    SpatiaLite reads them from the blob's bounding box (a point's is the point itself), which is
    several times faster than parsing the geometry for ST_X and ST_Y."""
    if database_kind(session) == SPATIALITE:
        x, y = func.MbrMinX(geom_column), func.MbrMinY(geom_column)
    else:
        x, y = func.ST_X(geom_column), func.ST_Y(geom_column)
    return cast(func.round(x * MICRODEGREES), BigInteger), cast(func.round(y * MICRODEGREES), BigInteger)


def comma_joined(session: Session, value: Any) -> ColumnElement:
    """SQL aggregate: the values of a group as one text, comma-separated, NULLs skipped. Both databases take
    the rows in the order they come (from an ordered subquery, in practice that order), and every such
    aggregate of one SELECT sees the rows in the same order: callers may rely on that alignment, not on
    the order (an ORDER BY per aggregate would sort the rows once for each)."""
    if database_kind(session) == SPATIALITE:
        return func.group_concat(value, ",")
    return func.string_agg(cast(value, String), literal_column("','"))


def geojson_expr(session: Session, geom_column: Any) -> ColumnElement:
    """SQL expression: the geometry as a GeoJSON geometry string."""
    if database_kind(session) == SPATIALITE:
        return func.AsGeoJSON(geom_column)
    return func.ST_AsGeoJSON(geom_column)


def geometry_from_geojson(session: Session, geometry: Mapping[str, Any]) -> ColumnElement:
    """SQL expression for a GeoJSON geometry (dict or string), in WGS84."""
    text_value = geometry if isinstance(geometry, str) else json.dumps(geometry)
    if database_kind(session) == SPATIALITE:
        return func.SetSRID(func.GeomFromGeoJSON(text_value), SRID)
    return func.ST_SetSRID(func.ST_GeomFromGeoJSON(text_value), SRID)


def explain(session: Session, statement: Any) -> str:
    """The database's query plan for a statement, as one string (for index checks)."""
    compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    if database_kind(session) == SPATIALITE:
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    rows = session.execute(text(f"EXPLAIN {compiled}")).all()
    return "\n".join(row[0] for row in rows)


__all__ = [
    "POSTGIS", "SPATIALITE", "SRID", "contains_point", "database_kind", "database_version", "degree_box",
    "distance_m", "distance_m_expr", "explain", "geojson_expr", "geometry_from_geojson", "in_bbox",
    "insert_ignoring_duplicates",
    "geometry_from_wkt", "length_m_expr", "nearest", "point", "within_distance", "SEARCH_TABLE", "text_matches",
]


# The full-text index of cases (migration 0022): an FTS5 table over violations.search_text on SQLite,
# an expression GIN index on to_tsvector('simple', search_text) on PostgreSQL. Both match words by prefix.
SEARCH_TABLE = "violations_search"
_SEARCH_WORD = re.compile(r"[0-9a-z]{1,40}")


def text_matches(session: Session, id_column: Any, text_column: Any, words: Sequence[str]) -> ColumnElement:
    """Rows whose folded text has every word, the last one of two characters or more as the start of a word
    (it may be half typed; a single letter or digit stays a word: "so 3" is not "so 30"), through the
    full-text index. `words` are folded already (letters a-z and digits only)."""
    words = [word for word in words if _SEARCH_WORD.fullmatch(word)]  # nothing else ever reaches the query text
    if not words:
        return literal_column("1") == literal_column("1")
    if database_kind(session) == SPATIALITE:
        last = f'"{words[-1]}"' + ("*" if len(words[-1]) > 1 else "")
        query = " AND ".join([f'"{word}"' for word in words[:-1]] + [last])
        matching: Select = select(column("rowid")).select_from(table(SEARCH_TABLE)).where(
            literal_column(SEARCH_TABLE).op("MATCH")(query))
        return id_column.in_(matching)
    query = " & ".join(list(words[:-1]) + [words[-1] + (":*" if len(words[-1]) > 1 else "")])
    return func.to_tsvector(literal_column("'simple'"), text_column).op("@@")(
        func.to_tsquery(literal_column("'simple'"), query))
