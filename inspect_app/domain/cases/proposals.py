"""Proposals waiting for the chairman: THE rule (a proposal no approval or rejection answers), in SQL
and over a history already loaded."""
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from ...models import CaseEvent, User, Violation
from .events import ACTION, ANSWERS, APPLIED, PROPOSAL
from .workflow import REASSIGN


def _waiting_condition():
    answer = aliased(CaseEvent)
    answered = select(answer.answers_event_id).where(answer.kind.in_(ANSWERS), answer.answers_event_id.is_not(None))
    return (CaseEvent.kind == PROPOSAL) & CaseEvent.id.not_in(answered)


def waiting_in(history: Iterable[CaseEvent]) -> list[CaseEvent]:
    """The same rule over a history already loaded (e.g. the entries made before a moment)."""
    answered = {e.answers_event_id for e in history if e.kind in ANSWERS}
    return [e for e in history if e.kind == PROPOSAL and e.id not in answered]


def waiting_case_ids() -> Select:
    """SELECT of the ids of cases with a proposal waiting for the chairman."""
    return select(CaseEvent.violation_id).where(_waiting_condition())


def pending_proposals(session: Session, case: Violation | None = None) -> Sequence[CaseEvent]:
    """Proposals that nobody has approved or rejected yet (of one case, or of all), oldest first."""
    statement = select(CaseEvent).where(_waiting_condition())
    if case is not None:
        statement = statement.where(CaseEvent.violation_id == case.id)
    return session.scalars(statement.order_by(CaseEvent.recorded_at)).all()


# Steps the chairman signs that the officer in charge should hear of even without having proposed them.
SIGNED_STEPS = ("penalty_decision", "competent_decision", "enforcement_decision", "refer_to_competent_level")


def news_for(session: Session, user: User, since: datetime) -> Sequence[CaseEvent]:
    """The chairman's answers to the user's proposals, the decisions signed on cases in the user's
    charge and the cases given to the user, since a moment (newest first): what an inspector should
    know when they start work."""
    proposal = aliased(CaseEvent)
    own_proposals = select(proposal.id).where(proposal.actor_id == user.id, proposal.kind == PROPOSAL)
    in_charge = select(Violation.id).where(Violation.officer_id == user.id)
    answered = CaseEvent.kind.in_(ANSWERS) & CaseEvent.answers_event_id.in_(own_proposals)
    signed = (CaseEvent.kind == ACTION) & CaseEvent.action.in_(SIGNED_STEPS) & CaseEvent.violation_id.in_(in_charge)
    # A case given to the user and since taken back is not theirs to hear of.
    given = (CaseEvent.kind.in_(APPLIED) & (CaseEvent.action == REASSIGN) & (CaseEvent.officer_id == user.id)
             & CaseEvent.violation_id.in_(in_charge))
    return session.scalars(
        select(CaseEvent).where(CaseEvent.recorded_at >= since, CaseEvent.actor_id != user.id, answered | signed | given)
        .order_by(CaseEvent.recorded_at.desc()).limit(50)
    ).all()
