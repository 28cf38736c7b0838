"""The officer-in-charge rule, on every case endpoint and method, for each kind of person.

Every inspector of the ward sees every case and adds observations (site checks, follow-up visits)
under their own name; only the officer in charge (or the chairman) records or proposes legal
steps; moving a deadline is a proposal; the chairman and admin reassign a case with a reason.
A refusal is a 403 with a message, and the database is unchanged.
"""
import io
import re

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import CaseEvent, Photo, User, Violation

from .conftest import csrf_token_from
from .factories import jpeg_bytes, make_case, new_uuid
from .test_cases_web import TODAY, login
from .test_lifecycle import _act

ACTORS = {"officer": "kiemtra", "other_inspector": "kiemtra2", "chairman": "chutich", "admin": "quantri"}


@pytest.fixture
def world(app, people, tmp_path):
    """A case in the warning stage in kiemtra's charge, with a pending proposal on a second case and a photo,
    and a third case reported with its position unknown."""
    with app.app_context():
        # A real record, so that the case has a running deadline to extend (clocks come from the history).
        case = make_case(db.session, people["inspector"], "detected")
        _act(db.session, case, db.session.get(User, people["inspector"]), "record_violation", today=TODAY,
             document_number="1/BB", document_date=TODAY.isoformat())
        waiting = make_case(db.session, people["inspector"], "warning", due=TODAY)
        unplaced = make_case(db.session, people["inspector"], "warning", due=TODAY, position=None)
        db.session.commit()
        ids = {"case": case.id, "version": case.version, "waiting": waiting.id, "unplaced": unplaced.id,
               "case_uuid": case.client_uuid, "people": people}
    client = login(app, "kiemtra")
    html = client.get(f"/cases/{ids['waiting']}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    client.post(f"/cases/{ids['waiting']}/events", content_type="multipart/form-data",
                data={"csrf_token": csrf_token_from(html), "version": version, "action": "close", "mode": "propose",
                      "outcome": "self_corrected", "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]})
    with app.app_context():
        ids["proposal"] = db.session.scalar(select(CaseEvent.id).where(CaseEvent.violation_id == ids["waiting"]))
        ids["photo"] = db.session.scalar(select(Photo.public_id))
        ids["record"] = db.session.scalar(select(CaseEvent.id).where(CaseEvent.violation_id == ids["case"],
                                                                     CaseEvent.action == "record_violation"))
    assert ids["proposal"] and ids["photo"]
    return ids


def _event(action, mode="record", **fields):
    return ("POST", "/cases/{case}/events", dict(action=action, mode=mode, **fields))


# (name, (method, url, form), {actor: allowed})
CALLS = {
    "see the case": (("GET", "/cases/{case}", None), set(ACTORS)),
    "see a photo": (("GET", "/cases/photos/{photo}", None), set(ACTORS)),
    "see a thumbnail": (("GET", "/cases/photos/{photo}/thumb", None), set(ACTORS)),
    "see the case on the map (popup)": (("GET", "/api/map/cases/{case}.json", None), set(ACTORS)),
    "download a step's document": (("GET", "/cases/{case}/documents/{record}.docx?blanks=1", None), set(ACTORS)),
    "download the case file": (("GET", "/cases/{case}/dossier.pdf", None), set(ACTORS)),
    "site check (observation)": (_event("site_check", note="Vẫn thi công"), {"officer", "other_inspector", "chairman"}),
    "stop-work (legal step)": (_event("start_stop_work", document_date=TODAY.isoformat()), {"officer", "chairman"}),
    "record continued works": (_event("record_continuation", document_number="5/BB", document_date=TODAY.isoformat()),
                               {"officer", "chairman"}),
    "propose a penalty decision": (_event("penalty_decision", "propose", fine_vnd="1000000", remedy="Phá dỡ"),
                                   {"officer"}),
    "propose closing": (_event("close", "propose", outcome="self_corrected"), {"officer"}),
    "record an extension": (_event("extend_deadline", extension_kind="other", new_due_date="2099-12-31",
                                   note="Gia hạn"), {"chairman"}),
    "propose an extension": (_event("extend_deadline", "propose", extension_kind="other", new_due_date="2027-06-30",
                                    note="Chờ giấy phép"), {"officer"}),
    "place an unknown position": (("POST", "/cases/{unplaced}/events",
                                   dict(action="place_position", mode="record", lon="105.5975", lat="10.1775",
                                        note="Đã đến tận nơi")), {"officer", "chairman"}),
    "reassign": (_event("reassign", officer_id="{inspector2}", note="Nghỉ phép"), {"chairman", "admin"}),
    "approve a proposal": (("POST", "/cases/{waiting}/proposals/{proposal}", {"decision": "approve", "version": "2"}),
                           {"chairman", "admin"}),
    "follow-up visit (observation)": (("POST", "/api/visits", {"client_uuid": "{uuid}", "outcome": "follow_up",
                                                                "violation_id": "{case}", "lon": "105.5975",
                                                                "lat": "10.1775", "note": "Đi ngang"}),
                                      {"officer", "other_inspector"}),
}


def test_every_case_endpoint_is_in_the_matrix(app):
    """A new endpoint that takes a case, an event or a photo must be added to CALLS."""
    covered = {re.sub(r"\{[a-z0-9_]+\}", "X", call[1].split("?")[0].replace(".docx", ".X").replace(".pdf", ".X"))
               for call, _ in CALLS.values()}
    for rule in app.url_map.iter_rules():
        if {"violation_id", "event_id", "public_id"} & set(rule.arguments):
            assert re.sub(r"<[^>]+>", "X", rule.rule) in covered, rule.rule


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", CALLS)
def test_the_officer_in_charge_rule(app, world, db_snapshot, name, actor):
    (method, url, form), allowed = CALLS[name]
    client = login(app, ACTORS[actor])
    values = dict(world, inspector2=world["people"]["inspector2"], uuid=new_uuid())
    url_template, url = url, url.format(**values)
    before = db_snapshot()
    if method == "GET":
        response = client.get(url)
    else:
        page = client.get(f"/cases/{world['case']}").get_data(as_text=True)
        data = {key: value.format(**values) for key, value in form.items()}
        data.setdefault("version", str(world["version"]) if "{case}" in url_template else "1")
        data["csrf_token"] = csrf_token_from(page)
        response = client.post(url, data=data, headers={"X-CSRFToken": data["csrf_token"]},
                               content_type="multipart/form-data")
    if actor in allowed:
        assert response.status_code in (200, 201, 302), (response.status_code, response.get_data(as_text=True)[:800])
        if method == "POST":
            assert db_snapshot() != before
    else:
        assert response.status_code == 403, (response.status_code, response.get_data(as_text=True)[:800])
        assert db_snapshot() == before


def test_a_reassigned_case_changes_hands_with_the_reason_in_its_history(app, world):
    chairman = login(app, "chutich")
    html = chairman.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert 'name="officer_id"' in html
    response = chairman.post(f"/cases/{world['case']}/events", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(html), "version": str(world["version"]), "action": "reassign", "mode": "record",
        "officer_id": str(world["people"]["inspector2"]), "note": "Anh Kiểm nghỉ phép hai tuần"})
    assert response.status_code == 302
    html = chairman.get(f"/cases/{world['case']}").get_data(as_text=True)
    assert "Giao vụ việc cho cán bộ khác" in html and "Anh Kiểm nghỉ phép hai tuần" in html and "Lê Thị Hai" in html
    former = login(app, "kiemtra").get(f"/cases/{world['case']}").get_data(as_text=True)
    assert 'id="not-in-charge"' in former and 'data-action="start_stop_work"' not in former
    assert 'data-action="site_check"' in former
    with app.app_context():
        assert db.session.get(Violation, world["case"]).officer_id == world["people"]["inspector2"]


def test_photo_urls_carry_no_sequential_number(app, world):
    client = login(app, "kiemtra2")
    with app.app_context():
        photo = db.session.scalar(select(Photo))
    html = client.get(f"/cases/{world['waiting']}").get_data(as_text=True)
    assert f"/cases/photos/{photo.public_id}" in html and re.fullmatch(r"[0-9a-f]{32}", photo.public_id)
    # (as a whole path segment: a random public id may begin with the same digit)
    assert not re.search(rf"/cases/photos/{photo.id}[\"/?]", html)
    assert client.get(f"/cases/photos/{photo.id}").status_code == 404
    assert client.get(f"/cases/photos/{photo.public_id}").status_code == 200


def test_a_report_photo_cannot_be_moved_onto_a_later_step_by_resending_its_id(app, people, tmp_path):
    """A case event's photos are always new: a photo_uuid field naming the report's photo is ignored."""
    client = login(app, "kiemtra")
    page = client.get("/").get_data(as_text=True)
    token = csrf_token_from(page)
    photo_uuid, content = new_uuid(), jpeg_bytes(colour=(33, 66, 99))
    created = client.post("/api/violations", headers={"X-CSRFToken": token}, content_type="multipart/form-data", data={
        "client_uuid": new_uuid(), "lon": "105.5975", "lat": "10.1775", "category": "no_permit", "confirm_new": "1",
        "confirm_outside": "1", "photo_uuid": photo_uuid, "photos": [(io.BytesIO(content), "a.jpg")]}).get_json()
    html = client.get(created["url"]).get_data(as_text=True)
    response = client.post(created["url"] + "/events", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_from(html), "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "action": "site_check", "mode": "record", "note": "Ảnh cũ gửi lại", "photo_uuid": photo_uuid,
        "photos": [(io.BytesIO(content), "a.jpg")]})
    assert response.status_code == 302
    with app.app_context():
        report_photo = db.session.scalar(select(Photo).where(Photo.client_uuid == photo_uuid))
        assert report_photo.event_id is None  # still the report's evidence
        event_photos = db.session.scalars(select(Photo).where(Photo.event_id.is_not(None))).all()
        assert len(event_photos) == 1 and event_photos[0].client_uuid != photo_uuid
