"""The bad-input corpus: one table of wrong requests across every form and API endpoint.

Each case is sent by a real logged-in client (CSRF included) against a ward with cases,
photos on disk, patrols and a pending proposal. Each must get its status and a clear message
in Vietnamese, and leave every database row and every photo file exactly as it was.
"""
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from inspect_app.domain.accounts import accounts
from inspect_app.domain.errors import InvalidInput
from inspect_app.domain.field.photos import PhotoFiles, photo_file
from inspect_app.domain.ward_time import VIETNAM_OFFSET
from inspect_app.extensions import db
from inspect_app.models import Violation
from inspect_app.models.types import utcnow

from . import weekly_scenario as scenario
from .conftest import csrf_token_from
from .factories import jpeg_bytes, new_uuid, png_bytes

BRIDGE = (105.5975, 10.1775)
SCRIPT = '<script>alert("x")</script>'


@dataclass
class Bad:
    """One wrong request: who sends it, where, what, and what must come back."""

    who: str
    method: str
    url: str
    status: int
    message: str
    form: Callable | None = None    # world -> dict (multipart/form fields; files as (BytesIO, name))
    json: Callable | None = None    # world -> JSON body
    raw: bytes | None = None        # a raw body sent as application/json
    headers: dict = field(default_factory=dict)


def report(**changes):
    """A correct report form with some fields changed (None removes a field)."""
    def build(_world):
        data = {"client_uuid": new_uuid(), "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "category": "no_permit",
                "address": "15 Lộ Vòng Cung", "owner_name": "Trần Văn Bảy", "confirm_new": "1"}
        data.update(changes)
        return {k: v() if callable(v) else v for k, v in data.items() if v is not None}
    return build


def visit(**changes):
    def build(world):
        data = {"client_uuid": new_uuid(), "outcome": "follow_up", "violation_id": str(world["case"]),
                "lon": str(BRIDGE[0]), "lat": str(BRIDGE[1]), "note": "Đã kiểm tra"}
        data.update({k: v(world) if callable(v) else v for k, v in changes.items()})
        return {k: v for k, v in data.items() if v is not None}
    return build


def action(**changes):
    def build(world):
        data = {"version": str(world["version"]), "mode": "record", "action": "site_check", "note": "Kiểm tra lại"}
        data.update({k: v(world) if callable(v) else v for k, v in changes.items()})
        return {k: v for k, v in data.items() if v is not None}
    return build


def photo_form(content, name="anh.jpg", known_record=False):
    return lambda world: {"record_uuid": world["case_uuid"] if known_record else new_uuid(), "photo_uuid": new_uuid(),
                          "photo": (io.BytesIO(content), name)}


def with_photo(build, content, name="anh.jpg"):
    def wrapped(world):
        data = build(world)
        data["photos"] = [(io.BytesIO(content), name)]
        return data
    return wrapped


def points(*fixes):
    # The time is read when the request is built, not when the module is collected: a long run (browser tests
    # first) would otherwise date the fix before the patrol the world fixture has just started.
    def build(_world):
        now_ms = int(utcnow().timestamp() * 1000)
        return {"points": [dict({"t": now_ms - 1000, "lon": BRIDGE[0], "lat": BRIDGE[1], "acc": 5}, **f) for f in fixes]}
    return build


def settings(**changes):
    def build(world):
        data = world["settings_form"]()
        data.update(changes)
        return data
    return build


CORPUS = {
    # --- login form
    "login: user name of 100,000 characters": Bad("anonymous", "POST", "/login", 400, "Tối đa 64 ký tự",
                                                  form=lambda w: {"username": "a" * 100_000, "password": "x" * 10}),
    "login: missing password": Bad("anonymous", "POST", "/login", 400, "Vui lòng nhập mật khẩu",
                                   form=lambda w: {"username": "kiemtra"}),
    "login: NUL byte in the name": Bad("anonymous", "POST", "/login", 400, "ký tự điều khiển",
                                       form=lambda w: {"username": "kiemtra\x00", "password": "mat-khau-dai"}),
    "login: SQL in the name and password": Bad("anonymous", "POST", "/login", 401, "Sai tên đăng nhập hoặc mật khẩu",
                                               form=lambda w: {"username": "kiemtra'--", "password": "' OR '1'='1"}),
    "own password: wrong current password": Bad("kiemtra", "POST", "/account/password", 400, "Đây không phải mật khẩu hiện tại",
                                                form=lambda w: {"current_password": "sai-roi", "new_password": "mat-khau-moi-9",
                                                                "repeat_password": "mat-khau-moi-9"}),
    "language: unknown language": Bad("kiemtra", "POST", "/language", 400, "Chọn tiếng Việt hoặc tiếng Anh",
                                      form=lambda w: {"lang": "fr"}),
    # --- violation report (phone API)
    "report: missing position": Bad("kiemtra", "POST", "/api/violations", 400, "Chưa có vị trí", form=report(lon=None, lat=None)),
    "report: position and not known at once": Bad("kiemtra", "POST", "/api/violations", 400, "không thể cả hai",
                                                  form=report(position_unknown="1")),
    "report: a point in Hà Nội": Bad("kiemtra", "POST", "/api/violations", 400, "km ngoài ranh giới phường",
                                     form=report(lon="105.8342", lat="21.0278", confirm_outside="1")),
    "report: latitude out of range": Bad("kiemtra", "POST", "/api/violations", 400, "Phải trong khoảng -90 đến 90",
                                         form=report(lat="91.5")),
    "report: longitude is text": Bad("kiemtra", "POST", "/api/violations", 400, "Hãy nhập một số", form=report(lon="east")),
    "report: Infinity": Bad("kiemtra", "POST", "/api/violations", 400, "Hãy nhập một số", form=report(lat="Infinity")),
    "report: description of 50,000 characters": Bad("kiemtra", "POST", "/api/violations", 400, "Tối đa 4000 ký tự",
                                                    form=report(description="x" * 50_000)),
    "report: control characters in the address": Bad("kiemtra", "POST", "/api/violations", 400, "ký tự điều khiển",
                                                     form=report(address="15 Lộ\x1b[31m Vòng")),
    "report: forged stage and unknown category": Bad("kiemtra", "POST", "/api/violations", 400, "không có trong danh sách",
                                                     form=report(stage="closed", category="demolished")),
    "report: formula as a phone number": Bad("kiemtra", "POST", "/api/violations", 400, "chỉ gồm chữ số",
                                             form=report(owner_phone="=1+2")),
    "report: floors is not a whole number": Bad("kiemtra", "POST", "/api/violations", 400, "số nguyên", form=report(floors="2.5")),
    "report: not a UUID": Bad("kiemtra", "POST", "/api/violations", 400, "UUID", form=report(client_uuid="'; DROP TABLE violations;--")),
    "report: another inspector's patrol": Bad("kiemtra", "POST", "/api/violations", 403, "cán bộ khác",
                                              form=lambda w: report(patrol_id=str(w["other_patrol"]))(w)),
    "report: text file named .jpg": Bad("kiemtra", "POST", "/api/violations", 400, "không phải ảnh đọc được",
                                        form=with_photo(report(), b"This is a letter, not a photo.")),
    "report: broken JPEG": Bad("kiemtra", "POST", "/api/violations", 400, "bị hỏng hoặc không đầy đủ",
                               form=with_photo(report(), jpeg_bytes()[:200])),
    "report: decompression bomb": Bad("kiemtra", "POST", "/api/violations", 400, "quá nhiều điểm ảnh",
                                      form=with_photo(report(), png_bytes(20_000, 20_000), "bom.png")),
    "report: observed a year ago": Bad("kiemtra", "POST", "/api/violations", 400, "quá lâu",
                                       form=report(observed_at="2025-01-01T08:00:00+07:00")),
    # --- photos sent alone
    "photo: whole request larger than the limit": Bad("kiemtra", "POST", "/api/photos", 413, "quá lớn",
                                                      form=photo_form(b"\xff\xd8\xff" + b"0" * (17 * 1024 * 1024), known_record=True)),
    "photo: no file": Bad("kiemtra", "POST", "/api/photos", 400, "Chọn ảnh",
                          form=lambda w: {"record_uuid": w["case_uuid"], "photo_uuid": new_uuid()}),
    "photo: for a report that never arrived": Bad("kiemtra", "POST", "/api/photos", 404, "chưa tới máy chủ",
                                                  form=photo_form(jpeg_bytes())),
    "photo: SVG with script": Bad("kiemtra", "POST", "/api/photos", 400, "không phải ảnh đọc được",
                                  form=photo_form(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg",
                                                 known_record=True)),
    # --- visits
    "visit: unknown case": Bad("kiemtra", "POST", "/api/visits", 400, "không tồn tại", form=visit(violation_id="999999")),
    "visit: unknown outcome": Bad("kiemtra", "POST", "/api/visits", 400, "không có trong danh sách", form=visit(outcome="bribe")),
    "visit: follow-up without a case": Bad("kiemtra", "POST", "/api/visits", 400, "Chọn vụ vi phạm mà lượt kiểm tra này theo dõi",
                                           form=visit(violation_id=None)),
    "visit: negative case id": Bad("kiemtra", "POST", "/api/visits", 400, "Phải trong khoảng", form=visit(violation_id="-1")),
    # --- patrols and track points
    "patrol start: body is a JSON list": Bad("kiemtra", "POST", "/api/patrols", 400, "đối tượng JSON", json=lambda w: [1, 2]),
    "patrol start: route id as text": Bad("kiemtra", "POST", "/api/patrols", 400, "Hãy nhập một số",
                                          json=lambda w: {"client_uuid": new_uuid(), "route_id": "R1; DELETE FROM routes"}),
    "patrol start: unknown route": Bad("kiemtra", "POST", "/api/patrols", 404, "không tồn tại",
                                       json=lambda w: {"client_uuid": new_uuid(), "route_id": 999999}),
    "patrol start form: route missing": Bad("kiemtra", "POST", "/field/patrols", 400, "Chọn tuyến",
                                            form=lambda w: {"client_uuid": new_uuid()}),
    "points: not JSON at all": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "đối tượng JSON",
                                   raw=b"lat=10&lon=105"),
    "points: latitude 95": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "giá trị lat không hợp lệ",
                               json=points({"lat": 95})),
    "points: a fix in the future": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "tương lai",
                                       json=points({"t": 4102444800000})),
    "points: wrong types": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "",
                               json=lambda w: {"points": [{"t": "yesterday", "lon": [1], "lat": {"a": 1}}]}),
    "points: another inspector's patrol": Bad("kiemtra", "POST", "/api/patrols/{other_patrol_uuid}/points", 403, "cán bộ khác",
                                              json=points({})),
    "points by id: another inspector's patrol": Bad("kiemtra", "POST", "/api/patrols/{other_patrol}/points", 403, "cán bộ khác",
                                                    json=points({})),
    "patrol GeoJSON: another inspector's patrol": Bad("kiemtra", "GET", "/api/patrols/{other_patrol}.geojson", 403, "cán bộ khác"),
    "points: unknown patrol": Bad("kiemtra", "POST", "/api/patrols/00000000-0000-4000-8000-00000000dead/points", 404,
                                  "không tồn tại", json=points({})),
    "end patrol: another inspector's patrol": Bad("kiemtra", "POST", "/field/patrols/{other_patrol}/end", 403, "cán bộ khác",
                                                  form=lambda w: {}),
    "end patrol: phone time is not a time": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/end", 400, "không hợp lệ",
                                                json=lambda w: {"ended_at": "soon"}),
    # --- case actions and decisions
    "case action: forged stage": Bad("kiemtra", "POST", "/cases/{case}/events", 400, "Không thể đặt giai đoạn trực tiếp",
                                     form=action(stage="closed")),
    "case action: unknown case": Bad("kiemtra", "POST", "/cases/999999/events", 404, "không tồn tại", form=action()),
    "case action: note of 10,000 characters": Bad("kiemtra", "POST", "/cases/{case}/events", 400, "Tối đa 4000 ký tự",
                                                  form=action(note="x" * 10_000)),
    "case action: formula as the fine": Bad("chutich", "POST", "/cases/{case}/events", 400, "Hãy nhập một số",
                                            form=action(action="penalty_decision", document_number="1/QĐ",
                                                        document_date=lambda w: w["today"], fine_vnd="=1+1", remedy="Phá dỡ")),
    "case action: stale version": Bad("kiemtra", "POST", "/cases/{case}/events", 409, "vừa được",
                                      form=action(version=lambda w: str(w["version"] - 1))),
    "case action: correction of another case's entry": Bad("kiemtra", "POST", "/cases/{case}/events", 400, "Hãy chọn một mục",
                                                           form=action(action="correction",
                                                                       corrects_event_id=lambda w: str(w["other_event"]))),
    "decision: an inspector approves": Bad("kiemtra", "POST", "/cases/{case}/proposals/{proposal}", 403, "không có quyền",
                                           form=lambda w: {"decision": "approve", "version": str(w["version"])}),
    "decision: unknown proposal": Bad("chutich", "POST", "/cases/{case}/proposals/999999", 404, "không tồn tại",
                                      form=lambda w: {"decision": "approve", "version": str(w["version"])}),
    "decision: reject without a reason": Bad("chutich", "POST", "/cases/{case}/proposals/{proposal}", 400, "lý do",
                                             form=lambda w: {"decision": "reject", "version": str(w["version"])}),
    "decision: made-up decision": Bad("chutich", "POST", "/cases/{case}/proposals/{proposal}", 400, "không có trong danh sách",
                                      form=lambda w: {"decision": "maybe", "version": str(w["version"])}),
    # --- filters and lists
    "case list: SQL in the stage filter": Bad("chutich", "GET", "/cases/?stage=warning'%20OR%201=1--", 400, "Giai đoạn"),
    "case list: route id as text": Bad("chutich", "GET", "/cases/?route=1%20UNION%20SELECT", 400, "Tuyến"),
    "case list: NUL byte in the khu vực filter": Bad("chutich", "GET", "/cases/?khu_vuc=Th%E1%BB%9Bi%00", 400, "ký tự điều khiển"),
    "weekly list: NUL byte in a filter": Bad("chutich", "GET", "/reports/weekly.csv?week=2026-W40&khu_vuc=%00", 400, "ký tự điều khiển"),
    "map data: NUL byte in a filter": Bad("chutich", "GET", "/api/violations.geojson?khu_vuc=a%00b", 400, "ký tự điều khiển"),
    "nearby: latitude 200": Bad("kiemtra", "GET", "/api/violations/nearby?lon=105.6&lat=200", 400, "-90 đến 90"),
    "map data: a broken bbox": Bad("chutich", "GET", "/api/violations.geojson?bbox=1,2,3", 400, "bbox"),
    "map layer: NUL byte in a filter": Bad("chutich", "GET", "/api/map/cases.json?khu_vuc=a%00b", 400, "ký tự điều khiển"),
    "map layer: an unknown stage": Bad("chutich", "GET", "/api/map/cases.json?stage=demolished", 400, "không có trong danh sách"),
    "map layer: a route that does not exist": Bad("chutich", "GET", "/api/map/cases.json?route=999999", 400, "Tuyến này không tồn tại"),
    "map layer: an officer who does not exist": Bad("chutich", "GET", "/api/map/cases.json?officer=999999", 400, "Không có cán bộ này"),
    "map data: a route that does not exist": Bad("chutich", "GET", "/api/violations.geojson?route=999999", 400, "Tuyến này không tồn tại"),
    "map popup: a case that does not exist": Bad("chutich", "GET", "/api/map/cases/99999999.json", 404, "không tồn tại"),
    "weekly list: week 54": Bad("chutich", "GET", "/reports/weekly.xlsx?week=2026-W54", 400, "không có tuần 54"),
    # --- photos and files served
    "photo file: path traversal": Bad("kiemtra", "GET", "/cases/photos/..%2f..%2finstance%2fsecret_key", 404, "Không tìm thấy"),
    "photo file: unknown photo": Bad("kiemtra", "GET", "/cases/photos/999999", 404, "Không tìm thấy"),
    # --- administration
    "admin: unknown user": Bad("quantri", "POST", "/admin/users/999999", 404, "không tồn tại",
                               form=lambda w: {"change": "deactivate"}),
    "admin: forged role": Bad("quantri", "POST", "/admin/users/{inspector2}", 400, "không có trong danh sách",
                              form=lambda w: {"change": "role", "role": "superadmin"}),
    "admin: full name with script and 500 characters": Bad("quantri", "POST", "/admin/users", 400, "Tối đa 120 ký tự",
                                                           form=lambda w: {"username": "moi", "role": "inspector",
                                                                           "full_name": SCRIPT * 20, "password": "mot-hai-ba-bon"}),
    "admin: full name with control characters": Bad("quantri", "POST", "/admin/users/{inspector2}", 400, "ký tự điều khiển",
                                                    form=lambda w: {"change": "full_name", "full_name": "Lê\x08Thị"}),
    "admin: corridor of 0 m": Bad("quantri", "POST", "/admin/routes/{route}", 400, "Phải trong khoảng 1 đến 1000",
                                  form=lambda w: {"change": "corridor", "corridor_m": "0"}),
    "admin: redraw from an unknown patrol": Bad("quantri", "POST", "/admin/routes/{route}", 404, "không tồn tại",
                                                form=lambda w: {"change": "track", "patrol_id": "999999"}),
    "admin: redraw from a patrol still open": Bad("quantri", "POST", "/admin/routes/{route}", 400, "chưa có vết GPS",
                                                  form=lambda w: {"change": "track", "patrol_id": str(w["other_patrol"])}),
    "admin: import with coordinates out of range": Bad(
        "quantri", "POST", "/admin/geography/import", 400, "ngoài phạm vi",
        form=lambda w: {"file": (io.BytesIO(b'{"type": "Feature", "properties": {"code": "R9"}, "geometry": {"type": '
                                            b'"LineString", "coordinates": [[105.6, 10.1], [205.6, 95.2]]}}'), "r9.geojson")}),
    "admin: import with a NUL byte in a route name": Bad(
        "quantri", "POST", "/admin/geography/import", 400, "ký tự điều khiển",
        form=lambda w: {"file": (io.BytesIO(b'{"type": "Feature", "properties": {"code": "R9", "name": "Tuy\\u0000n"}, "geometry": '
                                            b'{"type": "LineString", "coordinates": [[105.6, 10.1], [105.61, 10.11]]}}'), "r9.geojson")}),
    "admin: import file larger than 5 MB": Bad("quantri", "POST", "/admin/geography/import", 400, "lớn hơn 5 MB",
                                              form=lambda w: {"file": (io.BytesIO(b" " * (5 * 1024 * 1024 + 10)), "big.geojson")}),
    "admin: settings with a document prefix of SQL": Bad("quantri", "POST", "/admin/settings", 400, "chữ in hoa A–Z",
                                                         form=settings(code_prefix="TL';--")),
    "admin: settings with a formula as the ward name and a bad day off": Bad(
        "quantri", "POST", "/admin/settings", 400, "Không phải ngày", form=settings(name="=cmd|'/C calc'!A0", days_off="30/02/2027")),
    # --- official document templates (the office's uploads) and text no document can hold
    "templates: a damaged Word file": Bad("quantri", "POST", "/admin/documents/bb_vphc", 400, "không phải văn bản Word",
                                          form=lambda w: {"template": (io.BytesIO(b"PK\x03\x04" + b"\x00" * 200), "mau.docx")}),
    "templates: no file at all": Bad("quantri", "POST", "/admin/documents/qd_xu_phat", 400, "không phải văn bản Word",
                                     form=lambda w: {}),
    "templates: a kind of document that does not exist": Bad(
        "quantri", "POST", "/admin/documents/khong-co", 400, "Không có loại văn bản này",
        form=lambda w: {"template": (io.BytesIO(b"PK"), "mau.docx")}),
    "report: a noncharacter no document can hold in the owner's name": Bad(
        "kiemtra", "POST", "/api/violations", 400, "ký tự điều khiển", form=report(owner_name="Trần\uffffBảy")),
    # --- API tokens (account page)
    "tokens: a name of 101 characters": Bad("kiemtra", "POST", "/account/tokens", 400, "từ 1 đến 100 ký tự",
                                            form=lambda w: {"name": "x" * 101}),
    "tokens: revoke something that is not a token": Bad("kiemtra", "POST", "/account/tokens", 404,
                                                         "Không có mã truy cập này", form=lambda w: {"revoke": "1; DROP"}),
    # --- news marked read: the moment the list was shown
    "news read: a moment that is not a time": Bad("kiemtra", "POST", "/news/read", 400, "Thời gian không hợp lệ",
                                                  form=lambda w: {"until": "hôm qua", "next": "/"}),
    # --- the account page (the morning reminder's address)
    "account: a mail header smuggled into the address": Bad("kiemtra", "POST", "/account", 400,
                                                           "không phải địa chỉ e-mail",
                                                           form=lambda w: {"email": "a@b.vn\r\nBcc: x@y.vn", "email_reminders": "1"}),
    "account: the reminder asked for without an address": Bad("kiemtra", "POST", "/account", 400, "Nhập địa chỉ e-mail",
                                                             form=lambda w: {"email": " ", "email_reminders": "1"}),
    # --- times and dates at the ends of the calendar (year 1, year 9999, with offsets), huge ids, deep JSON
    "patrol start: started in year 1 at -12:00": Bad("kiemtra", "POST", "/api/patrols", 400, "Thời gian không hợp lệ",
                                                    json=lambda w: {"client_uuid": new_uuid(), "route_id": w["route"],
                                                                    "started_at": "0001-01-01T00:00:00-12:00"}),
    "patrol start: started in year 9999 at -12:00": Bad("kiemtra", "POST", "/api/patrols", 400, "Thời gian không hợp lệ",
                                                       json=lambda w: {"client_uuid": new_uuid(), "route_id": w["route"],
                                                                       "started_at": "9999-12-31T23:00:00-12:00"}),
    "points: a fix in year 1": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "không hợp lệ",
                                   json=points({"t": -62135596800000})),
    "points: a fix in year 9999 as text": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "không hợp lệ",
                                              json=points({"t": "9999-12-31T23:59:59+14:00"})),
    "report: observed in year 9999 at +14:00": Bad("kiemtra", "POST", "/api/violations", 400, "Thời gian không hợp lệ",
                                                   form=report(observed_at="9999-12-31T23:59:59+14:00")),
    "report: observed in year 1 at -12:00": Bad("kiemtra", "POST", "/api/violations", 400, "Thời gian không hợp lệ",
                                                form=report(observed_at="0001-01-01T00:00:00-12:00")),
    "end patrol: ended in year 9999": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/end", 400, "không hợp lệ",
                                          json=lambda w: {"ended_at": "9999-12-31T23:00:00-12:00"}),
    "case list: date_from in year 1": Bad("chutich", "GET", "/cases/?date_from=0001-01-01", 400, "Ngày phải trong khoảng"),
    "case list: date_to in year 9999": Bad("chutich", "GET", "/cases/?date_to=9999-12-31", 400, "Ngày phải trong khoảng"),
    "map data: date_from in year 1": Bad("chutich", "GET", "/api/violations.geojson?date_from=0001-01-01", 400,
                                         "Ngày phải trong khoảng"),
    "map data: date_to in year 9999": Bad("chutich", "GET", "/api/violations.geojson?date_to=9999-12-31", 400,
                                          "Ngày phải trong khoảng"),
    "map page: the week of 9999-12-31": Bad("chutich", "GET", "/map/?week=9999-12-31", 400, "Nhập tuần theo dạng YYYY-Www"),
    "case action: document dated 9999-12-31": Bad("chutich", "POST", "/cases/{case}/events", 400, "Ngày phải trong khoảng",
                                                  form=action(action="penalty_decision", document_number="1/QĐ",
                                                              document_date="9999-12-31", fine_vnd="1000000",
                                                              remedy="Phá dỡ")),
    "case page: id beyond any integer": Bad("chutich", "GET", "/cases/99999999999999999999", 404, "Không tìm thấy"),
    "case page: id beyond PostgreSQL's integer": Bad("chutich", "GET", "/cases/2147483648", 404, "Không tìm thấy"),
    "case action: id beyond any integer": Bad("kiemtra", "POST", "/cases/99999999999999999999/events", 404, "Không tìm thấy",
                                              form=action()),
    "photo file: id beyond any integer": Bad("kiemtra", "GET", "/cases/photos/99999999999999999999", 404, "Không tìm thấy"),
    "patrol GeoJSON: id beyond any integer": Bad("kiemtra", "GET", "/api/patrols/99999999999999999999.geojson", 404,
                                                 "Không tìm thấy"),
    "points by id: id beyond any integer": Bad("kiemtra", "POST", "/api/patrols/99999999999999999999/points", 404,
                                               "Không tìm thấy", json=points({})),
    "visit: case id beyond any integer": Bad("kiemtra", "POST", "/api/visits", 400, "Phải trong khoảng",
                                             form=visit(violation_id="99999999999999999999")),
    "patrol start: JSON nested 100,000 deep": Bad("kiemtra", "POST", "/api/patrols", 400, "đối tượng JSON",
                                                  raw=b"[" * 100_000 + b"]" * 100_000),
    "points: JSON nested 100,000 deep": Bad("kiemtra", "POST", "/api/patrols/{own_patrol_uuid}/points", 400, "đối tượng JSON",
                                            raw=b'{"points": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    "admin: import of JSON nested 100,000 deep": Bad(
        "quantri", "POST", "/admin/geography/import", 400, "lồng nhau quá sâu",
        form=lambda w: {"file": (io.BytesIO(b'{"type": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"), "sau.geojson")}),
    "admin: boundary verified 'maybe'": Bad("quantri", "POST", "/admin/boundary", 400, "không có trong danh sách",
                                            form=lambda w: {"verified": "maybe"}),
}


def _login(app, username, password="mat-khau-dai"):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token_from(page)})
    return client, csrf_token_from(client.get("/").get_data(as_text=True))


@pytest.fixture
def world(app, people, demo_ward):
    """A ward in use: two inspectors' reports with photos on disk, patrols, a case with a pending proposal.
    (people before demo_ward: the demo then keeps the fast test passwords.)"""
    clients = {}

    def client_of(username):
        if username not in clients:
            if username == "anonymous":
                anonymous = app.test_client()
                clients[username] = (anonymous, csrf_token_from(anonymous.get("/login").get_data(as_text=True)))
            else:
                clients[username] = _login(app, username)
        return clients[username]

    def api_report(username, lon_offset):
        client, token = client_of(username)
        data = report(lon=str(BRIDGE[0] + lon_offset))(None)
        data["photos"] = [(io.BytesIO(jpeg_bytes()), "hien-truong.jpg")]
        response = client.post("/api/violations", data=data, headers={"X-CSRFToken": token}, content_type="multipart/form-data")
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"], data["client_uuid"]

    def api_patrol(username):
        client, token = client_of(username)
        key = new_uuid()
        routes = client.get("/api/routes.geojson").get_json()["features"]
        response = client.post("/api/patrols", json={"client_uuid": key, "route_id": routes[0]["id"]}, headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"], key, routes[0]["id"]

    case_id, case_uuid = api_report("kiemtra", 0.0)
    other_case, _ = api_report("kiemtra2", 0.01)
    own_patrol, own_uuid, route_id = api_patrol("kiemtra")
    other_patrol, other_uuid, _ = api_patrol("kiemtra2")
    now = utcnow().astimezone(VIETNAM_OFFSET)
    with app.app_context():
        files = PhotoFiles(app.config["PHOTO_DIR"])
        inspector = accounts.find_user(db.session, "kiemtra")
        case = db.session.get(Violation, case_id)
        scenario._act(db.session, files, case, inspector, "record_violation", now, document_number="7/BB-VPHC",
                      document_date=now.date().isoformat())
        proposal = scenario._act(db.session, files, case, inspector, "penalty_decision", now, mode="propose",
                                 fine_vnd=5000000, remedy="Buộc phá dỡ")
        other = db.session.get(Violation, other_case)
        other_event = scenario._act(db.session, files, other, accounts.find_user(db.session, "kiemtra2"), "site_check", now,
                                    note="Đã xem")
        db.session.commit()
        world = {"case": case_id, "case_uuid": case_uuid, "version": case.version, "proposal": proposal.id,
                 "other_event": other_event.id, "own_patrol": own_patrol, "own_patrol_uuid": own_uuid,
                 "other_patrol": other_patrol, "other_patrol_uuid": other_uuid, "route": route_id,
                 "today": now.date().isoformat(), "inspector2": people["inspector2"]}
    world["client_of"] = client_of
    world["settings_form"] = lambda: _settings_form(client_of("quantri")[0])
    return world


def _settings_form(admin):
    page = admin.get("/admin/settings").get_data(as_text=True)
    form = dict(re.findall(r'name="(rule_[a-z_]+_(?:amount|citation))" [^>]*?value="([^"]*)"', page))
    form.update(re.findall(r'<select name="(rule_[a-z_]+_unit)"[^>]*>.*?<option value="([a-z_]+)" selected', page, re.S))
    form.update(name="Phường Thới Long", code_prefix="TL", days_off="")
    return form


def photo_files(app):
    """Every file under the photo folder with its SHA-256."""
    root = Path(app.config["PHOTO_DIR"])
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _message_of(response):
    if response.is_json:
        body = response.get_json()
        return " ".join([body.get("error", "")] + list((body.get("fields") or {}).values()))
    html = response.get_data(as_text=True)
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", main.group(1) if main else html).split())


def test_the_corpus_is_large_and_covers_every_writing_endpoint(app):
    assert len(CORPUS) >= 40
    writing = {rule.rule for rule in app.url_map.iter_rules() if rule.methods & {"POST", "PUT", "DELETE"}}
    covered = set()
    for bad in CORPUS.values():
        path = bad.url.split("?")[0]
        covered |= {rule for rule in writing if re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", rule), re.sub(r"\{[a-z_0-9]+\}", "1", path))}
    assert writing - covered <= {"/logout"}, writing - covered


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, world, db_snapshot, name):
    bad = CORPUS[name]
    client, token = world["client_of"](bad.who)
    url = bad.url.format(**world)
    headers = {"X-CSRFToken": token} if token else {}
    before, files_before = db_snapshot(), photo_files(app)
    if bad.method == "GET":
        response = client.get(url)
    elif bad.json is not None:
        response = client.post(url, json=bad.json(world), headers=headers)
    elif bad.raw is not None:
        response = client.post(url, data=bad.raw, headers=headers, content_type="application/json")
    else:
        data = dict(bad.form(world), csrf_token=token)
        response = client.post(url, data=data, headers=headers, content_type="multipart/form-data")
    assert response.status_code == bad.status, (response.status_code, response.get_data(as_text=True)[:2000])
    message = _message_of(response)
    assert bad.message in message, message
    assert "Traceback" not in response.get_data(as_text=True)
    after = db_snapshot()
    if (bad.url == "/login" and bad.status == 401) or bad.url == "/account/password":
        # A wrong password is itself recorded (it counts towards the limit); nothing else changes.
        added = set(after.pop("login_attempts")) - set(before.pop("login_attempts"))
        assert len(added) == 1
    assert after == before
    assert photo_files(app) == files_before


def test_a_file_name_from_the_phone_never_names_the_stored_file(app, world):
    """A photo sent as '../../../instance/secret_key.jpg' is stored under a random name inside the photo folder."""
    client, token = world["client_of"]("kiemtra")
    before = photo_files(app)
    response = client.post("/api/photos", data={"record_uuid": world["case_uuid"], "photo_uuid": new_uuid(),
                                                "photo": (io.BytesIO(jpeg_bytes()), "../../../instance/secret_key.jpg")},
                           headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 201
    added = set(photo_files(app)) - set(before)
    assert added and all(".." not in name and "secret_key" not in name for name in added)
    assert not list(Path(app.instance_path).rglob("secret_key.jpg"))
    with pytest.raises(InvalidInput):
        photo_file(app.config["PHOTO_DIR"], "../secret_key")


@pytest.mark.parametrize("taken, offset", [("0001:01:01 00:00:00", "-12:00"), ("9999:12:31 23:59:59", "-12:00"),
                                           ("9999:12:31 23:59:59", "+14:00")])
def test_a_photo_with_an_exif_date_at_the_ends_of_the_calendar_is_kept_without_that_date(app, world, taken, offset):
    """The photo is evidence and is accepted; the unreadable time is left out, never guessed."""
    from PIL import Image

    image = Image.open(io.BytesIO(jpeg_bytes(taken=taken)))
    exif = image.getexif()
    exif.get_ifd(0x8769)[36881] = offset  # OffsetTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    client, token = world["client_of"]("kiemtra")
    photo_uuid = new_uuid()
    response = client.post("/api/photos", data={"record_uuid": world["case_uuid"], "photo_uuid": photo_uuid,
                                                "photo": (io.BytesIO(buffer.getvalue()), "anh.jpg")},
                           headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    from sqlalchemy import select

    from inspect_app.models import Photo

    with app.app_context():
        stored = db.session.scalar(select(Photo).where(Photo.client_uuid == photo_uuid))
        assert stored is not None and stored.taken_at is None


@pytest.mark.parametrize("next_url", ["/%0d%0aSet-Cookie:x=1", "/cases/%0aLocation:%20http://evil.example", "/\\evil.example"])
def test_a_next_address_with_line_breaks_after_login_goes_home(app, people, next_url):
    client = app.test_client()
    page = client.get(f"/login?next={next_url}").get_data(as_text=True)
    response = client.post(f"/login?next={next_url}", data={"username": "kiemtra", "password": "mat-khau-dai",
                                                             "csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/") and "\n" not in location and "\r" not in location
    assert not any("x=1" in cookie for cookie in response.headers.get_all("Set-Cookie"))
