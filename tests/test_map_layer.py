"""The chairman's map layer over HTTP: every matching case, decoded back exactly; compressed; answered 304
when unchanged and never stale after a change; the popup's details; refusals."""
import gzip
import json
from datetime import timedelta

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select

from inspect_app.domain.cases.clocks import is_overdue
from inspect_app.extensions import db
from inspect_app.models import Violation
from inspect_app.rules import lifecycle_context

from .factories import make_case
from .test_cases_web import login


def decode(layer):
    """The layer as {id: (lon, lat, stage, overdue)}, the way map.js reads it."""
    out, case_id = {}, 0
    for step, x, y, k in zip(layer["id"], layer["x"], layer["y"], layer["k"], strict=True):
        case_id += step
        out[case_id] = ((layer["origin"][0] + x) / layer["scale"], (layer["origin"][1] + y) / layer["scale"],
                        layer["stages"][k >> 1], bool(k & 1))
    return out


def _cases(app, people):
    today = lifecycle_context(app.config).today
    with app.app_context():
        made = [
            make_case(db.session, people["inspector"], "warning", due=today - timedelta(days=1),
                      position=from_shape(Point(105.5912345, 10.1698765), srid=4326)),
            make_case(db.session, people["inspector"], "stop_work", due=today + timedelta(days=3),
                      position=from_shape(Point(105.6023456, 10.1801234), srid=4326)),
            make_case(db.session, people["inspector"], "closed", position=from_shape(Point(105.58, 10.16), srid=4326)),
            make_case(db.session, people["inspector"], "detected", position=None),
        ]
        db.session.commit()
        return [c.id for c in made]


def _layer(client, query="", gzip_ok=True):
    response = client.get(f"/api/map/cases.json{query}", headers={"Accept-Encoding": "gzip" if gzip_ok else "identity"})
    assert response.status_code == 200, response.data[:300]
    body = gzip.decompress(response.data) if response.headers.get("Content-Encoding") == "gzip" else response.data
    return response, json.loads(body)


def test_the_layer_holds_every_matching_case_exactly(app, people):
    ids = _cases(app, people)
    client = login(app, "chutich")
    response, layer = _layer(client)
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    cases = decode(layer)
    assert set(cases) == set(ids[:3]) and layer["total"] == 4 and layer["unplaced"] == 1
    today = lifecycle_context(app.config).today
    with app.app_context():
        for case in db.session.scalars(select(Violation).where(Violation.id.in_(ids[:3]))):
            point = to_shape(case.position)
            lon, lat, stage, overdue = cases[case.id]
            assert abs(lon - point.x) <= 5.01e-7 and abs(lat - point.y) <= 5.01e-7  # rounded to the micro-degree
            assert stage == case.stage and overdue == is_overdue(case, today)
    assert [cases[i][3] for i in ids[:3]] == [True, False, False]

    # The case list's filters: stage, overdue; a client without gzip gets plain JSON.
    response, warning = _layer(client, "?stage=warning&overdue=1", gzip_ok=False)
    assert "Content-Encoding" not in response.headers
    assert set(decode(warning)) == {ids[0]} and warning["total"] == 1 and warning["unplaced"] == 0


def test_an_unchanged_layer_is_not_sent_again_and_a_change_is_never_missed(app, people, monkeypatch):
    ids = _cases(app, people)
    client = login(app, "chutich")
    first, layer = _layer(client)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/api/map/cases.json", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    # A case moves on a stage (an ordinary write, as the case page makes): the next answer shows it.
    with app.app_context():
        case = db.session.get(Violation, ids[1])
        case.stage = "enforcement"
        db.session.commit()
    changed = client.get("/api/map/cases.json", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert decode(json.loads(gzip.decompress(changed.data)))[ids[1]][2] == "enforcement"

    # A new case, and a placed one: counted at once.
    with app.app_context():
        make_case(db.session, people["inspector"], "detected", position=from_shape(Point(105.59, 10.17), srid=4326))
        db.session.get(Violation, ids[3]).position = from_shape(Point(105.595, 10.175), srid=4326)
        db.session.commit()
    _, layer = _layer(client)
    assert len(decode(layer)) == 5 and layer["unplaced"] == 0

    # The next day the second case's deadline has passed: overdue without any write.
    from inspect_app import rules

    tomorrow_plus = lifecycle_context(app.config).today + timedelta(days=5)
    monkeypatch.setattr(rules, "local_today", lambda: tomorrow_plus)
    _, layer = _layer(client)
    assert decode(layer)[ids[1]][3] is True


def test_the_popup_details_of_one_case(app, people):
    ids = _cases(app, people)
    client = login(app, "kiemtra")  # every inspector sees every case
    details = client.get(f"/api/map/cases/{ids[0]}.json").get_json()
    assert details["code"].startswith("TL-") and details["address"] == "1 Lộ Vòng Cung"
    assert details["overdue"] is True and details["url"] == f"/cases/{ids[0]}" and details["stage_label"]
    missing = client.get("/api/map/cases/999999.json")
    assert missing.status_code == 404
    assert app.test_client().get("/api/map/cases.json").status_code in (302, 401)
    assert app.test_client().get(f"/api/map/cases/{ids[0]}.json").status_code in (302, 401)


def test_bad_filters_are_refused_with_the_field_named(app, people):
    client = login(app, "chutich")
    for query, field in (("stage=nope", "stage"), ("date_from=2026-13-01", "date_from"), ("route=abc", "route")):
        response = client.get(f"/api/map/cases.json?{query}")
        assert response.status_code == 400 and field in response.get_json()["fields"], query


def test_id_steps_decode_to_the_ids_in_any_order():
    """The database may hand the rows over in any order: the steps still decode to each row's own id."""
    from inspect_app.domain.cases.map_layer import _steps

    assert _steps("") == ("", 0)
    for ids in ([1, 2, 3, 7], [9, 3, 12, 1], [5]):
        steps, count = _steps(",".join(map(str, ids)))
        decoded, case_id = [], 0
        for step in map(int, steps.split(",")):
            case_id += step
            decoded.append(case_id)
        assert decoded == ids and count == len(ids)
