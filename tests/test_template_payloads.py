"""Template source typed by a user or carried by an import file is shown as typed, never run.

Folium renders its output through Jinja a second time, so a route named ``Tuyen {{7*191}}`` once
showed 1337 on the map and ``{{lipsum.__globals__.os.popen(...)}}`` ran a shell command. Each
payload below goes into route names (typed and imported from GPX and GeoJSON), the ward name,
khu vực and every free-text field of a case, and every page of the three roles, the map, the
weekly list in all its formats and the API must show it literally: never 1337, never xxx,
never a 500. (The map's layer list in a real browser: tests/browser/test_chairman_map.py.)
"""
import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Route

from .conftest import csrf_token_from
from .factories import import_through_admin
from .test_cases_web import login
from .test_script_payloads import PAGES_BY_ROLE, build_payload_case, every_page
from .test_weekly_web import WEEK, pdf_text

PAYLOAD = "T {{7*191}} {% for x in range(3) %}x{% endfor %} {# c #} ${7*191} #{7*191}"
UNCLOSED = "Hẻm {{ 3"
EVALUATED = ("1337", "xxx")


def _gpx(name):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>{name}</name><trkseg>
    <trkpt lat="10.1716" lon="105.5891"></trkpt><trkpt lat="10.1745" lon="105.5930"></trkpt>
  </trkseg></trk>
</gpx>""".encode()


def _geojson(code, name):
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"kind": "route", "code": code, "name": name},
        "geometry": {"type": "LineString", "coordinates": [[105.590, 10.172], [105.594, 10.175]]}}]}).encode()


@pytest.fixture
def template_case(app, client, auth, people, tmp_path):
    """A case with the payload everywhere, and two routes imported by the admin's form with payload names."""
    with app.app_context():
        case_id = build_payload_case(db.session, people, tmp_path / "scenario-photos", PAYLOAD)
    auth.login("quantri", "mat-khau-dai")
    token = csrf_token_from(client.get("/admin/geography").get_data(as_text=True))
    for content, filename in ((_gpx(f"R7 {UNCLOSED}"), "hem.gpx"), (_geojson("R8", PAYLOAD), "tuyen.geojson")):
        response = import_through_admin(client, token, content, filename, confirm_outside=True)
        assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()
    with app.app_context():
        names = dict(db.session.execute(select(Route.code, Route.name).where(Route.code.in_(["R7", "R8"]))).all())
    assert names == {"R7": f"R7 {UNCLOSED}", "R8": PAYLOAD}  # stored exactly as the files had them
    return case_id


def _assert_literal(text, where):
    for mark in EVALUATED:
        assert mark not in text, (where, mark)


@pytest.mark.parametrize("username, paths, shown_on", PAGES_BY_ROLE)
def test_every_page_of_every_role_shows_template_source_literally(app, template_case, username, paths, shown_on):
    for path, html in every_page(app, username, paths, template_case, PAYLOAD):
        _assert_literal(html, path)
        if path in shown_on:
            assert PAYLOAD in html, path


def test_the_map_page_carries_imported_route_names_as_data(app, template_case):
    html = login(app, "chutich").get("/map/").get_data(as_text=True)
    _assert_literal(html, "/map/")
    config = json.loads(html.split('<script id="map-config" type="application/json">')[1].split("</script>")[0])
    names = set(config["layerNames"].values())
    assert any(PAYLOAD in n for n in names) and any(UNCLOSED in n for n in names)
    # The Folium part of the page knows the layers only by neutral keys.
    layer_keys = re.findall(r'"([^"]*)"\s*:', re.search(r"_layers = \{(.*?)\};", html, re.S).group(1))
    assert layer_keys and all(re.fullmatch(r"layer-[a-z0-9-]+", key) for key in layer_keys), layer_keys


def test_the_weekly_list_in_every_format_and_the_api_show_it_literally(app, template_case, tmp_path):
    client = login(app, "chutich")
    flat = "".join(pdf_text(client.get(f"/reports/weekly.pdf?week={WEEK}").data, tmp_path).split())
    assert flat.count("".join(PAYLOAD.split())) >= 4
    _assert_literal(flat, "pdf")
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/weekly.xlsx?week={WEEK}").data))["Danh sách"]
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert sum(PAYLOAD in v for v in values) >= 5
    text = client.get(f"/reports/weekly.csv?week={WEEK}").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[1] == "TL-2026-0999")
    assert row[2].split("\n")[0] == PAYLOAD and f"Đ/c: {PAYLOAD}" in row[2]
    features = client.get("/api/violations.geojson").get_json()["features"]
    case = next(f for f in features if f["properties"]["code"] == "TL-2026-0999")
    assert PAYLOAD in case["properties"].values()
    for where, body in (("xlsx", " ".join(values)), ("csv", text), ("api", json.dumps(features, ensure_ascii=False))):
        _assert_literal(body, where)
