"""Script payloads typed into every free-text field come out as text everywhere people read them:
each HTML page of each role, the weekly PDF, XLSX and CSV. (Map popups and layer names are
checked in a real browser: tests/browser/test_chairman_map.py.)"""
import csv
import io
from datetime import date
from urllib.parse import quote

import pytest
from geoalchemy2.shape import from_shape
from openpyxl import load_workbook
from shapely.geometry import LineString
from sqlalchemy import select

from inspect_app.domain.accounts import accounts
from inspect_app.domain.field.photos import PhotoFiles
from inspect_app.extensions import db
from inspect_app.models import Route, User, Visit, Ward

from . import weekly_scenario as scenario
from .factories import make_case, new_uuid
from .test_cases_web import login
from .test_weekly_web import WEEK, pdf_text

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RAW_MARKS = ('<script>alert("x")', "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def build_payload_case(session, people, photo_dir, payload):
    """The weekly scenario plus one case whose every free-text field, officer, route and ward name is payload."""
    scenario.build(session, people, photo_dir)
    session.add(Ward(name="Phường Thới Long " + payload, code_prefix="TL"))
    officer = accounts.create_user(session, "kiemtra3", "inspector", "mat-khau-dai", full_name=payload)
    route = Route(code="R9", name=payload, name_en=payload, source=payload, corridor_m=50,
                  geom=from_shape(LineString([(105.59, 10.17), (105.60, 10.18)]), srid=4326))
    session.add(route)
    session.flush()
    case = make_case(session, officer.id, detected_at=scenario.local(date(2026, 9, 29)), code="TL-2026-0999",
                     owner_name=payload, address=payload, description=payload, khu_vuc=payload[:100],
                     owner_address=payload, owner_id_number=payload[:20], plot_number=payload[:20],
                     map_sheet=payload[:20], works_kind=payload[:100], permit_number=payload[:60], route_id=route.id)
    files = PhotoFiles(photo_dir)
    chairman = session.get(User, people["chairman"])
    scenario._act(session, files, case, officer, "record_violation", scenario.local(date(2026, 9, 30)),
                  document_number=payload[:60], document_date="2026-09-30", note=payload)
    scenario._act(session, files, case, chairman, "penalty_decision", scenario.local(date(2026, 10, 2)),
                  document_number=payload[:60], document_date="2026-10-02", fine_vnd=1000000, remedy=payload,
                  note=payload)
    scenario._act(session, files, case, officer, "close", scenario.local(date(2026, 10, 2), 16),
                  outcome="self_corrected", mode="propose", note=payload)
    session.add(Visit(client_uuid=new_uuid(), inspector_id=officer.id, violation_id=case.id, outcome="follow_up",
                      note=payload, visited_at=scenario.local(date(2026, 10, 1), 10)))
    session.commit()
    return case.id


# Every page of the three roles that shows cases, routes, people or the ward; and where the payload must be seen.
PAGES_BY_ROLE = [
    ("chutich", ["/", "/cases/", "/cases/{id}", "/cases/queue", "/map/", f"/reports/weekly?week={WEEK}", "/routes",
                 "/cases/?q=<script>", "/cases/?khu_vuc={payload}"],
     {"/cases/{id}", "/cases/", f"/reports/weekly?week={WEEK}", "/cases/queue", "/routes"}),
    ("kiemtra3", ["/field/today", "/field/report", "/field/visit", "/cases/{id}"], {"/cases/{id}", "/field/today"}),
    ("quantri", ["/admin/", "/admin/users", "/admin/geography", "/admin/settings", "/admin/log"],
     {"/admin/users", "/admin/geography"}),
]


@pytest.fixture
def payload_case(app, people, tmp_path):
    """The scenario with the script payload in every free-text field."""
    with app.app_context():
        return build_payload_case(db.session, people, tmp_path / "scenario-photos", PAYLOAD)


def _assert_text_only(html, where):
    for mark in RAW_MARKS:
        assert mark not in html, (where, mark)


def every_page(app, username, paths, case_id, payload):
    """(path, html) of each page the role reads, with the payload case; none may be a 500."""
    client = login(app, username)
    for path in paths:
        url = path.format(id=case_id, payload=quote(payload[:100]))
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        yield path, response.get_data(as_text=True)


@pytest.mark.parametrize("username, paths, shown_on", PAGES_BY_ROLE)
def test_every_page_shows_the_payload_as_text(app, payload_case, username, paths, shown_on):
    for path, html in every_page(app, username, paths, payload_case, PAYLOAD):
        _assert_text_only(html, path)
        if path in shown_on:
            assert ESCAPED in html or ESCAPED.replace("&#34;", "&quot;") in html, path  # it is there, as text


def test_the_pdf_prints_the_payload_as_text(app, payload_case, tmp_path):
    text = pdf_text(login(app, "chutich").get(f"/reports/weekly.pdf?week={WEEK}").data, tmp_path)
    flat = "".join(text.split())
    # The narrow columns wrap the payload; its characters are printed as they were typed.
    assert flat.count("".join(PAYLOAD.split())) >= 4  # owner, address, behaviour, remedy, officer, route …
    assert "".join(("THỚI LONG " + PAYLOAD).upper().split()) in flat


def test_the_spreadsheets_hold_the_payload_as_plain_text(app, payload_case):
    client = login(app, "chutich")
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/weekly.xlsx?week={WEEK}").data))["Danh sách"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    holding = [c for c in cells if PAYLOAD in str(c.value)]
    assert len(holding) >= 5 and all(c.data_type == "s" for c in holding)
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/weekly.csv?week={WEEK}").data.decode("utf-8-sig"))))
    row = next(r for r in rows if r[1] == "TL-2026-0999")
    assert row[2].split("\n")[0] == PAYLOAD and f"Đ/c: {PAYLOAD}" in row[2] and sum(PAYLOAD in value for value in row) >= 5


def test_json_for_the_map_and_phone_keeps_the_payload_as_data(app, payload_case):
    client = login(app, "chutich")
    features = client.get("/api/violations.geojson").get_json()["features"]
    case = next(f for f in features if f["properties"]["code"] == "TL-2026-0999")
    assert PAYLOAD in case["properties"].values()
    with app.app_context():
        assert db.session.scalar(select(Route.name).where(Route.code == "R9")) == PAYLOAD
