"""The clocks of a case: every period the law runs on it at once, each started and closed by a step
of its history, and the one definition of "overdue" (in Python and in SQL).

A clock is started by an action with a deadline rule (workflow.py `deadline`), moved by an extension,
and closed by the actions whose `closes` names it. The limitation period starts at the report and
is kept on the case (violations.limitation_due); a penalty decision or closing ends it.

The case row keeps the nearest open clock of its history (due_date, due_rule, due_citation): lists,
sorting and SQL filters read that, and `flask audit verify` checks it against the history.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, or_

from ...models import CaseEvent, Violation
from ..errors import N_
from . import workflow
from .events import APPLIED
from .stages import CLOSED, DETECTED, STOP_WORK, WARNING

if TYPE_CHECKING:
    from .deadlines import DeadlineRule, WorkingCalendar

LIMITATION = "limitation"
# Stages before a penalty decision: the limitation period still runs.
BEFORE_DECISION = (DETECTED, WARNING, STOP_WORK)

# The clock a deadline rule counts: the penalty-decision clock may be counted by any of three rules.
CLOCK_OF_RULE = {
    "penalty_decision": "penalty_decision", "penalty_decision_explanation": "penalty_decision",
    "very_complex": "penalty_decision", "decision_delivery": "decision_delivery", "compliance": "compliance",
    "permit_window": "permit_window", "self_demolition": "self_demolition",
    "enforcement_delivery": "enforcement_delivery", LIMITATION: LIMITATION,
}
CLOCK_LABELS = {
    "penalty_decision": N_("Penalty decision"), "decision_delivery": N_("Delivery of the penalty decision"),
    "compliance": N_("Compliance with the decision"), "permit_window": N_("Time to obtain a permit (Article 81)"),
    "self_demolition": N_("Time to demolish by oneself"), "enforcement_delivery": N_("Delivery of the enforcement decision"),
    LIMITATION: N_("Limitation period for a penalty"),
}


@dataclass(frozen=True)
class Clock:
    """One period running on a case: which, counted by which rule, until when, and which history
    entries started and closed it (seq; None: started by the report, or still open)."""

    key: str
    rule: str
    due: date
    citation: str
    started_seq: int | None = None
    closed_seq: int | None = None
    moved: bool = False             # closed because an extension replaced it

    @property
    def is_open(self) -> bool:
        """Still running."""
        return self.closed_seq is None

    def is_overdue(self, today: date) -> bool:
        """Open and past its last day."""
        return self.is_open and self.due < today


def clock_of(event: CaseEvent) -> tuple[str, str, date, str] | None:
    """(clock key, rule, due, citation) an applied event started or moved, or None.

    Events since migration 0015 say it themselves (clock_rule, clock_due, clock_citation); before,
    an action with a deadline replaced the case's only one, so its due fields were that clock."""
    action = workflow.ACTIONS.get(event.action)
    if event.kind not in APPLIED or action is None or not (action.deadline or action.extension):
        return None
    if event.clock_rule and event.clock_due is not None:
        return CLOCK_OF_RULE.get(event.clock_rule, event.clock_rule), event.clock_rule, event.clock_due, event.clock_citation
    if event.due_date is None:
        return None
    rule = event.due_rule or action.deadline or ""
    return CLOCK_OF_RULE.get(rule, rule), rule, event.due_date, event.due_citation or ""


def clocks_of(case: Violation, events: Iterable[CaseEvent], limitation_citation: str = "") -> list[Clock]:
    """Every clock of the case from its history (open and closed), in the order they started; the
    limitation period first when the case has one."""
    clocks = []
    if case.limitation_due is not None:
        clocks.append(Clock(LIMITATION, LIMITATION, case.limitation_due, limitation_citation))
    for event in events:
        if event.kind not in APPLIED:
            continue
        action = workflow.ACTIONS.get(event.action)
        if action is None:
            continue
        started = clock_of(event)
        started_key = started[0] if started else None
        closes = set(action.closes) | ({started_key} if started_key else set())
        clocks = [_closed(c, event.seq, moved=c.key == started_key) if c.is_open and c.key in closes
                  else c for c in clocks]
        if started:
            key, rule, due, citation = started
            clocks.append(Clock(key, rule, due, citation, started_seq=event.seq))
    return clocks


def _closed(clock, seq, moved):
    return Clock(clock.key, clock.rule, clock.due, clock.citation, clock.started_seq, seq, moved)


def open_clocks(clocks: Iterable[Clock]) -> list[Clock]:
    """The clocks still running, nearest first."""
    return sorted((c for c in clocks if c.is_open), key=lambda c: c.due)


def running_for(case: Violation, clocks: Iterable[Clock]) -> list[Clock]:
    """The clocks still running on the case, nearest first (the limitation period only before a decision)."""
    if case.stage == CLOSED:
        return []
    return [c for c in open_clocks(clocks) if c.key != LIMITATION or case.stage in BEFORE_DECISION]


def nearest_history_clock(clocks: Iterable[Clock]) -> Clock | None:
    """The nearest open clock started by the history (the limitation period aside), or None: what
    the case row keeps as its deadline."""
    running = [c for c in open_clocks(clocks) if c.key != LIMITATION]
    return running[0] if running else None


def overdue_on(stage: str, due_date: date | None, limitation_due: date | None, day: date) -> bool:
    """THE definition of overdue: an open case with a history deadline before `day`, or whose
    limitation period ended before `day` while no penalty decision was taken."""
    if stage == CLOSED:
        return False
    if due_date is not None and due_date < day:
        return True
    return stage in BEFORE_DECISION and limitation_due is not None and limitation_due < day


def days_overdue(stage: str, due_date: date | None, limitation_due: date | None, day: date) -> int:
    """How many days the earliest passed deadline lies before `day` (0 when not overdue)."""
    if not overdue_on(stage, due_date, limitation_due, day):
        return 0
    passed = [d for d in (due_date, limitation_due if stage in BEFORE_DECISION else None) if d is not None and d < day]
    return (day - min(passed)).days


def is_overdue(case: Violation, today: date) -> bool:
    """The case is overdue today (overdue_on with the case's own columns)."""
    return overdue_on(case.stage, case.due_date, case.limitation_due, today)


def overdue_clause(today: date) -> ColumnElement[bool]:
    """The same definition as an SQL condition on violations."""
    return due_by_clause(today - timedelta(days=1))


def not_overdue_clause(today: date) -> ColumnElement[bool]:
    """NOT overdue_clause, safe with empty dates (SQL's NOT of an unknown is unknown, which drops the row)."""
    return or_(Violation.stage == CLOSED, and_(
        or_(Violation.due_date.is_(None), Violation.due_date >= today),
        or_(Violation.stage.not_in(BEFORE_DECISION), Violation.limitation_due.is_(None), Violation.limitation_due >= today),
    ))


def due_by_clause(day: date) -> ColumnElement[bool]:
    """Open cases with a clock ending on or before `day` (those overdue included): overdue_on's
    definition, one day later, in SQL."""
    return and_(Violation.stage != CLOSED, or_(
        Violation.due_date <= day,
        and_(Violation.stage.in_(BEFORE_DECISION), Violation.limitation_due <= day),
    ))


def nearest_due(case: Violation) -> tuple[date | None, str]:
    """(due date, rule key) the case must meet first: its history deadline, or the limitation period
    while it runs and comes first; (None, '') when nothing runs."""
    candidates = []
    if case.due_date is not None and case.stage != CLOSED:
        candidates.append((case.due_date, case.due_rule))
    if case.limitation_due is not None and case.stage in BEFORE_DECISION:
        candidates.append((case.limitation_due, LIMITATION))
    return min(candidates) if candidates else (None, "")


def nearest_deadline(case: Violation, rules: dict[str, DeadlineRule],
                     calendar: WorkingCalendar) -> dict[str, Any] | None:
    """The deadline a case must meet first, for lists: {due, rule, citation, forecast}, or None (forecast:
    the period runs over days the office has not confirmed yet)."""
    due, rule = nearest_due(case)
    if due is None:
        return None
    if rule == LIMITATION:
        return {"due": due, "rule": rule, "citation": rules[rule].citation, "forecast": calendar.is_forecast(None, due)}
    return {"due": due, "rule": rule, "citation": case.due_citation, "forecast": calendar.is_forecast(case.due_start, due)}
