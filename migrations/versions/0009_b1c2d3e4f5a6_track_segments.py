"""A patrol's track is made of segments (MULTILINESTRING): a gap in the GPS is never drawn as walked.

Existing tracks become one segment each; `flask patrols retrack` recomputes them from their points
with the gap and jump rules.

SpatiaLite cannot change a geometry column's type in place, and a table rebuild (batch mode) breaks
spatial tables (docs/STACK-NOTES): the column is unregistered, its values rewritten, then registered
again with the new type and its index rebuilt. PostGIS changes the type in place.

Revision ID: b1c2d3e4f5a6
Revises: a9b8c7d6e5f4
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
from sqlalchemy import text
from shapely import wkb
from shapely.geometry import LineString, MultiLineString


# revision identifiers, used by Alembic.
revision = 'b1c2d3e4f5a6'
down_revision = 'a9b8c7d6e5f4'
branch_labels = None
depends_on = None


def _rewrite_tracks(conn, change):
    """Read every stored track, change it in Python (shapely), write it back."""
    rows = conn.execute(text("SELECT id, ST_AsBinary(track) FROM patrols WHERE track IS NOT NULL")).all()
    for patrol_id, raw in rows:
        shape = change(wkb.loads(bytes(raw)))
        conn.execute(text("UPDATE patrols SET track = ST_GeomFromWKB(:g, 4326) WHERE id = :id"),
                     {"g": None if shape is None else shape.wkb, "id": patrol_id})


def _as_segments(shape):
    return shape if isinstance(shape, MultiLineString) else MultiLineString([shape])


def _as_one_line(shape):
    # The older schema has no room for gaps: the segments are joined again, as that schema drew them.
    if isinstance(shape, LineString):
        return shape
    coords = [c for part in shape.geoms for c in part.coords]
    return LineString(coords) if len(coords) >= 2 else None


def _retype_spatialite(conn, geometry_type, change):
    conn.execute(text("SELECT DisableSpatialIndex('patrols', 'track')"))
    conn.execute(text("DROP TABLE IF EXISTS idx_patrols_track"))
    conn.execute(text("SELECT DiscardGeometryColumn('patrols', 'track')"))
    _rewrite_tracks(conn, change)
    registered = conn.execute(
        text(f"SELECT RecoverGeometryColumn('patrols', 'track', 4326, '{geometry_type}', 'XY')")).scalar()
    if registered != 1:
        raise RuntimeError(f"SpatiaLite refused to register patrols.track as {geometry_type}")
    conn.execute(text("SELECT CreateSpatialIndex('patrols', 'track')"))


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _retype_spatialite(conn, "MULTILINESTRING", _as_segments)
    else:
        conn.execute(text("ALTER TABLE patrols ALTER COLUMN track TYPE geometry(MULTILINESTRING, 4326) "
                          "USING ST_Multi(track)"))


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _retype_spatialite(conn, "LINESTRING", _as_one_line)
    else:
        # Joined in Python first, so that the type change below finds single lines only.
        conn.execute(text("ALTER TABLE patrols ALTER COLUMN track TYPE geometry(GEOMETRY, 4326)"))
        _rewrite_tracks(conn, _as_one_line)
        conn.execute(text("ALTER TABLE patrols ALTER COLUMN track TYPE geometry(LINESTRING, 4326) "
                          "USING track"))
