"""`flask audit verify` against someone with an SQL editor and the photo folder: each way of changing
a case behind the app's back gives a non-zero exit naming the case and what differs.

Runs on SpatiaLite and on PostGIS (the whole suite runs on both)."""
import json
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import select, text

from inspect_app.domain.cases import history
from inspect_app.domain.cases.audit_anchors import GENESIS_MAC
from inspect_app.domain.field.photos import PhotoFiles, add_photo
from inspect_app.extensions import db
from inspect_app.models import CaseAnchor, CaseEvent, Photo, User, Violation, Visit

from .factories import jpeg_bytes, make_case, new_uuid
from .test_lifecycle import _act

BIG = 12 * 1024 * 1024


@pytest.fixture
def evidence(app, people):
    """A case with a report photo, three history entries (the first with a photo) and a visit with a photo;
    and a second, untouched case that must stay clean."""
    with app.app_context():
        inspector = db.session.get(User, people["inspector"])
        files = PhotoFiles(app.config["PHOTO_DIR"])
        case = make_case(db.session, inspector.id)
        add_photo(db.session, files, (new_uuid(), jpeg_bytes(colour=(9, 9, 9)), "bao-cao.jpg"), inspector, BIG, 40_000_000,
                  violation=case)
        _act(db.session, case, inspector, "record_violation", files=files, document_number="7/BB",
             document_date="2027-03-10", photos=[(new_uuid(), jpeg_bytes(), "truoc.jpg")])
        _act(db.session, case, inspector, "site_check", note="Đã dừng thi công")
        _act(db.session, case, inspector, "start_stop_work", document_date="2027-03-11")
        visit = Visit(client_uuid=new_uuid(), inspector_id=inspector.id, violation=case, outcome="follow_up", note="Lần 2")
        db.session.add(visit)
        add_photo(db.session, files, (new_uuid(), jpeg_bytes(colour=(200, 9, 9)), "lan-2.jpg"), inspector, BIG,
                  40_000_000, visit=visit)
        db.session.commit()
        clean = make_case(db.session, inspector.id)
        db.session.commit()
        return {"id": case.id, "code": case.code, "clean": clean.code, "other": people["inspector2"],
                "people_inspector": people["inspector"]}


def _verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_untouched_cases_pass(app, evidence, runner):
    code, output = _verify(runner)
    assert code == 0 and "2 vụ" in output and "nguyên vẹn" in output, output


def _sql(app, *statements, **values):
    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement), values)
        db.session.commit()


def _photo(app, case_id, which):
    with app.app_context():
        query = select(Photo).where(Photo.violation_id == case_id, Photo.event_id.is_(None)) if which == "report" else \
            select(Photo).join(Visit, Photo.visit_id == Visit.id).where(Visit.violation_id == case_id)
        return db.session.scalars(query).one()


TAMPERING = {
    "the last entry deleted": (["DELETE FROM case_events WHERE violation_id = :id AND seq = 3"],
                               ["lịch sử hồ sơ đã bị cắt bớt hoặc viết lại", "(3 → 2)", "giai đoạn khác với lịch sử"]),
    "every entry deleted": (["UPDATE photos SET event_id = NULL WHERE violation_id = :id",
                             "DELETE FROM document_register WHERE violation_id = :id",  # it refers to the entries
                             "DELETE FROM case_events WHERE violation_id = :id"],
                            ["(3 → 0)", "giai đoạn khác với lịch sử", "thời hạn khác với lịch sử"]),
    "the stage edited": (["UPDATE violations SET stage = 'closed' WHERE id = :id"],
                         ["giai đoạn khác với lịch sử", "case.stage"]),
    "the deadline moved": (["UPDATE violations SET due_date = '2099-12-31' WHERE id = :id"],
                           ["thời hạn khác với lịch sử", "case.due_date"]),
    "the officer changed": (["UPDATE violations SET officer_id = :other WHERE id = :id"],
                            ["cán bộ phụ trách khác với lịch sử", "case.officer_id"]),
    "the address edited": (["UPDATE violations SET address = '99 Đường khác' WHERE id = :id"],
                           ["đã bị sửa ngoài ứng dụng", "case.address"]),
    "the limitation period moved": (["UPDATE violations SET limitation_due = '2099-12-31' WHERE id = :id"],
                                    ["đã bị sửa ngoài ứng dụng", "case.limitation_due"]),
    "a visit's note edited": (["UPDATE visits SET note = 'Không có gì' WHERE violation_id = :id"],
                              ["đã bị sửa ngoài ứng dụng", "visits"]),
    "a report photo's row deleted": (["DELETE FROM photos WHERE violation_id = :id AND event_id IS NULL"],
                                     ["đã bị sửa ngoài ứng dụng", "photos"]),
    "the seals deleted": (["DELETE FROM case_anchors WHERE violation_id = :id"], ["không có dấu niêm phong"]),
    "a seal's content edited": (["UPDATE case_anchors SET events_count = 2 WHERE violation_id = :id AND seq = 1"],
                                ["dấu niêm phong đã bị sửa"]),
    "an entry's note edited (caught before)": (["UPDATE case_events SET note = 'Sửa lén' WHERE violation_id = :id AND seq = 2"],
                                               ["mục #2: nội dung"]),
    "a middle entry deleted (caught before)": (["DELETE FROM case_events WHERE violation_id = :id AND seq = 2"],
                                               ["mục #3: thứ tự"]),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_tampering_with_the_database_is_named(app, evidence, runner, name):
    statements, expected = TAMPERING[name]
    _sql(app, *statements, id=evidence["id"], other=evidence["other"])
    code, output = _verify(runner)
    assert code != 0, output
    assert f"Vụ {evidence['code']}" in output and evidence["clean"] not in output, output
    for words in expected:
        assert words in output, (words, output)
    assert "1 trên 2 vụ không qua kiểm tra" in output


@pytest.mark.parametrize("which", ["report", "visit"])
def test_a_swapped_or_deleted_evidence_photo_file_is_named(app, evidence, runner, which):
    photo = _photo(app, evidence["id"], which)
    path = Path(app.config["PHOTO_DIR"]) / photo.stored_name
    path.write_bytes(jpeg_bytes(colour=(1, 2, 3)))
    code, output = _verify(runner)
    assert code != 0 and f"Vụ {evidence['code']}: tệp ảnh của báo cáo hoặc lượt kiểm tra ({photo.client_uuid})" in output
    path.unlink()
    code, output = _verify(runner)
    assert code != 0 and photo.client_uuid in output


def test_a_photo_swapped_with_its_hash_rewritten_is_named(app, evidence, runner):
    """File and row changed together (a new photo, its true hash): only the seal still knows the first one."""
    photo = _photo(app, evidence["id"], "report")
    other = jpeg_bytes(colour=(4, 5, 6))
    (Path(app.config["PHOTO_DIR"]) / photo.stored_name).write_bytes(other)
    import hashlib

    _sql(app, "UPDATE photos SET sha256 = :sha WHERE id = :pid", sha=hashlib.sha256(other).hexdigest(), pid=photo.id)
    code, output = _verify(runner)
    assert code != 0 and "đã bị sửa ngoài ứng dụng sau lần niêm phong cuối (photos)" in output, output


def test_a_history_rewritten_and_rehashed_with_the_apps_own_function_is_named(app, evidence, runner):
    """The editor changes the stop-work date and recomputes every hash as the app would: the chain is
    whole again, but its head is not the one sealed, and the seal cannot be remade without the key."""
    with app.app_context():
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.violation_id == evidence["id"])
                                    .order_by(CaseEvent.seq)).all()
        events[2].note = "Ngày khác"
        previous = events[1].content_hash
        for event in events[2:]:
            event.prev_hash = previous
            event.content_hash = history.event_hash(event, [p.sha256 for p in event.photos])
            previous = event.content_hash
        hashes = [(e.id, e.prev_hash, e.content_hash, e.note) for e in events]
        db.session.rollback()  # written below by SQL, as an editor would (the app would seal its own write)
    for event_id, prev_hash, content_hash, note in hashes:
        _sql(app, "UPDATE case_events SET prev_hash = :p, content_hash = :c, note = :n WHERE id = :i",
             p=prev_hash, c=content_hash, n=note, i=event_id)
    code, output = _verify(runner)
    assert code != 0 and "lịch sử hồ sơ đã bị cắt bớt hoặc viết lại" in output, output
    assert "mục #" not in output  # the chain itself is consistent: only the seal tells


def test_a_seal_forged_without_the_key_is_refused(app, evidence, runner):
    """Writing a new seal for an edited case needs the instance's key: one made with another key fails."""
    from inspect_app.domain.cases import audit_anchors

    _sql(app, "UPDATE violations SET address = '99 Đường khác' WHERE id = :id", id=evidence["id"])
    with app.app_context():
        audit_anchors.seal_case(db.session, evidence["id"], "not-the-instance-key")
        db.session.flush()
        db.session.execute(text("SELECT 1"))
        db.session.connection().commit()  # past the app's own sealing, as a script would
    code, output = _verify(runner)
    assert code != 0 and "dấu niêm phong đã bị sửa, xóa hoặc giả mạo" in output, output


def test_the_app_seals_every_write_and_seal_unsealed_covers_older_cases(app, evidence, runner):
    with app.app_context():
        seals = db.session.scalars(select(CaseAnchor).where(CaseAnchor.violation_id == evidence["id"])
                                   .order_by(CaseAnchor.seq)).all()
        assert seals[0].prev_mac == GENESIS_MAC and [s.seq for s in seals] == list(range(1, len(seals) + 1))
        assert json.loads(seals[-1].state)["case"]["stage"] == "stop_work" and seals[-1].events_count == 3
    _sql(app, "DELETE FROM case_anchors")  # as after upgrading a ward whose cases predate seals
    assert _verify(runner)[0] != 0
    result = runner.invoke(args=["audit", "seal-unsealed"])
    assert result.exit_code == 0 and "Đã niêm phong 2 vụ" in result.output
    assert _verify(runner)[0] == 0


def test_the_weekly_list_prints_a_fingerprint_that_the_cli_recomputes_and_that_changes_with_the_history(app, evidence, runner):
    """The paper anchor: the signed list carries a fingerprint of every history as it stood when it was
    printed, and the command to recompute it; work recorded afterwards does not change it (no false
    alarm), deleting an entry from before (even with the seals) does."""
    import re

    from .test_cases_web import login

    with app.app_context():
        recorded = db.session.scalar(select(CaseEvent.recorded_at).where(CaseEvent.violation_id == evidence["id"]))
    year, week, _ = recorded.astimezone(UTC).isocalendar()
    html = login(app, "chutich").get(f"/reports/weekly?week={year}-W{week:02d}").get_data(as_text=True)
    printed = re.search(r'id="chain-fingerprint">.*?<span class="mono">([0-9A-F-]{24})</span>', html, re.S).group(1)
    until = re.search(r"flask audit fingerprint --until (\S+)</span>", html).group(1)
    assert runner.invoke(args=["audit", "fingerprint", "--until", until]).output.startswith(printed)
    with app.app_context():  # the office goes on working after printing
        inspector = db.session.get(User, evidence["people_inspector"])
        case = db.session.get(Violation, evidence["id"])
        _act(db.session, case, inspector, "site_check", note="Sau khi in danh sách")
        db.session.commit()
    assert runner.invoke(args=["audit", "fingerprint", "--until", until]).output.startswith(printed)
    _sql(app, "DELETE FROM case_anchors WHERE violation_id = :id",
         "DELETE FROM case_events WHERE violation_id = :id AND seq = 3", id=evidence["id"])
    assert not runner.invoke(args=["audit", "fingerprint", "--until", until]).output.startswith(printed)


def test_a_later_migration_adding_a_column_does_not_break_the_seals(app, evidence, runner):
    """Seals cover a fixed, versioned list of columns: a new column (with its default) is not a change."""
    _sql(app, "ALTER TABLE violations ADD COLUMN later_column INTEGER DEFAULT 7",
         "ALTER TABLE visits ADD COLUMN later_note TEXT DEFAULT 'x'")
    try:
        code, output = _verify(runner)
        assert code == 0, output
    finally:
        _sql(app, "ALTER TABLE violations DROP COLUMN later_column", "ALTER TABLE visits DROP COLUMN later_note")
