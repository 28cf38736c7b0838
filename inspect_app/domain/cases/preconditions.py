"""What must already have happened before an action: the named conditions that workflow.py lists
in each action's `requires`, each with the message that says what is missing.

They read the case's clocks (clocks.py) and history; an action whose conditions do not hold is not
offered, and the server refuses it with the first message that applies.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, Violation
from ..errors import N_
from .categories import BY_KEY
from .clocks import APPLIED, clocks_of, nearest_history_clock

REFERRAL = "refer_to_competent_level"  # the step that sends the file to the person competent to fine

@dataclass(frozen=True)
class CaseFacts:
    """What the conditions look at: the case, its applied history, its clocks, and today."""

    case: object
    entries: tuple   # the whole history (proposals and answers too)
    applied: tuple   # the entries that changed the case
    clocks: tuple
    today: date

    def clocks_named(self, key: str) -> list:
        """Every clock of this kind the case has had (open or closed)."""
        return [c for c in self.clocks if c.key == key]

    def running(self, key: str) -> Any:
        """The open clock of this kind, or None."""
        return next((c for c in self.clocks if c.key == key and c.is_open), None)


def facts_of(session: Session, case: Violation, today: date) -> CaseFacts:
    """The facts of a case as stored now."""
    events = session.scalars(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq)).all()
    return CaseFacts(case, tuple(events), tuple(e for e in events if e.kind in APPLIED), tuple(clocks_of(case, events)),
                     today)


def _ended(clock, today):
    return clock is not None and clock.due < today


def _compliance_ended(facts):
    # On the Article 81 route the notice's time to demolish must have ended; otherwise the compliance period.
    if facts.clocks_named("permit_window"):
        return _ended(facts.running("self_demolition"), facts.today)
    return _ended(facts.running("compliance"), facts.today)


def _delivered_after_decision(facts):
    decisions = [e.seq for e in facts.applied if e.action == "enforcement_decision"]
    return bool(decisions) and any(e.action == "deliver_enforcement_decision" and e.seq > decisions[-1]
                                   for e in facts.applied)


@dataclass(frozen=True)
class Precondition:
    """A condition and the message shown when it does not hold."""

    holds: Callable[[Any], bool]
    missing: str


def referred(facts: CaseFacts) -> bool:
    """The case's file went to the person competent to fine (their decision is then recorded here)."""
    return any(e.action == REFERRAL for e in facts.applied)


PRECONDITIONS = {
    "position_unknown": Precondition(
        lambda f: f.case.position is None,
        N_("This case already has a position: it is placed only once, when it was reported without one.")),
    "decision_to_deliver": Precondition(
        lambda f: f.running("decision_delivery") is not None,
        N_("There is no penalty decision waiting to be delivered: delivery is recorded once per decision.")),
    "permit_possible": Precondition(
        lambda f: getattr(BY_KEY.get(f.case.category), "permit_possible", False),
        N_("The time to obtain a permit (Article 81) does not apply to this kind of violation: such works "
           "cannot be permitted.")),
    "no_permit_window_yet": Precondition(
        lambda f: not f.clocks_named("permit_window"),
        N_("The time to obtain a permit has already been given on this case.")),
    "permit_window_ended": Precondition(
        lambda f: _ended(f.running("permit_window"), f.today),
        N_("The notice to demolish comes after the time to obtain a permit has ended without a permit.")),
    "compliance_ended": Precondition(
        _compliance_ended,
        N_("An enforcement decision comes after the compliance period has ended without compliance (on the "
           "Article 81 route: after the time to demolish by oneself has ended).")),
    "no_enforcement_decision_yet": Precondition(
        lambda f: not f.clocks_named("enforcement_delivery") and not any(e.action == "enforcement_decision"
                                                                         for e in f.applied),
        N_("This case already has an enforcement decision.")),
    "enforcement_decided": Precondition(
        lambda f: any(e.action == "enforcement_decision" for e in f.applied)
        and not any(e.action == "enforcement_record" for e in f.applied),
        N_("The record of enforcement needs an enforcement decision first.")),
    "enforcement_to_deliver": Precondition(
        lambda f: f.running("enforcement_delivery") is not None,
        N_("There is no enforcement decision waiting to be delivered.")),
    "enforcement_delivered": Precondition(
        lambda f: _delivered_after_decision(f),
        N_("The enforcement decision must be delivered before it is carried out.")),
    "referred": Precondition(
        referred,
        N_("This records the decision of the person competent to fine, after the file was referred to them.")),
    "not_referred": Precondition(
        lambda f: not referred(f),
        N_("The file has been referred to the person competent to fine: record the decision they sign.")),
    "has_entries": Precondition(
        lambda f: bool(f.entries),
        N_("This case has no entry in its history yet: there is nothing to correct.")),
    "has_deadline": Precondition(
        lambda f: nearest_history_clock(f.clocks) is not None,
        N_("This case has no deadline to extend.")),
}


def first_missing(action: Any, facts: CaseFacts) -> str | None:
    """The message of the first condition of the action that does not hold, or None."""
    for key in action.requires:
        if not PRECONDITIONS[key].holds(facts):
            return PRECONDITIONS[key].missing
    return None
