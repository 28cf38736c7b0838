"""The admin pages over HTTP on both databases: users, routes and boundary, ward settings, the log."""
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.cases.deadlines import WorkingCalendar
from inspect_app.domain.field import patrols
from inspect_app.domain.geo import geography
from inspect_app.extensions import db
from inspect_app.models import AdminEvent, Route, User, Violation
from inspect_app.models.types import utcnow

from .conftest import csrf_token_from
from .factories import import_through_admin, make_case, new_uuid, offset, points_along

DATA = Path(__file__).parent / "data"


@pytest.fixture
def admin(app, client, auth, demo_ward):
    """The demo administrator's logged-in client and a CSRF token."""
    auth.login("quantri", "quantri-demo")
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    return client, token


def user_id(app, username):
    with app.app_context():
        return accounts.find_user(db.session, username).id


def log_entries(app):
    with app.app_context():
        return [(e.action, e.target, e.detail, e.actor.username)
                for e in db.session.scalars(select(AdminEvent).order_by(AdminEvent.id))]


def test_admin_creates_an_account_that_can_log_in_and_the_log_says_who(app, admin):
    client, token = admin
    response = client.post("/admin/users", data={"csrf_token": token, "username": "Kiemtra3", "full_name": "Phạm Ba",
                                                  "role": "inspector", "password": "mot-hai-ba-bon"})
    assert response.status_code == 302
    assert "Đã tạo tài khoản kiemtra3" in client.get("/admin/users").get_data(as_text=True)
    assert log_entries(app) == [("user.create", "kiemtra3", "inspector", "quantri")]
    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    assert other.post("/login", data={"username": "kiemtra3", "password": "mot-hai-ba-bon",
                                      "csrf_token": csrf_token_from(page)}).status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"username": "ab", "role": "inspector", "password": "mot-hai-ba-bon"}, "không hợp lệ"),
    ({"username": "kiemtra", "role": "inspector", "password": "mot-hai-ba-bon"}, "đã tồn tại"),
    ({"username": "moi", "role": "inspector", "password": "ngan"}, "ít nhất 8 ký tự"),
    ({"username": "moi", "role": "superuser", "password": "mot-hai-ba-bon"}, "không có trong danh sách"),
])
def test_a_bad_new_account_is_refused_with_a_message_and_nothing_stored(app, admin, db_snapshot, fields, message):
    client, token = admin
    before = db_snapshot()
    response = client.post("/admin/users", data={"csrf_token": token, **fields})
    assert response.status_code in (400, 409)
    assert message in response.get_data(as_text=True)
    assert db_snapshot() == before


def test_role_change_deactivate_reactivate_and_password_reset(app, admin):
    client, token = admin
    target = user_id(app, "kiemtra")
    assert client.post(f"/admin/users/{target}", data={"csrf_token": token, "change": "role", "role": "chairman"}).status_code == 302
    assert client.post(f"/admin/users/{target}", data={"csrf_token": token, "change": "deactivate"}).status_code == 302
    with app.app_context():
        user = db.session.get(User, target)
        assert (user.role, user.active) == ("chairman", False)
    blocked = app.test_client()
    page = blocked.get("/login").get_data(as_text=True)
    refused = blocked.post("/login", data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(page)})
    assert "đã bị vô hiệu hóa" in refused.get_data(as_text=True)
    assert client.post(f"/admin/users/{target}", data={"csrf_token": token, "change": "reactivate"}).status_code == 302
    assert client.post(f"/admin/users/{target}", data={"csrf_token": token, "change": "full_name",
                                                       "full_name": "Nguyễn Văn Kiểm"}).status_code == 302
    assert client.post(f"/admin/users/{target}", data={"csrf_token": token, "change": "password",
                                                       "password": "mat-khau-moi-123"}).status_code == 302
    fresh = app.test_client()
    page = fresh.get("/login").get_data(as_text=True)
    assert fresh.post("/login", data={"username": "kiemtra", "password": "mat-khau-moi-123",
                                      "csrf_token": csrf_token_from(page)}).status_code == 302
    assert [e[0] for e in log_entries(app)] == ["user.role", "user.deactivate", "user.reactivate", "user.full_name",
                                                "user.password"]
    assert log_entries(app)[3][2] == "Nguyễn Văn Kiểm (demo) → Nguyễn Văn Kiểm"
    assert log_entries(app)[0][2] == "inspector → chairman"


def test_someone_with_records_cannot_be_deleted_only_deactivated(app, admin, db_snapshot):
    client, token = admin
    with app.app_context():
        make_case(db.session, user_id(app, "kiemtra"))
        db.session.commit()
    before = db_snapshot()
    response = client.post(f"/admin/users/{user_id(app, 'kiemtra')}", data={"csrf_token": token, "change": "delete"})
    assert response.status_code == 409
    assert "không thể xóa" in response.get_data(as_text=True) and "vô hiệu hóa tài khoản" in response.get_data(as_text=True)
    assert db_snapshot() == before


def test_an_account_without_records_can_be_deleted(app, admin):
    client, token = admin
    client.post("/admin/users", data={"csrf_token": token, "username": "nham", "role": "inspector", "password": "mot-hai-ba-bon"})
    response = client.post(f"/admin/users/{user_id(app, 'nham')}", data={"csrf_token": token, "change": "delete"})
    assert response.status_code == 302
    with app.app_context():
        assert accounts.find_user(db.session, "nham") is None
    assert [e[0] for e in log_entries(app)] == ["user.create", "user.delete"]


def test_the_admin_cannot_lock_themselves_out(app, admin, db_snapshot):
    client, token = admin
    me = user_id(app, "quantri")
    before = db_snapshot()
    for change, message in (("deactivate", "không thể vô hiệu hóa tài khoản của chính mình"),
                            ("role", "không thể đổi vai trò của chính mình"),
                            ("delete", "không thể xóa tài khoản của chính mình")):
        response = client.post(f"/admin/users/{me}", data={"csrf_token": token, "change": change, "role": "inspector"})
        assert response.status_code == 403
        assert message in response.get_data(as_text=True)
    assert db_snapshot() == before


def test_the_last_active_administrator_stays(app, session, demo_ward):
    me = accounts.find_user(session, "quantri")
    second = accounts.create_user(session, "quantri2", "admin", "mot-hai-ba-bon", min_password_length=8)
    accounts.set_active(session, me, False, second)
    with pytest.raises(accounts.Conflict):
        accounts.change_role(session, second, "inspector", me)


def settings_form(client):
    """The settings form as the page fills it in."""
    html = client.get("/admin/settings").get_data(as_text=True)
    form = dict(re.findall(r'name="(rule_[a-z_]+_(?:amount|citation))" [^>]*?value="([^"]*)"', html))
    form.update(re.findall(r'<select name="(rule_[a-z_]+_unit)"[^>]*>.*?<option value="([a-z_]+)" selected', html, re.S))
    form.update(name="Phường Thới Long", code_prefix="TL", days_off="", csrf_token=csrf_token_from(html))
    assert len(form) == 3 * 9 + 4  # amount, unit and citation of each of the nine rules
    return form


def test_settings_change_name_prefix_days_off_and_the_next_deadline_follows(app, admin):
    client, _token = admin
    today = date.today()
    calendar = WorkingCalendar()
    days_off, day = [], today
    while len(days_off) < 3:  # the next three working days become days off
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days_off.append(day)
    form = settings_form(client)
    form.update({"name": "Phường Thới Long (mới)", "code_prefix": "tl2",
                 "days_off": "\n".join(f"{d:%d/%m/%Y}" for d in days_off[:2]) + f"\n{days_off[2].isoformat()}",
                 "rule_penalty_decision_amount": "10", "rule_penalty_decision_citation": "NĐ mới 2027"})
    assert client.post("/admin/settings", data=form).status_code == 302
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert (ward.name, ward.code_prefix) == ("Phường Thới Long (mới)", "TL2")
        case = make_case(db.session, user_id(app, "kiemtra"))
        db.session.commit()
        case_id = case.id
    assert "Phường Thới Long (mới)" in client.get("/").get_data(as_text=True)
    assert client.get("/manifest.webmanifest").get_json()["name"].endswith("Phường Thới Long (mới)")
    assert log_entries(app)[-1][:2] == ("ward.settings", "Phường Thới Long (mới)")
    inspector = app.test_client()
    login_page = inspector.get("/login").get_data(as_text=True)
    inspector.post("/login", data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(login_page)})
    page = inspector.get(f"/cases/{case_id}").get_data(as_text=True)
    response = inspector.post(f"/cases/{case_id}/events", data={
        "csrf_token": csrf_token_from(page), "version": re.search(r'name="version" value="(\d+)"', page).group(1),
        "mode": "record", "action": "record_violation", "document_number": "1/BB", "document_date": today.isoformat()})
    assert response.status_code == 302
    expected = WorkingCalendar(days_off).add_working_days(today, 10)
    with app.app_context():
        case = db.session.get(Violation, case_id)
        assert (case.due_date, case.due_citation) == (expected, "NĐ mới 2027")


def test_the_office_keeps_the_wards_calendar_and_confirming_a_year_ends_the_forecast_mark(app, admin, db_snapshot):
    client, _token = admin
    this_year = date.today().year
    with app.app_context():
        case = make_case(db.session, user_id(app, "kiemtra"), due=date(this_year + 1, 1, 8),
                         due_start=date(this_year, 12, 29))
        db.session.commit()
        case_id = case.id
    page = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(rf'data-day="{this_year + 1}-01-01" data-source="forecast"', page)
    assert 'class="badge warn forecast"' in client.get(f"/cases/{case_id}").get_data(as_text=True)

    # Bad lists are refused by name, and nothing is stored.
    before = db_snapshot()
    for changes, message in (({"workdays": "07/03/2027\n30/02/2027"}, "Không phải ngày"),
                             ({"days_off": "06/03/2027", "workdays": "06/03/2027"}, "vừa là ngày nghỉ vừa là ngày làm việc"),
                             ({"holidays_confirmed": ["năm nay"]}, "Không phải năm")):
        form = settings_form(client)
        form.update(changes)
        response = client.post("/admin/settings", data=form)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
        assert db_snapshot() == before

    form = settings_form(client)
    form.update(workdays=f"06/03/{this_year + 1}", holidays_not_off=f"24/11/{this_year + 1}",
                holidays_confirmed=[str(this_year), str(this_year + 1)])
    assert client.post("/admin/settings", data=form).status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert re.search(rf'data-day="{this_year + 1}-01-01" data-source="confirmed"', page)
    assert re.search(rf'data-day="{this_year + 1}-03-06" data-source="makeup"', page)
    assert re.search(rf'data-day="{this_year + 1}-11-24" data-source="not_off"', page)
    assert 'class="badge warn forecast"' not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert log_entries(app)[-1][0] == "ward.settings" and "holidays_confirmed" in log_entries(app)[-1][2]


@pytest.mark.parametrize("changes, field_message", [
    ({"name": ""}, "Ô này bắt buộc."),
    ({"code_prefix": "TL-2026"}, "chữ in hoa A–Z"),
    ({"days_off": "31/02/2027"}, "Không phải ngày"),
    ({"rule_compliance_amount": "0"}, "Phải trong khoảng"),
    ({"rule_compliance_unit": "weeks"}, "không có trong danh sách"),
    ({"rule_compliance_citation": "<script>alert(1)</script>\x07"}, "ký tự điều khiển"),
])
def test_bad_settings_are_refused_field_by_field_and_nothing_changes(app, admin, db_snapshot, changes, field_message):
    client, _token = admin
    form = settings_form(client)
    form.update(changes)
    before = db_snapshot()
    response = client.post("/admin/settings", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_message in page and "chưa có gì được lưu" in page
    assert "<script>alert(1)</script>" not in page
    assert db_snapshot() == before


def upload(client, token, content, filename, **options):
    """Import a file through the admin's form (preview, then save)."""
    return import_through_admin(client, token, content, filename, **options)


def test_import_a_gpx_route_then_redraw_it_from_a_patrol_track_then_verify_and_widen(app, admin):
    client, token = admin
    assert upload(client, token, (DATA / "track_good.gpx").read_bytes(), "moi.gpx").status_code == 302
    assert "R5" in client.get("/admin/geography").get_data(as_text=True)
    with app.app_context():
        r5 = db.session.scalar(select(Route).where(Route.code == "R5"))
        inspector = accounts.find_user(db.session, "kiemtra")
        rules = patrols.PatrolRules(accuracy_limit_m=50, future_tolerance_s=300, auto_end_after_h=12)
        start = utcnow() - timedelta(minutes=30)
        patrol, _ = patrols.start_patrol(db.session, inspector, r5.id, new_uuid(), rules, started_at=start)
        walk = points_along([offset(105.5891, 10.1716, 0, 5), offset(105.5930, 10.1745, 0, 5)], 10)
        batch = [{"t": int((start + timedelta(seconds=10 * i)).timestamp() * 1000), "lon": lon, "lat": lat, "acc": 5}
                 for i, (lon, lat) in enumerate(walk)]
        patrols.add_track_points(db.session, patrol, inspector, batch, rules)
        patrols.end_patrol(db.session, patrol, inspector, rules)
        db.session.commit()
        route_id, patrol_id = r5.id, patrol.id
    response = client.post(f"/admin/routes/{route_id}", data={"csrf_token": token, "change": "track", "patrol_id": str(patrol_id)})
    assert response.status_code == 302
    for change in ({"change": "verify"}, {"change": "corridor", "corridor_m": "80"}):
        assert client.post(f"/admin/routes/{route_id}", data={"csrf_token": token, **change}).status_code == 302
    with app.app_context():
        r5 = db.session.get(Route, route_id)
        line = to_shape(r5.geom)
        assert line.coords[0] == pytest.approx(offset(105.5891, 10.1716, 0, 5), abs=1e-6)
        assert 2 <= len(line.coords) < len(walk)  # simplified: a straight walk needs few vertices
        assert (r5.verified, r5.corridor_m) == (True, 80)
        assert f"chuyến tuần tra #{patrol_id}" in r5.source
    actions = [e[0] for e in log_entries(app)]
    assert actions == ["geography.import", "route.track", "route.verify", "route.corridor"]


def test_import_a_geojson_boundary_and_mark_it_verified(app, admin):
    client, token = admin
    assert upload(client, token, (DATA / "boundary_good.geojson").read_bytes(), "ranh-gioi.geojson").status_code == 302
    assert client.post("/admin/boundary", data={"csrf_token": token, "verified": "yes"}).status_code == 302
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert ward.boundary_verified is True
        assert (ward.boundary_name, ward.boundary_source) == ("Ranh giới thử", "Sở TN-MT")


@pytest.mark.parametrize("filename, content, message", [
    ("ranh-gioi.shp", b"\x00\x01", "không được hỗ trợ"),
    ("hong.geojson", b"{not json", "không phải GeoJSON hợp lệ"),
    ("vn2000.geojson", json.dumps({"type": "Feature", "properties": {"code": "R9"},
                                   "geometry": {"type": "LineString", "coordinates": [[587000, 1124000], [588000, 1125000]]}}).encode(),
     "VN-2000"),
    ("rong.gpx", (DATA / "no_track.gpx").read_bytes(), "không có track"),
    ("latin1.geojson", "{\"type\": \"Feature\", \"name\": \"Th\xe1i\"}".encode("latin-1"), "không phải văn bản UTF-8"),
])
def test_a_bad_import_file_stores_nothing(app, admin, db_snapshot, filename, content, message):
    client, token = admin
    before = db_snapshot()
    response = upload(client, token, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_snapshot() == before


def test_the_log_shows_failed_and_successful_logins_newest_first(app, client, auth, demo_ward):
    auth.login("kiemtra", "sai-mat-khau")
    auth.login("quantri", "quantri-demo")
    html = client.get("/admin/log?show=logins").get_data(as_text=True)
    rows = re.findall(r'<tr data-succeeded="(yes|no)"><td>[^<]+</td><td>([a-z]+)</td>', html)
    assert rows[:2] == [("yes", "quantri"), ("no", "kiemtra")]
    failed = client.get("/admin/log?show=failed").get_data(as_text=True)
    assert 'data-succeeded="yes"' not in failed and 'data-succeeded="no"' in failed


@pytest.mark.parametrize("username", ["kiemtra", "chutich"])
def test_only_the_administrator_reads_the_log_or_changes_anything(app, client, auth, demo_ward, db_snapshot, username):
    auth.login(username, f"{username}-demo")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.get("/admin/log").status_code == 403
    before = db_snapshot()
    target = user_id(app, "kiemtra")
    for url, data in ((f"/admin/users/{target}", {"change": "role", "role": "admin"}), ("/admin/users", {"username": "x"}),
                      ("/admin/settings", {"name": "X"}), ("/admin/boundary", {"verified": "yes"})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 403
    assert db_snapshot() == before


def test_a_rule_set_back_to_its_configured_value_follows_the_configuration_again(app, admin):
    client, _token = admin
    app.config["DEADLINE_RULES"] = {"compliance": {"amount": 20, "citation": "Quyết định của UBND thành phố"}}
    form = settings_form(client)
    assert (form["rule_compliance_amount"], form["rule_compliance_citation"]) == ("20", "Quyết định của UBND thành phố")
    assert client.post("/admin/settings", data=dict(form, rule_compliance_amount="25")).status_code == 302
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert json.loads(ward.deadline_rules) == {"compliance": {"amount": 25}}
    assert client.post("/admin/settings", data=dict(settings_form(client), rule_compliance_amount="20")).status_code == 302
    app.config["DEADLINE_RULES"] = {"compliance": {"amount": 30}}  # a later change of the configuration applies
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert json.loads(ward.deadline_rules) == {}
        from inspect_app.rules import lifecycle_context
        assert lifecycle_context(app.config, ward).rules["compliance"].amount == 30


GPX = DATA / "gpx"


def _route(app, code):
    with app.app_context():
        route = db.session.scalar(select(Route).where(Route.code == code))
        return None if route is None else (route.name, list(to_shape(route.geom).coords), route.retired_at, route.source)


def test_a_garmin_track_named_by_its_time_needs_the_code_and_keeps_the_routes_name(app, admin, db_snapshot):
    """Garmin names a recording by its time: without a code nothing is made of it; with R1 the line is
    replaced (both segments), R1 keeps its name, and the note is in Vietnamese."""
    client, token = admin
    content = (GPX / "garmin_etrex_timestamp_name.gpx").read_bytes()
    before = db_snapshot()
    refused = upload(client, token, content, "Current.gpx")
    assert refused.status_code == 400 and "chỉ có thời điểm ghi" in refused.get_data(as_text=True)
    assert db_snapshot() == before
    name_before, line_before, _, _ = _route(app, "R1")
    preview = client.post("/admin/geography/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(content), "Current.gpx"), "route_code": "R1"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="import-map"' in page and "thay tuyến cùng mã" in page
    assert name_before in page and "2026-11-28 07:12:03" not in page
    assert db_snapshot() == before  # a preview stores nothing
    assert upload(client, token, content, "Current.gpx", route_code="R1").status_code == 302
    name, line, _, source = _route(app, "R1")
    assert name == name_before and line != line_before and len(line) == 47  # both segments, every point
    assert source == "Nhập từ tệp Current.gpx"


def test_a_route_from_an_osmand_file_with_waypoints(app, admin):
    client, token = admin
    response = upload(client, token, (GPX / "osmand_route_with_waypoints.gpx").read_bytes(), "cho.gpx")
    assert response.status_code == 302
    name, line, _, _ = _route(app, "R2")
    assert name == "R2 Khu chợ Thới Xương 2" and len(line) == 4


def test_a_track_far_outside_the_ward_is_shown_with_a_warning_and_needs_confirming(app, admin, db_snapshot):
    client, token = admin
    content = (GPX / "strava_walk_in_hanoi.gpx").read_bytes()
    preview = client.post("/admin/geography/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(content), "walk.gpx")})
    assert "100% chiều dài đường này nằm ngoài phường" in preview.get_data(as_text=True)
    before = db_snapshot()
    unconfirmed = upload(client, token, content, "walk.gpx")
    assert unconfirmed.status_code == 409 and "Hãy xác nhận" in unconfirmed.get_data(as_text=True)
    assert db_snapshot() == before
    assert upload(client, token, content, "walk.gpx", confirm_outside=True).status_code == 302
    assert _route(app, "R4")[0] == "R4 Morning Walk"
    assert "đã xác nhận dù nằm ngoài phường: R4" in log_entries(app)[-1][2]


def test_a_retired_route_leaves_the_start_page_keeps_its_patrols_and_comes_back(app, admin, client, auth):
    client_, token = admin
    with app.app_context():
        r3 = db.session.scalar(select(Route).where(Route.code == "R3"))
        inspector = accounts.find_user(db.session, "kiemtra")
        rules = patrols.PatrolRules()
        old, _ = patrols.start_patrol(db.session, inspector, r3.id, new_uuid(), rules,
                                      started_at=utcnow() - timedelta(hours=2))
        patrols.end_patrol(db.session, old, inspector, rules)
        db.session.commit()
        route_id, old_id = r3.id, old.id
    assert client_.post(f"/admin/routes/{route_id}", data={"csrf_token": token, "change": "retire"}).status_code == 302
    assert "Đã ngừng dùng" in client_.get("/admin/geography").get_data(as_text=True)
    auth.logout()
    auth.login("kiemtra", "kiemtra-demo")
    home = client.get("/").get_data(as_text=True)
    assert "Bắt đầu tuần tra R3" not in home and "Bắt đầu tuần tra R1" in home
    inspector_token = csrf_token_from(home)
    refused = client.post("/field/patrols", data={"csrf_token": inspector_token, "route_id": str(route_id),
                                                  "client_uuid": new_uuid()})
    assert refused.status_code == 400 and "đã ngừng dùng" in refused.get_data(as_text=True)
    assert client.get(f"/field/patrols/{old_id}").status_code == 200  # the old patrol keeps its route
    assert f'<option value="{route_id}" >R3</option>' in client.get("/cases/").get_data(as_text=True) or \
        f'<option value="{route_id}">R3</option>' in client.get("/cases/").get_data(as_text=True)  # still a filter
    auth.logout()
    auth.login("quantri", "quantri-demo")
    assert client.post(f"/admin/routes/{route_id}", data={"csrf_token": token, "change": "restore"}).status_code == 302
    assert [e[0] for e in log_entries(app)][-2:] == ["route.retire", "route.restore"]


def test_the_office_sets_what_the_weekly_list_prints(app, admin, db_snapshot):
    client, _token = admin
    form = settings_form(client)
    page = client.get("/admin/settings").get_data(as_text=True)
    # The default annex line is shown as the field's placeholder (empty keeps the default, "-" prints none).
    assert 'placeholder="(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm … của Ủy ban nhân dân phường Thới Long)"' in page
    # the cap, with its basis
    assert re.search(r"data-role=\"chairman\">[^<]*đến 100.000.000 đ <span class=\"note\">\(Luật XLVPHC Điều 38", page)
    before = db_snapshot()
    response = client.post("/admin/settings", data={**form, "list_title": "X" * 201, "signer_name": "Trần Văn Ký"})
    assert response.status_code == 400 and db_snapshot() == before
    form.update(signer_name="Trần Văn Ký", list_number="12/DS-UBND", list_annex="-", recipients="- UBND thành phố;\r\n- Lưu: VT.")
    assert client.post("/admin/settings", data=form).status_code == 302
    with app.app_context():
        stored = json.loads(geography.get_ward(db.session).document_settings)
    # Only what differs from the defaults is kept; "-": the list is its own document, with no annex line.
    assert stored == {
        "signer_name": "Trần Văn Ký",
        "list_number": "12/DS-UBND",
        "list_annex": "-",
        "recipients": "- UBND thành phố;\n- Lưu: VT.",
    }
    flat = " ".join(client.get("/reports/weekly").get_data(as_text=True).split())
    assert "Số: 12/DS-UBND" in flat and "Kèm theo" not in flat
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Trần Văn Ký"' in page and "- UBND thành phố;\n- Lưu: VT.</textarea>" in page
