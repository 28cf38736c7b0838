"""The weekly enforcement list (DOMAIN.md): which cases belong to an ISO week, their rows and the week's totals.

A case belongs to week W when, by what the app knew at the end of W (or now, for the current week):
it was detected in W; or it had an event or a visit in W, or a document dated in W; or it was open
at the start of W with a deadline on or before W's Sunday (a deadline in W, or overdue from an
earlier week). Each row shows the case as it stood at that moment, reconstructed from its event
history. Records, stop-work, decisions and enforcement are counted in the week of their document's
date, also when entered later (that week's list then changes, and the list of the week they were
entered in notes "entered late"); detection and closing in the week they happened in the app.
"""
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ...models import CaseEvent, Route, Violation, Visit
from ..errors import N_, InvalidFields, InvalidInput
from ..inputs import FieldReader
from ..ward_time import ReportWeek, local_date, local_midnight, parse_week, week_of
from .categories import BY_KEY as CATEGORIES
from .clocks import days_overdue, overdue_on
from .events import APPLIED
from .proposals import waiting_in
from .stages import CLOSED, STAGES
from .workflow import ACTIONS, PENALTY_DECISIONS

RECORD_DOCUMENTS = ("bb_vphc", "bb_continuation")
DECISION_DOCUMENTS = {"qd_xu_phat": N_("Penalty"), "qd_xu_phat_cap_tren": N_("Penalty"), "qd_cuong_che": N_("Enforcement")}


@dataclass
class WeeklyFilters:
    """Route, khu vực and stage asked for (kept in the URL)."""

    route_id: int | None = None
    khu_vuc: str = ""
    stage: str | None = None

    def as_query(self) -> dict[str, Any]:
        """The filters as URL parameters (only those set)."""
        values = {"route": self.route_id, "khu_vuc": self.khu_vuc or None, "stage": self.stage}
        return {k: v for k, v in values.items() if v is not None}


def read_week_request(args: Mapping[str, Any], today: date) -> tuple[ReportWeek, WeeklyFilters]:
    """(ReportWeek, WeeklyFilters) from query parameters; raises InvalidFields naming every bad one."""
    reader = FieldReader(args)
    raw_week = reader.text("week", 20)
    week = week_of(today)
    if raw_week:
        try:
            week = parse_week(raw_week)
        except InvalidInput as problem:
            reader.errors["week"] = problem
    filters = WeeklyFilters(route_id=reader.optional_id("route"), khu_vuc=reader.text("khu_vuc", 100),
                            stage=reader.choice("stage", STAGES))
    reader.finish()
    return week, filters


def check_route(session: Session, filters: WeeklyFilters) -> None:
    """Raise InvalidFields when the route filter names a route that does not exist."""
    if filters.route_id and session.get(Route, filters.route_id) is None:
        raise InvalidFields({"route": InvalidInput(N_("This route does not exist."))})


@dataclass(frozen=True)
class Note:
    """A remark in the Ghi chú column: a msgid and its parameters (translated where shown)."""

    message: str
    params: dict = field(default_factory=dict)


@dataclass
class Document:
    """A record or decision as the list shows it."""

    kind: str
    number: str
    dated: date | None


@dataclass
class ListRow:
    """One case as it stood at the list's moment."""

    case: Violation
    stage: str
    due_date: date | None
    overdue_days: int
    records: list
    decisions: list
    fine_vnd: int | None
    remedy: str
    outcome: str
    notes: list
    number: int = 0

    @property
    def overdue(self) -> bool:
        """True when the case was open and past its deadline at the list's moment."""
        return self.overdue_days > 0

    @property
    def category_label(self) -> str:
        """The msgid of the case's violation category."""
        category = CATEGORIES.get(self.case.category)
        return category.label if category else self.case.category


@dataclass
class WeeklyList:
    """The list for one week: rows grouped by stage, in legal order, and the week's totals."""

    week: ReportWeek
    as_of: datetime
    groups: list          # [(stage, [ListRow])]
    totals: dict
    filters: WeeklyFilters

    @property
    def rows(self) -> list[ListRow]:
        """Every row in print order."""
        return [row for _, rows in self.groups for row in rows]



TOTAL_KEYS = ("detected", "records", "stop_work", "penalty_decisions", "fines_vnd", "enforced", "closed", "overdue")
TOTAL_LABELS = {
    "detected": N_("Detected"), "records": N_("Records (BB) written"), "stop_work": N_("Works stopped"),
    "penalty_decisions": N_("Penalty decisions"), "fines_vnd": N_("Fines (VND)"), "enforced": N_("Enforced"),
    "closed": N_("Closed"), "overdue": N_("Overdue"),
}


def build_weekly_list(session: Session, week: ReportWeek, filters: WeeklyFilters, now: datetime,
                      officer_id: int | None = None) -> WeeklyList:
    """The week's list; officer_id limits it to the cases that officer is in charge of."""
    as_of = min(week.ends_at, now)
    known_at_start = min(week.starts_at, now)
    cases = _candidate_cases(session, week, filters, known_at_start, as_of, now, officer_id)
    events = events_by_case(session, [c.id for c in cases])
    visited = _visited_in_week(session, [c.id for c in cases], week.starts_at, as_of)
    # Overdue means past the deadline on a day of the week: for a finished week, on its Sunday.
    as_of_day = min(local_date(now), week.sunday)
    groups: dict[str, list] = {stage: [] for stage in STAGES}
    totals = dict.fromkeys(TOTAL_KEYS, 0)
    for case in cases:
        every_event = events.get(case.id, [])
        # What is known now of what happened by the week's end: entries made by then, and documents
        # dated by its Sunday but entered later.
        history = [e for e in every_event if e.recorded_at < as_of or (
            e.recorded_at < now and e.document_date is not None and e.document_date <= week.sunday)]
        in_week = [e for e in history if week.starts_at <= e.recorded_at < as_of]
        dated_in_week = [e for e in history if _dated_in(e, week)]
        start_stage, start_due = _state_at(case, every_event, known_at_start)
        active = week.starts_at <= case.detected_at < as_of or in_week or dated_in_week or case.id in visited
        due_by_sunday = start_stage != CLOSED and start_due is not None and start_due <= week.sunday
        if not (active or due_by_sunday):
            continue
        row = _row(case, every_event, history, as_of, as_of_day, week)
        if filters.stage and row.stage != filters.stage:
            continue
        groups[row.stage].append(row)
        _count(totals, case, in_week, dated_in_week, row, week)
    number = 0
    for stage in STAGES:
        groups[stage].sort(key=lambda r: (r.due_date is None, r.due_date or date.max, r.case.code))
        for row in groups[stage]:
            number += 1
            row.number = number
    return WeeklyList(week=week, as_of=as_of, groups=[(s, groups[s]) for s in STAGES if groups[s]],
                      totals=totals, filters=filters)


def _candidate_cases(session, week, filters, known_at_start, as_of, now, officer_id):
    """Every case that existed by as_of and was not closed before the week began (a superset)."""
    closed_before = select(CaseEvent.violation_id).where(
        CaseEvent.kind.in_(APPLIED), CaseEvent.stage_after == CLOSED, CaseEvent.recorded_at < known_at_start)
    active_in_week = select(CaseEvent.violation_id).where(or_(
        (CaseEvent.recorded_at >= week.starts_at) & (CaseEvent.recorded_at < as_of),
        (CaseEvent.recorded_at < now) & CaseEvent.document_date.between(week.monday, week.sunday)))
    visited = select(Visit.violation_id).where(
        Visit.violation_id.is_not(None), Visit.visited_at >= week.starts_at, Visit.visited_at < as_of)
    statement = select(Violation).where(
        Violation.detected_at < as_of,
        or_(Violation.id.not_in(closed_before), Violation.id.in_(active_in_week), Violation.id.in_(visited)),
    )
    if filters.route_id:
        statement = statement.where(Violation.route_id == filters.route_id)
    if filters.khu_vuc:
        statement = statement.where(Violation.khu_vuc == filters.khu_vuc)
    if officer_id is not None:
        statement = statement.where(Violation.officer_id == officer_id)
    statement = statement.options(selectinload(Violation.officer), selectinload(Violation.route))
    return session.scalars(statement.order_by(Violation.id)).all()


def events_by_case(session: Session, case_ids: list[int]) -> dict[int, list[CaseEvent]]:
    """{case id: [its events, in order]}, loaded in chunks of ids."""
    result = defaultdict(list)
    for chunk in _chunks(case_ids, 500):
        statement = select(CaseEvent).where(CaseEvent.violation_id.in_(chunk))
        for event in session.scalars(statement.order_by(CaseEvent.violation_id, CaseEvent.seq)):
            result[event.violation_id].append(event)
    return result


def _visited_in_week(session, case_ids, starts_at, as_of):
    """Ids of the cases that had a visit in the week."""
    found = set()
    for chunk in _chunks(case_ids, 500):
        found.update(session.scalars(select(Visit.violation_id).where(
            Visit.violation_id.in_(chunk), Visit.visited_at >= starts_at, Visit.visited_at < as_of)))
    return found


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _state_at(case, every_event, moment):
    """(stage, due date) of a case at a moment, from all its effective events."""
    return _state_in(case, [e for e in every_event if e.kind in APPLIED], moment)


def _state_in(case, effective, moment):
    before = [e for e in effective if e.recorded_at < moment]
    if before:
        return before[-1].stage_after, before[-1].due_date
    if effective:  # the case changed only after the moment: it was where its first change started from
        return effective[0].stage_before, None
    return case.stage, case.due_date  # a case with no history at all (imported): as stored


def overdue_at_end_of(case: Violation, every_event: list[CaseEvent], day: date) -> bool:
    """Whether the case was overdue at the end of `day`, as the weekly list counts it: its stage and deadline
    at that moment (from its history), past due on that day."""
    return overdue_at_ends_of(case, every_event, [day])[0]


def overdue_at_ends_of(case: Violation, every_event: list[CaseEvent], days: list[date]) -> list[bool]:
    """overdue_at_end_of for several days at once, in ascending order (Thống kê asks 52 weeks of every case):
    the history filtered once, each day's state found by bisection when the entries are in time order."""
    effective = [e for e in every_event if e.kind in APPLIED]
    times = [e.recorded_at for e in effective]
    in_order = all(a <= b for a, b in pairwise(times))
    limitation = case.limitation_due
    result = []
    for day in days:
        moment = _end_of_day(day)
        if not effective:
            stage, due = case.stage, case.due_date
        elif in_order:
            index = bisect_left(times, moment)
            stage, due = (effective[index - 1].stage_after, effective[index - 1].due_date) if index else \
                (effective[0].stage_before, None)
        else:
            stage, due = _state_in(case, effective, moment)
        result.append(overdue_on(stage, due, limitation, day))
    return result


@lru_cache(maxsize=4096)
def _end_of_day(day: date) -> datetime:
    return local_midnight(day + timedelta(days=1))


def _row(case, every_event, history, as_of, as_of_day, week):
    """The row of a case as it stood at as_of (history: its events entered before then)."""
    stage, due = _state_at(case, every_event, as_of)
    effective = [e for e in history if e.kind in APPLIED]
    records = [Document(e.document_kind, e.document_number, e.document_date)
               for e in effective if e.document_kind in RECORD_DOCUMENTS]
    decisions = [Document(e.document_kind, e.document_number, e.document_date)
                 for e in effective if e.document_kind in DECISION_DOCUMENTS]
    penalty = [e for e in effective if e.action in PENALTY_DECISIONS]
    closing = [e for e in effective if e.stage_after == CLOSED]
    overdue_days = days_overdue(stage, due, case.limitation_due, as_of_day)
    return ListRow(
        case=case, stage=stage, due_date=due if stage != CLOSED else None, overdue_days=overdue_days,
        records=records, decisions=decisions, fine_vnd=penalty[-1].fine_vnd if penalty else None,
        remedy=penalty[-1].remedy if penalty else "", outcome=closing[-1].outcome if closing else "",
        notes=_notes(case, history, overdue_days, week),
    )


def _notes(case, history, overdue_days, week):
    notes = []
    for event in history:  # entered this week for an earlier week: that week's list now counts it too
        if (event.kind in APPLIED and event.document_date is not None and event.document_date < week.monday
                and week.starts_at <= event.recorded_at < week.ends_at):
            notes.append(Note(N_("Entered late: %(document)s dated %(day)s"),
                              {"document": event.document_number or _action_label(event.action),
                               "day": event.document_date.strftime("%d/%m/%Y")}))
    if overdue_days:
        notes.append(Note(N_("Overdue by %(days)s days"), {"days": overdue_days}))
    waiting = waiting_in(history)
    if waiting:
        notes.append(Note(N_("Waiting for the chairman: %(action)s"), {"action": _action_label(waiting[-1].action)}))
    continued = sum(1 for e in history if e.kind in APPLIED and e.action == "record_continuation")
    if continued:
        notes.append(Note(N_("Works continued after the record: %(times)s times"), {"times": continued}))
    if case.outside_ward:
        notes.append(Note(N_("Outside the ward boundary")))
    return notes


def _action_label(key):
    return ACTIONS[key].label if key in ACTIONS else key


def _dated_in(event, week):
    """The entry took effect with a document dated in the week."""
    return event.kind in APPLIED and event.document_date is not None and week.monday <= event.document_date <= week.sunday


def _count(totals, case, in_week, dated_in_week, row, week):
    """Documents (records, stop-work, decisions, enforcement) count in the week of their own date, also
    when entered later; detection and closing in the week they happened in the app."""
    if week.starts_at <= case.detected_at < week.ends_at:
        totals["detected"] += 1
    for event in dated_in_week:
        if event.document_kind in RECORD_DOCUMENTS:
            totals["records"] += 1
        if event.action == "start_stop_work":
            totals["stop_work"] += 1
        if event.action in PENALTY_DECISIONS:
            totals["penalty_decisions"] += 1
            totals["fines_vnd"] += event.fine_vnd or 0
        if event.action == "enforcement_record":
            totals["enforced"] += 1
    for event in in_week:
        if event.kind in APPLIED and event.stage_after == CLOSED and event.stage_before != CLOSED:
            totals["closed"] += 1
    if row.overdue:
        totals["overdue"] += 1
