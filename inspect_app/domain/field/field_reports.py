"""Visits and violation reports from the field, with the nearby-case and position checks.

Every create takes the client's UUID: sending the same report again returns the record
already stored. Photos are checked before anything is stored and written only with it.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Patrol, Photo, Route, User, Violation, Visit, Ward
from ...models.types import utcnow
from ...models.vocabulary import VisitOutcome
from ..cases import case_facts
from ..cases.case_codes import next_case_code
from ..cases.categories import CATEGORY_KEYS
from ..cases.deadlines import DEFAULT_RULES, DeadlineRule, WorkingCalendar, due_date
from ..cases.stages import DETECTED, OPEN_STAGES
from ..errors import N_, Conflict, Forbidden, InvalidFields, InvalidInput, NeedsConfirmation, NotFound
from ..geo import spatial
from ..inputs import FieldReader
from ..ward_time import VIETNAM_OFFSET, local_date
from .coverage import to_local_metres
from .photos import add_photo, prepare_photo, prepare_photos
from .replays import refuse_if_changed
from .tracks import distance_m

if TYPE_CHECKING:
    from .photos import PhotoFiles

VISIT_OUTCOMES = tuple(VisitOutcome)
MAX_CORRIDOR_SEARCH_M = 1000
# A report made offline carries the phone's time (observed_at); it may arrive this late, and a
# phone clock may run this far ahead of the server's.
OFFLINE_MAX_AGE = timedelta(days=30)
CLOCK_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class FieldRules:
    """Settings for field reports (from the app config)."""

    nearby_radius_m: float = 30.0
    max_photo_bytes: int = 12 * 1024 * 1024
    max_photo_pixels: int = 40_000_000
    max_photos: int = 10
    code_prefix: str = "TL"
    outside_ward_max_m: float = 2000.0  # farther than this outside the boundary: refused, not confirmed
    limitation: DeadlineRule | None = None     # None: the default rule (deadlines.py)
    calendar: WorkingCalendar | None = None    # None: public holidays only


@dataclass
class ViolationReport:
    """A violation report as read from the phone's form; lon/lat None when the position is unknown."""

    client_uuid: str
    lon: float | None
    lat: float | None
    category: str
    gps_lon: float | None = None
    gps_lat: float | None = None
    gps_accuracy_m: float | None = None
    address: str = ""
    khu_vuc: str = ""
    owner_name: str = ""
    owner_phone: str = ""
    description: str = ""
    area_m2: float | None = None
    floors: int | None = None
    patrol_id: int | None = None
    patrol_uuid: str | None = None
    observed_at: datetime | None = None
    confirm_new: bool = False
    confirm_outside: bool = False
    facts: dict = field(default_factory=dict)   # the optional facts of case_facts.AT_REPORT given
    photos: list = field(default_factory=list)


@dataclass
class VisitReport:
    """A visit as read from the phone's form."""

    client_uuid: str
    outcome: str
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    note: str = ""
    patrol_id: int | None = None
    patrol_uuid: str | None = None
    observed_at: datetime | None = None
    violation_id: int | None = None
    confirm_outside: bool = False
    photos: list = field(default_factory=list)


def read_violation_report(data: Mapping[str, Any], photos: list[Any], now: datetime | None = None) -> ViolationReport:
    """Parse the violation form (strings or JSON values); raises InvalidFields listing every problem."""
    now = now or utcnow()
    reader = FieldReader(data)
    client_uuid = reader.uuid("client_uuid")
    unknown = reader.flag("position_unknown")
    lon = lat = None
    if not unknown and reader.missing("lon") and reader.missing("lat"):
        reader.error("lon", N_("The position is missing: wait for the GPS, place the pin on the map, or mark the "
                               "position as not known yet."))
    else:
        lon, lat = reader.position("lon", "lat", required=not unknown)
    if lon is not None and unknown:
        reader.error("lon", N_("A report has either a position or is marked as position not known, not both."))
    # A value missing here has its error recorded: finish() below raises before the report is used.
    report = ViolationReport(
        client_uuid=client_uuid or "", lon=lon, lat=lat,
        category=reader.choice("category", CATEGORY_KEYS, required=True) or "",
        gps_lon=reader.number("gps_lon", -180, 180), gps_lat=reader.number("gps_lat", -90, 90),
        gps_accuracy_m=reader.number("gps_accuracy_m", 0, 100_000),
        address=reader.text("address", 300), khu_vuc=reader.text("khu_vuc", 100),
        owner_name=reader.text("owner_name", 200),
        owner_phone=case_facts.read_facts(reader, ("owner_phone",), local_date(now)).get("owner_phone", ""),
        description=reader.text("description", 4000, multiline=True),
        area_m2=reader.number("area_m2", 0, 1_000_000), floors=reader.number("floors", 0, 200, integer=True),
        patrol_id=reader.optional_id("patrol_id"), patrol_uuid=reader.optional_uuid("patrol_uuid"),
        observed_at=reader.moment("observed_at", now, OFFLINE_MAX_AGE, CLOCK_TOLERANCE),
        confirm_new=reader.flag("confirm_new"), confirm_outside=reader.flag("confirm_outside"),
        facts=case_facts.read_facts(reader, case_facts.AT_REPORT, local_date(now)),
        photos=photos,
    )
    reader.finish()
    return report


def read_visit_report(data: Mapping[str, Any], photos: list[Any], now: datetime | None = None) -> VisitReport:
    """Parse the visit form; raises InvalidFields listing every problem."""
    now = now or utcnow()
    reader = FieldReader(data)
    # A value missing here has its error recorded: finish() below raises before the report is used.
    report = VisitReport(
        client_uuid=reader.uuid("client_uuid") or "",
        outcome=reader.choice("outcome", VISIT_OUTCOMES, required=True) or "",
        note=reader.text("note", 4000, multiline=True),
        accuracy_m=reader.number("gps_accuracy_m", 0, 100_000),
        patrol_id=reader.optional_id("patrol_id"), patrol_uuid=reader.optional_uuid("patrol_uuid"),
        observed_at=reader.moment("observed_at", now, OFFLINE_MAX_AGE, CLOCK_TOLERANCE),
        violation_id=reader.optional_id("violation_id"), confirm_outside=reader.flag("confirm_outside"), photos=photos,
    )
    report.lon, report.lat = reader.position("lon", "lat", required=False)
    if report.outcome == "follow_up" and report.violation_id is None:
        reader.error("violation_id", N_("Choose the case this visit follows up."))
    reader.finish()
    return report


def _as_sent(fact, value):
    """A fact's value as a report's form gives it, to compare a repeat with the first send."""
    value = case_facts.plain(value)
    if fact.kind in ("number", "integer"):
        return value
    return "" if value is None else str(value)


def is_inside_ward(session: Session, lon: float, lat: float) -> bool:
    """True when the point lies in the ward boundary (or no boundary is known yet)."""
    ward = session.scalar(select(Ward).limit(1))
    if ward is None or ward.boundary is None:
        return True
    found = session.scalar(select(Ward.id).where(Ward.id == ward.id, spatial.contains_point(session, Ward.boundary, lon, lat)))
    return found is not None


def nearby_open_cases(session: Session, lon: float, lat: float, radius_m: float) -> list[tuple[Violation, float]]:
    """Open cases within radius_m of the point, nearest first: [(violation, distance_m)]."""
    statement = select(Violation).where(Violation.stage.in_(OPEN_STAGES))
    return [(row[0], row[1]) for row in spatial.nearest(session, statement, Violation.position, lon, lat, radius_m, limit=20)]


def route_for_point(session: Session, lon: float, lat: float) -> Route | None:
    """The nearest route whose corridor contains the point, or None."""
    rows = spatial.nearest(session, select(Route), Route.geom, lon, lat, MAX_CORRIDOR_SEARCH_M, limit=10)
    for route, distance in rows:
        if distance <= route.corridor_m:
            return route
    return None


def _own_patrol(session, patrol_id, inspector, patrol_uuid=None):
    """The inspector's patrol named by server id or, from a phone that was offline, by its UUID."""
    if patrol_id is None and patrol_uuid is None:
        return None
    if patrol_id is not None:
        patrol = session.get(Patrol, patrol_id)
    else:
        patrol = session.scalar(select(Patrol).where(Patrol.client_uuid == patrol_uuid))
    if patrol is None:
        name = "patrol_id" if patrol_id is not None else "patrol_uuid"
        raise InvalidFields({name: NotFound(N_("This patrol does not exist."))})
    if patrol.inspector_id != inspector.id:
        raise Forbidden(N_("This patrol belongs to another inspector."))
    return patrol


def _existing(session, model, client_uuid, inspector):
    record = session.scalar(select(model).where(model.client_uuid == client_uuid))
    if record is not None and record.inspector_id != inspector.id:
        raise Conflict(N_("This record identifier belongs to someone else's record."))
    return record


def distance_outside_ward_m(session: Session, lon: float, lat: float) -> float:
    """Metres from the point to the ward boundary when it lies outside; 0 inside (or no boundary known)."""
    ward = session.scalar(select(Ward).limit(1))
    if ward is None or ward.boundary is None or is_inside_ward(session, lon, lat):
        return 0.0
    boundary = to_local_metres(to_shape(ward.boundary), lon, lat)
    return boundary.distance(Point(0.0, 0.0))


def _distance_text(metres):
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{int(round(metres))} m"


def check_position(session: Session, lon: float, lat: float, confirmed: bool, max_outside_m: float) -> bool:
    """(outside_ward flag); a point outside the ward needs the inspector's confirmation, and one
    farther out than max_outside_m is refused (a wrong pin or a GPS far off, not a ward case)."""
    outside_m = distance_outside_ward_m(session, lon, lat)
    if outside_m <= 0:
        return False
    if outside_m > max_outside_m:
        raise InvalidFields({"lon": InvalidInput(
            N_("This position is %(distance)s outside the ward boundary (at most %(limit)s is accepted). Check the "
               "GPS or place the pin on the building."),
            distance=_distance_text(outside_m), limit=_distance_text(max_outside_m))})
    if not confirmed:
        raise NeedsConfirmation(
            N_("This position is %(distance)s outside the ward boundary. Check the pin, or confirm that the building "
               "really is here."),
            kind="outside_ward", distance=_distance_text(outside_m),
        )
    return True


def _prepare(session, model, inspector, report, rules):
    """(record already stored under this UUID or None, the inspector's patrol); photos checked first."""
    existing = _existing(session, model, report.client_uuid, inspector)
    if existing is not None:
        return existing, None
    report.photos = prepare_photos(report.photos, rules.max_photo_bytes, rules.max_photo_pixels, rules.max_photos)
    return None, _own_patrol(session, report.patrol_id, inspector, report.patrol_uuid)


def _store_photos(session, files, inspector, report, rules, **owner):
    for upload in report.photos:
        add_photo(session, files, upload, inspector, rules.max_photo_bytes, rules.max_photo_pixels, **owner)
    session.flush()


def _replayed_photos(session, files, inspector, report, rules, record, **owner):
    """Photos sent again with a record already stored: the same ones are repeats, other bytes under a
    known identifier are refused (409), and ones the record lacks are added (the first send was cut)."""
    photos = prepare_photos(report.photos, rules.max_photo_bytes, rules.max_photo_pixels, rules.max_photos)
    known = {p.client_uuid for p in record.photos if p.event_id is None}
    if len(known | {p.client_uuid for p in photos}) > rules.max_photos:
        raise InvalidInput(N_("At most %(n)s photos per record."), n=rules.max_photos)
    for photo in photos:
        add_photo(session, files, photo, inspector, rules.max_photo_bytes, rules.max_photo_pixels, **owner)
    session.flush()


def report_violation(session: Session, inspector: User, report: ViolationReport, rules: FieldRules, files: PhotoFiles,
                     now: datetime | None = None) -> tuple[Violation, bool]:
    """Save a new case at stage 'detected' with its visit and photos; returns (violation, created)."""
    existing, patrol = _prepare(session, Violation, inspector, report, rules)
    if existing is not None:
        reported = case_facts.as_reported(existing)
        given = {"address": report.address, "khu_vuc": report.khu_vuc, "owner_name": report.owner_name,
                 "owner_phone": report.owner_phone, "area_m2": report.area_m2, "floors": report.floors, **report.facts}
        refuse_if_changed([
            (N_("Violation"), existing.category, report.category),
            (N_("Description"), existing.description, report.description),
            (N_("Time"), existing.detected_at, report.observed_at),
        ] + [(fact.label, _as_sent(fact, reported[name]), _as_sent(fact, given[name]) if name in given else None)
             for name, fact in case_facts.FACTS.items()],
            existing.position, report.lon, report.lat)
        _replayed_photos(session, files, inspector, report, rules, existing, violation=existing)
        return existing, False
    place = (report.lon, report.lat) if report.lon is not None and report.lat is not None else None
    outside = place is not None and check_position(session, *place, report.confirm_outside, rules.outside_ward_max_m)
    # With the position unknown there is nothing to compare: the officer places the case later.
    nearby = nearby_open_cases(session, *place, rules.nearby_radius_m) if place else []
    if nearby and not report.confirm_new:
        raise NeedsConfirmation(
            N_("There are open cases within %(m)s m. Attach this visit to one of them, or confirm that this is a new case."),
            kind="nearby", details=nearby, m=int(rules.nearby_radius_m),
        )
    now = report.observed_at or now or utcnow()
    route = route_for_point(session, *place) if place else None
    violation = Violation(
        client_uuid=report.client_uuid, code=next_case_code(session, rules.code_prefix, _local_year(now)),
        stage=DETECTED, detected_at=now, inspector_id=inspector.id, officer_id=inspector.id,
        patrol_id=patrol.id if patrol else None, route_id=route.id if route else None,
        position=from_shape(Point(*place), srid=spatial.SRID) if place else None,
        gps_lon=report.gps_lon, gps_lat=report.gps_lat, gps_accuracy_m=report.gps_accuracy_m,
        outside_ward=outside, address=report.address, khu_vuc=report.khu_vuc, owner_name=report.owner_name,
        owner_phone=report.owner_phone, category=report.category, description=report.description,
        area_m2=report.area_m2, floors=report.floors, created_at=now, limitation_due=limitation_due(rules, now),
    )
    case_facts.apply_facts(violation, report.facts)  # the first report's facts: no change to keep yet
    session.add(violation)
    visit = Visit(
        client_uuid=_derived_uuid(report.client_uuid), inspector_id=inspector.id,
        patrol_id=violation.patrol_id, violation=violation, outcome="violation_found",
        note=report.description[:4000], position=violation.position, accuracy_m=report.gps_accuracy_m,
        outside_ward=outside, visited_at=now,
    )
    session.add(visit)
    _store_photos(session, files, inspector, report, rules, violation=violation)
    return violation, True


def log_visit(session: Session, inspector: User, report: VisitReport, rules: FieldRules, files: PhotoFiles,
              now: datetime | None = None) -> tuple[Visit, bool]:
    """Save a visit (a follow-up attaches to its case whatever stage it is at); returns (visit, created)."""
    existing, patrol = _prepare(session, Visit, inspector, report, rules)
    if existing is not None:
        refuse_if_changed([
            (N_("Outcome"), existing.outcome, report.outcome), (N_("Note"), existing.note, report.note),
            (N_("Case"), existing.violation_id, report.violation_id), (N_("Time"), existing.visited_at, report.observed_at),
        ], existing.position, report.lon, report.lat)
        _replayed_photos(session, files, inspector, report, rules, existing, visit=existing)
        return existing, False
    violation = None
    if report.violation_id is not None:
        violation = session.get(Violation, report.violation_id)
        if violation is None:
            raise InvalidFields({"violation_id": NotFound(N_("This case does not exist."))})
    outside = False
    position = None
    if report.lon is not None and report.lat is not None:
        outside = check_position(session, report.lon, report.lat, report.confirm_outside, rules.outside_ward_max_m)
        position = from_shape(Point(report.lon, report.lat), srid=spatial.SRID)
    visit = Visit(
        client_uuid=report.client_uuid, inspector_id=inspector.id, patrol_id=patrol.id if patrol else None,
        violation=violation, outcome=report.outcome, note=report.note, position=position,
        accuracy_m=report.accuracy_m, outside_ward=outside, visited_at=report.observed_at or now or utcnow(),
    )
    session.add(visit)
    _store_photos(session, files, inspector, report, rules, visit=visit)
    return visit, True


def add_photo_to_report_or_visit(session: Session, inspector: User, owner_uuid: str, upload: Any, rules: FieldRules,
                                 files: PhotoFiles) -> tuple[Photo, bool]:
    """One photo sent on its own (from the phone's outbox) for the inspector's report or visit,
    named by that report's or visit's UUID; returns (photo, created). A repeat returns the stored photo."""
    owner_row = session.scalar(select(Violation).where(Violation.client_uuid == owner_uuid))
    owner = "violation"
    if owner_row is None:
        owner_row, owner = session.scalar(select(Visit).where(Visit.client_uuid == owner_uuid)), "visit"
    if owner_row is None:
        raise NotFound(N_("The report this photo belongs to has not reached the server yet."))
    if owner_row.inspector_id != inspector.id:
        raise Forbidden(N_("This record belongs to another inspector."))
    upload = prepare_photo(upload, rules.max_photo_bytes, rules.max_photo_pixels)
    known = session.scalar(select(Photo).where(Photo.client_uuid == upload.client_uuid))
    if known is None:
        attached = [p for p in owner_row.photos if p.event_id is None]
        if len(attached) >= rules.max_photos:
            raise InvalidInput(N_("At most %(n)s photos per record."), n=rules.max_photos)
    photo = add_photo(session, files, upload, inspector, rules.max_photo_bytes, rules.max_photo_pixels,
                      **{owner: owner_row})
    session.flush()
    return photo, known is None


def _derived_uuid(client_uuid):
    """The UUID of the visit that a violation report creates, fixed by the report's UUID."""
    return str(uuid.uuid5(uuid.UUID(client_uuid), "visit"))


def _local_year(moment):
    return moment.astimezone(VIETNAM_OFFSET).year


def get_violation(session: Session, violation_id: int) -> Violation:
    """The case with this id, or NotFound."""
    violation = session.get(Violation, violation_id)
    if violation is None:
        raise NotFound(N_("This case does not exist."))
    return violation


def get_violation_by_code(session: Session, code: str) -> Violation:
    """The case with this code (TL-2026-0042), or NotFound."""
    violation = session.scalar(select(Violation).where(Violation.code == code))
    if violation is None:
        raise NotFound(N_("There is no case %(code)s."), code=code)
    return violation


def first_photos(session: Session, violation_ids: Sequence[int]) -> dict[int, Photo]:
    """{violation id: its first Photo} for the given cases."""
    if not violation_ids:
        return {}
    photos = session.scalars(
        select(Photo).where(Photo.violation_id.in_(violation_ids)).order_by(Photo.violation_id, Photo.id)
    ).all()
    result: dict[int, Photo] = {}
    for photo in photos:
        if photo.violation_id is not None:
            result.setdefault(photo.violation_id, photo)
    return result


def day_of(session: Session, inspector: User, day_start: datetime,
           day_end: datetime) -> tuple[Sequence[Patrol], Sequence[Visit], Sequence[Violation]]:
    """The inspector's patrols, visits and new cases between two UTC instants."""
    patrols = session.scalars(
        select(Patrol).where(Patrol.inspector_id == inspector.id, Patrol.started_at >= day_start, Patrol.started_at < day_end)
        .order_by(Patrol.started_at)
    ).all()
    visits = session.scalars(
        select(Visit).where(Visit.inspector_id == inspector.id, Visit.visited_at >= day_start, Visit.visited_at < day_end)
        .order_by(Visit.visited_at)
    ).all()
    cases = session.scalars(
        select(Violation).where(Violation.inspector_id == inspector.id, Violation.detected_at >= day_start,
                                Violation.detected_at < day_end).order_by(Violation.detected_at)
    ).all()
    return patrols, visits, cases


def violation_lon_lat(session: Session | None, violation: Violation) -> tuple[float, float] | tuple[None, None]:
    """(lon, lat) of a case's position, or (None, None) when it is not known yet."""
    if violation.position is None:
        return None, None
    point = to_shape(violation.position)
    return point.x, point.y


@dataclass(frozen=True)
class PhotoEvidence:
    """What is known of when and where a case's photo was taken, and what looks wrong."""

    photo: Photo
    distance_m: float | None   # from the case's position; None when either is unknown
    far: bool                     # taken farther from the case than the rule allows
    early: bool                   # taken long before the case was reported


def photo_evidence(violation: Violation, far_m: float = 100.0, early: timedelta = timedelta(days=1),
                   photos: Iterable[Photo] | None = None) -> list[PhotoEvidence]:
    """Each photo of the case (or the photos given: its visits' too) with its distance from the case
    position and its flags."""
    case_lon, case_lat = violation_lon_lat(None, violation)
    out = []
    for photo in violation.photos if photos is None else photos:
        distance = None
        if photo.exif_lon is not None and photo.exif_lat is not None and case_lon is not None and case_lat is not None:
            distance = distance_m((photo.exif_lon, photo.exif_lat), (case_lon, case_lat))
        too_early = photo.taken_at is not None and photo.taken_at < violation.detected_at - early
        out.append(PhotoEvidence(photo, distance, distance is not None and distance > far_m, too_early))
    return out


def open_case_positions(session: Session) -> list[tuple[Violation, float, float]]:
    """[(violation, lon, lat)] of open cases with a known position: the list a phone keeps for offline checks."""
    lon = spatial.x_expr(session, Violation.position)
    lat = spatial.y_expr(session, Violation.position)
    rows = session.execute(
        select(Violation, lon, lat).where(Violation.stage.in_(OPEN_STAGES), Violation.position.is_not(None))
        .order_by(Violation.id)
    ).all()
    return [(v, x, y) for v, x, y in rows]


def cases_without_position(session: Session) -> Sequence[Violation]:
    """Open cases reported with the position unknown, oldest first: for the officer to place."""
    return session.scalars(
        select(Violation).where(Violation.position.is_(None), Violation.stage.in_(OPEN_STAGES))
        .order_by(Violation.detected_at)
    ).all()


def limitation_due(rules: FieldRules, detected_at: datetime) -> date:
    """Last day of the limitation period of a case detected at that moment (counted from its local date)."""
    rule = rules.limitation or DEFAULT_RULES["limitation"]
    return due_date(rule, local_date(detected_at), rules.calendar or WorkingCalendar())
