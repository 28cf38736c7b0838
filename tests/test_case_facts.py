"""The facts a document needs (issue 16 point 5): optional at the report, asked for by the action whose
document needs them, changed by the officer in charge as a step with old and new values, shown on the
case page and in the exports, checked by the audit."""
import io
import json
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select, text

from inspect_app.extensions import db
from inspect_app.models import CaseEvent, Violation

from .factories import jpeg_bytes, make_case, new_uuid
from .test_cases_web import TODAY, case_form, login, post_action

UNKNOWN = {"owner_id_number": "", "owner_address": "", "works_state": "", "plot_number": "", "map_sheet": ""}
BB = {"action": "record_violation", "document_number": "31/BB-VPHC", "document_date": TODAY.isoformat()}
GIVEN = {"owner_id_number": "092080004567", "owner_address": "8 Trần Quang Diệu, Thới Long",
         "works_state": "in_progress", "works_kind": "Nhà ở riêng lẻ"}


def _new_case(app, people, **fields):
    with app.app_context():
        case = make_case(db.session, people["inspector"], detected_at=datetime.now(UTC) - timedelta(hours=2),
                         **{**UNKNOWN, **fields})
        db.session.commit()
        return case.id


def _entries(app, case_id):
    with app.app_context():
        return [(e.action, e.actor.username, json.loads(e.changes) if e.changes else [])
                for e in db.session.scalars(select(CaseEvent).where(CaseEvent.violation_id == case_id).order_by(CaseEvent.seq))]


def test_the_record_asks_for_the_facts_it_needs_and_keeps_them_as_a_change(app, people, db_snapshot):
    case_id = _new_case(app, people)
    client = login(app, "kiemtra")
    html, _, _ = case_form(client, case_id)
    form = html[html.index('id="action-record_violation"'):html.index('id="action-site_check"')]
    assert 'name="owner_id_number"' in form and 'name="owner_address"' in form and 'name="works_state"' in form
    assert 'name="owner_name" maxlength="200" value="Nguyễn Văn Mẫu"' in form  # what the case knows is filled in

    before = db_snapshot()
    response = post_action(client, case_id, BB)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and db_snapshot() == before
    # A record is made on site even when the owner will not say who they are: it needs the works' state
    # (and the place, known here), and asks for the person without requiring it.
    assert page.count("Biên bản vi phạm hành chính (BB VPHC) cần thông tin này") == 1
    assert 'value="31/BB-VPHC"' in page  # what was typed stays

    response = post_action(client, case_id, {**BB, **GIVEN, "owner_id_number": "09 2080!"})
    assert response.status_code == 400 and db_snapshot() == before
    assert "Ghi số như trên giấy tờ" in response.get_data(as_text=True)

    assert post_action(client, case_id, {**BB, **GIVEN}).status_code == 302
    action, who, changes = _entries(app, case_id)[-1]
    assert (action, who) == ("record_violation", "kiemtra")
    assert {"fact": "owner_id_number", "old": None, "new": "092080004567"} in changes
    assert {"fact": "works_state", "old": None, "new": "in_progress"} in changes
    assert all(c["fact"] != "works_kind" for c in changes)  # unchanged values are not changes
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-fact="owner_id_number">092080004567' in page
    assert "Số định danh cá nhân / CCCD / hộ chiếu, hoặc mã số doanh nghiệp: – → 092080004567" in page
    assert "Tình trạng công trình: – → Đang thi công" in page
    # The record now names the owner: a later change needs its reason.
    before = db_snapshot()
    response = post_action(client, case_id, {"action": "edit_facts", "owner_address": "99 Lộ Vòng Cung"})
    assert response.status_code == 400 and db_snapshot() == before
    assert "31/BB-VPHC đã ghi chủ đầu tư và công trình" in response.get_data(as_text=True)
    assert post_action(client, case_id, {"action": "edit_facts", "owner_address": "99 Lộ Vòng Cung",
                                         "note": "Đính chính theo Quyết định 3/QĐ-ĐC"}).status_code == 302


def test_the_officer_in_charge_corrects_a_fact_and_the_history_keeps_who_when_old_and_new(app, people, db_snapshot, runner):
    case_id = _new_case(app, people, **GIVEN)
    edit = {"action": "edit_facts", "note": "Chủ đầu tư cung cấp sổ đỏ"}

    other, officer = login(app, "kiemtra2"), login(app, "kiemtra")
    before = db_snapshot()
    response = post_action(other, case_id, {**edit, "plot_number": "77"})
    assert response.status_code == 403 and db_snapshot() == before

    response = post_action(officer, case_id, {**edit, "owner_address": GIVEN["owner_address"]})
    assert response.status_code == 400 and "Không có gì thay đổi" in response.get_data(as_text=True)
    response = post_action(officer, case_id, {**edit, "permit_date": (TODAY + timedelta(days=2)).isoformat()})
    assert response.status_code == 400 and db_snapshot() == before

    response = post_action(officer, case_id, {**edit, "plot_number": "77", "map_sheet": "12", "owner_address": "9 Lộ Vòng Cung"})
    assert response.status_code == 302
    action, who, changes = _entries(app, case_id)[-1]
    assert (action, who) == ("edit_facts", "kiemtra")
    assert {"fact": "owner_address", "old": GIVEN["owner_address"], "new": "9 Lộ Vòng Cung"} in changes
    assert {"fact": "plot_number", "old": None, "new": "77"} in changes
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Địa chỉ của chủ đầu tư: 8 Trần Quang Diệu, Thới Long → 9 Lộ Vòng Cung" in page
    assert 'data-fact="plot_number">77' in page

    # In the exports: the weekly list's owner and address columns carry the ID number, address and plot.
    content = login(app, "chutich").get("/reports/weekly.xlsx").data
    cells = [str(c.value) for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row if c.value]
    assert any(c.startswith("Nguyễn Văn Mẫu") and "Đ/c: 9 Lộ Vòng Cung" in c for c in cells)
    assert "092080004567" in cells  # the ID number in its own column (not on the printed list)
    assert any("Thửa 77, tờ bản đồ 12" in c for c in cells)

    # The audit knows the value a step set: an SQL editor changing it is named.
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("UPDATE violations SET owner_address = 'Địa chỉ khác' WHERE id = :id"), {"id": case_id})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "owner_address" in result.output and "9 Lộ Vòng Cung" in result.output


def test_the_report_may_give_the_facts_and_a_repeat_after_a_correction_is_still_a_repeat(app, people, demo_ward):
    client = login(app, "kiemtra")
    html = client.get("/field/report").get_data(as_text=True)
    assert 'id="more-facts"' in html and 'name="plot_number"' in html and 'name="permit_date"' in html
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    report = {"client_uuid": new_uuid(), "lon": "105.5975", "lat": "10.1775", "category": "deviates_from_permit",
              "confirm_new": "1", "owner_name": "Lê Thị Hoa", "owner_id_number": "092190001111", "plot_number": "15",
              "map_sheet": "4", "permit_number": "12/GPXD", "permit_date": "2025-06-01", "works_state": "structure_done"}
    response = client.post("/api/violations", data={**report, "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]},
                           headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["id"]
    with app.app_context():
        case = db.session.get(Violation, case_id)
        assert (case.owner_id_number, case.plot_number, case.permit_number, case.permit_date.isoformat(), case.works_state) == (
            "092190001111", "15", "12/GPXD", "2025-06-01", "structure_done")
    bad = client.post("/api/violations", data={**report, "client_uuid": new_uuid(), "works_state": "finished?"},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and "works_state" in bad.get_json()["fields"]

    # The officer corrects the plot; the phone sends the first report again: still the same report.
    assert post_action(client, case_id, {"action": "edit_facts", "plot_number": "16"}).status_code == 302
    again = client.post("/api/violations", data=report, headers={"X-CSRFToken": token})
    assert again.status_code == 200, again.get_json()
    changed = client.post("/api/violations", data={**report, "plot_number": "99"}, headers={"X-CSRFToken": token})
    assert changed.status_code == 409 and "Thửa đất số" in changed.get_json()["error"]
