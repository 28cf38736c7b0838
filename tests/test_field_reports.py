"""Violation reports and visits on both databases: codes, nearby cases, routes, positions, UUIDs, photos."""
import hashlib
import re
import threading
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.cases import case_map, history
from inspect_app.domain.cases.case_codes import next_case_code
from inspect_app.domain.errors import Conflict, InvalidFields, InvalidInput, NeedsConfirmation
from inspect_app.domain.field import field_reports
from inspect_app.domain.field.photos import PhotoFiles, photo_file
from inspect_app.domain.geo.spatial.engine import expect_writes, reset_expect_writes
from inspect_app.extensions import db
from inspect_app.models import Photo, User, Violation, Visit, Ward

from .factories import east_of_the_ward, jpeg_bytes, new_uuid, offset, png_bytes

RULES = field_reports.FieldRules(nearby_radius_m=30, code_prefix="TL")
BRIDGE = (105.5975, 10.1775)  # on R1 (and 63 m from R3)


@pytest.fixture
def inspector(session, demo_ward):
    return accounts.find_user(session, "kiemtra")


@pytest.fixture
def files(app):
    return PhotoFiles(app.config["PHOTO_DIR"])


def report(lon, lat, **extra):
    data = {"client_uuid": new_uuid(), "lon": lon, "lat": lat, "category": "no_permit", "address": "12 Lộ Vòng Cung"}
    data.update(extra)
    return field_reports.read_violation_report(data, extra.pop("photos", []))


def test_report_creates_a_detected_case_with_code_visit_and_route(session, inspector, files):
    violation, created = field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    assert created and violation.stage == "detected"
    assert re.fullmatch(r"TL-20\d\d-0001", violation.code)
    assert violation.route.code == "R1"
    assert [v.outcome for v in violation.visits] == ["violation_found"]
    assert violation.officer_id == inspector.id


def test_case_is_linked_to_the_nearest_route_whose_corridor_contains_it(session, inspector, files):
    r3_point = (105.5786, 10.15425)  # on the first leg of R3
    violation, _ = field_reports.report_violation(session, inspector, report(*r3_point), RULES, files)
    assert violation.route.code == "R3"
    beside_r3 = offset(*r3_point, metres_east=45)
    assert field_reports.route_for_point(session, *beside_r3).code == "R3"
    outside_corridor = offset(*r3_point, metres_east=200)
    assert field_reports.route_for_point(session, *outside_corridor) is None


def test_nearby_open_cases_within_30_m(session, inspector, files):
    first, _ = field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    ten_m = offset(*BRIDGE, metres_east=10)
    forty_m = offset(*BRIDGE, metres_east=40)
    found = field_reports.nearby_open_cases(session, *ten_m, 30)
    assert [(v.code, round(d)) for v, d in found] == [(first.code, 10)]
    assert field_reports.nearby_open_cases(session, *forty_m, 30) == []
    with pytest.raises(NeedsConfirmation) as raised:
        field_reports.report_violation(session, inspector, report(*ten_m), RULES, files)
    assert raised.value.kind == "nearby" and raised.value.details[0][0].id == first.id
    second, created = field_reports.report_violation(session, inspector, report(*ten_m, confirm_new="1"), RULES, files)
    assert created and second.code.endswith("-0002")


def test_closed_cases_are_not_nearby(session, inspector, files):
    first, _ = field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    first.stage = "closed"
    session.flush()
    assert field_reports.nearby_open_cases(session, *BRIDGE, 30) == []


def test_a_follow_up_visit_attaches_to_the_case(session, inspector, files):
    first, _ = field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    first.stage = "stop_work"  # a stage change meanwhile does not stop the follow-up
    visit_data = {"client_uuid": new_uuid(), "outcome": "follow_up", "violation_id": first.id, "lon": BRIDGE[0], "lat": BRIDGE[1]}
    visit, created = field_reports.log_visit(session, inspector, field_reports.read_visit_report(visit_data, []), RULES, files)
    assert created and visit.violation_id == first.id
    assert session.scalar(select(func.count()).select_from(Violation)) == 1
    assert len(first.visits) == 2


def test_the_same_uuid_returns_the_stored_case(session, inspector, files):
    sent = report(*BRIDGE)
    first, created = field_reports.report_violation(session, inspector, sent, RULES, files)
    again, created_again = field_reports.report_violation(session, inspector, sent, RULES, files)
    assert created and not created_again and again.id == first.id
    assert session.scalar(select(func.count()).select_from(Violation)) == 1
    assert session.scalar(select(func.count()).select_from(Visit)) == 1
    other = accounts.create_user(session, "thanh", "inspector", "mat-khau-dai")
    with pytest.raises(Conflict):
        field_reports.report_violation(session, other, sent, RULES, files)


def test_outside_the_ward_needs_confirmation_says_how_far_and_is_flagged(session, inspector, files):
    near_outside = east_of_the_ward(session, 500)
    with pytest.raises(NeedsConfirmation) as raised:
        field_reports.report_violation(session, inspector, report(*near_outside), RULES, files)
    assert raised.value.kind == "outside_ward"
    assert raised.value.params["distance"] in ("499 m", "500 m", "501 m")
    violation, _ = field_reports.report_violation(session, inspector, report(*near_outside, confirm_outside="1"),
                                                  RULES, files)
    assert violation.outside_ward and violation.route is None


@pytest.mark.parametrize("place,shown", [("hanoi", "1"), ("3 km", "3.0 km")])
def test_a_point_far_outside_the_ward_is_refused_even_when_confirmed(session, inspector, files, place, shown):
    point = (105.8342, 21.0278) if place == "hanoi" else east_of_the_ward(session, 3000)
    before = session.scalar(select(func.count()).select_from(Violation))
    with pytest.raises(InvalidFields) as raised:
        field_reports.report_violation(session, inspector, report(*point, confirm_outside="1"), RULES, files)
    problem = raised.value.errors["lon"]
    assert problem.params["limit"] == "2.0 km" and problem.params["distance"].startswith(shown)
    assert session.scalar(select(func.count()).select_from(Violation)) == before


def test_the_far_limit_is_configurable(session, inspector, files):
    point = east_of_the_ward(session, 3000)
    roomy = field_reports.FieldRules(nearby_radius_m=30, code_prefix="TL", outside_ward_max_m=5000)
    violation, _ = field_reports.report_violation(session, inspector, report(*point, confirm_outside="1"), roomy, files)
    assert violation.outside_ward


def test_a_report_without_a_position_must_say_the_position_is_unknown(session, inspector, files):
    data = {"client_uuid": new_uuid(), "category": "no_permit"}
    with pytest.raises(InvalidFields) as raised:
        field_reports.read_violation_report(data, [])
    assert set(raised.value.errors) == {"lon"}
    both = dict(data, lon="105.6", lat="10.17", position_unknown="1")
    with pytest.raises(InvalidFields):
        field_reports.read_violation_report(both, [])


def test_a_case_with_its_position_unknown_is_stored_without_one_and_never_offered_as_nearby(session, inspector, files):
    first, _ = field_reports.report_violation(
        session, inspector, field_reports.read_violation_report(
            {"client_uuid": new_uuid(), "category": "no_permit", "position_unknown": "1", "address": "Hẻm 5"}, []),
        RULES, files)
    assert first.position is None and not first.outside_ward and first.route_id is None
    assert field_reports.violation_lon_lat(session, first) == (None, None)
    # A second report without a position is not a duplicate of the first "at 0 m".
    second, created = field_reports.report_violation(
        session, inspector, field_reports.read_violation_report(
            {"client_uuid": new_uuid(), "category": "no_permit", "position_unknown": "1"}, []), RULES, files)
    assert created and second.id != first.id
    # Nor is it found near anything, nor on the map; it is listed for the officer to place.
    ward_centre = to_shape(session.scalar(select(Ward.boundary))).centroid
    assert field_reports.nearby_open_cases(session, ward_centre.x, ward_centre.y, 50_000) == []
    assert case_map.violations_feature_collection(session)["features"] == []
    assert [c.id for c in field_reports.cases_without_position(session)] == [first.id, second.id]


def _place(session, case, user, ctx, **fields):
    from inspect_app.domain.cases import case_actions

    form = {"action": "place_position", "mode": "record", "version": str(case.version), "note": "Đã đến tận nơi"}
    form.update(fields)
    inp = case_actions.read_action_input(form, [], ctx.today)
    return case_actions.take_action(session, case, user, inp, ctx, PhotoFiles("/nonexistent"))


def test_the_officer_places_an_unknown_position_later_as_a_step_in_the_case_history(app, session, inspector, files):
    from inspect_app.domain.cases import audit, case_actions
    from inspect_app.rules import lifecycle_context

    ctx = lifecycle_context(app.config, session.scalar(select(Ward)))
    case, _ = field_reports.report_violation(session, inspector, field_reports.read_violation_report(
        {"client_uuid": new_uuid(), "category": "no_permit", "position_unknown": "1", "address": "Hẻm 5"}, []),
        RULES, files)
    session.commit()
    offered = case_actions.available_actions(session, case, inspector, ctx.today)
    assert [a.key for a, _ in offered if a.places_position] == ["place_position"]
    other = accounts.create_user(session, "kiemtra2", "inspector", "mat-khau-dai-hon", full_name="Phạm Văn Hai")
    chairman = accounts.find_user(session, "chutich")
    version = case.version

    # Refused whole, with the reason: no pin, a pin 5 km out, a pin out of range, no note, another inspector.
    for fields, name in (({}, "lon"), ({"lon": "105.5975", "lat": "95"}, "lat"), ({"lon": "105.5975", "lat": "10.1775",
                                                                                 "note": ""}, "note")):
        with pytest.raises(InvalidFields) as refused:
            _place(session, case, inspector, ctx, **fields)
        assert name in refused.value.errors
    far = east_of_the_ward(session, 5000)
    with pytest.raises(InvalidFields) as refused:
        _place(session, case, inspector, ctx, lon=str(far[0]), lat=str(far[1]))
    assert "lon" in refused.value.errors
    session.rollback()
    from inspect_app.domain.errors import Forbidden
    with pytest.raises(Forbidden):
        _place(session, case, other, ctx, lon=str(BRIDGE[0]), lat=str(BRIDGE[1]))
    session.rollback()
    # Just outside the ward: only once the officer confirms.
    near = east_of_the_ward(session, 300)
    with pytest.raises(NeedsConfirmation):
        _place(session, case, inspector, ctx, lon=str(near[0]), lat=str(near[1]))
    session.rollback()
    case = session.get(Violation, case.id)
    assert case.position is None and case.version == version and case.events == []

    event = _place(session, case, inspector, ctx, lon=str(BRIDGE[0]), lat=str(BRIDGE[1]))
    session.commit()
    assert (event.lon, event.lat) == BRIDGE and event.stage_before == event.stage_after == "detected"
    assert field_reports.violation_lon_lat(session, case) == pytest.approx(BRIDGE)
    assert not case.outside_ward
    # Now the case is where everyone looks: near the bridge, on the map, off the "to place" list.
    assert case.id in [c.id for c, _ in field_reports.nearby_open_cases(session, *BRIDGE, 30)]
    assert [f["properties"]["code"] for f in case_map.violations_feature_collection(session)["features"]] == [case.code]
    assert field_reports.cases_without_position(session) == []
    # The position is part of the entry's hash, and the case row must match its history.
    assert '"position":[105.5975,10.1775]' in history.event_content(event, [])
    assert audit.verify_case(session, case, app.config["PHOTO_DIR"], app.config["AUDIT_KEY"]) == []
    event.lon = 105.6
    assert [p.what for p in audit.verify_case(session, case, app.config["PHOTO_DIR"], app.config["AUDIT_KEY"])] == \
        ["content", "position"]
    session.rollback()
    # Placed once: a second placing is neither offered nor accepted, even by the chairman.
    case = session.get(Violation, case.id)
    assert not [a for a, _ in case_actions.available_actions(session, case, chairman, ctx.today) if a.places_position]
    with pytest.raises(InvalidInput):
        _place(session, case, chairman, ctx, lon=str(BRIDGE[0]), lat=str(BRIDGE[1]))


def test_a_case_placed_just_outside_the_ward_after_confirming_is_marked_outside(app, session, inspector, files):
    from inspect_app.rules import lifecycle_context

    ctx = lifecycle_context(app.config, session.scalar(select(Ward)))
    case, _ = field_reports.report_violation(session, inspector, field_reports.read_violation_report(
        {"client_uuid": new_uuid(), "category": "no_permit", "position_unknown": "1"}, []), RULES, files)
    near = east_of_the_ward(session, 300)
    _place(session, case, accounts.find_user(session, "chutich"), ctx, lon=str(near[0]), lat=str(near[1]),
           confirm_outside="1")
    assert case.outside_ward and field_reports.violation_lon_lat(session, case) == pytest.approx(near, abs=1e-7)


@pytest.mark.parametrize("changes,field", [
    ({"category": ""}, "category"), ({"category": "arson"}, "category"), ({"lat": "999"}, "lat"),
    ({"lat": "NaN"}, "lat"), ({"lon": "inf"}, "lon"), ({"lat": ""}, "lat"), ({"area_m2": "-5"}, "area_m2"),
    ({"floors": "2.5"}, "floors"), ({"owner_phone": "call me"}, "owner_phone"), ({"client_uuid": "x"}, "client_uuid"),
    ({"address": "a" * 301}, "address"), ({"owner_name": "Nguyễn\x00Văn"}, "owner_name"),
])
def test_bad_report_fields_are_named(changes, field):
    data = {"client_uuid": new_uuid(), "lon": "105.6", "lat": "10.17", "category": "no_permit"}
    data.update(changes)
    with pytest.raises(InvalidFields) as raised:
        field_reports.read_violation_report(data, [])
    assert field in raised.value.errors


def test_photos_are_stored_with_hash_exif_and_thumbnail(app, session, inspector, files):
    data = jpeg_bytes(gps=BRIDGE)
    sent = report(*BRIDGE, photos=[(new_uuid(), data, "a.jpg"), (new_uuid(), jpeg_bytes(colour=(0, 90, 0)), "b.jpg")])
    violation, _ = field_reports.report_violation(session, inspector, sent, RULES, files)
    photo = violation.photos[0]
    assert photo.sha256 == hashlib.sha256(data).hexdigest() and photo.media_type == "image/jpeg"
    assert photo.exif_lon == pytest.approx(BRIDGE[0], abs=1e-6) and photo.exif_lat == pytest.approx(BRIDGE[1], abs=1e-6)
    assert photo.taken_at.isoformat() == "2026-11-26T02:15:00+00:00"  # 09:15 in Vietnam
    stored = photo_file(app.config["PHOTO_DIR"], photo.stored_name)
    assert stored.read_bytes() == data
    assert photo_file(app.config["PHOTO_DIR"], photo.thumb_name).stat().st_size < len(data) * 2
    # Stored under a random name, never the one the phone sent.
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.jpg", photo.stored_name) and len(violation.photos) == 2


@pytest.mark.parametrize("upload,message", [
    (b"", "trống"), (b"this is not an image at all", "không phải ảnh đọc được"),
    (png_bytes(20000, 20000), "quá nhiều điểm ảnh"), (jpeg_bytes()[:200], "hỏng"),
])
def test_bad_photos_refuse_the_whole_report_and_leave_no_file(app, session, inspector, files, upload, message):
    from inspect_app.i18n import translate_error

    sent = report(*BRIDGE, photos=[(new_uuid(), jpeg_bytes(), "good.jpg"), (new_uuid(), upload, "bad.jpg")])
    with app.test_request_context():
        with pytest.raises(InvalidInput) as raised:
            field_reports.report_violation(session, inspector, sent, RULES, files)
        assert message in translate_error(raised.value)
    session.rollback()
    files.discard()
    assert session.scalar(select(func.count()).select_from(Violation)) == 0
    assert session.scalar(select(func.count()).select_from(Photo)) == 0
    assert [p for p in Path(app.config["PHOTO_DIR"]).rglob("*") if p.is_file()] == []


def test_case_codes_stay_unique_under_concurrent_reports(app, demo_ward):
    """Eight inspectors' phones report at the same moment, three times each."""
    with app.app_context():
        ids = [accounts.create_user(db.session, f"kiemtra{i}", "inspector", "mat-khau-dai").id for i in range(8)]
        db.session.commit()
    errors, barrier = [], threading.Barrier(len(ids))

    def reporter(user_id, index):
        with app.app_context():
            try:
                barrier.wait()
                for n in range(3):
                    token = expect_writes(True)
                    try:
                        user = db.session.get(User, user_id)
                        where = offset(*BRIDGE, metres_north=100 * index, metres_east=100 * n)
                        sent = report(*where, confirm_new="1", confirm_outside="1")
                        field_reports.report_violation(db.session, user, sent, RULES, PhotoFiles(app.config["PHOTO_DIR"]))
                        db.session.commit()
                    finally:
                        db.session.remove()
                        reset_expect_writes(token)
            except Exception as exc:  # reported below: a thread must not fail silently
                errors.append(repr(exc))

    threads = [threading.Thread(target=reporter, args=(uid, i)) for i, uid in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        codes = db.session.scalars(select(Violation.code)).all()
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert len(codes) == 24 and len(set(codes)) == 24 and numbers == list(range(1, 25))


def test_next_case_code_counts_per_year(session):
    assert next_case_code(session, "TL", 2026) == "TL-2026-0001"
    assert next_case_code(session, "TL", 2026) == "TL-2026-0002"
    assert next_case_code(session, "TL", 2027) == "TL-2027-0001"
    assert next_case_code(session, "LH", 2026) == "LH-2026-0001"


def test_violations_geojson_with_bbox(session, inspector, files):
    field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    far = east_of_the_ward(session, 800)
    field_reports.report_violation(session, inspector, report(*far, confirm_outside="1"), RULES, files)
    everything = case_map.violations_feature_collection(session)
    assert len(everything["features"]) == 2
    box = (BRIDGE[0] - 0.001, BRIDGE[1] - 0.001, BRIDGE[0] + 0.001, BRIDGE[1] + 0.001)
    inside = case_map.violations_feature_collection(session, box)
    assert [f["properties"]["stage"] for f in inside["features"]] == ["detected"]
    assert inside["features"][0]["geometry"]["coordinates"] == pytest.approx(list(BRIDGE))


def test_the_nearby_query_uses_the_spatial_index(session, inspector, files):
    from inspect_app.domain.geo import spatial

    field_reports.report_violation(session, inspector, report(*BRIDGE), RULES, files)
    if spatial.database_kind(session) == spatial.POSTGIS:
        session.execute(db.text("SET LOCAL enable_seqscan = off"))
    statement = select(Violation.id).where(spatial.within_distance(session, Violation.position, *BRIDGE, 30))
    plan = spatial.explain(session, statement)
    assert "SpatialIndex" in plan or "idx_violations_position" in plan
    assert "SCAN violations" not in plan
