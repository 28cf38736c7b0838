"""A track tells the truth: GPS jumps left out, gaps split it and are never counted as walked."""
from datetime import UTC, datetime, timedelta

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiLineString
from sqlalchemy import select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.cases import overview
from inspect_app.domain.field import patrols
from inspect_app.domain.field.tracks import Fix, TrackRules, build_track
from inspect_app.domain.ward_time import week_bounds
from inspect_app.models import Route

from .factories import geodesic_length, new_uuid, offset, points_along

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
RULES = TrackRules(accuracy_limit_m=50, max_speed_mps=20, gap_s=60, gap_m=250)


def _fixes(coords, start=T0, step_s=5, accuracy=8.0):
    return [Fix(start + timedelta(seconds=i * step_s), lon, lat, accuracy) for i, (lon, lat) in enumerate(coords)]


def _street(metres=1129, step_m=7):
    start = (105.5900, 10.1700)
    return points_along([start, offset(*start, metres_east=metres)], step_m)


def test_a_walk_is_one_segment_with_its_length():
    walk = _street()
    track = build_track(_fixes(walk), RULES)
    assert len(track.segments) == 1 and track.gaps == [] and track.jumps == 0
    assert track.length_m() == pytest.approx(1129, rel=0.005)


def test_one_gps_jump_is_left_out_and_adds_nothing():
    """The issue's R1 walk: one 470 m jump at ±12 m turned a 1,129 m route into a 2,079 m track."""
    fixes = _fixes(_street())
    jumped = fixes[60]
    far = offset(jumped.lon, jumped.lat, metres_north=470)
    fixes[60] = Fix(jumped.recorded_at, far[0], far[1], 12.0)
    track = build_track(fixes, RULES)
    assert track.jumps == 1 and track.left_out == 1 and len(track.segments) == 1
    assert track.length_m() == pytest.approx(1129, rel=0.01)


def test_a_gap_splits_the_track_and_is_not_walked():
    """The issue's R3 walk: fixes lost while another page was open; the gap was drawn as a 932 m line."""
    walk = _street(2000, 10)
    before, after = walk[:60], walk[153:]  # 930 m with no fix, over 93 × 5 s
    fixes = _fixes(before) + _fixes(after, start=T0 + timedelta(seconds=153 * 5))
    track = build_track(fixes, RULES)
    assert len(track.segments) == 2 and track.jumps == 0
    [gap] = track.gaps
    assert gap.seconds == pytest.approx(94 * 5) and gap.distance_m == pytest.approx(940, rel=0.01)
    assert track.length_m() == pytest.approx(2000 - 940, rel=0.01)


def test_fixes_far_apart_in_a_short_time_split_the_track_too():
    walk = _street(600, 5)
    # A motorbike at 15 m/s (possible) whose next fix comes 300 m on: not drawn as a straight line.
    fixes = _fixes(walk[:40]) + _fixes(walk[100:], start=T0 + timedelta(seconds=39 * 5 + 20))
    track = build_track(fixes, RULES)
    assert len(track.segments) == 2 and len(track.gaps) == 1 and track.jumps == 0


def test_poor_fixes_are_left_out_without_splitting():
    fixes = _fixes(_street(300, 5))
    fixes[10] = Fix(fixes[10].recorded_at, fixes[10].lon, fixes[10].lat, 120.0)
    track = build_track(fixes, RULES)
    assert track.poor_accuracy == 1 and len(track.segments) == 1 and track.used == len(fixes) - 1


def test_after_a_wrong_first_fix_the_phone_is_believed_where_it_keeps_being():
    """A bad fix is not allowed to lock the track out: three agreeing fixes start a new segment."""
    walk = _street(300, 5)
    wrong = offset(*walk[0], metres_north=800)
    fixes = [Fix(T0 - timedelta(seconds=5), wrong[0], wrong[1], 10.0)] + _fixes(walk)
    track = build_track(fixes, RULES)
    assert track.used == len(walk) + 1 and track.jumps == 0
    assert len(track.lines()) == 1  # the lone wrong fix is no line; the walk is
    assert track.length_m() == pytest.approx(300, rel=0.02)


def test_a_long_pause_then_a_far_position_is_a_gap_not_a_jump():
    walk = _street(300, 5)
    elsewhere = [offset(lon, lat, metres_north=1500) for lon, lat in walk]
    fixes = _fixes(walk) + _fixes(elsewhere, start=T0 + timedelta(minutes=10))
    track = build_track(fixes, RULES)
    assert track.jumps == 0 and len(track.segments) == 2 and len(track.gaps) == 1


@pytest.fixture
def r1(session, demo_ward):
    return session.scalar(select(Route).where(Route.code == "R1"))


def _hours_ago(hours):
    return datetime.now(UTC) - timedelta(hours=hours)


def _batch(fixes):
    return [{"t": int(f.recorded_at.timestamp() * 1000), "lon": f.lon, "lat": f.lat, "acc": f.accuracy_m}
            for f in fixes]


def test_a_stored_patrol_keeps_gaps_as_segments_and_coverage_leaves_them_out(session, r1):
    """On the database: the track is stored as segments, and the stretch of the gap is not covered."""
    inspector = accounts.find_user(session, "kiemtra")
    rules = patrols.PatrolRules()
    route = list(to_shape(r1.geom).coords)
    walk = points_along(route, 10)
    third = len(walk) // 3
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), rules, started_at=_hours_ago(2))
    start = patrol.started_at + timedelta(seconds=1)
    fixes = _fixes(walk[:third], start=start) + _fixes(walk[2 * third:], start=start + timedelta(seconds=5 * 2 * third))
    patrols.add_track_points(session, patrol, inspector, _batch(fixes), rules)
    patrols.end_patrol(session, patrol, inspector, rules)
    stored = to_shape(patrol.track)
    assert isinstance(stored, MultiLineString) and len(stored.geoms) == 2
    walked = geodesic_length(walk[:third]) + geodesic_length(walk[2 * third:])
    assert patrol.track_length_m == pytest.approx(walked, rel=0.01)
    assert 0.6 < patrol.coverage < 0.75
    summary = patrols.live_summary(session, patrol, rules)
    assert len(summary["gaps"]) == 1 and summary["points"] == len(fixes)
    # The chairman's week merges segments, never the gaps between them.
    week = [w for w in overview.patrol_week(session, week_bounds(patrol.started_at.date())[0]) if w.route.id == r1.id][0]
    assert len(week.tracks) == 2 and week.coverage < 0.75


def test_retrack_recomputes_old_tracks_with_the_rules(session, r1):
    inspector = accounts.find_user(session, "kiemtra")
    route = list(to_shape(r1.geom).coords)
    walk = points_along(route, 10)
    loose = patrols.PatrolRules(gap_s=10_000, gap_m=100_000)
    patrol, _ = patrols.start_patrol(session, inspector, r1.id, new_uuid(), loose, started_at=_hours_ago(2))
    start = patrol.started_at + timedelta(seconds=1)
    fixes = _fixes(walk[:20], start=start) + _fixes(walk[60:], start=start + timedelta(minutes=10))
    patrols.add_track_points(session, patrol, inspector, _batch(fixes), loose)
    patrols.end_patrol(session, patrol, inspector, loose)
    assert len(to_shape(patrol.track).geoms) == 1
    assert patrols.retrack_ended(session, patrols.PatrolRules()) >= 1
    assert len(to_shape(patrol.track).geoms) == 2
