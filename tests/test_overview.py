"""Week coverage and overview numbers on both databases."""
from datetime import UTC, date, datetime, timedelta

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiLineString
from sqlalchemy import select

from inspect_app.domain.cases import overview
from inspect_app.models import Patrol, Route

from .factories import make_case, new_uuid, points_along

MONDAY = date(2026, 11, 23)
IN_THE_WEEK = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _patrol(session, user_id, route, coords, when=IN_THE_WEEK):
    patrol = Patrol(client_uuid=new_uuid(), inspector_id=user_id, route_id=route.id, status="ended", started_at=when,
                    ended_at=when + timedelta(hours=1), track=from_shape(MultiLineString([coords]), srid=4326),
                    track_length_m=1000.0, coverage=0.0)
    session.add(patrol)
    session.flush()
    return patrol


@pytest.fixture
def r1(session, demo_ward):
    route = session.scalar(select(Route).where(Route.code == "R1"))
    return route, list(to_shape(route.geom).coords)


def _week(session, code="R1"):
    return next(w for w in overview.patrol_week(session, MONDAY) if w.route.code == code)


def test_whole_route_is_covered(session, people, r1):
    route, coords = r1
    _patrol(session, people["inspector"], route, points_along(coords, 50))
    week = _week(session)
    assert week.patrols == 1 and week.coverage > 0.99 and week.uncovered is None


def test_half_the_route(session, people, r1):
    route, coords = r1
    walk = points_along(coords, 25)
    _patrol(session, people["inspector"], route, walk[: len(walk) // 2])
    week = _week(session)
    assert 0.45 < week.coverage < 0.6
    assert week.uncovered["type"] in ("LineString", "MultiLineString")


def test_no_patrol_this_week(session, people, r1):
    route, coords = r1
    _patrol(session, people["inspector"], route, coords, when=IN_THE_WEEK - timedelta(days=7))
    week = _week(session)
    assert week.patrols == 0 and week.coverage == 0.0 and week.uncovered is not None


def test_two_overlapping_patrols_count_once(session, people, r1):
    route, coords = r1
    walk = points_along(coords, 25)
    first_two_thirds = walk[: 2 * len(walk) // 3]
    last_two_thirds = walk[len(walk) // 3:]
    _patrol(session, people["inspector"], route, first_two_thirds)
    _patrol(session, people["inspector2"], route, last_two_thirds)
    week = _week(session)
    assert week.patrols == 2 and week.distance_m == 2000.0
    assert 0.99 < week.coverage <= 1.0  # not 4/3


def test_overview_numbers(session, people):
    today = date(2026, 11, 26)
    make_case(session, people["inspector"], "warning", due=today - timedelta(days=1), khu_vuc="Thới Mỹ",
              detected_at=IN_THE_WEEK)
    make_case(session, people["inspector"], "detected", khu_vuc="Bắc Vàng", detected_at=IN_THE_WEEK - timedelta(days=10))
    make_case(session, people["inspector"], "closed", last_event_at=IN_THE_WEEK, detected_at=IN_THE_WEEK - timedelta(days=30))
    # Counted by the week's edges (Monday 00:00 ward time is in, the next Monday is not); a closed case
    # with a past deadline is not overdue; one closed last week is not "closed this week".
    week_starts = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # Monday 23/11 00:00 in Vietnam
    week_ends = week_starts + timedelta(days=7)
    make_case(session, people["inspector"], "stop_work", detected_at=week_starts)
    make_case(session, people["inspector"], "stop_work", detected_at=week_ends)
    make_case(session, people["inspector"], "enforcement", detected_at=week_ends - timedelta(seconds=1))
    make_case(session, people["inspector"], "detected", detected_at=week_starts - timedelta(seconds=1))
    make_case(session, people["inspector"], "closed", due=today - timedelta(days=5), last_event_at=week_starts - timedelta(seconds=1))
    make_case(session, people["inspector"], "closed", last_event_at=week_ends)
    for stage in ("stop_work", "enforcement", "enforcement", "enforcement"):  # each stage its own count
        make_case(session, people["inspector"], stage, detected_at=week_starts - timedelta(days=20))
    numbers = overview.overview_numbers(session, today)
    assert numbers["per_stage"] == {"detected": 2, "warning": 1, "stop_work": 3, "enforcement": 4}
    assert numbers["new_this_week"] == 3 and numbers["overdue"] == 1 and numbers["closed_this_week"] == 1
    assert dict(numbers["per_khu_vuc"]) == {"Bắc Vàng": 1, "Thới Mỹ": 1}
