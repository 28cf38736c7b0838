"""The chairman signs decisions (issue 16 point 4): the queue shows what he signs (photos, fine, remedy,
deadlines) and decides there; he is warned of a signature after the Điều 66 deadline and of a fine beyond
his competence, which he refers to the competent level instead; a rejection needs its reason, a conflict
keeps his note; the inspector hears of answers and decisions on their pages."""
import re
from datetime import timedelta

from inspect_app.domain.field.photos import PhotoFiles, add_photo
from inspect_app.domain.ward_time import local_today
from inspect_app.extensions import db
from inspect_app.models import CaseEvent, RegisterEntry, User, Violation

from .factories import jpeg_bytes, make_case, new_uuid
from .test_cases_web import case_form, login
from .test_lifecycle import _act


def _proposed(app, people, fine, bb_days_ago):
    """A case with a BB written `bb_days_ago` days ago, a report photo, and a penalty proposal."""
    today = local_today()
    with app.app_context():
        session = db.session
        inspector = session.get(User, people["inspector"])
        case = make_case(session, inspector.id)
        add_photo(session, PhotoFiles(app.config["PHOTO_DIR"]), (new_uuid(), jpeg_bytes(), "a.jpg"), inspector,
                  10**7, 10**8, violation=case)
        day = today - timedelta(days=bb_days_ago)
        _act(session, case, inspector, "record_violation", today=day, document_number=f"{bb_days_ago}/BB",
             document_date=day.isoformat())
        proposal = _act(session, case, inspector, "penalty_decision", today=today, mode="propose",
                        fine_vnd=str(fine), remedy="Buộc phá dỡ tầng 3")
        session.commit()
        return case.id, proposal.id


def _queue_item(html, case_code):
    start = html.index(f'data-case="{case_code}"')
    end = html.find('<li class="card queue-item"', start)
    return html[start:end if end > 0 else len(html)]


def _code(app, case_id):
    with app.app_context():
        return db.session.get(Violation, case_id).code


def test_the_chairman_signs_from_the_queue_warned_of_lateness_and_competence(app, people, db_snapshot):
    late_case, late_proposal = _proposed(app, people, 60_000_000, bb_days_ago=20)
    big_case, big_proposal = _proposed(app, people, 150_000_000, bb_days_ago=1)
    chairman = login(app, "chutich")
    html = chairman.get("/cases/queue").get_data(as_text=True)
    late = _queue_item(html, _code(app, late_case))
    assert "60.000.000 đ" in late and "Buộc phá dỡ tầng 3" in late and "/thumb" in late
    assert re.search(r'data-clock="penalty_decision">\s*<strong>QUÁ HẠN</strong>', late)
    assert "Ký sau thời hạn ra quyết định xử phạt" in late and 'name="back" value="queue"' in late
    big = _queue_item(html, _code(app, big_case))
    # The default cap is not confirmed by the ward: a warning he must tick, not a refusal.
    assert "cao hơn 100.000.000 đ, mức trần mặc định" in big and "Ký sau thời hạn" not in big
    assert 'name="confirm" value="over_cap"' in big and 'name="confirm" value="over_cap"' not in late

    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def decide(case_id, proposal_id, decision, version=None, **fields):
        version = version or re.search(r'name="version" value="(\d+)"', case_form(chairman, case_id)[0]).group(1)
        return chairman.post(f"/cases/{case_id}/proposals/{proposal_id}", data={
            "csrf_token": token, "version": version, "decision": decision, "back": "queue", **fields})

    # Beyond the default cap without his tick: refused, nothing stored, the tick offered again.
    before = db_snapshot()
    response = decide(big_case, big_proposal, "approve", note="Đồng ý")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and db_snapshot() == before
    assert 'name="confirm" value="over_cap"' in page and 'id="action-refer_to_competent_level"' in page
    # Once the ward has confirmed the cap (FINE_CAPS_VND), beyond it is refused even with the tick.
    app.config["FINE_CAPS_VND"] = {"chairman": 100_000_000}
    response = decide(big_case, big_proposal, "approve", note="Đồng ý", confirm="over_cap")
    assert response.status_code == 400 and db_snapshot() == before
    assert "vượt thẩm quyền của Chủ tịch UBND phường" in response.get_data(as_text=True)
    # A rejection needs its reason (the note is marked); a conflict keeps the note he wrote.
    response = decide(big_case, big_proposal, "reject")
    assert response.status_code == 400 and db_snapshot() == before
    assert re.search(r'name="note"[^>]*></textarea></label>\s*<p class="field-error">Hãy nêu lý do', response.get_data(as_text=True))
    response = decide(big_case, big_proposal, "reject", version="1", note="Thiếu ảnh tầng 3")
    assert response.status_code == 409 and db_snapshot() == before
    assert ">Thiếu ảnh tầng 3</textarea>" in response.get_data(as_text=True)

    # Late: signed with the warning, numbered by the register, back to the queue.
    response = decide(late_case, late_proposal, "approve", note="Ký muộn do chờ giải trình")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/queue")
    html = chairman.get("/cases/queue").get_data(as_text=True)
    assert "Đã duyệt" in html and "Ký sau thời hạn ra quyết định xử phạt" in html  # told once more after signing
    assert f'data-case="{_code(app, late_case)}"' not in html
    response = decide(big_case, big_proposal, "reject", note="Mức phạt vượt thẩm quyền, chuyển hồ sơ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/queue")

    # The referral ends the ward's time to decide; the competent person's decision is then recorded as received.
    today = local_today()
    _, _, version = case_form(chairman, big_case)
    referral = {"csrf_token": token, "version": version, "mode": "record", "action": "refer_to_competent_level",
                "document_number": "88/UBND", "document_date": today.isoformat(), "note": "Vượt thẩm quyền"}
    assert chairman.post(f"/cases/{big_case}/events", data=referral).status_code == 302
    page = chairman.get(f"/cases/{big_case}").get_data(as_text=True)
    assert re.search(r'<li data-clock="penalty_decision" data-ended="\d+">', page)  # ended by the referral
    assert not re.search(r'<li class="clock[^"]*" data-clock="penalty_decision"', page)
    assert 'id="action-refer_to_competent_level"' not in page and 'id="action-penalty_decision"' not in page
    assert 'id="action-competent_decision"' in page
    _, _, version = case_form(chairman, big_case)
    decision = {"csrf_token": token, "version": version, "mode": "record", "action": "competent_decision",
                "document_number": "15/QĐ-XPHC", "document_date": today.isoformat(), "fine_vnd": "150000000",
                "remedy": "Buộc phá dỡ"}
    assert chairman.post(f"/cases/{big_case}/events", data=decision).status_code == 302
    with app.app_context():  # not in the ward's register: another authority signed it
        assert not db.session.query(RegisterEntry).filter_by(violation_id=big_case, kind="qd_xu_phat_cap_tren").count()

    # The inspector hears of it on the home page and in "Hôm nay của tôi".
    inspector = login(app, "kiemtra")
    for url in ("/", "/field/today"):
        news = inspector.get(url).get_data(as_text=True).split('id="news"')[1].split("</section>")[0]
        assert f'data-case="{_code(app, late_case)}" data-kind="approval"' in news and "01/QĐ-XPHC" in news
        assert f'data-case="{_code(app, big_case)}" data-kind="rejection"' in news
        assert "Lý do: Mức phạt vượt thẩm quyền, chuyển hồ sơ" in news
        assert "15/QĐ-XPHC" in news and "Chuyển hồ sơ đến người có thẩm quyền xử phạt" in news
    with app.app_context():
        approval = db.session.query(CaseEvent).filter_by(violation_id=late_case, kind="approval").one()
        assert (approval.document_number, approval.document_date) == ("01/QĐ-XPHC", today)


def test_a_penalty_decision_after_the_limitation_period_needs_the_chairmans_tick_and_reason(app, people, db_snapshot):
    today = local_today()
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning", limitation_due=today - timedelta(days=1))
        db.session.commit()
        case_id = case.id
    chairman = login(app, "chutich")
    html, token, version = case_form(chairman, case_id)
    before = db_snapshot()
    response = chairman.post(f"/cases/{case_id}/events", data={
        "csrf_token": token, "version": version, "mode": "record", "action": "penalty_decision",
        "fine_vnd": "5000000", "remedy": "Buộc phá dỡ"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and db_snapshot() == before
    assert "Thời hiệu tính từ ngày phát hiện đã hết ngày" in page and 'name="confirm" value="after_limitation"' in page
    # Before he saves, the form already says so; with the tick but no reason, still refused.
    assert 'data-warning="after_limitation"' in chairman.get(f"/cases/{case_id}").get_data(as_text=True)
    form = {"csrf_token": token, "version": version, "mode": "record", "action": "penalty_decision",
            "fine_vnd": "5000000", "remedy": "Buộc phá dỡ", "confirm": "after_limitation"}
    response = chairman.post(f"/cases/{case_id}/events", data=form)
    assert response.status_code == 400 and db_snapshot() == before and "vì sao thời hiệu chưa hết" in response.get_data(as_text=True)
    response = chairman.post(f"/cases/{case_id}/events", data={**form, "note": "Công trình vẫn thi công đến 20/11"})
    assert response.status_code == 302


def test_a_number_taken_at_the_same_moment_gets_a_message_not_an_error_page(app, people, db_snapshot, monkeypatch):
    """Two records with one number on two cases at once: the register's unique constraint catches what
    the check before could not see yet (simulated by skipping that check)."""
    from inspect_app.domain.cases import register

    today = local_today()
    with app.app_context():
        first, second = (make_case(db.session, people["inspector"]).id for _ in range(2))
        db.session.commit()
    client = login(app, "kiemtra")
    record = {"action": "record_violation", "mode": "record", "document_number": "5/BB-VPHC",
              "document_date": today.isoformat()}

    def post(case_id):
        html, token, version = case_form(client, case_id)
        return client.post(f"/cases/{case_id}/events", data={**record, "csrf_token": token, "version": version})

    assert post(first).status_code == 302
    monkeypatch.setattr(register, "check_free", lambda *args: None)
    before = db_snapshot()
    response = post(second)
    assert response.status_code == 400 and db_snapshot() == before
    assert "Số này vừa được người khác ghi vào sổ" in response.get_data(as_text=True)


def test_a_step_is_never_dated_before_the_steps_it_follows(app, people, db_snapshot):
    """No stop-work notice before its record, no decision signed before the record it decides on."""
    from inspect_app.domain.cases import case_actions, signing
    from inspect_app.domain.errors import InvalidFields

    from .test_lifecycle import context

    today = local_today()
    with app.app_context():
        session = db.session
        inspector, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
        case = make_case(session, inspector.id)
        _act(session, case, inspector, "record_violation", today=today, document_number="3/BB",
             document_date=(today - timedelta(days=3)).isoformat())
        for action, extra in (("start_stop_work", {}), ("penalty_decision", {"fine_vnd": "5000000", "remedy": "Phá dỡ"})):
            user = chairman if action == "penalty_decision" else inspector
            try:
                _act(session, case, user, action, today=today, document_date=(today - timedelta(days=5)).isoformat(), **extra)
                raise AssertionError(f"{action} dated before the record was accepted")
            except InvalidFields as refused:
                message = refused.errors["document_date"]
                assert message.params["seq"] == 1 and message.params["document"] == "3/BB", message.params
        proposal = _act(session, case, inspector, "penalty_decision", today=today, mode="propose", fine_vnd="5000000",
                        remedy="Phá dỡ")
        late = signing.read_signing({"document_date": (today - timedelta(days=4)).isoformat()}, today)
        try:
            case_actions.decide(session, case, chairman, proposal.id, True, case.version, context(today), signed=late)
            raise AssertionError("a decision signed before its record was accepted")
        except InvalidFields as refused:
            assert refused.errors["document_date"].params.get("seq") == 1
        session.rollback()
