"""The case lifecycle on both databases: every (stage, action, role, mode), proposals and
approvals, deadlines with holidays, extensions, the hash chain, lost updates."""
import itertools
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from inspect_app.domain.cases import case_actions, case_queries, clocks, history, workflow
from inspect_app.domain.cases.context import LifecycleContext
from inspect_app.domain.cases.deadlines import WorkingCalendar, rules_from_config
from inspect_app.domain.cases.preconditions import facts_of
from inspect_app.domain.cases.stages import CLOSED, STAGES
from inspect_app.domain.errors import Conflict, Forbidden, InvalidFields, InvalidInput
from inspect_app.domain.field.field_reports import FieldRules
from inspect_app.domain.field.photos import PhotoFiles
from inspect_app.domain.geo.spatial.engine import expect_writes, reset_expect_writes
from inspect_app.extensions import db
from inspect_app.models import CaseEvent, Photo, User, Violation

from .factories import facts_missing_from, jpeg_bytes, make_case, new_uuid

TODAY = date(2027, 3, 15)


def context(today=TODAY, days_off=(), overrides=None):
    return LifecycleContext(rules=rules_from_config(overrides), calendar=WorkingCalendar(days_off), today=today,
                            photo_rules=FieldRules())


_NUMBERS = itertools.count(12)


def valid_form(action, case, session, today=TODAY):
    """Input that is right for the action, so that only the rules decide."""
    form = {"action": action.key, "version": str(case.version), "note": "Ghi chú kiểm tra"}
    if action.document and not action.document.numbered_by_register:  # decisions: numbered by the register
        form.update(document_number=f"{next(_NUMBERS)}/BB-VPHC", document_date=today.isoformat())
    if action.fine:
        form.update(fine_vnd="60000000", remedy="Buộc phá dỡ phần xây dựng không phép")
    if action.outcome:
        form["outcome"] = "demolished"
    if action.extension:
        form.update(extension_kind="other", new_due_date=(max(case.due_date or today, today) + timedelta(days=60)).isoformat())
    if action.corrects:
        first = session.scalar(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq))
        form["corrects_event_id"] = str(first.id) if first else "999999"
    if action.reassigns:
        form["officer_id"] = str(session.scalar(select(User.id).where(User.username == "kiemtra2")))
    if action.places_position:
        form.update(lon="105.5975", lat="10.1775")
    if action.edits_facts:
        form.update(plot_number=f"{next(_NUMBERS)}", owner_id_number="092080009999")
    return form


def _seed_event(session, case, user):
    """A first entry in the case's history (corrections need something to correct)."""
    event = history.new_event(session, case, user, "site_check", "action", None)
    event.note = "Kiểm tra ban đầu"
    history.seal(session, case, event)


# Who acts: the officer in charge, another inspector of the ward, the chairman, the administrator.
ACTORS = {"officer": "inspector", "other_inspector": "inspector2", "chairman": "chairman", "admin": "admin"}
COMBINATIONS = [
    (stage, key, actor, mode)
    for stage in STAGES for key in workflow.ACTIONS for actor in ACTORS for mode in ("record", "propose")
]


@pytest.mark.parametrize("stage,key,actor,mode", COMBINATIONS)
def test_every_stage_action_actor_and_mode(app, session, people, tmp_path, stage, key, actor, mode):
    user = session.get(User, people[ACTORS[actor]])
    role = user.role
    officer = session.get(User, people["inspector"])
    action = workflow.ACTIONS[key]
    # Placing is for a case reported with its position unknown (refused on a placed one: see test_field_reports).
    unplaced = {"position": None} if action.places_position else {}
    case = make_case(session, officer.id, stage, due=TODAY + timedelta(days=5), **unplaced)
    _seed_event(session, case, officer)
    session.commit()
    form = dict(valid_form(action, case, session), mode=mode)
    # Another inspector only adds observations; legal steps belong to the officer in charge. A bare case
    # at a stage has none of the history that delivery and the enforcement steps need (walked below).
    needs_history = key in ("deliver_decision", "self_demolition_notice", "enforcement_decision", "enforcement_record",
                            "deliver_enforcement_decision",
                            "extend_deadline", "competent_decision")  # the last: after a referral only
    allowed = stage in action.from_stages and (actor != "other_inspector" or action.observation) and (
        workflow.can_record(action, role) if mode == "record" else workflow.can_propose(action, role)
    ) and not needs_history
    events_before = session.scalar(select(func.count()).select_from(CaseEvent))
    inp = case_actions.read_action_input(form, [], TODAY)
    if allowed:
        event = case_actions.take_action(session, case, user, inp, context(), PhotoFiles(tmp_path))
        assert event.kind == ("action" if mode == "record" else "proposal")
        expected_stage = action.to_stage if (mode == "record" and action.to_stage) else stage
        assert case.stage == expected_stage and event.stage_after == expected_stage
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == events_before + 1
    else:
        version = case.version
        with pytest.raises((InvalidInput, Forbidden)) as refused:
            case_actions.take_action(session, case, user, inp, context(), PhotoFiles(tmp_path))
        assert str(refused.value)
        session.rollback()
        fresh = session.get(Violation, case.id)
        assert fresh.stage == stage and fresh.version == version
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == events_before


def test_the_table_is_the_only_judge():
    """Sanity of the table itself: closing needs the chairman (or admin); inspectors propose decisions."""
    assert workflow.can_propose(workflow.ACTIONS["penalty_decision"], "inspector")
    assert not workflow.can_record(workflow.ACTIONS["penalty_decision"], "inspector")
    assert workflow.can_record(workflow.ACTIONS["record_violation"], "inspector")
    assert workflow.can_approve(workflow.ACTIONS["close"], "chairman")
    assert not workflow.can_approve(workflow.ACTIONS["close"], "inspector")


def _act(session, case, user, key, today=TODAY, ctx=None, files=None, photos=(), **fields):
    form = {"action": key, "mode": fields.pop("mode", "record"), "version": str(case.version)}
    form.update(facts_missing_from(case, key))
    form.update(fields)
    inp = case_actions.read_action_input(form, list(photos), today)
    return case_actions.take_action(session, case, user, inp, ctx or context(today), files or PhotoFiles("/nonexistent"))


def test_record_then_proposal_then_approval(session, people):
    inspector, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, inspector.id)
    _act(session, case, inspector, "record_violation", document_number="05/BB-VPHC", document_date="2027-03-10")
    assert case.stage == "warning" and case.due_date == date(2027, 3, 19) and "Điều 66" in case.due_citation
    proposal = _act(session, case, inspector, "penalty_decision", mode="propose", fine_vnd="70000000",
                    remedy="Buộc phá dỡ")
    assert case.stage == "warning" and [p.id for p in case_actions.pending_proposals(session)] == [proposal.id]
    with pytest.raises(Conflict):
        _act(session, case, inspector, "close", mode="propose", outcome="dismissed")
    approval = case_actions.decide(session, case, chairman, proposal.id, True, case.version, context())
    assert approval.kind == "approval" and approval.fine_vnd == 70_000_000
    assert case.stage == "enforcement"
    # Numbered by the register and dated the day the chairman signs, Monday 15/03/2027: delivery within
    # 2 working days, Wednesday 17/03 (a decision is never born overdue).
    assert (approval.document_number, approval.document_date) == ("01/QĐ-XPHC", TODAY)
    assert case.due_date == date(2027, 3, 17) and "Điều 70" in case.due_citation
    assert case_actions.pending_proposals(session) == []
    with pytest.raises(Conflict):
        case_actions.decide(session, case, chairman, proposal.id, True, case.version, context())


def test_rejection_needs_a_reason_and_changes_no_stage(session, people):
    inspector, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, inspector.id, "warning")
    proposal = _act(session, case, inspector, "close", mode="propose", outcome="self_corrected")
    with pytest.raises(InvalidFields):
        case_actions.decide(session, case, chairman, proposal.id, False, case.version, context())
    case_actions.decide(session, case, chairman, proposal.id, False, case.version, context(), note="Chưa tự khắc phục")
    assert case.stage == "warning" and case_actions.pending_proposals(session) == []


def test_an_inspector_cannot_approve(session, people):
    inspector = session.get(User, people["inspector"])
    case = make_case(session, inspector.id, "warning")
    proposal = _act(session, case, inspector, "close", mode="propose", outcome="self_corrected")
    with pytest.raises(Forbidden):
        case_actions.decide(session, case, session.get(User, people["inspector2"]), proposal.id, True, case.version, context())


def test_record_on_friday_before_tet_2027_counts_working_days_after_the_holidays(session, people):
    """BB on Friday 29/01/2027: 7 working days skip the weekends and Tết (04–10/02/2027)."""
    inspector = session.get(User, people["inspector"])
    case = make_case(session, inspector.id)
    _act(session, case, inspector, "record_violation", today=date(2027, 1, 29), document_number="01/BB",
         document_date="2027-01-29")
    assert case.due_date == date(2027, 2, 16)
    assert case.due_rule == "penalty_decision" and case.due_citation == "Luật XLVPHC Điều 66 khoản 1"


def test_a_ward_day_off_moves_the_deadline(session, people):
    inspector = session.get(User, people["inspector"])
    case = make_case(session, inspector.id)
    ctx = context(date(2027, 1, 29), days_off=["2027-02-12"])
    _act(session, case, inspector, "record_violation", today=date(2027, 1, 29), ctx=ctx, document_number="01/BB",
         document_date="2027-01-29")
    assert case.due_date == date(2027, 2, 17)


def test_the_rule_table_is_configuration(session, people):
    inspector = session.get(User, people["inspector"])
    case = make_case(session, inspector.id)
    ctx = context(date(2027, 1, 29), overrides={"penalty_decision": {"amount": 10, "citation": "NĐ mới 2027 Điều 5"}})
    _act(session, case, inspector, "record_violation", today=date(2027, 1, 29), ctx=ctx, document_number="01/BB",
         document_date="2027-01-29")
    assert case.due_date == date(2027, 2, 19) and case.due_citation == "NĐ mới 2027 Điều 5"


def test_extensions_are_proposed_by_the_inspector_and_move_the_deadline_only_when_approved(session, people):
    inspector, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, inspector.id)
    _act(session, case, inspector, "record_violation", today=date(2027, 1, 29), document_number="01/BB",
         document_date="2027-01-29")
    due_before = case.due_date
    with pytest.raises(Forbidden):  # never the inspector's act alone
        _act(session, case, inspector, "extend_deadline", today=date(2027, 2, 1), extension_kind="other",
             new_due_date="2099-12-31", note="Tự gia hạn")
    proposal = _act(session, case, inspector, "extend_deadline", today=date(2027, 2, 1), mode="propose",
                    extension_kind="complex_or_explanation", note="Người vi phạm có văn bản xin giải trình")
    # What it asks for, shown: a month from the record ends on Sun 28/02, so on Mon 01/03 (BLDS Điều 148 khoản 5).
    assert proposal.kind == "proposal" and proposal.due_date == date(2027, 3, 1)
    assert case.due_date == due_before  # nothing moves before the chairman approves
    approval = case_actions.decide(session, case, chairman, proposal.id, True, case.version, context(date(2027, 2, 1)))
    assert case.due_date == date(2027, 3, 1) and approval.due_date == date(2027, 3, 1)
    with pytest.raises(InvalidFields):
        _act(session, case, chairman, "extend_deadline", today=date(2027, 2, 1), extension_kind="other",
             new_due_date="2027-02-20", note="Sớm hơn")
    # The second month needs the superior's written approval and counts on from the first month's last day
    # (Sun 28/02 + 1 month = Sun 28/03 → Mon 29/03), not from the current deadline.
    with pytest.raises(InvalidFields) as refused:
        _act(session, case, chairman, "extend_deadline", today=date(2027, 2, 1), extension_kind="superior_approval",
             note="Phức tạp")
    assert set(refused.value.errors) == {"document_number", "document_date"}
    second = _act(session, case, chairman, "extend_deadline", today=date(2027, 2, 1), extension_kind="superior_approval",
                  note="Rất phức tạp", document_number="12/CV-UBND", document_date="2027-02-01")
    assert case.due_date == date(2027, 3, 29) and case.due_citation == "Luật XLVPHC Điều 66 khoản 1"
    assert (second.document_kind, second.document_number) == ("superior_approval", "12/CV-UBND")
    with pytest.raises(InvalidFields):  # at most one more month
        _act(session, case, chairman, "extend_deadline", today=date(2027, 2, 1), extension_kind="superior_approval",
             note="Nữa", document_number="13/CV-UBND", document_date="2027-02-01")


def test_an_extension_approved_after_the_deadline_moved_past_it_is_refused(session, people):
    inspector, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, inspector.id)
    _act(session, case, inspector, "record_violation", document_number="2/BB", document_date="2027-03-10")
    assert case.due_date == date(2027, 3, 19)
    proposal = _act(session, case, inspector, "extend_deadline", mode="propose", extension_kind="other",
                    new_due_date="2027-04-01", note="Chờ giấy phép")
    _act(session, case, chairman, "extend_deadline", extension_kind="other", new_due_date="2027-05-01", note="Phức tạp")
    with pytest.raises(InvalidFields):
        case_actions.decide(session, case, chairman, proposal.id, True, case.version, context())
    assert case.due_date == date(2027, 5, 1)


def test_reassignment_is_an_event_with_a_reason_and_moves_the_legal_steps(session, people):
    officer, other = session.get(User, people["inspector"]), session.get(User, people["inspector2"])
    chairman = session.get(User, people["chairman"])
    case = make_case(session, officer.id, "detected")
    with pytest.raises(Forbidden):
        _act(session, case, other, "record_violation", document_number="02/BB", document_date="2027-03-14")
    _act(session, case, other, "site_check", note="Tôi đi ngang, công trình vẫn thi công")  # an observation
    with pytest.raises(Forbidden):
        _act(session, case, officer, "reassign", officer_id=str(other.id), note="Tự chuyển")
    with pytest.raises(InvalidFields):
        _act(session, case, chairman, "reassign", officer_id=str(officer.id), note="Đã phụ trách")
    with pytest.raises(InvalidFields):
        _act(session, case, chairman, "reassign", officer_id=str(chairman.id), note="Không phải cán bộ")
    event = _act(session, case, chairman, "reassign", officer_id=str(other.id), note="Anh Kiểm nghỉ phép")
    assert case.officer_id == other.id and event.officer_id == other.id and event.note == "Anh Kiểm nghỉ phép"
    _act(session, case, other, "record_violation", document_number="02/BB", document_date="2027-03-14")
    with pytest.raises(Forbidden):
        _act(session, case, officer, "start_stop_work", document_date="2027-03-14")
    assert case.stage == "warning"


def test_compliance_period_comes_from_the_decision(session, people):
    chairman = session.get(User, people["chairman"])
    case = make_case(session, chairman.id, "warning")
    _act(session, case, chairman, "penalty_decision", document_number="3/QĐ", document_date="2027-03-01",
         fine_vnd="0", remedy="Buộc tháo dỡ", compliance_days="20")
    _act(session, case, chairman, "deliver_decision", document_date="2027-03-02")
    assert case.due_date == date(2027, 3, 22) and "Điều 73" in case.due_citation


@pytest.mark.parametrize("changes,field", [
    ({"document_date": "2099-01-01"}, "document_date"), ({"document_number": "5/QĐ"}, "document_number"),
    ({"fine_vnd": "-5"}, "fine_vnd"), ({"fine_vnd": "nhiều"}, "fine_vnd"), ({"document_date": "31/12/2026"}, "document_date"),
    ({"action": "teleport"}, "action"), ({"stage": "closed"}, "action"), ({"version": ""}, "version"),
])
def test_bad_action_input_names_the_field(changes, field):
    form = {"action": "penalty_decision", "mode": "propose", "version": "1", "fine_vnd": "1000", "remedy": "Phá dỡ"}
    form.update(changes)
    with pytest.raises(InvalidFields) as raised:
        case_actions.read_action_input(form, [], TODAY)
    assert field in raised.value.errors


def test_a_closed_case_takes_only_corrections(session, people, tmp_path):
    chairman = session.get(User, people["chairman"])
    case = make_case(session, chairman.id, "warning")
    _act(session, case, chairman, "close", outcome="permit_obtained")
    assert case.stage == CLOSED and case.outcome == "permit_obtained" and case.due_date is None
    with pytest.raises(InvalidInput) as raised:
        _act(session, case, chairman, "site_check", note="x")
    assert "closed" in str(raised.value)
    first = case.events[0]
    _act(session, case, chairman, "correction", corrects_event_id=str(first.id), note="Kết quả đúng là: đã phá dỡ")
    last = session.scalar(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq.desc()))
    assert last.answers_event_id == first.id and last.action == "correction"


def test_stale_version_is_a_conflict_naming_who_and_when(session, people):
    inspector, other = session.get(User, people["inspector"]), session.get(User, people["inspector2"])
    case = make_case(session, inspector.id, "warning")
    seen_version = case.version
    _act(session, case, other, "site_check", note="Đã kiểm tra")
    form = {"action": "site_check", "mode": "record", "version": str(seen_version), "note": "Tôi cũng kiểm tra"}
    with pytest.raises(Conflict) as raised:
        case_actions.take_action(session, case, inspector, case_actions.read_action_input(form, [], TODAY), context(),
                                 PhotoFiles("/nonexistent"))
    assert raised.value.params["who"] == "Lê Thị Hai"
    assert len(case.events) == 1


def test_two_sessions_submit_at_once_exactly_one_wins(app, people):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning")
        db.session.commit()
        case_id, version = case.id, case.version
    results, barrier = [], threading.Barrier(2)

    def submit(user_key):
        with app.app_context():
            token = expect_writes(True)
            try:
                barrier.wait()
                violation = case_actions.load_case_for_change(db.session, case_id)
                form = {"action": "site_check", "mode": "record", "version": str(version), "note": user_key}
                inp = case_actions.read_action_input(form, [], TODAY)
                case_actions.take_action(db.session, violation, db.session.get(User, people[user_key]), inp, context(),
                                         PhotoFiles("/nonexistent"))
                db.session.commit()
                results.append("ok")
            except Conflict as exc:
                db.session.rollback()
                results.append(f"conflict: {exc}")
            finally:
                db.session.remove()
                reset_expect_writes(token)

    threads = [threading.Thread(target=submit, args=(key,)) for key in ("inspector", "inspector2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r[:8] for r in results) == ["conflict", "ok"], results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 1


def _history_with_photo(app, people):
    with app.app_context():
        inspector = db.session.get(User, people["inspector"])
        case = make_case(db.session, inspector.id)
        files = PhotoFiles(app.config["PHOTO_DIR"])
        _act(db.session, case, inspector, "record_violation", files=files, document_number="7/BB", document_date="2027-03-10",
             photos=[(new_uuid(), jpeg_bytes(), "truoc.jpg")])
        _act(db.session, case, inspector, "site_check", note="Đã dừng thi công")
        _act(db.session, case, inspector, "start_stop_work", document_date="2027-03-11")
        db.session.commit()
        return case.code


def test_audit_verify_passes_on_untouched_data(app, people, runner):
    _history_with_photo(app, people)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "nguyên vẹn" in result.output


def test_audit_verify_names_an_event_edited_in_the_database(app, people, runner):
    code = _history_with_photo(app, people)
    with app.app_context():
        db.session.execute(text("UPDATE case_events SET note = 'Sửa lén' WHERE seq = 2"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"{code}, mục #2: nội dung" in result.output


def test_audit_verify_names_a_replaced_photo_file(app, people, runner):
    code = _history_with_photo(app, people)
    with app.app_context():
        photo = db.session.scalar(select(Photo))
        (Path(app.config["PHOTO_DIR"]) / photo.stored_name).write_bytes(jpeg_bytes(colour=(1, 2, 3)))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"{code}, mục #1: tệp ảnh" in result.output


def test_audit_verify_names_a_deleted_event(app, people, runner):
    code = _history_with_photo(app, people)
    with app.app_context():
        db.session.execute(text("DELETE FROM case_events WHERE seq = 2"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and f"{code}, mục #3: thứ tự" in result.output


def test_lists_by_stage_overdue_week_and_waiting(session, people):
    inspector = session.get(User, people["inspector"])
    late = make_case(session, inspector.id, "warning", due=TODAY - timedelta(days=1))
    this_week = make_case(session, inspector.id, "warning", due=TODAY + timedelta(days=2))
    closed_late = make_case(session, inspector.id, "closed", due=TODAY - timedelta(days=9))
    waiting = make_case(session, inspector.id, "warning")
    _act(session, waiting, inspector, "close", mode="propose", outcome="dismissed")

    def find(**kw):
        return {c.code for c in case_queries.find_cases(session, case_queries.CaseFilters(**kw), TODAY).cases}

    assert find(overdue=True) == {late.code}
    assert find(due_this_week=True) == {this_week.code}
    assert find(waiting=True) == {waiting.code}
    assert find(stage="closed") == {closed_late.code}
    assert clocks.is_overdue(late, TODAY) and not clocks.is_overdue(closed_late, TODAY)


# The walk: from a new case, every reachable state (a sequence of steps the officer or the chairman
# records, and time passing beyond a deadline); in each, every action, actor and mode is both asked
# for (offered or not) and tried (accepted or refused), and the two must agree.
WALK_START = date(2027, 3, 1)
WALKERS = {"officer": "inspector", "chairman": "chairman"}  # whose recorded steps lead to the next states
MAIN_STEPS = ("record_violation", "start_stop_work", "penalty_decision", "deliver_decision", "permit_window",
              "self_demolition_notice", "enforcement_decision", "deliver_enforcement_decision", "enforcement_record",
              "close")


def walker_of(key):
    """Who records a step in the walk: the officer where his role may, else the chairman."""
    return "officer" if workflow.can_record(workflow.ACTIONS[key], "inspector") else "chairman"


def _walk_case(session, people, steps):
    """A new case with the steps replayed; returns (case, today after them)."""
    officer = session.get(User, people["inspector"])
    # The limitation clock (2 years) is left out of the walk: waiting past it doubles every state.
    case = make_case(session, officer.id, category="no_permit")
    today = WALK_START
    for key, actor in steps:
        if key == "wait":
            today = actor
            continue
        action = workflow.ACTIONS[key]
        form = dict(valid_form(action, case, session, today), mode="record")
        inp = case_actions.read_action_input(form, [], today)
        case_actions.take_action(session, case, session.get(User, people[actor]), inp, context(today), PhotoFiles("/x"))
    return case, today


def _state(case, session, today):
    """What decides the offer: the stage, which clocks ever ran, and which still run and have passed."""
    facts = facts_of(session, case, today)
    if case.stage == "closed":  # nothing but a correction follows, however it got there
        return case.stage, ()
    return case.stage, tuple(sorted({(c.key, c.is_open, c.is_open and c.due < today) for c in facts.clocks}))


def test_walking_every_reachable_state_offer_and_refusal_agree(session, people):
    seen, frontier, checked = set(), [()], 0
    while frontier:
        steps = frontier.pop()
        session.rollback()
        case, today = _walk_case(session, people, steps)
        state = _state(case, session, today)
        if state in seen:
            continue
        seen.add(state)
        for actor, person in ACTORS.items():
            user = session.get(User, people[person])
            offered = set((a.key, m) for a, m in case_actions.available_actions(session, case, user, today))
            for key, action in workflow.ACTIONS.items():
                for mode in ("record", "propose"):
                    form = dict(valid_form(action, case, session, today), mode=mode)
                    savepoint = session.begin_nested()
                    try:
                        inp = case_actions.read_action_input(form, [], today)
                        case_actions.take_action(session, case, user, inp, context(today), PhotoFiles("/x"))
                        accepted = True
                    except (InvalidInput, InvalidFields, Forbidden, Conflict) as refused:
                        accepted = False
                        assert str(refused)
                    savepoint.rollback()
                    checked += 1
                    assert accepted == ((key, mode) in offered), (steps, actor, key, mode, accepted)
                    # One walker per step: the officer where he records it, else the chairman.
                    if accepted and mode == "record" and key in MAIN_STEPS and walker_of(key) == actor:
                        frontier.append(steps + ((key, WALKERS[actor]),))
        running = [c for c in facts_of(session, case, today).clocks if c.is_open and c.due >= today]
        if running:  # time passes beyond the nearest running deadline
            frontier.append(steps + (("wait", min(c.due for c in running) + timedelta(days=1)),))
    # Every step of the process was reached, and so were both roads to enforcement.
    stages = {stage for stage, _ in seen}
    assert stages == {"detected", "warning", "stop_work", "enforcement", "closed"}, stages
    assert any(("self_demolition", True, True) in clocks for _, clocks in seen)
    assert checked > 1000, checked
