"""The server side of the phone's outbox: patrols by UUID with the phone's times, reports and visits
that name their patrol by UUID and carry the time they were made, photos sent one per request,
and an outbox replayed twice (a phone restored from a backup) that stores everything exactly once."""
import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Patrol, Photo, TrackPoint, Violation, Visit
from inspect_app.models.types import utcnow

from .conftest import csrf_token_from
from .factories import facts_missing_from, jpeg_bytes, new_uuid, offset, points_along

BRIDGE = (105.5975, 10.1775)


def route_id(client, code="R1"):
    home = client.get("/").get_data(as_text=True)
    return int(re.search(rf'data-route="{code}".*?name="route_id" value="(\d+)"', home, re.S).group(1))


def ms(moment):
    return int(moment.timestamp() * 1000)


def send(client, token, item):
    """Send one outbox item as the phone's script does."""
    if item["kind"] == "json":
        return client.post(item["url"], json=item["body"], headers={"X-CSRFToken": token})
    data = dict(item["fields"])
    if "photo" in item:
        data["photo"] = (io.BytesIO(item["photo"]), "photo.jpg")
    return client.post(item["url"], data=data, headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def a_day_offline(route):
    """What a phone collects with no network: a patrol with its track, two reports with two photos each, a visit."""
    start = utcnow() - timedelta(hours=3)
    patrol_uuid = new_uuid()
    items = [{"kind": "json", "url": "/api/patrols", "body": {"client_uuid": patrol_uuid, "route_id": route, "started_at": ms(start)}}]
    walk = points_along([BRIDGE, offset(*BRIDGE, metres_north=600)], 40)
    for first in range(0, len(walk), 6):
        points = [{"t": ms(start + timedelta(seconds=10 * (first + i))), "lon": lon, "lat": lat, "acc": 6}
                  for i, (lon, lat) in enumerate(walk[first:first + 6])]
        items.append({"kind": "json", "url": f"/api/patrols/{patrol_uuid}/points", "body": {"points": points}})
    photos = {}
    for number, metres in enumerate((0, 300)):
        report_uuid = new_uuid()
        lon, lat = offset(*BRIDGE, metres_north=metres)
        items.append({"kind": "form", "url": "/api/violations", "fields": {
            "client_uuid": report_uuid, "patrol_uuid": patrol_uuid, "lon": str(lon), "lat": str(lat),
            "category": "no_permit", "owner_name": f"Chủ đầu tư {number}", "confirm_new": "1",
            "observed_at": str(ms(start + timedelta(minutes=20 + number * 10)))}})
        for shade in (40, 200):
            photo_uuid, content = new_uuid(), jpeg_bytes(colour=(shade, number * 90, 60))
            photos[photo_uuid] = content
            items.append({"kind": "form", "url": "/api/photos", "photo": content,
                          "fields": {"record_uuid": report_uuid, "photo_uuid": photo_uuid}})
    visit_uuid = new_uuid()
    items.append({"kind": "form", "url": "/api/visits", "fields": {
        "client_uuid": visit_uuid, "patrol_uuid": patrol_uuid, "outcome": "nothing_wrong", "note": "Không có gì",
        "observed_at": str(ms(start + timedelta(minutes=45)))}})
    photo_uuid, content = new_uuid(), jpeg_bytes(colour=(10, 10, 10))
    photos[photo_uuid] = content
    items.append({"kind": "form", "url": "/api/photos", "photo": content, "fields": {"record_uuid": visit_uuid, "photo_uuid": photo_uuid}})
    items.append({"kind": "json", "url": f"/api/patrols/{patrol_uuid}/end", "body": {"ended_at": ms(start + timedelta(hours=1))}})
    return items, photos, start, len(walk)


def stored_files(app):
    """Names of the photo and thumbnail files on disk."""
    return sorted(p.name for p in Path(app.config["PHOTO_DIR"]).rglob("*") if p.is_file())


def stored_photo_hashes(app):
    with app.app_context():
        return {p.client_uuid: p.sha256 for p in db.session.scalars(select(Photo))}


def counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Patrol, TrackPoint, Violation, Visit, Photo)}


def test_an_outbox_replayed_twice_stores_everything_exactly_once(app, phone, db_snapshot):
    client, token = phone
    items, photos, start, point_count = a_day_offline(route_id(client))
    before = counts(app)
    first = [send(client, token, item).status_code for item in items]
    assert all(code in (200, 201) for code in first), first
    after = counts(app)
    assert after["Patrol"] - before["Patrol"] == 1 and after["TrackPoint"] - before["TrackPoint"] == point_count
    assert after["Violation"] - before["Violation"] == 2 and after["Photo"] - before["Photo"] == 5
    assert after["Visit"] - before["Visit"] == 3  # each report makes its visit, plus the visit itself
    hashes = stored_photo_hashes(app)
    for photo_uuid, content in photos.items():
        assert hashes[photo_uuid] == hashlib.sha256(content).hexdigest()
    files = stored_files(app)
    snapshot = db_snapshot()

    second = [send(client, token, item) for item in items]  # a phone restored from a backup
    assert all(r.status_code == 200 for r in second), [(i["url"], r.status_code, r.get_json()) for i, r in zip(items, second, strict=True)]
    assert db_snapshot() == snapshot
    assert stored_files(app) == files


def _changed(items, url_end, change):
    """The first item sent to url_end, with change applied to a copy of its fields or body."""
    import copy

    item = copy.deepcopy(next(i for i in items if i["url"].endswith(url_end)))
    change(item)
    return item


def _other_patrol_route(client):
    return route_id(client, "R2")


@pytest.mark.parametrize("what, url_end, change, named", [
    ("a report at another position", "/api/violations",
     lambda i: i["fields"].update(lat=str(float(i["fields"]["lat"]) + 0.001)), "Vị trí"),
    ("a report of another category", "/api/violations", lambda i: i["fields"].update(category="deviates_from_permit"), "Hành vi vi phạm"),
    ("a report with another owner and time", "/api/violations",
     lambda i: i["fields"].update(owner_name="Người khác", observed_at=str(int(i["fields"]["observed_at"]) - 60_000)),
     "Chủ đầu tư"),
    ("a photo with other bytes", "/api/photos", lambda i: i.update(photo=jpeg_bytes(colour=(1, 2, 3))), "ảnh khác"),
    ("a visit with another outcome", "/api/visits", lambda i: i["fields"].update(outcome="violation_found"), "Kết quả"),
    ("a patrol with another route", "/api/patrols", lambda i: i["body"].update(route_id=i["body"]["route_id"] + 1), "Tuyến"),
])
def test_a_replay_with_other_content_is_refused_naming_what_differs(app, phone, db_snapshot, what, url_end, change, named):
    client, token = phone
    items, _photos, _start, _points = a_day_offline(route_id(client))
    assert all(send(client, token, item).status_code in (200, 201) for item in items)
    snapshot, files = db_snapshot(), stored_files(app)
    response = send(client, token, _changed(items, url_end, change))
    assert response.status_code == 409, (what, response.status_code, response.get_json())
    assert named in response.get_json()["error"] and "đã nhận" in response.get_json()["error"], response.get_json()
    assert db_snapshot() == snapshot and stored_files(app) == files  # the first version is kept, nothing else


def test_records_keep_the_phone_times_and_their_patrol(app, phone):
    client, token = phone
    items, _photos, start, _ = a_day_offline(route_id(client))
    for item in items:
        send(client, token, item)
    with app.app_context():
        patrol = db.session.scalar(select(Patrol).order_by(Patrol.id.desc()))
        assert patrol.started_at == start.replace(microsecond=(start.microsecond // 1000) * 1000)
        assert patrol.ended_at - patrol.started_at == timedelta(hours=1)
        assert patrol.status == "ended" and patrol.track_length_m > 500
        cases = db.session.scalars(select(Violation).where(Violation.patrol_id == patrol.id).order_by(Violation.id)).all()
        assert len(cases) == 2
        assert [round((c.detected_at - patrol.started_at).total_seconds() / 60) for c in cases] == [20, 30]
        visit = db.session.scalar(select(Visit).where(Visit.outcome == "nothing_wrong"))
        assert visit.patrol_id == patrol.id and round((visit.visited_at - patrol.started_at).total_seconds() / 60) == 45


def test_points_sent_after_the_end_still_count(app, phone):
    """The end reached the server before the last batch (a retry): the track is computed again."""
    client, token = phone
    items, _photos, _start, point_count = a_day_offline(route_id(client))
    batches = [i for i in items if i["url"].endswith("/points")]
    others = [i for i in items if not i["url"].endswith("/points")]
    for item in others[:1] + batches[:-1] + others[1:] + batches[-1:]:
        assert send(client, token, item).status_code in (200, 201)
    with app.app_context():
        patrol = db.session.scalar(select(Patrol).order_by(Patrol.id.desc()))
        assert patrol.points_used == point_count


@pytest.mark.parametrize("body,field,message", [
    ({"route_id": 1}, "client_uuid", "UUID"),
    ({"client_uuid": "abc", "route_id": 1}, "client_uuid", "UUID"),
    ({"client_uuid": "UUID"}, "route_id", "Chọn tuyến"),
    ({"client_uuid": "UUID", "route_id": 1, "started_at": "2026-11-27T10:00:00"}, "started_at", "múi giờ"),
    ({"client_uuid": "UUID", "route_id": 1, "started_at": "hôm qua"}, "started_at", "không hợp lệ"),
    ({"client_uuid": "UUID", "route_id": 1, "started_at": 4102444800000}, "started_at", "tương lai"),
    ({"client_uuid": "UUID", "route_id": 1, "started_at": 946684800000}, "started_at", "30 ngày"),
])
def test_bad_patrol_starts_are_refused_with_a_message_and_store_nothing(app, phone, db_snapshot, body, field, message):
    client, token = phone
    body = {k: (new_uuid() if v == "UUID" else v) for k, v in body.items()}
    if "route_id" in body:
        body["route_id"] = route_id(client)
    before = db_snapshot()
    response = client.post("/api/patrols", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400, response.get_json()
    assert message in response.get_json()["fields"][field]
    assert db_snapshot() == before


def test_unknown_route_and_other_inspectors_patrols(app, phone):
    client, token = phone
    response = client.post("/api/patrols", json={"client_uuid": new_uuid(), "route_id": 99999}, headers={"X-CSRFToken": token})
    assert response.status_code == 404 and "Tuyến này không tồn tại" in response.get_json()["error"]
    patrol_uuid = new_uuid()
    assert client.post("/api/patrols", json={"client_uuid": patrol_uuid, "route_id": route_id(client)},
                       headers={"X-CSRFToken": token}).status_code == 201
    with app.app_context():
        from inspect_app.domain.accounts import accounts

        accounts.create_user(db.session, "kiemtra2", "inspector", "mat-khau-dai", full_name="Lê Thị Hai")
        db.session.commit()
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other.post("/login", data={"username": "kiemtra2", "password": "mat-khau-dai", "csrf_token": csrf_token_from(page)})
    other_token = csrf_token_from(other.get("/").get_data(as_text=True))
    for url, body in ((f"/api/patrols/{patrol_uuid}/points", {"points": [{"t": ms(utcnow()), "lon": 105.6, "lat": 10.17, "acc": 5}]}),
                      (f"/api/patrols/{patrol_uuid}/end", {})):
        response = other.post(url, json=body, headers={"X-CSRFToken": other_token})
        assert response.status_code == 403 and response.get_json()["error"]
    assert client.post(f"/api/patrols/{new_uuid()}/end", json={}, headers={"X-CSRFToken": token}).status_code == 404


def test_photo_requests_that_cannot_be_stored(app, phone, db_snapshot):
    client, token = phone
    report_uuid = new_uuid()
    lon, lat = BRIDGE
    assert client.post("/api/violations", data={"client_uuid": report_uuid, "lon": str(lon), "lat": str(lat), "category": "no_permit"},
                       headers={"X-CSRFToken": token}).status_code == 201
    before = db_snapshot()
    photo = {"kind": "form", "url": "/api/photos", "photo": jpeg_bytes()}
    cases = [
        ({"record_uuid": new_uuid(), "photo_uuid": new_uuid()}, 404, "chưa tới máy chủ"),
        ({"record_uuid": report_uuid}, 400, None),
        ({"record_uuid": "../../etc/passwd", "photo_uuid": new_uuid()}, 400, None),
    ]
    for fields, status, message in cases:
        response = send(client, token, dict(photo, fields=fields))
        assert response.status_code == status, response.get_json()
        assert response.get_json()["error"]
        if message:
            assert message in response.get_json()["error"]
    broken = send(client, token, {"kind": "form", "url": "/api/photos", "photo": b"\xff\xd8\xff not really a jpeg",
                                  "fields": {"record_uuid": report_uuid, "photo_uuid": new_uuid()}})
    assert broken.status_code == 400 and broken.get_json()["error"]
    no_file = client.post("/api/photos", data={"record_uuid": report_uuid, "photo_uuid": new_uuid()},
                          headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and "photo" in no_file.get_json()["fields"]
    assert db_snapshot() == before
    assert stored_files(app) == []


def test_a_record_takes_at_most_the_configured_number_of_photos(app, phone):
    client, token = phone
    app.config["MAX_PHOTOS_PER_RECORD"] = 2
    report_uuid = new_uuid()
    lon, lat = BRIDGE
    client.post("/api/violations", data={"client_uuid": report_uuid, "lon": str(lon), "lat": str(lat), "category": "no_permit"},
                headers={"X-CSRFToken": token})
    statuses = [send(client, token, {"kind": "form", "url": "/api/photos", "photo": jpeg_bytes(colour=(i * 50, 0, 0)),
                                     "fields": {"record_uuid": report_uuid, "photo_uuid": new_uuid()}}).status_code
                for i in range(3)]
    assert statuses == [201, 201, 400]


def _record_bb_as_chairman(app, case_id):
    from inspect_app.domain.accounts import accounts
    from inspect_app.domain.cases import case_actions
    from inspect_app.domain.field.photos import PhotoFiles
    from inspect_app.rules import lifecycle_context

    with app.app_context():
        chairman = accounts.find_user(db.session, "chutich")
        case = db.session.get(Violation, case_id)
        context = lifecycle_context(app.config)
        for key, extra in (("record_violation", {"document_number": "9/BB", "document_date": context.today.isoformat()}),
                           ("close", {"outcome": "dismissed"})):
            form = {"action": key, "mode": "record", "version": str(case.version), **facts_missing_from(case, key), **extra}
            case_actions.take_action(db.session, case, chairman, case_actions.read_action_input(form, [], context.today),
                                     context, PhotoFiles(app.config["PHOTO_DIR"]))
            db.session.commit()


def test_an_old_phone_state_never_overwrites_what_the_server_knows(app, phone, db_snapshot):
    """A report sent again after the chairman closed the case changes nothing; a follow-up made
    offline before the closing is kept with the case and the phone is told."""
    client, token = phone
    report = {"kind": "form", "url": "/api/violations", "fields": {
        "client_uuid": new_uuid(), "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "category": "no_permit",
        "owner_name": "Tên trên điện thoại", "confirm_new": "1"}}
    first = send(client, token, report)
    case_id = first.get_json()["id"]
    _record_bb_as_chairman(app, case_id)
    before = db_snapshot()
    again = send(client, token, dict(report, fields=dict(report["fields"], owner_name="Tên đã sửa trên điện thoại")))
    assert again.status_code == 409 and "Chủ đầu tư" in again.get_json()["error"]  # never silently dropped
    assert send(client, token, report).status_code == 200  # the same content again is a harmless repeat
    assert db_snapshot() == before
    with app.app_context():
        case = db.session.get(Violation, case_id)
        assert case.stage == "closed" and case.owner_name == "Tên trên điện thoại"

    visit = send(client, token, {"kind": "form", "url": "/api/visits", "fields": {
        "client_uuid": new_uuid(), "outcome": "follow_up", "violation_id": str(case_id), "note": "Kiểm tra lại (ngoại tuyến)",
        "observed_at": str(ms(utcnow() - timedelta(hours=2)))}})
    assert visit.status_code == 201
    assert "đã kết thúc" in visit.get_json()["notice"] and visit.get_json()["case_url"].endswith(f"/cases/{case_id}")
    with app.app_context():
        assert "Kiểm tra lại (ngoại tuyến)" in [v.note for v in db.session.get(Violation, case_id).visits]


def test_a_replayed_report_completes_its_photos_and_refuses_other_bytes(app, phone):
    client, token = phone
    report = {"kind": "form", "url": "/api/violations", "fields": {
        "client_uuid": new_uuid(), "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "category": "no_permit",
        "owner_name": "Ảnh gửi sau", "confirm_new": "1"}}
    assert send(client, token, report).status_code == 201
    photo_uuid, content = new_uuid(), jpeg_bytes(colour=(70, 80, 90))
    again = dict(report["fields"], photo_uuid=photo_uuid, photos=[(io.BytesIO(content), "a.jpg")])
    response = client.post("/api/violations", data=again, headers={"X-CSRFToken": token},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["photos"] == 1  # the cut first send is completed
    other = dict(report["fields"], photo_uuid=photo_uuid, photos=[(io.BytesIO(jpeg_bytes(colour=(1, 1, 1))), "a.jpg")])
    response = client.post("/api/violations", data=other, headers={"X-CSRFToken": token},
                           content_type="multipart/form-data")
    assert response.status_code == 409 and "ảnh khác" in response.get_json()["error"]
    assert stored_photo_hashes(app)[photo_uuid] == hashlib.sha256(content).hexdigest()
