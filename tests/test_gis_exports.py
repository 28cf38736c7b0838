"""Data GIS tools open (issue 19, part 5): cases as GeoJSON, KML and GeoPackage with the case list's
filters; tracks as GPX and GeoJSON; routes and boundary as GeoJSON, KML and GPX. GDAL's ogrinfo opens
every file, and the token-protected URLs themselves, as QGIS would; gpxpy reads the GPX back."""
import json
import os
import re
import subprocess
from datetime import timedelta

import gpxpy
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from inspect_app.domain.accounts import accounts, api_tokens
from inspect_app.domain.field import patrols
from inspect_app.domain.geo.geo_import import parse_gpx
from inspect_app.domain.ward_time import week_of
from inspect_app.extensions import db
from inspect_app.models import Patrol, Route, User
from inspect_app.models.types import utcnow
from inspect_app.rules import patrol_rules

from .browser.conftest import served
from .factories import make_case, new_uuid, points_along
from .test_cases_web import login

ODD = "Số 5 <b>ngõ</b> & ]]> {{7*191}}"


def ogrinfo(target, env=None):
    """{layer name: (feature count, [field definitions])} as GDAL reads the file or URL."""
    result = subprocess.run(["ogrinfo", "-ro", "-so", "-al", "--config", "CPL_DEBUG", "OFF", target],
                            capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    layers = {}
    for block in result.stdout.split("Layer name: ")[1:]:
        name = block.splitlines()[0].strip()
        count = int(re.search(r"Feature Count: (\d+)", block).group(1))
        layers[name] = (count, re.findall(r"^(\w+): (\w+(?:\(\w+\))?)", block, re.M))
    return layers


def ogr_values(path, field):
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-q", path], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return re.findall(rf"^  {field} \(\w+(?:\(\w+\))?\) = (.*)$", result.stdout, re.M)


@pytest.fixture
def ward(app, people, demo_ward):
    """Cases (one without a position, one closed, one with odd text), and a patrol with a gap of 10 minutes."""
    with app.app_context():
        s = db.session
        inspector = s.get(User, people["inspector"])
        codes = [make_case(s, inspector.id, "warning", address=ODD).code,
                 make_case(s, inspector.id, "detected").code,
                 make_case(s, inspector.id, "warning", position=None).code,
                 make_case(s, inspector.id, "closed").code]
        rules = patrol_rules(app.config)
        route = s.scalar(select(Route).where(Route.code == "R1"))
        patrol, _ = patrols.start_patrol(s, inspector, route.id, new_uuid(), rules)
        walk = points_along(list(to_shape(route.geom).coords), 60)
        half = len(walk) // 2
        start = patrol.started_at = utcnow() - timedelta(hours=2)
        fixes = [{"t": int((start + timedelta(seconds=20 * i + (600 if i >= half else 0))).timestamp() * 1000),
                  "lon": lon, "lat": lat, "acc": 8.0} for i, (lon, lat) in enumerate(walk)]
        patrols.add_track_points(s, patrol, inspector, fixes, rules)
        patrols.end_patrol(s, patrol, inspector, rules)
        _, token = api_tokens.create_token(s, s.get(User, people["chairman"]), "QGIS")
        _, inspector_token = api_tokens.create_token(s, inspector, "QGIS ở nhà")
        s.commit()
        track = [list(part.coords) for part in to_shape(patrol.track).geoms]
        return {"codes": codes, "patrol": patrol.id, "track": track, "token": token, "inspector_token": inspector_token,
                "week": week_of(start.date()).iso, "routes": s.scalar(select(Route.id).where(Route.code == "R2"))}


def _get(app, url, token):
    response = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response


@pytest.mark.parametrize("format_key", ["geojson", "kml", "gpkg"])
def test_every_case_in_each_format_opens_in_gdal(app, ward, tmp_path, format_key):
    response = _get(app, f"/api/exports/cases.{format_key}", ward["token"])
    path = tmp_path / f"cases.{format_key}"
    path.write_bytes(response.get_data())
    assert 'attachment; filename="vu-viec-' in response.headers["Content-Disposition"]
    layers = ogrinfo(str(path))
    count, fields = next(iter(layers.values()))
    assert count == 4  # the case without a position too: kept, without a geometry
    names = dict(fields)
    for expected in ("stage", "category", "officer", "due_date", "overdue", "limitation_due", "position_known"):
        assert expected in names or format_key == "kml" and expected == "code", (expected, names)
    assert sorted(ogr_values(str(path), "code" if format_key != "kml" else "Name")) == sorted(ward["codes"])
    assert ODD in ogr_values(str(path), "address")  # text stays text: escaped by the writer, never markup
    if format_key == "gpkg":
        assert names["due_date"] == "Date" and names["overdue"] == "Integer(Boolean)"


def test_cases_follow_the_case_lists_filters_and_search(app, ward, tmp_path):
    path = tmp_path / "warning.gpkg"
    path.write_bytes(_get(app, "/api/exports/cases.gpkg?stage=warning", ward["token"]).get_data())
    assert ogrinfo(str(path))["cases"][0] == 2
    found = json.loads(_get(app, "/api/exports/cases.geojson?q=ngo", ward["token"]).get_data())
    assert [f["properties"]["code"] for f in found["features"]] == [ward["codes"][0]]
    refused = app.test_client().get("/api/exports/cases.gpkg?stage=nope&date_from=2026-02-30",
                                    headers={"Authorization": f"Bearer {ward['token']}"})
    assert refused.status_code == 400 and refused.is_json and "Content-Disposition" not in refused.headers


def test_ogrinfo_opens_the_token_protected_urls_themselves(app, ward):
    with served(app) as base:
        bearer = {"GDAL_HTTP_HEADERS": f"Authorization: Bearer {ward['token']}"}
        basic = {"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": f"qgis:{ward['token']}"}
        assert ogrinfo(f"/vsicurl/{base}/api/exports/cases.gpkg", bearer)["cases"][0] == 4
        assert ogrinfo(f"{base}/api/exports/cases.geojson", basic)["cases"][0] == 4
        assert ogrinfo(f"/vsicurl/{base}/api/exports/routes.kml", bearer)["routes"][0] == 3
        assert ogrinfo(f"/vsicurl/{base}/api/exports/weeks/{ward['week']}/tracks.gpx", basic)["tracks"][0] == 1
        failed = subprocess.run(["ogrinfo", "-ro", "-so", f"/vsicurl/{base}/api/exports/cases.gpkg"],
                                capture_output=True, text=True, timeout=60)
        assert failed.returncode != 0  # without the token: nothing


def test_a_patrols_gpx_has_the_stored_track_split_at_the_gap_with_times(app, ward):
    gpx = gpxpy.parse(_get(app, f"/api/exports/patrols/{ward['patrol']}.gpx", ward["token"]).get_data(as_text=True))
    (track,) = gpx.tracks
    assert len(ward["track"]) == 2 and len(track.segments) == 2  # never a line over the gap
    assert [[(p.longitude, p.latitude) for p in seg.points] for seg in track.segments] == [
        [tuple(c) for c in part] for part in ward["track"]]
    times = [p.time for seg in track.segments for p in seg.points]
    assert all(times) and times == sorted(times)
    assert (track.segments[1].points[0].time - track.segments[0].points[-1].time).total_seconds() >= 600
    geojson = json.loads(_get(app, f"/api/exports/patrols/{ward['patrol']}.geojson", ward["token"]).get_data())
    assert geojson["features"][0]["geometry"]["coordinates"] == [[list(c) for c in part] for part in ward["track"]]


def test_a_weeks_tracks_are_the_inspectors_own_or_everyones_for_the_chairman(app, ward, people):
    with app.app_context():
        other = db.session.get(User, people["inspector2"])
        db.session.add(Patrol(client_uuid=new_uuid(), inspector_id=other.id, status="ended",
                              route_id=ward["routes"], started_at=utcnow() - timedelta(hours=1), ended_at=utcnow()))
        db.session.commit()
    url = f"/api/exports/weeks/{ward['week']}/tracks.geojson"
    assert len(json.loads(_get(app, url, ward["token"]).get_data())["features"]) == 2
    mine = json.loads(_get(app, url, ward["inspector_token"]).get_data())["features"]
    assert [f["properties"]["inspector"] for f in mine] == ["kiemtra"]
    client = login(app, "kiemtra2")
    assert client.get(f"/api/exports/patrols/{ward['patrol']}.gpx").status_code == 403  # another inspector's
    assert client.get("/api/exports/weeks/2026-W60/tracks.gpx").status_code == 400


def test_routes_and_boundary_as_geojson_kml_and_gpx(app, ward, tmp_path):
    with app.app_context():
        routes = {r.code: [tuple(c) for c in to_shape(r.geom).coords] for r in db.session.scalars(select(Route))}
    for format_key in ("geojson", "kml", "gpx"):
        for name, expected in (("routes", 3), ("boundary", 1)):
            path = tmp_path / f"{name}.{format_key}"
            path.write_bytes(_get(app, f"/api/exports/{name}.{format_key}", ward["token"]).get_data())
            layers = ogrinfo(str(path))
            count = layers["tracks"][0] if format_key == "gpx" else next(iter(layers.values()))[0]
            assert count == expected, (name, format_key, layers)
    gpx_text = _get(app, "/api/exports/routes.gpx", ward["token"]).get_data(as_text=True)
    read_back = {t.name: [(p.longitude, p.latitude) for p in t.segments[0].points] for t in gpxpy.parse(gpx_text).tracks}
    assert read_back == routes  # the exact lines, not the map's simplified ones
    reimported = parse_gpx(gpx_text)  # the office can load the file back (admin import)
    assert len(reimported.routes) == 3
    boundary = gpxpy.parse(_get(app, "/api/exports/boundary.gpx", ward["token"]).get_data(as_text=True))
    ring = boundary.tracks[0].segments[0].points
    assert (ring[0].latitude, ring[0].longitude) == (ring[-1].latitude, ring[-1].longitude)


def test_exports_need_a_login_or_a_live_token(app, ward, people):
    anonymous = app.test_client()
    for url in ("/api/exports/cases.gpkg", "/api/exports/routes.kml", f"/api/exports/patrols/{ward['patrol']}.gpx"):
        assert anonymous.get(url).status_code == 401
    with app.app_context():
        accounts.set_active(db.session, db.session.get(User, people["chairman"]), False,
                            db.session.get(User, people["admin"]))
        db.session.commit()
    assert anonymous.get("/api/exports/cases.gpkg", headers={"Authorization": f"Bearer {ward['token']}"}).status_code == 401
