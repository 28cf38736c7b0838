"""The case pages over HTTP: actions and proposals, the chairman's queue, lists, conflicts, bad input."""
import io
import re
from datetime import date, timedelta

import pytest

from inspect_app.extensions import db
from inspect_app.models import CaseEvent, Violation

from .conftest import csrf_token_from
from .factories import jpeg_bytes, make_case

TODAY = date.today()


def login(app, username):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": username, "password": "mat-khau-dai", "csrf_token": csrf_token_from(page)})
    return client


@pytest.fixture
def case_id(app, people):
    with app.app_context():
        case = make_case(db.session, people["inspector"], khu_vuc="Thới Mỹ")
        db.session.commit()
        return case.id


def case_form(client, case_id):
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return html, csrf_token_from(html), re.search(r'name="version" value="(\d+)"', html).group(1)


def post_action(client, case_id, fields, photos=()):
    _html, token, version = case_form(client, case_id)
    data = {"csrf_token": token, "version": version, "mode": "record"}
    data.update(fields)
    if photos:
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post(f"/cases/{case_id}/events", data=data, content_type="multipart/form-data")


BB = {"action": "record_violation", "document_number": "15/BB-VPHC", "document_date": (TODAY - timedelta(days=1)).isoformat()}


def test_inspector_records_a_bb_with_a_photo_and_the_page_shows_the_deadline(app, people, case_id):
    client = login(app, "kiemtra")
    response = post_action(client, case_id, BB, photos=[(jpeg_bytes(), "hien-truong.jpg")])
    assert response.status_code == 302
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "15/BB-VPHC" in html and "Lập biên bản VPHC, yêu cầu dừng thi công" in html
    assert "Luật XLVPHC Điều 66 khoản 1" in html and 'id="case-deadline"' in html
    assert re.search(r'id="event-1".*?cases/photos/[0-9a-f]{32}/thumb', html, re.S)


BAD = {
    "future document date": (dict(BB, document_date=(TODAY + timedelta(days=3)).isoformat()), 400, "không thể ở tương lai"),
    "empty document number": (dict(BB, document_number=""), 400, "Ô này bắt buộc."),
    "forged stage": (dict(BB, stage="closed"), 400, "Không thể đặt giai đoạn trực tiếp"),
    "unknown action": (dict(BB, action="demolish_now"), 400, "không có trong danh sách"),
    "action not allowed at this stage": ({"action": "enforcement_record", "document_number": "1", "document_date": TODAY.isoformat()},
                                         400, "ở giai đoạn này (Phát hiện)"),
    "decision an inspector may only propose": (
        {"action": "penalty_decision", "document_number": "2/QĐ", "document_date": TODAY.isoformat(), "fine_vnd": "5000000",
         "remedy": "Phá dỡ"}, 403, "Bạn có thể đề xuất"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_actions_get_a_vietnamese_message_keep_the_input_and_store_nothing(app, people, db_snapshot, name):
    fields, status, message = BAD[name]
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning" if status == 403 else "detected")
        db.session.commit()
        case_id = case.id
    client = login(app, "kiemtra")
    before = db_snapshot()
    response = post_action(client, case_id, fields)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert db_snapshot() == before
    if fields.get("document_number") and fields["action"] == "record_violation":
        assert f'value="{fields["document_number"]}"' in html


@pytest.mark.parametrize("fine", ["-1000", "một triệu", "1e30"])
def test_bad_fines_in_a_proposal(app, people, db_snapshot, fine):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning")
        db.session.commit()
        case_id = case.id
    client = login(app, "kiemtra")
    before = db_snapshot()
    response = post_action(client, case_id, {"action": "penalty_decision", "mode": "propose", "fine_vnd": fine,
                                             "remedy": "Phá dỡ"})
    assert response.status_code == 400 and db_snapshot() == before
    assert "Hãy nhập một số." in response.get_data(as_text=True) or "Phải trong khoảng" in response.get_data(as_text=True)


def test_an_action_on_a_closed_case_is_refused(app, people, db_snapshot):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "closed")
        db.session.commit()
        case_id = case.id
    client = login(app, "kiemtra")
    before = db_snapshot()
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="actions"' not in page  # nothing to offer: closed, and no entry to correct yet
    response = client.post(f"/cases/{case_id}/events", data={
        "csrf_token": csrf_token_from(page), "version": "1", "mode": "record", "action": "site_check", "note": "x"})
    assert response.status_code == 400 and "đã kết thúc" in response.get_data(as_text=True)
    assert db_snapshot() == before


def test_proposal_queue_and_approval(app, people):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning")
        db.session.commit()
        case_id, code = case.id, case.code
    inspector = login(app, "kiemtra")
    response = post_action(inspector, case_id, {"action": "penalty_decision", "mode": "propose", "fine_vnd": "60000000",
                                                "remedy": "Buộc phá dỡ"})
    assert response.status_code == 302
    assert inspector.get("/cases/queue").status_code == 403
    chairman = login(app, "chutich")
    queue = chairman.get("/cases/queue").get_data(as_text=True)
    assert f'data-case="{code}"' in queue
    html, token, version = case_form(chairman, case_id)
    proposal_id = re.search(r'data-proposal="(\d+)"', html).group(1)
    approved = chairman.post(f"/cases/{case_id}/proposals/{proposal_id}",
                             data={"csrf_token": token, "version": version, "decision": "approve", "back": "queue"})
    assert approved.status_code == 302 and approved.headers["Location"] == "/cases/queue"
    html = chairman.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Xử phạt / cưỡng chế" in html and "60.000.000" in html and "Luật XLVPHC Điều 70" in html
    assert "Nothing is waiting" not in chairman.get("/cases/queue").get_data(as_text=True)
    assert "Không có gì đang chờ." in chairman.get("/cases/queue").get_data(as_text=True)


def test_the_second_of_two_editors_gets_the_conflict_message_and_the_new_state(app, people, case_id, db_snapshot):
    first, second = login(app, "kiemtra"), login(app, "kiemtra2")
    _html, token_a, version = case_form(first, case_id)
    _html, token_b, _ = case_form(second, case_id)
    ok = first.post(f"/cases/{case_id}/events", data={"csrf_token": token_a, "version": version, "mode": "record", **BB})
    assert ok.status_code == 302
    before = db_snapshot()
    late = second.post(f"/cases/{case_id}/events", data={
        "csrf_token": token_b, "version": version, "mode": "record", "action": "site_check", "note": "Tôi cũng đến"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "vừa được Nguyễn Văn Kiểm thay đổi lúc" in html
    assert "15/BB-VPHC" in html and "Tôi cũng đến" in html  # the new state, and what the second person typed
    assert db_snapshot() == before


def test_case_list_filters_are_kept_in_the_url(app, people):
    with app.app_context():
        late = make_case(db.session, people["inspector"], "warning", due=TODAY - timedelta(days=2), khu_vuc="Bắc Vàng")
        make_case(db.session, people["inspector"], "warning", due=TODAY + timedelta(days=20), khu_vuc="Thới Mỹ")
        db.session.commit()
        code = late.code
    client = login(app, "chutich")
    html = client.get("/cases/?overdue=1&khu_vuc=B%E1%BA%AFc+V%C3%A0ng").get_data(as_text=True)
    assert html.count("data-case=") == 1 and f'data-case="{code}"' in html and "QUÁ HẠN" in html
    assert 'name="overdue" value="1" checked' in html
    bad = client.get("/cases/?stage=teleported")
    assert bad.status_code == 400 and "Giai đoạn: Lựa chọn này không có trong danh sách." in bad.get_data(as_text=True)


def test_extension_is_proposed_shown_with_its_reason_and_moves_the_deadline_when_approved(app, people, case_id):
    client = login(app, "kiemtra")
    post_action(client, case_id, BB)
    recorded = post_action(client, case_id, {"action": "extend_deadline", "extension_kind": "other",
                                             "new_due_date": "2099-12-31", "note": "Tự gia hạn"})
    assert recorded.status_code == 403  # not the inspector's act alone
    response = post_action(client, case_id, {"action": "extend_deadline", "mode": "propose",
                                             "extension_kind": "complex_or_explanation",
                                             "note": "Chủ đầu tư xin giải trình"})
    assert response.status_code == 302
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Gia hạn" in html and "Chủ đầu tư xin giải trình" in html and "Thời hạn đề nghị" in html
    chairman = login(app, "chutich")
    html, token, version = case_form(chairman, case_id)
    proposal_id = re.search(r'data-proposal="(\d+)"', html).group(1)
    assert chairman.post(f"/cases/{case_id}/proposals/{proposal_id}",
                         data={"csrf_token": token, "version": version, "decision": "approve"}).status_code == 302
    with app.app_context():
        events = db.session.query(CaseEvent).order_by(CaseEvent.seq).all()
        assert [e.kind for e in events] == ["action", "proposal", "approval"]
        assert events[2].due_date == events[1].due_date > events[0].due_date
        assert db.session.get(Violation, case_id).due_date == events[2].due_date


def test_chairman_home_counts_waiting_and_overdue(app, people):
    with app.app_context():
        make_case(db.session, people["inspector"], "warning", due=TODAY - timedelta(days=1))
        make_case(db.session, people["inspector"], "warning", due=TODAY + timedelta(days=1))
        db.session.commit()
    html = login(app, "chutich").get("/").get_data(as_text=True)
    assert re.search(r'id="overdue-count">1<', html) and re.search(r'id="waiting-count">0<', html)


def test_photos_of_two_events_stay_with_their_own_event(app, people, case_id, runner):
    client = login(app, "kiemtra")
    assert post_action(client, case_id, BB, photos=[(jpeg_bytes(), "a.jpg")]).status_code == 302
    second = post_action(client, case_id, {"action": "site_check", "note": "Ảnh sau"}, photos=[(jpeg_bytes(colour=(9, 9, 9)), "a.jpg")])
    assert second.status_code == 302
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(r'id="event-1".*?/thumb.*?id="event-2".*?/thumb', html, re.S)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_another_inspector_cannot_alter_decide_or_replace_a_pending_proposal(app, people, db_snapshot):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning")
        db.session.commit()
        case_id = case.id
    proposal = {"action": "penalty_decision", "mode": "propose", "fine_vnd": "60000000", "remedy": "Buộc phá dỡ"}
    assert post_action(login(app, "kiemtra"), case_id, proposal).status_code == 302
    other = login(app, "kiemtra2")
    html, token, version = case_form(other, case_id)
    proposal_id = re.search(r'data-proposal="(\d+)"', html).group(1)
    assert 'name="decision"' not in html  # no approve/reject buttons for an inspector
    before = db_snapshot()
    for decision in ("approve", "reject"):
        response = other.post(f"/cases/{case_id}/proposals/{proposal_id}",
                              data={"csrf_token": token, "version": version, "decision": decision, "note": "sửa"})
        assert response.status_code == 403
        assert "Bạn không có quyền" in response.get_data(as_text=True)
    replaced = post_action(other, case_id, dict(proposal, fine_vnd="1000000"))
    assert replaced.status_code == 403 and "cán bộ phụ trách" in replaced.get_data(as_text=True)
    assert db_snapshot() == before
    with app.app_context():
        pending = db.session.get(CaseEvent, int(proposal_id))
        assert (pending.fine_vnd, pending.actor_id) == (60000000, people["inspector"])
