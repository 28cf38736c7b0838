"""A ward's week with cases in every stage, built through the real lifecycle (events at chosen moments).

The week is 2026-W40: Monday 28/09/2026 to Sunday 04/10/2026 (local time). Each case's letter says
why it is, or is not, on that week's list; EXPECTED_GROUPS and EXPECTED_TOTALS are what the list must show.
"""
from datetime import date, datetime, timedelta

from inspect_app.domain.cases import case_actions
from inspect_app.domain.cases.context import LifecycleContext
from inspect_app.domain.cases.deadlines import WorkingCalendar, rules_from_config
from inspect_app.domain.cases.weekly_list import ReportWeek
from inspect_app.domain.field.field_reports import FieldRules
from inspect_app.domain.field.photos import PhotoFiles
from inspect_app.domain.ward_time import VIETNAM_OFFSET
from inspect_app.models import User, Visit

from .factories import facts_missing_from, make_case, new_uuid

WEEK = ReportWeek(2026, 40)
AFTER_WEEK = datetime(2026, 11, 1, 12, 0, tzinfo=VIETNAM_OFFSET)

EXPECTED_GROUPS = {
    "detected": ["A", "K", "M"],
    "warning": ["B", "G", "I", "N"],
    "stop_work": ["C"],
    "enforcement": ["D", "F"],
    "closed": ["E"],
}
EXPECTED_OVERDUE = {"C", "G", "N"}
EXPECTED_TOTALS = {"detected": 2, "records": 1, "stop_work": 1, "penalty_decisions": 1, "fines_vnd": 60_000_000,
                   "enforced": 1, "closed": 1, "overdue": 3}
NOT_LISTED = {"H", "J", "P", "Q"}
OWNERS = {
    "A": "Nguyễn Văn Ánh", "B": "Trần Thị Bảo", "C": "Lê Văn Cường", "D": "Phạm Thị Dung", "E": "Hoàng Văn Em",
    "F": "Võ Thị Phượng", "G": "Đặng Văn Giàu", "H": "Bùi Thị Hạnh", "I": "Đỗ Văn Ích", "J": "Hồ Thị Jang",
    "K": "Ngô Văn Khải", "M": "Dương Thị Mỹ", "N": "Lý Văn Nghĩa", "P": "Mai Thị Phúc", "Q": "Trịnh Văn Quý",
}


def local(day, hour=9, minute=0):
    """A local moment (aware) on a date."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM_OFFSET)


def _act(session, files, case, user, key, when, mode="record", **fields):
    ctx = LifecycleContext(rules=rules_from_config(None), calendar=WorkingCalendar(()), today=when.date(),
                           photo_rules=FieldRules())
    form = {"action": key, "mode": mode, "version": str(case.version), "note": fields.pop("note", "")}
    form.update({k: str(v) for k, v in fields.items()})
    form = {**facts_missing_from(case, key), **form}
    inp = case_actions.read_action_input(form, [], when.date())
    event = case_actions.take_action(session, case, user, inp, ctx, files, now=when)
    session.flush()
    return event


def _decide(session, files, case, user, proposal, when):
    ctx = LifecycleContext(rules=rules_from_config(None), calendar=WorkingCalendar(()), today=when.date(),
                           photo_rules=FieldRules())
    return case_actions.decide(session, case, user, proposal.id, True, case.version, ctx, now=when)


def record(session, files, case, user, day, number):
    return _act(session, files, case, user, "record_violation", local(day), document_number=number,
                document_date=day.isoformat())


def build(session, people, photo_dir):
    """Store the scenario; returns {letter: case}."""
    inspector = session.get(User, people["inspector"])
    other = session.get(User, people["inspector2"])
    chairman = session.get(User, people["chairman"])
    files = PhotoFiles(photo_dir)
    cases = {}

    def new(letter, detected, officer=inspector, **fields):
        case = make_case(session, officer.id, detected_at=detected, owner_name=OWNERS[letter],
                         code=f"TL-2026-{ord(letter):04d}", address=f"Số {ord(letter)} đường 91B",
                         khu_vuc="Thới Xương 2" if letter in "ABCDEFG" else "Bắc Vàng", **fields)
        cases[letter] = case
        return case

    # A: detected on Monday 00:30 local (Sunday in UTC): detected in the week.
    new("A", local(date(2026, 9, 28), 0, 30), area_m2=120.5, floors=3)
    # Q: detected on the Sunday before at 23:50 local, nothing since: not on the list.
    new("Q", local(date(2026, 9, 27), 23, 50))
    # B: record written in the week, then a penalty proposal waiting for the chairman.
    b = new("B", local(date(2026, 9, 20)))
    record(session, files, b, inspector, date(2026, 9, 30), "31/BB-VPHC")
    _act(session, files, b, inspector, "penalty_decision", local(date(2026, 10, 2)), mode="propose",
         fine_vnd=40000000, remedy="Buộc phá dỡ")
    # C: record long before, stop-work in the week; the penalty deadline passed: overdue.
    c = new("C", local(date(2026, 9, 8)))
    record(session, files, c, inspector, date(2026, 9, 10), "12/BB-VPHC")
    _act(session, files, c, inspector, "start_stop_work", local(date(2026, 10, 1)), document_date="2026-10-01")
    # D: penalty decision signed in the week with a fine of 60 million.
    d = new("D", local(date(2026, 9, 24)))
    record(session, files, d, inspector, date(2026, 9, 25), "25/BB-VPHC")
    _act(session, files, d, chairman, "penalty_decision", local(date(2026, 10, 2), 15), document_number="41/QĐ-XPHC",
         document_date="2026-10-02", fine_vnd=60000000, remedy="Buộc phá dỡ phần xây dựng không phép")
    # E: closed in the week.
    e = new("E", local(date(2026, 9, 14)))
    record(session, files, e, inspector, date(2026, 9, 15), "15/BB-VPHC")
    _act(session, files, e, chairman, "close", local(date(2026, 10, 3)), outcome="self_corrected")
    # F: enforcement carried out in the week (its deadline is then cleared).
    f = new("F", local(date(2026, 9, 1)))
    record(session, files, f, inspector, date(2026, 9, 3), "3/BB-VPHC")
    _act(session, files, f, chairman, "penalty_decision", local(date(2026, 9, 9)), document_number="9/QĐ-XPHC",
         document_date="2026-09-09", fine_vnd=70000000, remedy="Buộc phá dỡ")
    # Delivered the next day: 10 days to comply end on Sun 20/09, so on Mon 21/09; enforced after that.
    _act(session, files, f, inspector, "deliver_decision", local(date(2026, 9, 10)), document_date="2026-09-10")
    _act(session, files, f, chairman, "enforcement_decision", local(date(2026, 9, 22)), document_number="22/QĐ-CC",
         document_date="2026-09-22")
    _act(session, files, f, inspector, "deliver_enforcement_decision", local(date(2026, 9, 23)), document_date="2026-09-23")
    _act(session, files, f, inspector, "enforcement_record", local(date(2026, 10, 1)), document_number="1/BB-THCC",
         document_date="2026-10-01")
    # G: record at the start of September, nothing since: overdue from an earlier week.
    g = new("G", local(date(2026, 9, 1)))
    record(session, files, g, inspector, date(2026, 9, 4), "4/BB-VPHC")
    # H: closed the week before: not on the list.
    h = new("H", local(date(2026, 9, 1)))
    record(session, files, h, inspector, date(2026, 9, 4), "5/BB-VPHC")
    _act(session, files, h, chairman, "close", local(date(2026, 9, 25)), outcome="demolished")
    # I: deadline moved (by the chairman) to the week's Sunday the week before: listed for its deadline, not overdue on Sunday.
    i = new("I", local(date(2026, 9, 21)))
    record(session, files, i, inspector, date(2026, 9, 22), "22/BB-VPHC")
    _act(session, files, i, chairman, "extend_deadline", local(date(2026, 9, 24)), extension_kind="other",
         new_due_date="2026-10-04", note="Chủ đầu tư xin giải trình")
    # J: detected after the week (Monday 00:10 local): not on the list.
    new("J", local(date(2026, 10, 5), 0, 10))
    # K: detected in the week, in the second inspector's charge.
    new("K", local(date(2026, 9, 30)), officer=other)
    # M: detected long before, no deadline, visited in the week.
    m = new("M", local(date(2026, 9, 1)))
    session.add(Visit(client_uuid=new_uuid(), inspector_id=inspector.id, violation_id=m.id, outcome="follow_up",
                      note="Kiểm tra lại", visited_at=local(date(2026, 10, 1), 10)))
    # N: overdue during the week and closed only after it: listed as it stood on Sunday (not closed).
    n = new("N", local(date(2026, 9, 12)))
    record(session, files, n, inspector, date(2026, 9, 14), "14/BB-VPHC")
    _act(session, files, n, chairman, "close", local(date(2026, 10, 7)), outcome="permit_obtained")
    # P: detected in August, no deadline, nothing since: not on the list.
    new("P", local(date(2026, 8, 3)))
    session.flush()
    return cases


def expected_codes(letters):
    """The case codes of the letters, in order."""
    return [f"TL-2026-{ord(letter):04d}" for letter in letters]


def letter_of(code):
    """The scenario letter of a case code."""
    return chr(int(code.rsplit("-", 1)[1]))


def week_days(week):
    """The seven dates of a week."""
    return [week.monday + timedelta(days=n) for n in range(7)]
