"""The inspector's day on a Pixel 7: a patrol along R1, two reports with photos and a follow-up,
refused location, bad input kept in the form."""
import hashlib
import json
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Patrol, Photo, Route, TrackPoint, Violation, Visit

from ..factories import geodesic_length, jpeg_bytes, new_uuid, offset, points_along
from .conftest import ARTIFACTS, login

BRIDGE = (105.5975, 10.1775)


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_patrol_along_r1_records_track_length_and_coverage(app, live_server, phone, demo_ward, page_errors):
    with app.app_context():
        r1 = list(to_shape(db.session.scalar(select(Route.geom).where(Route.code == "R1"))).coords)
    walk = points_along(r1, 140)  # about nine fixes over 1.1 km
    assert len(walk) >= 7
    page = page_errors(phone.new_page())
    phone.set_geolocation({"longitude": walk[0][0], "latitude": walk[0][1], "accuracy": 6})
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R1").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    # The start of the walk is recorded as the patrol starts (on the start page or this one).
    page.wait_for_function("Number(document.getElementById('patrol-tracker').dataset.points) >= 1")
    for index, (lon, lat) in enumerate(walk[1:], start=1):
        if index == 3:
            # A poor fix far off the road: shown as a warning and left out of the track.
            before = _points_shown(page)
            phone.set_geolocation({"longitude": lon + 0.004, "latitude": lat + 0.004, "accuracy": 150})
            page.wait_for_function(f"Number(document.getElementById('patrol-tracker').dataset.points) > {before}")
            assert page.locator("#accuracy-warning").is_visible()
            assert "GPS kém chính xác" in page.locator("#accuracy-warning").inner_text()
        before = _points_shown(page)
        phone.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 6})
        page.wait_for_function(f"Number(document.getElementById('patrol-tracker').dataset.points) > {before}")
    assert page.locator("#accuracy-warning").is_hidden()
    shown_distance = int(page.locator("#distance").inner_text().split()[0])
    assert shown_distance == pytest.approx(geodesic_length(walk), rel=0.05)
    page.screenshot(path=str(ARTIFACTS / "phone-patrol-live.png"), full_page=True)

    page.get_by_role("button", name="Kết thúc chuyến tuần tra").click()
    page.wait_for_selector("#patrol-summary")
    page.screenshot(path=str(ARTIFACTS / "phone-patrol-summary.png"), full_page=True)
    with app.app_context():
        patrol = db.session.scalar(select(Patrol))
        assert patrol.status == "ended"
        assert patrol.track_length_m == pytest.approx(geodesic_length(walk), rel=0.05)
        assert patrol.coverage > 0.9
        assert patrol.points_rejected == 1 and patrol.points_used >= len(walk)
    assert page_errors.errors == []


def _photo_files(tmp_path, count):
    paths = []
    for i in range(count):
        path = tmp_path / f"anh-{i}.jpg"
        path.write_bytes(jpeg_bytes(width=3000, height=2000, colour=(40 * i, 90, 150), gps=BRIDGE))
        paths.append(str(path))
    return paths


def _wait_for_gps(page):
    page.wait_for_function("document.querySelector('[name=lat]').value !== ''")


def test_report_with_two_photos_then_a_nearby_follow_up(app, live_server, phone, demo_ward, page_errors, tmp_path):
    page = page_errors(phone.new_page())
    phone.set_geolocation({"longitude": BRIDGE[0], "latitude": BRIDGE[1], "accuracy": 7})
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    _wait_for_gps(page)
    assert "± 7 m" in page.locator("#gps-status").inner_text()
    page.select_option("#category", "no_permit")
    page.fill("#address", "25 Lộ Vòng Cung")
    page.fill("#khu_vuc", "Thới Mỹ")
    page.fill("#owner_name", "Nguyễn Thị Hồng")
    page.fill("#area_m2", "85,5")
    page.fill("#floors", "2")
    page.set_input_files("#photo-gallery", _photo_files(tmp_path, 2))
    page.screenshot(path=str(ARTIFACTS / "phone-report-form.png"), full_page=True)
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    code = page.locator("h1").inner_text().split()[-1]
    with app.app_context():
        photos = db.session.scalars(select(Photo)).all()
        assert len(photos) == 2
        # Downscaled on the phone: at most 2048 px on the long side, far below the 3000 px sent.
        assert all(max(p.width, p.height) <= 2048 for p in photos)
        violation = db.session.scalar(select(Violation))
        assert violation.area_m2 == 85.5 and violation.gps_accuracy_m == 7 and violation.route.code == "R1"

    page.goto(f"{live_server}/field/today")
    row = page.locator(f'[data-case="{code}"]')
    assert row.is_visible() and row.locator("img.thumb.small").count() == 2
    page.wait_for_function(f"Array.from(document.querySelectorAll('[data-case=\"{code}\"] img'))"
                           ".every(i => i.complete && i.naturalWidth > 0)")

    ten_m_east = offset(*BRIDGE, metres_east=10)
    phone.set_geolocation({"longitude": ten_m_east[0], "latitude": ten_m_east[1], "accuracy": 7})
    page.goto(f"{live_server}/field/report")
    nearby = page.locator("#nearby")
    nearby.wait_for(state="visible")
    assert code in nearby.inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-report-nearby.png"), full_page=True)
    page.fill("#description", "Đã dừng thi công? Chưa, vẫn đổ bê tông.")
    nearby.get_by_role("button", name="Đúng vụ này: ghi lượt kiểm tra lại").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert _count(app, Violation) == 1 and _count(app, Visit) == 2
    assert page.locator("#case-visits li").count() == 2
    assert page_errors.errors == []



def test_field_page_weight(app, live_server, phone, demo_ward):
    """The report page (the heaviest field page, with the map library) stays well under 200 KB."""
    page = phone.new_page()
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    page.wait_for_load_state("networkidle")
    transferred = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const own = performance.getEntriesByType('resource').filter(r => r.name.startsWith(location.origin));
        return nav.transferSize + own.reduce((sum, r) => sum + r.transferSize, 0);
    }""")
    assert 10_000 < transferred < 120_000, transferred


def test_with_location_refused_a_report_is_placed_by_hand_or_saved_as_position_unknown(
        app, live_server, phone_without_gps, demo_ward, page_errors):
    """No GPS: never the ward centre. Saving with the untouched pin is refused with a message; the
    inspector marks the position unknown (never offered as a duplicate "(0 m)"), or places the pin."""
    page = page_errors(phone_without_gps.new_page())
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    page.wait_for_function("document.getElementById('gps-status').textContent.includes('bị chặn')")
    assert page.locator("#gps-help").is_visible()
    assert "Android" in page.inner_text("#gps-help") and "iPhone" in page.inner_text("#gps-help")
    assert page.input_value("[name=lon]") == ""
    page.select_option("#category", "encroachment")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_selector("[data-error-for=lon]:not([hidden])")
    assert "Chưa có vị trí" in page.inner_text("[data-error-for=lon]")
    assert _count(app, Violation) == 0
    assert page_errors.errors == [f"400 {live_server}/api/violations"]  # the refusal, expected
    page_errors.errors.clear()
    page.get_by_label("lưu là “vị trí chưa xác định”").check()
    page.fill("#address", "Hẻm không tên gần chợ")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert page.locator("#position-unknown").inner_text() == "Vị trí chưa xác định"
    assert page.locator("#case-map").count() == 0

    # The next report on this phone: the long help is not repeated; no "(0 m)" duplicate is offered.
    page.goto(f"{live_server}/field/report")
    page.wait_for_function("document.getElementById('gps-status').textContent.includes('bị chặn')")
    assert page.locator("#gps-help").is_hidden()
    page.select_option("#category", "no_permit")
    page.get_by_label("lưu là “vị trí chưa xác định”").check()
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    with app.app_context():
        assert [v.position for v in db.session.scalars(select(Violation))] == [None, None]
    page.goto(f"{live_server}/cases/")
    assert page.locator("#unplaced li").count() == 2

    # Placing the pin by hand gives a real position.
    page.goto(f"{live_server}/field/report")
    page.wait_for_function("document.getElementById('gps-status').textContent.includes('bị chặn')")
    box = page.locator("#pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    assert page.locator("#unknown-choice").is_hidden()
    lon = float(page.input_value("[name=lon]"))
    lat = float(page.input_value("[name=lat]"))
    page.select_option("#category", "encroachment")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    with app.app_context():
        violation = db.session.scalar(select(Violation).where(Violation.position.is_not(None)))
        point = to_shape(violation.position)
        assert (point.x, point.y) == pytest.approx((lon, lat), abs=1e-6)
        assert violation.gps_lon is None and violation.gps_accuracy_m is None
    page.screenshot(path=str(ARTIFACTS / "phone-report-no-gps.png"), full_page=True)
    assert page_errors.errors == []


def _report_without_position(app, address):
    from inspect_app.domain.accounts import accounts
    from inspect_app.domain.field import field_reports
    from inspect_app.domain.field.photos import PhotoFiles

    with app.app_context():
        inspector = accounts.find_user(db.session, "kiemtra")
        case, _ = field_reports.report_violation(db.session, inspector, field_reports.read_violation_report(
            {"client_uuid": new_uuid(), "category": "no_permit", "position_unknown": "1", "address": address}, []),
            field_reports.FieldRules(), PhotoFiles(app.config["PHOTO_DIR"]))
        db.session.commit()
        return case.id, case.code


def test_next_day_the_officer_places_an_unknown_position_from_the_site_and_the_chairman_from_his_desk(
        app, live_server, phone_without_gps, desk, demo_ward, page_errors):
    """Two cases were saved with "vị trí chưa xác định". The officer goes to the first with the GPS on and
    places it from where he stands; the chairman places the second by tapping the map. Each placing is a
    step of the case's history; the cases then show on the map and as nearby; the audit still passes."""
    first_id, first_code = _report_without_position(app, "Hẻm không tên gần chợ")
    second_id, second_code = _report_without_position(app, "Cuối hẻm 7")
    page = page_errors(phone_without_gps.new_page())
    login(page, live_server)
    page.goto(f"{live_server}/cases/")
    assert page.locator("#unplaced li").count() == 2
    # Saving without choosing a position is refused with the reason; nothing changes.
    page.locator("#unplaced").get_by_role("link", name=first_code).click()
    page.wait_for_url(f"{live_server}/cases/{first_id}")
    page.get_by_role("link", name="Đặt vị trí trên bản đồ").click()
    form = page.locator("#action-place_position")
    assert form.get_attribute("open") is not None and page.locator("#place-map .leaflet-tile-pane").count() == 1
    form.get_by_label("Ghi chú").fill("Đã đến tận nơi, công trình ở cuối hẻm")
    form.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("#action-place_position .field-error")
    assert "Đặt ghim lên công trình" in page.inner_text("#action-place_position .field-error")
    assert page.input_value("#action-place_position textarea[name=note]") == "Đã đến tận nơi, công trình ở cuối hẻm"
    page_errors.errors.clear()  # the 400 of the refusal, expected

    # At the site, with the location allowed now: the GPS position where he stands.
    site = offset(*BRIDGE, metres_east=12)
    phone_without_gps.grant_permissions(["geolocation"])
    phone_without_gps.set_geolocation({"longitude": site[0], "latitude": site[1], "accuracy": 5})
    page.get_by_role("button", name="Dùng vị trí GPS của tôi").click()
    page.wait_for_function("document.getElementById('place-status').dataset.placed === '1'")
    assert "± 5 m" in page.inner_text("#place-status")
    page.screenshot(path=str(ARTIFACTS / "phone-case-place.png"), full_page=True)
    form.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(rf".*/cases/{first_id}#event-1$"))
    assert page.locator("#position-unknown").count() == 0 and page.locator("#case-map").count() == 1
    assert page.locator("#event-1").get_attribute("data-action") == "place_position"
    assert "Vị trí: " in page.inner_text("#event-1") and "Đã đến tận nơi" in page.inner_text("#event-1")
    with app.app_context():
        placed = db.session.get(Violation, first_id)
        assert (to_shape(placed.position).x, to_shape(placed.position).y) == pytest.approx(site, abs=1e-6)
        assert placed.stage == "detected" and placed.events[0].actor.username == "kiemtra"

    # Now it is "nearby" for the next report at the same spot, and off the list to place.
    page.goto(f"{live_server}/field/report")
    page.locator("#nearby").wait_for(state="visible")
    assert first_code in page.inner_text("#nearby")
    page.goto(f"{live_server}/cases/")
    assert page.locator("#unplaced li").count() == 1

    # The chairman, at his desk, places the second one on the map by hand.
    office = page_errors(desk.new_page())
    login(office, live_server, "chutich", "chutich-demo")
    office.goto(f"{live_server}/cases/{second_id}")
    box = office.locator("#place-map").bounding_box()
    office.locator("#place-map").click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.4})
    office.wait_for_function("document.getElementById('place-status').dataset.placed === '1'")
    lon, lat = float(office.input_value("#place-lon")), float(office.input_value("#place-lat"))
    office.locator("#action-place_position").get_by_label("Ghi chú").fill("Theo sơ đồ của tổ dân phố")
    office.locator("#action-place_position").get_by_role("button", name="Lưu").click()
    office.wait_for_url(re.compile(rf".*/cases/{second_id}#event-1$"))
    office.goto(f"{live_server}/api/violations.geojson")
    codes = {f["properties"]["code"] for f in json.loads(office.inner_text("body"))["features"]}
    assert codes == {first_code, second_code}
    with app.app_context():
        point = to_shape(db.session.get(Violation, second_id).position)
        assert (point.x, point.y) == pytest.approx((lon, lat), abs=1e-6)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "nguyên vẹn" in result.output, result.output
    assert page_errors.errors == []


def test_bad_input_shows_vietnamese_messages_and_keeps_what_was_typed(app, live_server, phone, demo_ward, tmp_path):
    page = phone.new_page()
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    _wait_for_gps(page)
    page.fill("#address", "7 Hẻm 3, Thới Mỹ")
    page.fill("#owner_phone", "0909 123 456")
    page.get_by_role("button", name="Lưu báo cáo").click()
    error = page.locator('[data-error-for="category"]')
    error.wait_for(state="visible")
    assert error.inner_text() == "Vui lòng chọn một mục."
    assert page.locator(".form-error").inner_text() == "Vui lòng sửa các ô được đánh dấu; chưa có gì được lưu."
    assert page.input_value("#address") == "7 Hẻm 3, Thới Mỹ" and page.input_value("#owner_phone") == "0909 123 456"

    fake = tmp_path / "anh-gia.jpg"
    fake.write_text("Đây là một bức thư, không phải ảnh.")
    page.select_option("#category", "no_permit")
    page.set_input_files("#photo-gallery", [str(fake)])
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_function("document.querySelector('.form-error').textContent.includes('không phải ảnh')")
    assert page.input_value("#address") == "7 Hẻm 3, Thới Mỹ"
    assert _count(app, Violation) == 0 and _count(app, Photo) == 0
    page.screenshot(path=str(ARTIFACTS / "phone-report-errors.png"), full_page=True)


def test_field_pages_fit_a_360_px_screen(app, live_server, phone, demo_ward, tmp_path):
    """One-handed use on a small phone: no sideways scrolling on any field page."""
    page = phone.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R2").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    patrol_url = page.url
    page.goto(f"{live_server}/field/report")
    _wait_for_gps(page)
    page.select_option("#category", "other")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_url = page.url
    for url in (f"{live_server}/", patrol_url, f"{live_server}/field/report", f"{live_server}/field/visit",
                f"{live_server}/field/today", case_url, f"{live_server}/cases/", f"{live_server}/routes"):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        # Every tap target: header links, buttons, fields, links in lists and tables, map controls;
        # only links inside a sentence (a paragraph's text) are exempt, as WCAG 2.5.5 allows.
        small = page.evaluate("""() => Array.from(document.querySelectorAll(
                'header a, header button, main a, main button, main .button, main select, .leaflet-control a, '
                + 'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])'))
            .filter(e => e.offsetParent !== null && !e.closest('p:not(.actions), .note, .leaflet-control-attribution'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
            .map(e => e.outerHTML.slice(0, 70))""")
        assert small == [], (url, small)


def test_visit_during_a_patrol_with_a_photo(app, live_server, phone, demo_ward, page_errors, tmp_path):
    page = page_errors(phone.new_page())
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R1").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    page.get_by_role("link", name="Ghi lượt kiểm tra").click()
    _wait_for_gps(page)
    page.get_by_label("Không có vi phạm").check()
    page.fill("#note", "Công trình có giấy phép số 123/GPXD, đúng phép.")
    page.set_input_files("#photo-gallery", _photo_files(tmp_path, 1))
    page.get_by_role("button", name="Lưu lượt kiểm tra").click()
    page.wait_for_url(f"{live_server}/field/today")
    assert "Không có vi phạm" in page.locator("#today-visits").inner_text()
    with app.app_context():
        visit = db.session.scalar(select(Visit))
        assert visit.outcome == "nothing_wrong" and visit.patrol_id is not None and len(visit.photos) == 1
        assert to_shape(visit.position).x == pytest.approx(105.5891)
    assert page_errors.errors == []


def _fix(phone, lonlat, accuracy=6):
    phone.set_geolocation({"longitude": lonlat[0], "latitude": lonlat[1], "accuracy": accuracy})


def _points_shown(page):
    return int(page.locator("#patrol-tracker").get_attribute("data-points") or "0")


def _walk(phone, page, steps, pause_s=0.5):
    """Fixes one after another at walking-test pace; waits until the page has recorded each."""
    for lonlat in steps:
        before = _points_shown(page)
        _fix(phone, lonlat)
        page.wait_for_function(f"Number(document.getElementById('patrol-tracker').dataset.points) > {before}")
        time.sleep(pause_s)


def test_a_patrol_keeps_recording_through_a_report_and_the_case_page_with_a_gap_and_a_jump(
        app, live_server, phone, demo_ward, page_errors):
    """R3 in the street: the patrol page, a report, the case page, a stretch with no GPS, a GPS jump;
    the track is recorded on every page, the gap is a gap, the jump is left out, and the count goes on."""
    app.config.update(TRACK_MAX_SPEED_MPS=150, TRACK_GAP_S=8, TRACK_SEND_INTERVAL_S=2)
    with app.app_context():
        r3 = list(to_shape(db.session.scalar(select(Route.geom).where(Route.code == "R3"))).coords)
    walk = points_along(r3, 40)
    assert len(walk) >= 30
    page = page_errors(phone.new_page())
    _fix(phone, walk[0])
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R3").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    assert page.locator("html").get_attribute("data-wake-lock") in ("on", "refused")
    _walk(phone, page, walk[1:6])
    # A GPS jump 470 m off the road at a good accuracy: said on screen, not added to the distance.
    jumped = offset(*walk[6], metres_north=470)
    before = _points_shown(page)
    _fix(phone, jumped, accuracy=12)
    page.wait_for_function(f"Number(document.getElementById('patrol-tracker').dataset.points) > {before}")
    assert page.locator("#jump-warning").is_visible()
    time.sleep(0.5)
    _walk(phone, page, walk[6:9])
    shown = int(page.locator("#distance").inner_text().split()[0])
    assert shown == pytest.approx(geodesic_length(walk[:9]), rel=0.1)

    # Reporting: the page records too, and says so.
    page.get_by_role("link", name="Báo cáo vi phạm").click()
    page.wait_for_url(re.compile(r".*/field/report.*"))
    assert "Đang ghi chuyến tuần tra R3" in page.locator("#patrol-tracker").inner_text()
    _walk(phone, page, walk[9:13])
    page.select_option("#category", index=1)
    page.fill("#address", "Hẻm 12, khu vực Thới Hòa")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    # The case page records as well; one tap leads back to the patrol.
    _walk(phone, page, walk[13:16])

    # The network of satellites is lost for longer than the gap time: the page says since when.
    time.sleep(9)
    page.wait_for_selector("#tracker-stopped:not([hidden])", timeout=8000)
    assert "Không có vị trí GPS từ" in page.locator("#tracker-stopped").inner_text()
    # Found again 600 m further on.
    _walk(phone, page, walk[31:36])
    assert page.locator("#tracker-stopped").is_hidden()
    points_before_return = _points_shown(page)

    page.get_by_role("link", name="Về chuyến tuần tra").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    assert int(page.locator("#sent").inner_text()) >= points_before_return  # never restarts at 0
    page.get_by_role("button", name="Kết thúc chuyến tuần tra").click()
    page.wait_for_selector("#patrol-summary")
    page.wait_for_function("document.getElementById('patrol-map').dataset.drawn")
    drawn = json.loads(page.locator("#patrol-map").get_attribute("data-drawn"))
    assert drawn == {"route": 1, "uncovered": 1, "track": 1}
    assert page.locator("#gap-count").get_attribute("data-count") == "1"
    page.screenshot(path=str(ARTIFACTS / "phone-patrol-gap-summary.png"), full_page=True)
    with app.app_context():
        patrol = db.session.scalar(select(Patrol))
        segments = to_shape(patrol.track).geoms
        assert len(segments) == 2
        walked = geodesic_length(walk[:16]) + geodesic_length(walk[31:36])
        assert patrol.track_length_m == pytest.approx(walked, rel=0.1)
        assert patrol.points_rejected == 1  # the jump
        # Fixes from the report and case pages are part of the track: every position walked arrived.
        stored = {(round(lon, 7), round(lat, 7)) for lon, lat in db.session.execute(
            select(TrackPoint.lon, TrackPoint.lat).where(TrackPoint.usable.is_(True))).all()}
        assert stored >= {(round(lon, 7), round(lat, 7)) for lon, lat in walk[:16] + walk[31:36]}
    assert page_errors.errors == []


def test_starting_a_patrol_while_one_is_open_asks_first(app, live_server, phone, demo_ward, page_errors):
    page = page_errors(phone.new_page())
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R1").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    page.goto(f"{live_server}/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Bắt đầu tuần tra R2").click()
    page.wait_for_timeout(500)
    assert asked and "Chuyến tuần tra R1 vẫn đang mở" in asked[0]
    assert page.url == f"{live_server}/"
    with app.app_context():
        assert [(p.route.code, p.status) for p in db.session.scalars(select(Patrol))] == [("R1", "open")]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bắt đầu tuần tra R2").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    with app.app_context():
        found = {p.route.code: p.status for p in db.session.scalars(select(Patrol))}
    assert found == {"R1": "ended", "R2": "open"}
    assert page_errors.errors == []


def test_photos_added_one_at_a_time_keep_their_time_and_place_after_downscaling(
        app, live_server, phone, demo_ward, page_errors, tmp_path):
    """Android's camera gives one shot per pick: photos are added one after another, one is removed,
    and each keeps its EXIF time and place although the phone sends a smaller copy without EXIF."""
    spot = offset(*BRIDGE, metres_east=40)
    now_local = datetime.now(timezone(timedelta(hours=7))).strftime("%Y:%m:%d %H:%M:%S")
    here = tmp_path / "o-day.jpg"
    here.write_bytes(jpeg_bytes(width=4000, height=3000, colour=(30, 120, 60), gps=spot, taken=now_local))
    elsewhere = tmp_path / "cu.jpg"
    elsewhere.write_bytes(jpeg_bytes(width=4000, height=3000, colour=(200, 40, 40), gps=offset(*spot, metres_north=300),
                                     taken="2026:11:20 08:00:00"))
    wrong = tmp_path / "nham.jpg"
    wrong.write_bytes(jpeg_bytes(width=800, height=600, colour=(0, 0, 0)))
    phone.set_geolocation({"longitude": spot[0], "latitude": spot[1], "accuracy": 5})
    page = page_errors(phone.new_page())
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    _wait_for_gps(page)
    for path in (here, wrong, elsewhere):  # three shots, one after another
        page.set_input_files("#photo-camera", str(path))
    page.wait_for_function("document.getElementById('photo-picker').dataset.count === '3'")
    assert page.locator("#photo-list img").count() == 3
    page.locator("#photo-list li").nth(1).get_by_role("button", name="Xoá").click()  # the wrong one
    assert page.get_attribute("#photo-picker", "data-count") == "2"
    page.select_option("#category", "no_permit")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    with app.app_context():
        photos = db.session.scalars(select(Photo).order_by(Photo.id)).all()
        assert [(p.width, p.height) for p in photos] == [(2048, 1536), (2048, 1536)]
        assert [p.exif_source for p in photos] == ["phone", "phone"]
        assert photos[0].exif_lon == pytest.approx(spot[0], abs=1e-6) and photos[0].exif_lat == pytest.approx(spot[1], abs=1e-6)
        local = [p.taken_at.astimezone(timezone(timedelta(hours=7))).strftime("%Y:%m:%d %H:%M:%S") for p in photos]
        assert local == [now_local, "2026:11:20 08:00:00"]
        for photo in photos:  # the hash is of the file as the server received it
            stored = Path(app.config["PHOTO_DIR"]) / photo.stored_name
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == photo.sha256
    facts = page.locator("#case-photos figure")
    assert facts.count() == 2
    assert facts.nth(0).get_attribute("data-far") == "0" and facts.nth(0).get_attribute("data-early") == "0"
    assert "cách vị trí vụ 0 m" in facts.nth(0).inner_text() or "cách vị trí vụ 1 m" in facts.nth(0).inner_text()
    assert facts.nth(1).get_attribute("data-far") == "1" and facts.nth(1).get_attribute("data-early") == "1"
    assert "Chụp cách vị trí vụ hơn 100 m" in facts.nth(1).inner_text()
    assert "Chụp trước khi báo cáo hơn 24 giờ" in facts.nth(1).inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-case-photo-facts.png"), full_page=True)
    assert page_errors.errors == []


def test_a_visit_that_finds_a_violation_goes_on_as_a_report_with_its_note_position_and_photo(
        app, live_server, phone, demo_ward, page_errors, tmp_path):
    spot = offset(*BRIDGE, metres_north=60)
    phone.set_geolocation({"longitude": spot[0], "latitude": spot[1], "accuracy": 5})
    page = page_errors(phone.new_page())
    login(page, live_server)
    page.goto(f"{live_server}/field/visit")
    page.wait_for_function("document.querySelector('[name=gps_lat]').value !== ''")
    page.get_by_label("Phát hiện vi phạm").check()
    page.fill("#note", "Đang đổ mái tầng 3, không có giấy phép")
    page.set_input_files("#photo-camera", _photo_files(tmp_path, 1))
    page.get_by_role("button", name="Lưu lượt kiểm tra").click()
    page.wait_for_url(re.compile(r".*/field/report\?.*from=visit.*"))
    page.wait_for_function("document.getElementById('photo-picker').dataset.count === '1'")
    assert page.input_value("#description") == "Đang đổ mái tầng 3, không có giấy phép"
    assert float(page.input_value("[name=lat]")) == pytest.approx(spot[1], abs=1e-6)
    assert "Từ lượt kiểm tra" in page.inner_text("#draft-note")
    page.select_option("#category", "no_permit")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    with app.app_context():
        case = db.session.scalar(select(Violation))
        assert case.description == "Đang đổ mái tầng 3, không có giấy phép" and len(case.photos) == 1
        assert [v.outcome for v in db.session.scalars(select(Visit))] == ["violation_found"]  # one visit, not two
    assert page_errors.errors == []


def test_leaving_a_form_with_typed_data_asks_and_what_was_typed_comes_back(app, live_server, phone, demo_ward):
    page = phone.new_page()
    login(page, live_server)
    page.goto(f"{live_server}/field/report")
    _wait_for_gps(page)
    page.fill("#address", "Hẻm 7 Lê Hồng Phong")
    page.fill("#owner_name", "Nguyễn Văn Tám")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Hôm nay của tôi").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"] and "/field/report" in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Hôm nay của tôi").first.click()
    page.wait_for_url(re.compile(r".*/field/today$"), wait_until="domcontentloaded")
    page.go_back(wait_until="domcontentloaded")
    page.wait_for_selector("#report-form")
    page.wait_for_function("document.getElementById('owner_name').value === 'Nguyễn Văn Tám'")
    assert page.input_value("#address") == "Hẻm 7 Lê Hồng Phong"
    assert page.locator("#draft-note").is_visible()


def test_the_patrol_page_says_when_recording_stopped_while_the_screen_was_off(app, live_server, phone, demo_ward):
    """The screen goes off (the page is hidden) for longer than the gap time: back on, the page says
    from when to when nothing was recorded, and the screen lock is asked for again."""
    app.config.update(TRACK_GAP_S=2)
    page = phone.new_page()
    login(page, live_server)
    page.get_by_role("button", name="Bắt đầu tuần tra R1").click()
    page.wait_for_url(re.compile(r".*/field/patrols/\d+$"))
    page.wait_for_function("document.documentElement.dataset.wakeLock")

    def visibility(state):
        page.evaluate("""state => { Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
                                    document.dispatchEvent(new Event('visibilitychange')); }""", state)

    page.evaluate("delete document.documentElement.dataset.wakeLock")
    visibility("hidden")
    time.sleep(3)
    visibility("visible")
    page.wait_for_selector("#tracker-stopped:not([hidden])")
    assert re.search(r"Việc ghi GPS đã dừng từ \d\d:\d\d đến \d\d:\d\d", page.inner_text("#tracker-stopped"))
    page.wait_for_function("document.documentElement.dataset.wakeLock")  # asked for again
