"""Patrols: start on a route, receive GPS points in batches, end with track and coverage."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiLineString, mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Patrol, Route, TrackPoint, User
from ...models.types import utcnow
from ...models.vocabulary import PatrolStatus
from ..errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from ..geo import spatial
from ..inputs import FieldReader, parse_client_time
from .coverage import combined_coverage
from .replays import refuse_if_changed
from .tracks import Fix, Track, TrackRules, build_track

MAX_POINTS_PER_BATCH = 500


@dataclass(frozen=True)
class PatrolRules:
    """Settings that shape patrols (from the app config)."""

    accuracy_limit_m: float = 50.0
    future_tolerance_s: float = 300.0
    auto_end_after_h: float = 12.0
    max_offline_days: int = 30          # how old a time recorded on the phone may be when it arrives
    # How fixes are judged: defaults from tracks.TrackRules (one definition), set from TRACK_* in config.
    max_speed_mps: float = TrackRules.max_speed_mps
    gap_s: float = TrackRules.gap_s
    gap_m: float = TrackRules.gap_m

    @property
    def track_rules(self) -> TrackRules:
        """The rules that judge fixes and split the track."""
        return TrackRules(self.accuracy_limit_m, self.max_speed_mps, self.gap_s, self.gap_m)

    @property
    def future_tolerance(self) -> timedelta:
        """How far ahead of the server a phone's clock may run."""
        return timedelta(seconds=self.future_tolerance_s)

    @property
    def max_offline(self) -> timedelta:
        """How long a phone may keep a record before sending it."""
        return timedelta(days=self.max_offline_days)


@dataclass(frozen=True)
class PatrolStart:
    """A request to start a patrol: the phone's UUID, the route, and the phone's time when offline."""

    client_uuid: str
    route_id: int
    started_at: datetime | None = None


def read_patrol_start(data: Mapping[str, Any], rules: PatrolRules, now: datetime | None = None) -> PatrolStart:
    """A patrol start from a form or JSON body; raises InvalidFields naming every problem."""
    reader = FieldReader(data)
    client_uuid = reader.uuid("client_uuid")
    route_id = reader.optional_id("route_id")
    if route_id is None and "route_id" not in reader.errors:
        reader.error("route_id", N_("Choose a route."))
    started_at = reader.moment("started_at", now or utcnow(), rules.max_offline, rules.future_tolerance)
    reader.finish()
    assert client_uuid is not None and route_id is not None  # finish() raised otherwise
    return PatrolStart(client_uuid, route_id, started_at)


def begin_patrol(session: Session, inspector: User, start: PatrolStart, rules: PatrolRules) -> tuple[Patrol, bool]:
    """End the patrols left open too long, then start this one (or return it on a repeat)."""
    end_stale_patrols(session, rules)
    return start_patrol(session, inspector, start.route_id, start.client_uuid, rules, started_at=start.started_at)


def get_route(session: Session, route_id: int) -> Route:
    """The route with this id, or NotFound."""
    route = session.get(Route, route_id) if route_id else None
    if route is None:
        raise NotFound(N_("This route does not exist."))
    return route


def start_patrol(session: Session, inspector: User, route_id: int, client_uuid: str, rules: PatrolRules,
                 now: datetime | None = None, started_at: datetime | None = None) -> tuple[Patrol, bool]:
    """Start a patrol (or return the one already started with this UUID); returns (patrol, created).

    started_at is the phone's time when the patrol was started offline and is sent later.
    """
    now = now or utcnow()
    existing = session.scalar(select(Patrol).where(Patrol.client_uuid == client_uuid))
    if existing is not None:
        if existing.inspector_id != inspector.id:
            raise Conflict(N_("This record identifier belongs to someone else's record."))
        refuse_if_changed([(N_("Route"), existing.route_id, route_id), (N_("Started"), existing.started_at, started_at)])
        return existing, False
    started_at = started_at or now
    route = get_route(session, route_id)
    if route.retired_at is not None and started_at >= route.retired_at:
        raise InvalidInput(N_("Route %(code)s is no longer in use; choose another route."), code=route.code)
    for still_open in open_patrols_of(session, inspector):
        end_patrol(session, still_open, inspector, rules, now=now, ended_at=max(started_at, still_open.started_at))
    patrol = Patrol(client_uuid=client_uuid, inspector_id=inspector.id, route_id=route.id, started_at=started_at,
                    status=PatrolStatus.OPEN)
    session.add(patrol)
    session.flush()
    return patrol, True


def get_patrol_by_uuid(session: Session, client_uuid: str, user: User) -> Patrol:
    """The user's patrol with this client UUID (the phone knows no server id while offline)."""
    patrol = session.scalar(select(Patrol).where(Patrol.client_uuid == client_uuid))
    if patrol is None:
        raise NotFound(N_("This patrol does not exist."))
    if patrol.inspector_id != user.id:
        raise Forbidden(N_("This patrol belongs to another inspector."))
    return patrol


def open_patrols_of(session: Session, inspector: User) -> Sequence[Patrol]:
    """The inspector's patrols that have not ended."""
    return session.scalars(
        select(Patrol).where(Patrol.inspector_id == inspector.id, Patrol.status == PatrolStatus.OPEN).order_by(Patrol.started_at)
    ).all()


def get_patrol_for(session: Session, patrol_id: int, user: User, owner_only: bool = True) -> Patrol:
    """The patrol, if it exists and the user may act on it."""
    patrol = session.get(Patrol, patrol_id)
    if patrol is None:
        raise NotFound(N_("This patrol does not exist."))
    if owner_only and patrol.inspector_id != user.id:
        raise Forbidden(N_("This patrol belongs to another inspector."))
    return patrol


def read_track_points(raw_points: Any, rules: PatrolRules, started_at: datetime,
                      now: datetime) -> list[dict[str, Any]]:
    """Validate a batch of points from the phone; raises InvalidInput naming the first bad one."""
    if not isinstance(raw_points, list) or not raw_points:
        raise InvalidInput(N_("The batch holds no track points."))
    if len(raw_points) > MAX_POINTS_PER_BATCH:
        raise InvalidInput(N_("At most %(n)s track points per batch."), n=MAX_POINTS_PER_BATCH)
    points = []
    for number, raw in enumerate(raw_points, start=1):
        if not isinstance(raw, dict):
            raise InvalidInput(N_("Track point %(n)s is not an object."), n=number)
        recorded_at = parse_client_time(raw.get("t"))
        if recorded_at > now + timedelta(seconds=rules.future_tolerance_s):
            raise InvalidInput(N_("Track point %(n)s has a time in the future; check the phone's clock."), n=number)
        if recorded_at < started_at - timedelta(minutes=10):
            raise InvalidInput(N_("Track point %(n)s is older than the patrol."), n=number)
        values = []
        for key, low, high in (("lon", -180, 180), ("lat", -90, 90), ("acc", 0, 100_000)):
            value = raw.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or not low <= value <= high:
                raise InvalidInput(N_("Track point %(n)s has an invalid %(field)s."), n=number, field=key)
            values.append(float(value))
        lon, lat, accuracy = values
        points.append({
            "recorded_at": recorded_at, "lon": lon, "lat": lat, "accuracy_m": accuracy,
            "usable": accuracy <= rules.accuracy_limit_m,
        })
    return points


LATE_POINT_GRACE = timedelta(minutes=10)


def add_track_points(session: Session, patrol: Patrol, user: User, raw_points: Any, rules: PatrolRules,
                     now: datetime | None = None) -> dict[str, int]:
    """Store a batch of GPS points; a point already stored (same time) is not added again.

    Points may arrive after the patrol ended (a phone that was offline sends them late): those
    recorded before the end are added and the track, length and coverage are computed again.
    """
    now = now or utcnow()
    if patrol.inspector_id != user.id:
        raise Forbidden(N_("This patrol belongs to another inspector."))
    points = read_track_points(raw_points, rules, patrol.started_at, now)
    if patrol.status == PatrolStatus.ENDED and not patrol.ended_by_system:
        assert patrol.ended_at is not None, "an ended patrol has its end time"
        if any(p["recorded_at"] > patrol.ended_at + LATE_POINT_GRACE for p in points):
            raise Conflict(N_("This patrol has already ended."))
    rows = [dict(point, patrol_id=patrol.id, received_at=now) for point in points]
    added = spatial.insert_ignoring_duplicates(session, TrackPoint.__table__, rows, ["patrol_id", "recorded_at"])
    if added and patrol.status == PatrolStatus.ENDED:
        _store_track(session, patrol, rules)
    return {"received": len(rows), "added": added, "poor_accuracy": sum(1 for p in points if not p["usable"])}


def patrol_track(session: Session, patrol: Patrol, rules: PatrolRules) -> Track:
    """The patrol's fixes made into segments, with the fixes left out and the gaps (tracks.Track)."""
    rows = session.execute(
        select(TrackPoint.recorded_at, TrackPoint.lon, TrackPoint.lat, TrackPoint.accuracy_m)
        .where(TrackPoint.patrol_id == patrol.id)
        .order_by(TrackPoint.recorded_at)
    ).all()
    return build_track((Fix(*row) for row in rows), rules.track_rules)


def end_patrol(session: Session, patrol: Patrol, user: User | None, rules: PatrolRules, now: datetime | None = None,
               by_system: bool = False, ended_at: datetime | None = None) -> Patrol:
    """End a patrol: store its track, length and route coverage. Ending twice changes nothing.

    ended_at is the phone's time when the patrol was ended offline (kept between start and now).
    """
    if not by_system and (user is None or patrol.inspector_id != user.id):
        raise Forbidden(N_("This patrol belongs to another inspector."))
    if patrol.status == PatrolStatus.ENDED:
        return patrol
    now = now or utcnow()
    _store_track(session, patrol, rules)
    patrol.status = PatrolStatus.ENDED
    patrol.ended_at = max(patrol.started_at, min(ended_at or now, now))
    patrol.ended_by_system = by_system
    session.flush()
    return patrol


def _store_track(session, patrol, rules):
    """Compute and store the track (its segments), length, point counts and route coverage."""
    track = patrol_track(session, patrol, rules)
    lines = track.lines()
    patrol.points_used = track.used
    patrol.points_rejected = track.left_out
    route = session.get(Route, patrol.route_id)
    route_coords = list(to_shape(route.geom).coords)
    patrol.coverage = combined_coverage(route_coords, lines, route.corridor_m)[0]
    patrol.track = from_shape(MultiLineString(lines), srid=spatial.SRID) if lines else None
    patrol.track_length_m = round(track.length_m(), 1)
    session.flush()
    return track


def retrack_ended(session: Session, rules: PatrolRules) -> int:
    """Compute every ended patrol's track again from its stored points; returns how many."""
    ended = session.scalars(select(Patrol).where(Patrol.status == PatrolStatus.ENDED).order_by(Patrol.id)).all()
    for patrol in ended:
        _store_track(session, patrol, rules)
    return len(ended)


def end_stale_patrols(session: Session, rules: PatrolRules, now: datetime | None = None) -> Sequence[Patrol]:
    """End every patrol open for longer than the configured time; returns them."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=rules.auto_end_after_h)
    stale = session.scalars(select(Patrol).where(Patrol.status == PatrolStatus.OPEN, Patrol.started_at < cutoff)).all()
    for patrol in stale:
        end_patrol(session, patrol, None, rules, now=now, by_system=True)
    return stale


def live_summary(session: Session, patrol: Patrol, rules: PatrolRules) -> dict[str, Any]:
    """Distance so far (segments only), points received and gaps, for the patrol page."""
    track = patrol_track(session, patrol, rules)
    return {"distance_m": round(track.length_m(), 1), "points": track.used + track.left_out,
            "gaps": track.gaps, "jumps": track.jumps, "poor_accuracy": track.poor_accuracy}


def patrol_feature_collection(session: Session, patrol: Patrol) -> dict[str, Any]:
    """The patrol's track and its route as GeoJSON features."""
    route = patrol.route
    route_json = session.scalar(select(spatial.geojson_expr(session, Route.geom)).where(Route.id == route.id))
    assert route_json is not None, "a route always has its line"
    track_json = None
    uncovered = None
    if patrol.track is not None:
        track_json = session.scalar(select(spatial.geojson_expr(session, Patrol.track)).where(Patrol.id == patrol.id))
        segments = [list(part.coords) for part in to_shape(patrol.track).geoms]
        uncovered = combined_coverage(list(to_shape(route.geom).coords), segments, route.corridor_m)[1]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f"patrol-{patrol.id}",
             "geometry": json.loads(track_json) if track_json else None,
             "properties": {
                 "kind": "track", "patrol_id": patrol.id, "status": patrol.status,
                 "started_at": patrol.started_at.isoformat(),
                 "ended_at": patrol.ended_at.isoformat() if patrol.ended_at else None,
                 "length_m": patrol.track_length_m, "coverage": patrol.coverage,
                 "points_used": patrol.points_used, "points_rejected": patrol.points_rejected,
             }},
            {"type": "Feature", "id": f"route-{route.id}", "geometry": json.loads(route_json),
             "properties": {"kind": "route", "code": route.code, "name": route.name, "verified": route.verified,
                            "corridor_m": route.corridor_m}},
        ] + ([{"type": "Feature", "id": f"uncovered-{patrol.id}", "geometry": mapping(uncovered),
               "properties": {"kind": "uncovered"}}] if uncovered is not None else []),
    }
