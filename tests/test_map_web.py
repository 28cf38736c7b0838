"""The map page over HTTP: who sees it, no CDN, filters kept, bad filters answered, safe labels."""
import json
import re
from datetime import date

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from inspect_app.chairman_map.folium_map import rendered_map
from inspect_app.domain.cases import overview
from inspect_app.extensions import db
from inspect_app.models import Route

from .test_cases_web import csrf_token_from, login
from .test_overview import _patrol


def _config(html):
    return json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_only_chairman_and_admin_open_the_map(app, people, demo_ward):
    assert login(app, "kiemtra").get("/map/").status_code == 403
    assert login(app, "quantri").get("/map/").status_code == 200


def test_map_page_loads_nothing_from_outside_but_tiles(app, people, demo_ward):
    html = login(app, "chutich").get("/map/").get_data(as_text=True)
    outside = set(re.findall(r'<[^>]*(?:src|href)="https?://[^"]+"[^>]*>', html))
    assert outside == {'<link rel="preconnect" href="https://tile.openstreetmap.org">'}  # the tiles' server, opened early
    assert "cdn" not in html.lower() and "tile.openstreetmap.org" in html
    assert "/static/js/grid_clusters.js" in html and "/vendor/leaflet/leaflet.js" in html
    for route in ("R1", "R2", "R3"):
        assert f'data-route="{route}"' in html
    assert "8 8" in html  # unverified routes are dashed


def test_filters_are_kept_for_the_map_data(app, people, demo_ward):
    client = login(app, "chutich")
    html = client.get("/map/?stage=warning&overdue=1&date_from=2026-11-01&date_to=2026-11-30").get_data(as_text=True)
    query = _config(html)["dataUrl"]
    assert query.startswith("/api/map/cases.json?")
    assert "stage=warning" in query and "overdue=1" in query and "date_from=2026-11-01" in query
    # Asked for while the page's scripts load (the same URL, so map.js's request takes that answer).
    assert f'<link rel="preload" href="{query.replace("&", "&amp;")}" as="fetch" crossorigin>' in html
    assert 'name="overdue" value="1" checked' in html


@pytest.mark.parametrize("query,message", [
    ("stage=demolished", "không có trong danh sách"),
    ("route=9999", "Tuyến này không tồn tại."),
    ("date_from=2026-11-30&date_to=2026-11-01", "trước ngày bắt đầu"),
    ("date_from=hôm-qua", "YYYY-MM-DD"),
    ("week=tuần-này", "2026-W48"),
    ("week=2026-W54", "2026"),
])
def test_bad_filters_show_a_message_and_the_whole_map(app, people, demo_ward, query, message):
    response = login(app, "chutich").get(f"/map/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'id="ward-map"' in html
    if "week" not in query:
        assert _config(html)["dataUrl"] == "/api/map/cases.json"


def test_the_map_takes_the_week_as_the_weekly_list_writes_it_and_old_date_links_still_work(app, people, demo_ward):
    client = login(app, "chutich")
    for query in ("week=2026-W48", "week=2026-11-25"):  # the one format, and a day inside it (older links)
        html = client.get(f"/map/?{query}").get_data(as_text=True)
        assert 'name="week" value="2026-W48"' in html and "23/11/2026" in html, query


def test_malformed_bbox_is_a_clear_json_error(app, people):
    client = login(app, "chutich")
    response = client.get("/api/violations.geojson?bbox=105.6,10.2")
    assert response.status_code == 400 and "bbox" in response.get_json()["error"]


def test_route_names_are_escaped_in_the_layer_control(app, people, runner, tmp_path):
    payload = "<img src=x onerror=alert(1)>`${alert(2)}`\\"
    path = tmp_path / "r.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {"code": "RX", "name": payload},
                                "geometry": {"type": "LineString", "coordinates": [[105.59, 10.17], [105.6, 10.18]]}}))
    assert runner.invoke(args=["geo", "import", str(path)]).exit_code == 0
    html = login(app, "chutich").get("/map/").get_data(as_text=True)
    layer_names = re.search(r"_layers = \{(.*?)\};", html, re.S).group(1)
    # Folium's layer control knows neutral keys only; the name is data for map.js (textContent).
    assert "RX" not in layer_names and "img" not in layer_names
    assert any(name.startswith("RX · " + payload) for name in _config(html)["layerNames"].values())
    assert "<img src=x" not in html


def test_geojson_filters_and_properties(app, people, demo_ward, runner):
    runner.invoke(args=["seed-demo"])
    client = login(app, "chutich")
    everything = client.get("/api/violations.geojson").get_json()
    assert len(everything["features"]) == 6 and everything["truncated"] is False
    props = everything["features"][0]["properties"]
    assert props["url"].startswith("/cases/") and props["stage_label"]
    warning = client.get("/api/violations.geojson?stage=warning").get_json()
    assert {f["properties"]["stage"] for f in warning["features"]} == {"warning"}
    bad = client.get("/api/violations.geojson?stage=nope")
    assert bad.status_code == 400 and "stage" in bad.get_json()["fields"]


def test_a_deadline_over_an_unconfirmed_year_is_a_forecast_on_the_map(app, people, demo_ward):
    from inspect_app.domain.geo import geography

    from .factories import make_case

    with app.app_context():
        make_case(db.session, people["inspector"], "warning", due=date(2027, 2, 16), due_start=date(2027, 1, 29))
        db.session.commit()
    client = login(app, "chutich")
    config = _config(client.get("/map/").get_data(as_text=True))
    assert config["labels"]["forecast"] == "dự kiến"

    def forecasts():
        features = client.get("/api/violations.geojson").get_json()["features"]
        return {f["properties"]["code"]: f["properties"]["due_forecast"] for f in features if f["properties"]["due_date"]}

    years = {int(f["properties"]["due_date"][:4]) for f in client.get("/api/violations.geojson").get_json()["features"]
             if f["properties"]["due_date"]}
    assert forecasts() and all(forecasts().values())  # nothing confirmed yet
    with app.app_context():
        geography.get_ward(db.session).holidays_confirmed = json.dumps(sorted(years | {min(years) - 1}))
        db.session.commit()
    assert not any(forecasts().values())


def test_the_rendered_map_is_kept_until_what_it_draws_changes(app, people, demo_ward):
    client = login(app, "chutich")

    def page(query="week=2026-W48"):
        html = client.get(f"/map/?{query}").get_data(as_text=True)
        return html, _config(html)

    first_html, first = page()
    _, again = page()
    assert again["mapName"] == first["mapName"]  # the same Folium rendering, not built again
    with app.app_context():
        route = db.session.scalar(select(Route).where(Route.code == "R1"))
        _patrol(db.session, people["inspector"], route, list(to_shape(route.geom).coords)[:2])
        db.session.commit()
    html, after_patrol = page()
    assert after_patrol["mapName"] != first["mapName"]
    assert html.count('"type": "LineString"') == first_html.count('"type": "LineString"') + 1  # the new track
    with app.app_context():
        db.session.scalar(select(Route).where(Route.code == "R1")).name = "Đường Lê Hồng Phong nối dài"
        db.session.commit()
    _, renamed = page()
    assert renamed["mapName"] != after_patrol["mapName"]
    assert any(name.startswith("R1 · Đường Lê Hồng Phong nối dài") for name in renamed["layerNames"].values())
    _, other_week = page("week=2026-W47")  # that week's tracks: none
    assert other_week["mapName"] != renamed["mapName"]
    token = csrf_token_from(client.get("/map/").get_data(as_text=True))
    assert client.post("/language", data={"lang": "en", "next": "/map/", "csrf_token": token}).status_code == 302
    _, english = page()
    assert english["mapName"] != renamed["mapName"] and "Ward boundary" in english["layerNames"].values()


def test_every_input_of_the_folium_map_is_in_its_key(app, people, demo_ward):
    labels = {"tiles": "Bản đồ nền", "boundary": "Ranh giới", "unverified": "chưa xác minh", "tracks": "Vết",
              "uncovered": "Chưa tuần tra"}
    with app.test_request_context("/map/"):
        weeks = overview.patrol_week(db.session, date(2026, 11, 23))
        boundary = {"type": "Polygon", "coordinates": [[[105.55, 10.13], [105.63, 10.13], [105.63, 10.21], [105.55, 10.13]]]}
        first = rendered_map(boundary, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels)
        assert rendered_map(boundary, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels) is first
        names = {first.map_name}
        moved = {"type": "Polygon", "coordinates": [[[105.55, 10.13], [105.64, 10.13], [105.63, 10.21], [105.55, 10.13]]]}
        for changed in (rendered_map(moved, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels),
                        rendered_map(boundary, weeks, "https://other.example/{z}/{x}/{y}.png", "© OSM", labels),
                        rendered_map(boundary, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© others", labels),
                        rendered_map(boundary, weeks[1:], "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels)):
            assert changed.map_name not in names
            names.add(changed.map_name)
        weeks[0].route.verified = not weeks[0].route.verified
        verified = rendered_map(boundary, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels)
        assert verified.map_name not in names
        db.session.rollback()
    with app.test_request_context("/map/", base_url="http://localhost/kiemtra"):  # behind a path prefix
        weeks = overview.patrol_week(db.session, date(2026, 11, 23))
        prefixed = rendered_map(boundary, weeks, "https://tiles.example/{z}/{x}/{y}.png", "© OSM", labels)
        assert prefixed.map_name != first.map_name and "/kiemtra/vendor/leaflet/leaflet.js" in prefixed.header


def test_the_map_pages_numbers_come_from_their_own_request(app, people, demo_ward):
    from inspect_app.rules import lifecycle_context

    from .factories import make_case

    with app.app_context():
        make_case(db.session, people["inspector"], "warning", due=date(2020, 1, 6), khu_vuc="Khu vực 3")
        make_case(db.session, people["inspector"], "stop_work", khu_vuc="Khu vực 3")
        make_case(db.session, people["inspector"], "closed", khu_vuc="Khu vực 9")
        db.session.commit()
        expected = overview.overview_numbers(db.session, lifecycle_context(app.config).today)
    client = login(app, "chutich")
    html = client.get("/map/").get_data(as_text=True)
    # The page holds the cards, waiting (map_overview.js fills them once the cases are drawn) ...
    assert 'id="overview" aria-busy="true" data-url="/map/overview.json"' in html
    assert html.count('<span class="num">…</span>') == 8
    # ... with the numbers of the ward's own count.
    answer = client.get("/map/overview.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "private, no-cache"
    numbers = answer.get_json()
    assert numbers["per_stage"] == {str(stage): n for stage, n in expected["per_stage"].items()}
    assert numbers["per_stage"]["warning"] >= 1 and numbers["per_stage"]["stop_work"] >= 1
    assert numbers["overdue"] == expected["overdue"] >= 1
    assert [numbers[k] for k in ("new_this_week", "waiting", "closed_this_week")] == [
        expected[k] for k in ("new_this_week", "waiting", "closed_this_week")]
    assert numbers["per_khu_vuc"] == [list(row) for row in expected["per_khu_vuc"]]
    assert ["Khu vực 3", 2] in numbers["per_khu_vuc"] and all(row[0] != "Khu vực 9" for row in numbers["per_khu_vuc"])
    assert numbers["per_route"] == [list(row) for row in expected["per_route"]]
    assert login(app, "kiemtra").get("/map/overview.json").status_code == 403
    assert app.test_client().get("/map/overview.json").status_code in (302, 401)


def test_the_map_page_opens_the_tile_servers_connection_early(app, people, demo_ward):
    # The map is set up after its cases: the tiles' server connection is ready by then.
    html = login(app, "chutich").get("/map/").get_data(as_text=True)
    assert '<link rel="preconnect" href="https://tile.openstreetmap.org">' in html
    app.config["TILE_URL"] = "/tiles/{z}/{x}/{y}.png"  # tiles from the app itself: nothing to open
    assert "preconnect" not in login(app, "chutich").get("/map/").get_data(as_text=True)
