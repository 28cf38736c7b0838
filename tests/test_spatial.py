"""The spatial module on the current database (and, in the PostGIS pass, against SpatiaLite)."""
import json
import math
from itertools import pairwise

import pytest
from geographiclib.geodesic import Geodesic
from sqlalchemy import select

from inspect_app.domain.geo import geography, spatial
from inspect_app.extensions import db
from inspect_app.models import Route

from .conftest import make_app

# Points from the seed file: the placeholder UBND position, Rạch Sung bridge, the market.
UBND = (105.5891, 10.1716)
BRIDGE = (105.5975, 10.1775)
MARKET = (105.6044, 10.1767)
WGS84 = Geodesic.WGS84


def geodesic_m(a, b):
    return WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"]


def test_distance_in_metres_matches_the_geodesic_reference(session):
    measured = spatial.distance_m(session, spatial.point(*UBND), spatial.point(*BRIDGE))
    assert measured == pytest.approx(geodesic_m(UBND, BRIDGE), abs=0.05)
    assert 1000 < measured < 1200


def test_route_length_matches_the_sum_of_geodesic_segments(session, demo_ward):
    route, length_m = next(row for row in geography.routes_with_length(session) if row[0].code == "R3")
    coords = json.loads(
        session.execute(select(spatial.geojson_expr(session, Route.geom)).where(Route.id == route.id)).scalar_one()
    )["coordinates"]
    expected = sum(geodesic_m(a, b) for a, b in pairwise(coords))
    assert length_m == pytest.approx(expected, rel=1e-4)


def _local_metres(lon, lat, origin):
    """Equirectangular projection around origin: good to well under 1 % over a few km."""
    x = (lon - origin[0]) * 111_320.0 * math.cos(math.radians(origin[1]))
    y = (lat - origin[1]) * 110_574.0
    return x, y


def python_routes_within(session, lon, lat, metres):
    """Reference answer computed outside the database, with the margin to the nearest edge case."""
    from shapely.geometry import LineString, Point

    inside, closest_margin = set(), float("inf")
    for route in session.scalars(select(Route)):
        coords = json.loads(
            session.execute(select(spatial.geojson_expr(session, Route.geom)).where(Route.id == route.id)).scalar_one()
        )["coordinates"]
        line = LineString([_local_metres(x, y, (lon, lat)) for x, y in coords])
        distance = line.distance(Point(0, 0))
        closest_margin = min(closest_margin, abs(distance - metres) / metres)
        if distance <= metres:
            inside.add(route.code)
    return inside, closest_margin


# (origin, radius in metres, routes expected): the expectation is also recomputed outside
# the database below, so a wrong row here fails as loudly as a wrong query.
QUERY_POINTS = [
    (UBND, 30, {"R1", "R3"}),
    (BRIDGE, 50, {"R1"}),
    (MARKET, 100, set()),
    (MARKET, 350, {"R2"}),
    (MARKET, 1200, {"R1", "R2", "R3"}),
    ((105.5800, 10.1560), 150, {"R3"}),
    ((105.5800, 10.1560), 4000, {"R1", "R2", "R3"}),
    ((105.70, 10.20), 100, set()),
]


@pytest.mark.parametrize("origin,metres,expected", QUERY_POINTS)
def test_routes_within_distance_match_a_reference_outside_the_database(session, demo_ward, origin, metres, expected):
    reference, margin = python_routes_within(session, *origin, metres)
    assert margin > 0.02, "test point too close to a route's edge for a fair comparison"
    assert reference == expected
    found = {r.code for r in geography.routes_within(session, *origin, metres)}
    assert found == expected


def test_within_distance_finds_something_and_nothing(session, demo_ward):
    assert "R1" in {r.code for r in geography.routes_within(session, *UBND, 30)}
    assert geography.routes_within(session, 105.9, 10.5, 500) == []


def test_nearest_route_gives_route_and_distance(session, demo_ward):
    route, distance = geography.nearest_route(session, BRIDGE[0] + 0.0002, BRIDGE[1], 200)
    assert route.code == "R1"
    assert 0 < distance < 60
    assert geography.nearest_route(session, 105.9, 10.5, 200) is None


def test_geojson_round_trip(session):
    geometry = {"type": "LineString", "coordinates": [[105.63, 10.09], [105.64, 10.1]]}
    back = session.execute(select(spatial.geojson_expr(session, spatial.geometry_from_geojson(session, geometry)))).scalar_one()
    back = json.loads(back)
    assert back["type"] == "LineString"
    assert [tuple(c) for c in back["coordinates"]] == [pytest.approx(tuple(c)) for c in geometry["coordinates"]]


def _plan(session, clause):
    if spatial.database_kind(session) == spatial.POSTGIS:
        # With a handful of rows any planner prefers a scan; forbid it to see whether the
        # index *can* serve this query (an unindexable expression would still scan).
        session.execute(db.text("SET LOCAL enable_seqscan = off"))
    return spatial.explain(session, select(Route.id).where(clause))


def test_within_distance_uses_the_spatial_index(session, demo_ward):
    plan = _plan(session, spatial.within_distance(session, Route.geom, *UBND, 30))
    if spatial.database_kind(session) == spatial.SPATIALITE:
        assert "SpatialIndex" in plan
        assert "SCAN routes" not in plan
    else:
        assert "idx_routes_geom" in plan


def test_plain_distance_filter_does_not_use_the_index(session, demo_ward):
    """Control: the plan check above can fail; a bare distance test scans the table."""
    clause = spatial.distance_m_expr(session, Route.geom, *UBND) < 30
    plan = _plan(session, clause)
    assert "SpatialIndex" not in plan and "idx_routes_geom" not in plan


@pytest.fixture
def other_spatialite(tmp_path):
    """A second, SpatiaLite database with the demo ward, for cross-database comparisons."""
    from flask_migrate import upgrade

    from inspect_app.operations import demo

    app = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path)
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, "Phường Thới Long", "TL")
        db.session.commit()
        yield db.session
        db.session.remove()
        db.engine.dispose()


def _in_app(app, fn):
    with app.app_context():
        return fn(db.session)


@pytest.mark.postgis
def test_distance_agrees_between_spatialite_and_postgis(app, other_spatialite):
    postgis = _in_app(app, lambda s: spatial.distance_m(s, spatial.point(*UBND), spatial.point(*BRIDGE)))
    spatialite = spatial.distance_m(other_spatialite, spatial.point(*UBND), spatial.point(*BRIDGE))
    assert spatial.database_kind(other_spatialite) == spatial.SPATIALITE
    assert abs(postgis - spatialite) < 0.1


@pytest.mark.postgis
@pytest.mark.parametrize("origin,metres,expected", QUERY_POINTS)
def test_routes_within_agrees_between_spatialite_and_postgis(app, demo_ward, other_spatialite, origin, metres, expected):
    on_postgis = _in_app(app, lambda s: {r.code for r in geography.routes_within(s, *origin, metres)})
    on_spatialite = {r.code for r in geography.routes_within(other_spatialite, *origin, metres)}
    assert on_postgis == on_spatialite == expected
