"""Patrols on both databases: track points, track length, route coverage, stale patrols."""
from datetime import timedelta

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_app.domain.field import coverage, patrols
from inspect_app.models import Patrol, Route, TrackPoint
from inspect_app.models.types import utcnow

from .factories import geodesic_length, new_uuid, offset, points_along

RULES = patrols.PatrolRules(accuracy_limit_m=50, future_tolerance_s=300, auto_end_after_h=12)


@pytest.fixture
def field(session, demo_ward):
    """The demo inspector and route R1 with its coordinates."""
    inspector = accounts.find_user(session, "kiemtra")
    r1 = session.scalar(select(Route).where(Route.code == "R1"))
    return inspector, r1, list(to_shape(r1.geom).coords)


def _batch(coords, start, accuracy=8.0, step_s=20):
    return [{"t": int((start + timedelta(seconds=i * step_s)).timestamp() * 1000), "lon": lon, "lat": lat, "acc": accuracy}
            for i, (lon, lat) in enumerate(coords)]


def test_full_patrol_length_and_coverage(session, field):
    inspector, r1, coords = field
    patrol, created = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    assert created and patrol.status == "open"
    walk = points_along(coords, 100)
    result = patrols.add_track_points(session, patrol, inspector, _batch(walk, patrol.started_at), RULES)
    assert result == {"received": len(walk), "added": len(walk), "poor_accuracy": 0}
    patrols.end_patrol(session, patrol, inspector, RULES)
    assert patrol.status == "ended" and patrol.points_used == len(walk)
    assert patrol.track_length_m == pytest.approx(geodesic_length(walk), rel=0.01)
    assert patrol.coverage > 0.99


def test_partial_and_no_coverage(session, field):
    _inspector, r1, coords = field
    half_way = points_along(coords, 50)
    first_half = half_way[: len(half_way) // 2 + 1]
    share = coverage.route_coverage(coords, first_half, r1.corridor_m)
    # The corridor reaches 50 m past the last point, so a little more than half is covered.
    assert 0.5 < share < 0.62
    far_away = [offset(*c, metres_north=400) for c in coords]
    assert coverage.route_coverage(coords, far_away, r1.corridor_m) == 0.0
    alongside = [offset(*c, metres_north=30) for c in points_along(coords, 20)]
    assert coverage.route_coverage(coords, alongside, r1.corridor_m) > 0.95
    assert coverage.route_coverage(coords, [], r1.corridor_m) == 0.0


def test_poor_fixes_are_kept_but_left_out_of_the_track(session, field):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    good = _batch(points_along(coords, 200), patrol.started_at)
    poor = {"t": good[2]["t"] + 5000, "lon": 105.60, "lat": 10.19, "acc": 180.0}
    result = patrols.add_track_points(session, patrol, inspector, good + [poor], RULES)
    assert result["poor_accuracy"] == 1
    patrols.end_patrol(session, patrol, inspector, RULES)
    assert patrol.points_rejected == 1 and patrol.points_used == len(good)
    assert patrol.track_length_m == pytest.approx(geodesic_length(coords), rel=0.01)


def test_a_batch_sent_twice_adds_its_points_once(session, field):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    batch = _batch(coords, patrol.started_at)
    patrols.add_track_points(session, patrol, inspector, batch, RULES)
    again = patrols.add_track_points(session, patrol, inspector, batch, RULES)
    assert again["added"] == 0
    assert session.scalar(select(func.count()).select_from(TrackPoint).where(TrackPoint.patrol_id == patrol.id)) == len(batch)


def test_the_same_start_uuid_gives_the_same_patrol(session, field):
    inspector, r1, _ = field
    key = new_uuid()
    first, created = patrols.start_patrol(session, inspector, r1.id, key, RULES)
    again, created_again = patrols.start_patrol(session, inspector, r1.id, key, RULES)
    assert created and not created_again and again.id == first.id
    assert session.scalar(select(func.count()).select_from(Patrol)) == 1


def test_someone_elses_uuid_is_refused(session, field):
    inspector, r1, _ = field
    key = new_uuid()
    patrols.start_patrol(session, inspector, r1.id, key, RULES)
    other = accounts.create_user(session, "thanh", "inspector", "mat-khau-dai")
    with pytest.raises(Conflict):
        patrols.start_patrol(session, other, r1.id, key, RULES)


def test_points_for_someone_elses_patrol_are_refused(session, field):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    other = accounts.create_user(session, "thanh", "inspector", "mat-khau-dai")
    with pytest.raises(Forbidden):
        patrols.add_track_points(session, patrol, other, _batch(coords, patrol.started_at), RULES)
    assert session.scalar(select(func.count()).select_from(TrackPoint)) == 0


@pytest.mark.parametrize("bad", [
    {"t": "future"}, {"lat": 999}, {"lat": float("nan")}, {"lon": "105.6"}, {"acc": -1}, {"t": "not a time"}, {"t": None},
])
def test_bad_points_refuse_the_whole_batch(session, field, bad):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    batch = _batch(coords, patrol.started_at)
    if bad.get("t") == "future":
        bad = {"t": int((utcnow() + timedelta(days=1)).timestamp() * 1000)}
    batch[1].update(bad)
    with pytest.raises(InvalidInput):
        patrols.add_track_points(session, patrol, inspector, batch, RULES)
    assert session.scalar(select(func.count()).select_from(TrackPoint)) == 0


def test_starting_a_new_patrol_ends_the_open_one(session, field):
    inspector, r1, coords = field
    first, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    patrols.add_track_points(session, first, inspector, _batch(points_along(coords, 100), first.started_at), RULES)
    second, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    assert first.status == "ended" and first.track_length_m > 1000 and second.status == "open"


def test_stale_patrols_are_ended_by_the_system_with_their_track(session, field):
    inspector, r1, coords = field
    long_ago = utcnow() - timedelta(hours=30)
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES, now=long_ago)
    patrols.add_track_points(session, patrol, inspector, _batch(points_along(coords, 100), long_ago), RULES)
    fresh, _ = patrols.start_patrol(session, accounts.create_user(session, "thanh", "inspector", "mat-khau-dai"), r1.id, new_uuid(), RULES)
    ended = patrols.end_stale_patrols(session, RULES)
    assert [p.id for p in ended] == [patrol.id]
    assert patrol.ended_by_system and patrol.track_length_m > 1000 and fresh.status == "open"


def test_ending_twice_changes_nothing(session, field):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    patrols.add_track_points(session, patrol, inspector, _batch(coords, patrol.started_at), RULES)
    patrols.end_patrol(session, patrol, inspector, RULES)
    ended_at, length = patrol.ended_at, patrol.track_length_m
    patrols.end_patrol(session, patrol, inspector, RULES)
    assert (patrol.ended_at, patrol.track_length_m) == (ended_at, length)


def test_a_patrol_started_and_ended_offline_keeps_the_phone_times(session, field):
    inspector, r1, coords = field
    phone_start = utcnow() - timedelta(hours=3)
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES, started_at=phone_start)
    assert patrol.started_at == phone_start
    patrols.end_patrol(session, patrol, inspector, RULES, ended_at=phone_start + timedelta(minutes=40))
    assert patrol.ended_at == phone_start + timedelta(minutes=40) and patrol.track is None
    # An end time before the start or after now is kept within the patrol's life.
    other, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES, started_at=phone_start)
    patrols.end_patrol(session, other, inspector, RULES, ended_at=phone_start - timedelta(hours=1))
    assert other.ended_at == phone_start


def test_points_that_arrive_after_the_end_are_added_and_the_track_computed_again(session, field):
    """A phone that was offline sends its last points after the end: they count; later ones are refused."""
    inspector, r1, coords = field
    phone_start = utcnow() - timedelta(hours=2)
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES, started_at=phone_start)
    walk = points_along(coords, 100)
    half = len(walk) // 2
    patrols.add_track_points(session, patrol, inspector, _batch(walk[:half], phone_start, step_s=5), RULES)
    patrols.end_patrol(session, patrol, inspector, RULES, ended_at=phone_start + timedelta(hours=1))
    first_length, first_coverage = patrol.track_length_m, patrol.coverage
    late = _batch(walk[half:], phone_start + timedelta(seconds=5 * half), step_s=5)
    result = patrols.add_track_points(session, patrol, inspector, late, RULES)
    assert result["added"] == len(walk) - half
    assert patrol.track_length_m > first_length and patrol.coverage > first_coverage
    assert patrol.status == "ended" and patrol.ended_at == phone_start + timedelta(hours=1)
    again = patrols.add_track_points(session, patrol, inspector, late, RULES)
    assert again["added"] == 0
    with pytest.raises(Conflict):
        patrols.add_track_points(session, patrol, inspector, _batch(coords, phone_start + timedelta(minutes=90)), RULES)


def test_a_patrol_is_found_by_its_uuid_only_by_its_inspector(session, field, app):
    inspector, r1, coords = field
    client_uuid = new_uuid()
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, client_uuid, RULES)
    assert patrols.get_patrol_by_uuid(session, client_uuid, inspector) is patrol
    other = accounts.create_user(session, "kiemtra9", "inspector", "mat-khau-dai-9", full_name="Người Khác")
    with pytest.raises(Forbidden):
        patrols.get_patrol_by_uuid(session, client_uuid, other)
    with pytest.raises(NotFound):
        patrols.get_patrol_by_uuid(session, new_uuid(), inspector)


def test_patrol_geojson_has_track_and_route(session, field):
    inspector, r1, coords = field
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), RULES)
    patrols.add_track_points(session, patrol, inspector, _batch(points_along(coords, 100), patrol.started_at), RULES)
    patrols.end_patrol(session, patrol, inspector, RULES)
    collection = patrols.patrol_feature_collection(session, patrol)
    kinds = {f["properties"]["kind"]: f for f in collection["features"]}
    assert kinds["track"]["geometry"]["type"] == "MultiLineString"
    assert kinds["route"]["properties"]["code"] == "R1"
