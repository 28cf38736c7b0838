"""What an action does to a case once allowed: its stage, the clock it starts, moves or ends, the nearest
deadline the case row keeps, outcome, officer and position (all derived again by the audit from the history)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, Violation
from ..errors import N_, InvalidFields, InvalidInput
from ..geo import spatial
from ..ward_time import local_date
from . import clocks, workflow
from .action_checks import check_later
from .deadlines import due_date, last_day
from .events import APPLIED
from .preconditions import facts_of

if TYPE_CHECKING:
    from .context import LifecycleContext


def apply_action(session: Session, case: Violation, action: workflow.Action, event: CaseEvent, ctx: LifecycleContext,
                 extension_target: tuple[date | None, str, str] | None = None) -> None:
    """Make an action take effect on the case: stage, the clock it starts or moves, the clocks it ends,
    the case's nearest deadline, outcome, officer, position."""
    if action.to_stage:
        case.stage = action.to_stage
    start = None
    if action.deadline:
        rule = ctx.rules[action.deadline]
        start = _counted_from(session, case, action) or event.document_date or ctx.today
        amount = _compliance_days(session, case) if rule.key == "compliance" else None
        event.clock_rule, event.clock_due, event.clock_citation = rule.key, due_date(rule, start, ctx.calendar, amount), rule.citation
    if action.extension:
        assert extension_target is not None, "an extension is applied with the date it asked for"
        when, rule_key, citation = extension_target
        moved = next((c for c in facts_of(session, case, ctx.today).clocks
                      if c.is_open and c.key == clocks.CLOCK_OF_RULE.get(rule_key, rule_key)), None)
        if moved is None:
            raise InvalidInput(N_("This case has no deadline to extend."))
        check_later(moved, when)  # the deadline may have moved since the proposal
        event.clock_rule, event.clock_due, event.clock_citation = rule_key, when, citation or _extended_citation(event)
    if action.reassigns:
        assert event.officer_id is not None, "a reassignment names its officer (check_new_officer)"
        case.officer_id = event.officer_id
    if action.places_position:
        case.position = from_shape(Point(event.lon, event.lat), srid=spatial.SRID)
    if action.outcome:
        case.outcome = event.outcome
    _keep_nearest_deadline(session, case, event, start)
    event.stage_after = case.stage
    event.due_date, event.due_rule, event.due_citation = case.due_date, case.due_rule, case.due_citation


def _keep_nearest_deadline(session, case, event, start):
    """The case row keeps its nearest open clock (from its history with this event)."""
    history = session.scalars(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq)).all()
    nearest = clocks.nearest_history_clock(clocks.clocks_of(case, [*history, event]))
    if nearest is None:
        case.due_date, case.due_rule, case.due_citation, case.due_start = None, "", "", None
        return
    unchanged = (nearest.due, nearest.rule) == (case.due_date, case.due_rule)
    # The start of the period is known for a clock this event started (an extension's new date is given).
    due_start = start if nearest.started_seq == event.seq else (case.due_start if unchanged else None)
    case.due_date, case.due_rule, case.due_citation, case.due_start = nearest.due, nearest.rule, nearest.citation, due_start


def _counted_from(session, case, action):
    """The document date of the earlier action this action's clock counts from (workflow counted_from)."""
    if not action.counted_from:
        return None
    return session.scalar(
        select(CaseEvent.document_date).where(
            CaseEvent.violation_id == case.id, CaseEvent.action.in_(action.counted_from),
            CaseEvent.kind.in_(clocks.APPLIED),
        ).order_by(CaseEvent.seq.desc()).limit(1)
    )


def _compliance_days(session, case):
    decision = session.scalar(
        select(CaseEvent).where(
            CaseEvent.violation_id == case.id, CaseEvent.action.in_(workflow.PENALTY_DECISIONS),
            CaseEvent.kind.in_(APPLIED),
        ).order_by(CaseEvent.seq.desc()).limit(1)
    )
    return decision.compliance_days if decision is not None else None


def requested_extension(session: Session, case: Violation, ctx: LifecycleContext, kind: str,
                        new_date: date | None) -> tuple[date | None, str, str]:
    """(new due date, rule key, citation) an extension of this kind asks for; raises when it cannot apply.

    The two extensions of Luật XLVPHC Điều 66 khoản 1 apply to the time to decide on the penalty and
    count from the record's date; "other" gives a new date to the nearest running deadline, with an
    empty citation that apply_action replaces with the deciding entry ("gia hạn")."""
    facts = facts_of(session, case, ctx.today)
    if kind == "other":
        clock = clocks.nearest_history_clock(facts.clocks)
        if clock is None:
            raise InvalidInput(N_("This case has no deadline to extend."))
        check_later(clock, new_date)  # refuses a missing date
        return new_date, clock.rule, ""
    clock = facts.running("penalty_decision")
    record = next((e for e in reversed(facts.applied) if e.action == "record_violation"), None)
    if clock is None or record is None:
        raise InvalidFields({"extension_kind": InvalidInput(
            N_("This extension is only for the time to decide on the penalty after a record (Luật XLVPHC Điều 66)."))})
    first = ctx.rules["penalty_decision_explanation"]
    if kind == "complex_or_explanation":
        if clock.rule != "penalty_decision":
            raise InvalidFields({"extension_kind": InvalidInput(
                N_("The month for a complex case or an explanation has already been given."))})
        target, rule = due_date(first, record.document_date, ctx.calendar), first
    else:
        if clock.rule != "penalty_decision_explanation":
            raise InvalidFields({"extension_kind": InvalidInput(
                N_("The second month comes once, after the first (complex case or explanation)."))})
        rule = ctx.rules["very_complex"]
        target = due_date(rule, last_day(first, record.document_date, ctx.calendar), ctx.calendar)
    check_later(clock, target)
    return target, rule.key, rule.citation


def _extended_citation(event):
    """The basis of a deadline moved for another reason: the entry that decided it and its date."""
    return f"Gia hạn theo mục #{event.seq} ngày {local_date(event.recorded_at).strftime('%d/%m/%Y')}"
