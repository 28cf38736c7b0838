"""The phone's HTTP API: good requests, repeats, and bad input that stores nothing."""
import io
import json
from datetime import timedelta

import pytest

from inspect_app.models.types import utcnow

from .conftest import csrf_token_from
from .factories import east_of_the_ward, jpeg_bytes, new_uuid, offset, png_bytes

BRIDGE = (105.5975, 10.1775)


def start_patrol(client, token, route_code="R1"):
    home = client.get("/").get_data(as_text=True)
    import re

    route_id = re.search(rf'data-route="{route_code}".*?name="route_id" value="(\d+)"', home, re.S).group(1)
    response = client.post("/field/patrols", data={"csrf_token": token, "route_id": route_id, "client_uuid": new_uuid()})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def post_report(client, token, fields=None, photos=()):
    data = {"client_uuid": new_uuid(), "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "category": "no_permit",
            "address": "15 Lộ Vòng Cung", "owner_name": "Trần Văn Bảy"}
    data.update(fields or {})
    data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post("/api/violations", data=data, headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def test_report_with_photos_then_repeat_returns_the_same_case(phone, db_snapshot):
    client, token = phone
    key = new_uuid()
    photos = [(jpeg_bytes(), "a.jpg"), (jpeg_bytes(colour=(0, 0, 200)), "b.jpg")]
    first = post_report(client, token, {"client_uuid": key}, photos)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["code"].endswith("-0001") and body["photos"] == 2
    before = db_snapshot()
    again = post_report(client, token, {"client_uuid": key}, photos)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert db_snapshot() == before
    page = client.get(body["url"]).get_data(as_text=True)
    assert body["code"] in page and page.count('class="thumb"') == 2


def test_photos_are_served_only_to_logged_in_users(phone, app):
    client, token = phone
    body = post_report(client, token, photos=[(jpeg_bytes(), "a.jpg")]).get_json()
    page = client.get(body["url"]).get_data(as_text=True)
    import re

    photo_url = re.search(r'href="(/cases/photos/[0-9a-f]{32})"', page).group(1)
    assert client.get(photo_url).status_code == 200
    assert client.get(photo_url + "/thumb").mimetype == "image/jpeg"
    anonymous = app.test_client()
    assert anonymous.get(photo_url).status_code == 302
    assert client.get("/cases/photos/99999").status_code == 404
    assert client.get("/cases/photos/" + "0" * 32).status_code == 404


BAD_REPORTS = {
    "missing category": ({"category": ""}, [], 400, "Vui lòng chọn một mục."),
    "latitude 999": ({"lat": "999"}, [], 400, "Phải trong khoảng -90 đến 90."),
    "NaN": ({"lat": "NaN"}, [], 400, "Hãy nhập một số."),
    "text file renamed .jpg": ({}, [(b"Hello, this is a letter, not a photo.", "anh.jpg")], 400, "không phải ảnh đọc được"),
    "empty photo": ({}, [(b"", "trong.jpg")], 400, "trống"),
    "decompression bomb": ({}, [(png_bytes(20000, 20000), "bom.png")], 400, "quá nhiều điểm ảnh"),
    "30 MB file": ({}, [(b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024), "lon.jpg")], 413, "quá lớn"),
    "forged stage": ({"stage": "closed", "category": "nope"}, [], 400, "không có trong danh sách"),
}


@pytest.mark.parametrize("name", sorted(BAD_REPORTS))
def test_bad_reports_get_a_vietnamese_message_and_store_nothing(app, phone, db_snapshot, name):
    client, token = phone
    fields, photos, status, message = BAD_REPORTS[name]
    before = db_snapshot()
    from pathlib import Path

    files_before = sorted(Path(app.config["PHOTO_DIR"]).rglob("*"))
    response = post_report(client, token, fields, [(jpeg_bytes(), "ok.jpg")] + photos if photos and status != 413 else photos)
    assert response.status_code == status
    assert message in response.get_json()["error"] + " ".join((response.get_json().get("fields") or {}).values())
    assert db_snapshot() == before
    assert sorted(Path(app.config["PHOTO_DIR"]).rglob("*")) == files_before


def test_nearby_report_needs_confirmation_then_follow_up_attaches(phone, db_snapshot):
    client, token = phone
    first = post_report(client, token).get_json()
    ten_m = offset(*BRIDGE, metres_east=10)
    before = db_snapshot()
    second = post_report(client, token, {"lon": str(ten_m[0]), "lat": str(ten_m[1])})
    assert second.status_code == 409
    body = second.get_json()
    assert body["confirm"] == "nearby" and [c["code"] for c in body["cases"]] == [first["code"]]
    assert "Có vụ vi phạm đang xử lý" in body["error"]
    assert db_snapshot() == before
    follow_up = client.post("/api/visits", data={
        "client_uuid": new_uuid(), "outcome": "follow_up", "violation_id": str(first["id"]),
        "lon": str(ten_m[0]), "lat": str(ten_m[1]), "note": "Vẫn đang thi công",
    }, headers={"X-CSRFToken": token})
    assert follow_up.status_code == 201
    page = client.get(first["url"]).get_data(as_text=True)
    assert page.count("Kiểm tra lại vụ đã có") == 1 and "Vẫn đang thi công" in page


def test_outside_the_ward_needs_confirmation_and_far_outside_is_refused(phone, session):
    client, token = phone
    near = east_of_the_ward(session, 400)
    session.rollback()  # no read transaction left open while the app writes
    response = post_report(client, token, {"lon": str(near[0]), "lat": str(near[1])})
    assert response.status_code == 409 and response.get_json()["confirm"] == "outside_ward"
    assert "m ngoài ranh giới phường" in response.get_json()["error"]
    confirmed = post_report(client, token, {"lon": str(near[0]), "lat": str(near[1]), "confirm_outside": "1"})
    assert confirmed.status_code == 201
    hanoi = post_report(client, token, {"lon": "105.8342", "lat": "21.0278", "confirm_outside": "1"})
    assert hanoi.status_code == 400
    assert "km ngoài ranh giới phường" in hanoi.get_json()["fields"]["lon"]


def test_nearby_api(phone):
    client, token = phone
    first = post_report(client, token, photos=[(jpeg_bytes(), "a.jpg")]).get_json()
    found = client.get(f"/api/violations/nearby?lon={BRIDGE[0]}&lat={BRIDGE[1]}").get_json()
    assert found["radius_m"] == 30 and found["cases"][0]["code"] == first["code"]
    assert found["cases"][0]["thumb_url"].endswith("/thumb") and found["cases"][0]["stage_label"] == "Phát hiện"
    bad = client.get("/api/violations/nearby?lon=abc&lat=10")
    assert bad.status_code == 400 and "lon" in bad.get_json()["fields"]


def _points(start, count=3, **override):
    base = [{"t": int((start + timedelta(seconds=10 * i)).timestamp() * 1000), "lon": 105.5891 + i * 1e-4,
             "lat": 10.1716 + i * 1e-4, "acc": 6} for i in range(count)]
    base[-1].update(override)
    return base


def test_track_batches_through_the_api(phone):
    client, token = phone
    patrol_id = start_patrol(client, token)
    points = _points(utcnow())
    first = client.post(f"/api/patrols/{patrol_id}/points", json={"points": points}, headers={"X-CSRFToken": token})
    assert first.get_json() == {"received": 3, "added": 3, "poor_accuracy": 0}
    again = client.post(f"/api/patrols/{patrol_id}/points", json={"points": points}, headers={"X-CSRFToken": token})
    assert again.get_json()["added"] == 0
    ended = client.post(f"/field/patrols/{patrol_id}/end", data={"csrf_token": token})
    assert ended.status_code == 302
    geojson = client.get(f"/api/patrols/{patrol_id}.geojson").get_json()
    assert geojson["features"][0]["geometry"]["type"] == "MultiLineString"


def test_a_point_a_day_in_the_future_is_refused(phone, db_snapshot):
    client, token = phone
    patrol_id = start_patrol(client, token)
    before = db_snapshot()
    future = int((utcnow() + timedelta(days=1)).timestamp() * 1000)
    response = client.post(f"/api/patrols/{patrol_id}/points", json={"points": _points(utcnow(), t=future)},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "thời gian ở tương lai" in response.get_json()["error"]
    assert db_snapshot() == before


def test_a_batch_for_someone_elses_patrol_is_refused(app, phone, runner, db_snapshot):
    client, token = phone
    patrol_id = start_patrol(client, token)
    runner.invoke(args=["users", "create", "thanh", "--role", "inspector", "--password", "mat-khau-dai"])
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    other.post("/login", data={"username": "thanh", "password": "mat-khau-dai", "csrf_token": csrf_token_from(page)})
    other_token = csrf_token_from(other.get("/").get_data(as_text=True))
    before = db_snapshot()
    response = other.post(f"/api/patrols/{patrol_id}/points", json={"points": _points(utcnow())},
                          headers={"X-CSRFToken": other_token})
    assert response.status_code == 403 and "thuộc cán bộ khác" in response.get_json()["error"]
    assert other.get(f"/field/patrols/{patrol_id}").status_code == 403
    assert db_snapshot() == before


@pytest.mark.parametrize("body", [None, "not json", {"points": "x"}, {"points": []}, {"points": [1, 2]}])
def test_malformed_track_batches(phone, body, db_snapshot):
    client, token = phone
    patrol_id = start_patrol(client, token)
    before = db_snapshot()
    if isinstance(body, str) or body is None:
        response = client.post(f"/api/patrols/{patrol_id}/points", data=body or "", headers={"X-CSRFToken": token},
                               content_type="application/json")
    else:
        response = client.post(f"/api/patrols/{patrol_id}/points", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["error"]
    assert db_snapshot() == before


def test_api_writes_need_the_csrf_token(phone, db_snapshot):
    client, _token = phone
    before = db_snapshot()
    response = client.post("/api/violations", data={"client_uuid": new_uuid(), "lon": "105.6", "lat": "10.17", "category": "other"})
    assert response.status_code == 400 and "kiểm tra bảo mật" in response.get_json()["error"]
    assert db_snapshot() == before


def test_violations_geojson_bbox_errors(phone):
    client, token = phone
    post_report(client, token)
    assert len(client.get("/api/violations.geojson").get_json()["features"]) == 1
    assert client.get("/api/violations.geojson?bbox=105.59,10.17,105.60,10.18").get_json()["features"]
    for bad in ("1,2,3", "a,b,c,d", "105.6,10.2,105.5,10.1", "0,0,0,999"):
        response = client.get(f"/api/violations.geojson?bbox={bad}")
        assert response.status_code == 400 and "bbox" in response.get_json()["error"]


def test_my_day_lists_todays_work(phone):
    client, token = phone
    body = post_report(client, token, photos=[(jpeg_bytes(), "a.jpg")]).get_json()
    page = client.get("/field/today").get_data(as_text=True)
    assert f'data-case="{body["code"]}"' in page and "/thumb" in page


def test_chairman_cannot_post_field_reports(client, auth, demo_ward):
    auth.login("chutich", "chutich-demo")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = post_report(client, token)
    assert response.status_code == 403


def test_a_photo_identifier_cannot_move_a_photo_to_another_case(phone, db_snapshot):
    client, token = phone
    photo_uuid = new_uuid()
    first = client.post("/api/violations", data={
        "client_uuid": new_uuid(), "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "category": "no_permit",
        "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")], "photo_uuid": [photo_uuid]}, headers={"X-CSRFToken": token})
    assert first.status_code == 201
    before = db_snapshot()
    far = offset(*BRIDGE, metres_east=300)
    second = client.post("/api/violations", data={
        "client_uuid": new_uuid(), "lon": str(far[0]), "lat": str(far[1]), "category": "no_permit",
        "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")], "photo_uuid": [photo_uuid]}, headers={"X-CSRFToken": token})
    assert second.status_code == 409 and "đã được gửi kèm một hồ sơ khác" in second.get_json()["error"]
    assert db_snapshot() == before


def _photos_of(app):
    from sqlalchemy import select

    from inspect_app.extensions import db
    from inspect_app.models import Photo

    with app.app_context():
        return [(p.exif_source, p.exif_lon, p.exif_lat, p.taken_at) for p in db.session.scalars(select(Photo).order_by(Photo.id))]


def test_the_time_and_place_read_on_the_phone_are_kept_when_the_file_has_none(phone, app):
    """The phone sends a downscaled copy without EXIF, and the facts it read from the original."""
    client, token = phone
    facts = json.dumps({"taken": "2026:11:26 09:15:00", "lat": 10.1776, "lon": 105.5976})
    response = post_report(client, token, {"photo_exif": [facts, ""]},
                           [(jpeg_bytes(taken=None), "nho.jpg"), (jpeg_bytes(taken=None), "khong-ro.jpg")])
    assert response.status_code == 201, response.get_json()
    (source, lon, lat, taken), unknown = _photos_of(app)
    assert (source, lon, lat) == ("phone", 105.5976, 10.1776)
    assert taken.isoformat() == "2026-11-26T02:15:00+00:00"  # 09:15 in Vietnam
    assert unknown == ("", None, None, None)  # nothing known, nothing made up


def test_facts_in_the_file_win_over_the_phones(phone, app):
    client, token = phone
    facts = json.dumps({"taken": "2020:01:01 00:00:00", "lat": 20.0, "lon": 100.0})
    response = post_report(client, token, {"photo_exif": facts}, [(jpeg_bytes(gps=BRIDGE), "goc.jpg")])
    assert response.status_code == 201
    [(source, lon, lat, _taken)] = _photos_of(app)
    assert source == "file" and (lon, lat) == pytest.approx(BRIDGE, abs=1e-5)


@pytest.mark.parametrize("facts", ["not json", "[1, 2]", '{"taken": "yesterday"}', '{"lat": 95, "lon": 105}',
                                   '{"lat": true, "lon": 105}'])
def test_bad_facts_from_the_phone_are_refused_and_nothing_is_stored(phone, app, facts):
    client, token = phone
    response = post_report(client, token, {"photo_exif": facts}, [(jpeg_bytes(taken=None), "anh.jpg")])
    assert response.status_code == 400
    assert "thời điểm và nơi chụp đọc trên điện thoại không hợp lệ" in json.dumps(response.get_json(), ensure_ascii=False)
    assert _photos_of(app) == []
