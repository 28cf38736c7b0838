"""Several clocks per case and steps in their legal order (issue 16 point 2), on both databases."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspect_app.domain.cases import case_actions, case_queries, clocks, signing
from inspect_app.domain.cases.preconditions import facts_of
from inspect_app.domain.errors import InvalidFields, InvalidInput
from inspect_app.domain.field import field_reports
from inspect_app.domain.ward_time import VIETNAM_OFFSET
from inspect_app.models import User, Violation

from .factories import make_case, new_uuid
from .test_lifecycle import _act, context


def _running(session, case, today):
    return {c.key: c.due for c in facts_of(session, case, today).clocks if c.is_open}


def test_an_overdue_delivery_stays_overdue_when_the_permit_window_is_given(session, people):
    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, officer.id, category="no_permit")
    _act(session, case, officer, "record_violation", today=date(2027, 3, 1), document_number="1/BB", document_date="2027-03-01")
    _act(session, case, chairman, "penalty_decision", today=date(2027, 3, 5), document_number="2/QĐ",
         document_date="2027-03-05", fine_vnd="60000000", remedy="Buộc phá dỡ")
    # Delivery: 2 working days from Fri 05/03 = Tue 09/03; not recorded. On 15/03 the chairman gives the
    # Article 81 window (30 days from the decision's date: Sun 04/04 → Mon 05/04).
    _act(session, case, chairman, "permit_window", today=date(2027, 3, 15))
    running = _running(session, case, date(2027, 3, 15))
    assert running == {"decision_delivery": date(2027, 3, 9), "permit_window": date(2027, 4, 5)}
    assert (case.due_date, case.due_rule) == (date(2027, 3, 9), "decision_delivery")
    assert clocks.is_overdue(case, date(2027, 3, 15))
    assert case.id in [c.id for c in case_queries.find_cases(session, case_queries.CaseFilters(overdue=True), date(2027, 3, 15)).cases]


def test_enforcement_waits_for_delivery_and_the_end_of_the_compliance_period(session, people):
    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, officer.id, category="encroachment")
    _act(session, case, officer, "record_violation", today=date(2027, 4, 1), document_number="3/BB", document_date="2027-04-01")
    _act(session, case, chairman, "penalty_decision", today=date(2027, 4, 6), document_number="4/QĐ",
         document_date="2027-04-06", fine_vnd="30000000", remedy="Trả lại đất")
    offered = lambda today: {a.key for a, _ in case_actions.available_actions(session, case, chairman, today)}  # noqa: E731
    assert "enforcement_decision" not in offered(date(2027, 4, 7))
    with pytest.raises(InvalidInput) as refused:
        _act(session, case, chairman, "enforcement_decision", today=date(2027, 4, 7), document_number="5/QĐ-CC",
             document_date="2027-04-07")
    assert "compliance period" in refused.value.params["missing"]
    # Encroachment cannot be permitted: no Article 81 window.
    assert "permit_window" not in offered(date(2027, 4, 7))
    with pytest.raises(InvalidInput):
        _act(session, case, chairman, "permit_window", today=date(2027, 4, 7))
    assert "enforcement_record" not in offered(date(2027, 4, 7))
    # Delivered Wed 07/04: 10 days end Sat 17/04 → Mon 19/04. Delivery is recorded once.
    _act(session, case, officer, "deliver_decision", today=date(2027, 4, 7), document_date="2027-04-07")
    assert _running(session, case, date(2027, 4, 7)) == {"compliance": date(2027, 4, 19)}
    assert "deliver_decision" not in offered(date(2027, 4, 8))
    assert "enforcement_decision" not in offered(date(2027, 4, 19))  # the last day is still the violator's
    assert "enforcement_decision" in offered(date(2027, 4, 20))
    _act(session, case, chairman, "enforcement_decision", today=date(2027, 4, 20), document_number="5/QĐ-CC",
         document_date="2027-04-20")
    assert _running(session, case, date(2027, 4, 20)) == {"enforcement_delivery": date(2027, 4, 22)}
    assert "enforcement_decision" not in offered(date(2027, 4, 21))
    # Carried out only once delivered; delivering ends its clock (it was not ended by anything else).
    assert "enforcement_record" not in offered(date(2027, 4, 21))
    _act(session, case, officer, "deliver_enforcement_decision", today=date(2027, 4, 21), document_date="2027-04-21")
    assert _running(session, case, date(2027, 4, 21)) == {}
    assert "deliver_enforcement_decision" not in offered(date(2027, 4, 22))
    assert "enforcement_record" in offered(date(2027, 4, 22))


def test_the_limitation_period_starts_at_the_report_and_ends_with_the_penalty_decision(session, people, demo_ward, app):
    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    report = field_reports.read_violation_report(
        {"client_uuid": new_uuid(), "category": "no_permit", "lon": "105.5975", "lat": "10.1775",
         "observed_at": "2026-11-27T09:00:00+07:00"}, [])
    case, _ = field_reports.report_violation(session, officer, report, field_reports.FieldRules(), None)
    # Detected Fri 27/11/2026; 24 months end Mon 27/11/2028 (to confirm: Luật XLVPHC Điều 6).
    assert case.limitation_due == date(2028, 11, 27)
    assert clocks.nearest_due(case) == (date(2028, 11, 27), "limitation")
    assert not clocks.is_overdue(case, date(2028, 11, 27)) and clocks.is_overdue(case, date(2028, 11, 28))
    late = case_queries.find_cases(session, case_queries.CaseFilters(overdue=True), date(2028, 11, 28)).cases
    assert [c.id for c in late] == [case.id]
    _act(session, case, officer, "record_violation", today=date(2026, 11, 30), document_number="9/BB",
         document_date="2026-11-30")
    _act(session, case, chairman, "penalty_decision", today=date(2026, 12, 2), document_number="10/QĐ",
         document_date="2026-12-02", fine_vnd="60000000", remedy="Buộc phá dỡ")
    assert "limitation" not in _running(session, case, date(2026, 12, 2))
    # The decision's delivery is what runs now; two years later only that is overdue, not the limitation.
    assert clocks.nearest_due(case) == (date(2026, 12, 4), "decision_delivery")
    assert clocks.days_overdue(case.stage, case.due_date, case.limitation_due, date(2028, 12, 4)) == 731


def test_python_and_sql_agree_on_overdue(session, people):
    officer = session.get(User, people["inspector"]).id
    today = date(2027, 6, 1)
    cases = [
        make_case(session, officer, "warning", due=today - timedelta(days=1)),
        make_case(session, officer, "warning", due=today),
        make_case(session, officer, "closed", due=today - timedelta(days=5)),
        make_case(session, officer, "detected", limitation_due=today - timedelta(days=1)),
        make_case(session, officer, "enforcement", limitation_due=today - timedelta(days=1)),
        make_case(session, officer, "stop_work", due=today + timedelta(days=3), limitation_due=today - timedelta(days=2)),
    ]
    session.flush()
    in_sql = set(session.scalars(select(Violation.id).where(clocks.overdue_clause(today))))
    in_python = {c.id for c in cases if clocks.is_overdue(c, today)}
    assert in_sql == in_python == {cases[0].id, cases[3].id, cases[5].id}


def test_another_change_of_a_deadline_is_decided_by_the_chairman_and_says_so(session, people):
    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, officer.id)
    _act(session, case, officer, "record_violation", today=date(2027, 3, 10), document_number="7/BB", document_date="2027-03-10")
    proposal = _act(session, case, officer, "extend_deadline", today=date(2027, 3, 12), mode="propose",
                    extension_kind="other", new_due_date="2027-04-15", note="Chủ đầu tư nằm viện")
    approval = case_actions.decide(session, case, chairman, proposal.id, True, case.version, context(date(2027, 3, 12)))
    # Shown as "gia hạn" with the chairman's approving entry instead of Điều 66.
    assert case.due_date == date(2027, 4, 15)
    assert case.due_citation == f"Gia hạn theo mục #{approval.seq} ngày {approval.recorded_at.astimezone(VIETNAM_OFFSET):%d/%m/%Y}"
    # The Điều 66 extensions apply only to the penalty-decision clock, from the record's date.
    _act(session, case, chairman, "penalty_decision", today=date(2027, 3, 15), document_number="8/QĐ",
         document_date="2027-03-15", fine_vnd="1000000", remedy="Phá dỡ")
    with pytest.raises(InvalidFields) as refused:
        _act(session, case, chairman, "extend_deadline", today=date(2027, 3, 15), extension_kind="complex_or_explanation",
             note="Phức tạp")
    assert "extension_kind" in refused.value.errors


def test_a_record_dated_before_the_limitation_period_is_refused(session, people):
    officer = session.get(User, people["inspector"])
    case = make_case(session, officer.id)  # detected 20/01/2027
    with pytest.raises(InvalidFields) as refused:
        _act(session, case, officer, "record_violation", today=date(2027, 3, 1), document_number="1/BB",
             document_date="2024-12-31")
    assert "document_date" in refused.value.errors and case.stage == "detected"
    _act(session, case, officer, "record_violation", today=date(2027, 3, 1), document_number="1/BB",
         document_date="2025-01-20")  # exactly the period before: still accepted
    assert case.stage == "warning"


def test_the_register_numbers_decisions_at_signing_in_order_and_refuses_a_number_twice(session, people):
    from inspect_app.domain.cases.register import entries_of

    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    first, second = make_case(session, officer.id), make_case(session, officer.id)
    _act(session, first, officer, "record_violation", today=date(2027, 3, 1), document_number="1/BB", document_date="2027-03-01")
    # The same record number again (another case, same year) is refused, naming the case that has it.
    with pytest.raises(InvalidFields) as refused:
        _act(session, second, officer, "record_violation", today=date(2027, 3, 2), document_number="1/BB",
             document_date="2027-03-02")
    assert refused.value.errors["document_number"].params["code"] == first.code
    _act(session, second, officer, "record_violation", today=date(2027, 3, 2), document_number="2/BB", document_date="2027-03-02")
    # A proposal carries no number and no date; the chairman signs with his date and may change the fine.
    with pytest.raises(InvalidFields):
        _act(session, second, officer, "penalty_decision", today=date(2027, 3, 3), mode="propose",
             document_number="99/QĐ", fine_vnd="60000000", remedy="Phá dỡ")
    proposal = _act(session, second, officer, "penalty_decision", today=date(2027, 3, 3), mode="propose",
                    fine_vnd="60000000", remedy="Phá dỡ")
    _act(session, first, chairman, "penalty_decision", today=date(2027, 3, 4), fine_vnd="70000000", remedy="Phá dỡ")
    signed = signing.read_signing({"document_date": "2027-03-05", "fine_vnd": "55000000"}, date(2027, 3, 8))
    approval = case_actions.decide(session, second, chairman, proposal.id, True, second.version, context(date(2027, 3, 8)),
                                   signed=signed)
    assert (approval.document_number, approval.document_date, approval.fine_vnd) == ("02/QĐ-XPHC", date(2027, 3, 5), 55_000_000)
    assert [(e.number, e.violation_id) for e in entries_of(session, "qd_xu_phat", 2027)] == \
        [("01/QĐ-XPHC", first.id), ("02/QĐ-XPHC", second.id)]
    with pytest.raises(InvalidFields):  # a signing date in the future
        signing.read_signing({"document_date": "2027-03-09"}, date(2027, 3, 8))
    # A decision signed on paper and recorded with its number: the register skips it when it gets there.
    third, fourth = make_case(session, officer.id), make_case(session, officer.id)
    for case, number in ((third, "3/BB"), (fourth, "4/BB")):
        _act(session, case, officer, "record_violation", today=date(2027, 3, 8), document_number=number,
             document_date="2027-03-08")
    _act(session, third, chairman, "penalty_decision", today=date(2027, 3, 9), document_number="3/QĐ-XPHC",
         document_date="2027-03-09", fine_vnd="1000000", remedy="Phá dỡ")
    signed = _act(session, fourth, chairman, "penalty_decision", today=date(2027, 3, 9), fine_vnd="1000000", remedy="Phá dỡ")
    assert signed.document_number == "04/QĐ-XPHC"  # "3/QĐ-XPHC" on paper is 03: skipped


def test_a_decision_gives_at_least_the_laws_time_to_comply(session, people):
    officer, chairman = session.get(User, people["inspector"]), session.get(User, people["chairman"])
    case = make_case(session, officer.id)
    _act(session, case, officer, "record_violation", today=date(2027, 3, 1), document_number="5/BB", document_date="2027-03-01")
    with pytest.raises(InvalidFields) as refused:
        _act(session, case, chairman, "penalty_decision", today=date(2027, 3, 2), fine_vnd="1000000", remedy="Phá dỡ",
             compliance_days="5")
    assert "compliance_days" in refused.value.errors and case.stage == "warning"
    _act(session, case, chairman, "penalty_decision", today=date(2027, 3, 2), fine_vnd="1000000", remedy="Phá dỡ",
         compliance_days="15")


def test_the_register_takes_3_and_03_for_one_number(session, people):
    """Numbers below 10 are written with a leading zero (Nghị định 30/2020), not always on paper: the register
    refuses '03/BB' when '3/BB' is taken, and the other way round."""
    officer = session.get(User, people["inspector"])
    first, second, third = (make_case(session, officer.id) for _ in range(3))
    _act(session, first, officer, "record_violation", today=date(2027, 3, 1), document_number="3/BB", document_date="2027-03-01")
    for case, written in ((second, "03/BB"), (third, " 003/bb ")):
        with pytest.raises(InvalidFields) as refused:
            _act(session, case, officer, "record_violation", today=date(2027, 3, 2), document_number=written,
                 document_date="2027-03-02")
        assert refused.value.errors["document_number"].params["code"] == first.code
    _act(session, second, officer, "record_violation", today=date(2027, 3, 2), document_number="13/BB",
         document_date="2027-03-02")  # 13 is not 3
