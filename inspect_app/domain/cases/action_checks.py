"""The checks an action passes before it changes anything: the case's version, the facts its document
needs, dates in their legal order and within the limitation period, the compliance period, the new officer.
Each raises a domain error naming the field; none writes."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, User, Violation
from ..accounts.roles import INSPECTOR
from ..errors import N_, Conflict, InvalidFields, InvalidInput
from ..ward_time import VIETNAM_OFFSET, local_date
from . import case_facts, clocks, workflow
from .deadlines import last_day
from .preconditions import facts_of

if TYPE_CHECKING:
    from .action_input import ActionInput
    from .context import LifecycleContext


def check_version(case: Violation, expected_version: int, session: Session) -> None:
    """Conflict naming who changed the case, and when, if it is not the version the user saw."""
    if case.version == expected_version:
        return
    last = session.scalar(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq.desc()).limit(1))
    who = (last.actor.full_name or last.actor.username) if last else "?"
    when = last.recorded_at if last else case.created_at
    raise Conflict(
        N_("This case was changed by %(who)s at %(when)s while you were looking at it. Here is its new state; "
           "check it and try again."),
        who=who, when=when.astimezone(VIETNAM_OFFSET).strftime("%d/%m/%Y %H:%M"),
    )


def check_facts(case: Violation, inp: ActionInput) -> None:
    """The facts the action's document needs are on the case or in the form; a change of facts changes
    something."""
    if inp.action.edits_facts:
        changes = case_facts.changed(case, inp.facts)
        if not changes:
            raise InvalidInput(N_("Nothing was changed: change a value, or go back to the case."))
        issued = [e for e in case.events if e.kind in clocks.APPLIED and e.document_kind in case_facts.NEEDED_BY_DOCUMENT]
        if issued and not inp.note and any(c["fact"] in case_facts.NAMED_IN_DOCUMENTS for c in changes):
            issuing = workflow.ACTIONS[issued[-1].action].document
            assert issuing is not None  # issued entries are those with a document kind
            # The documents already issued still say the old value: the change needs its basis (a correcting
            # decision, NĐ 118/2021 Điều 13, or how the mistake was found).
            raise InvalidFields({"note": InvalidInput(
                N_("%(document)s %(number)s already names the owner and the works: say in the note why this changes "
                   "(e.g. the correcting decision's number)."),
                document=issuing.label, number=issued[-1].document_number or "")})
        return
    document = inp.action.document
    if document is None:
        return
    missing = case_facts.missing_facts(case, inp.facts, case_facts.needed_facts(document.kind, case.category))
    if missing:
        raise InvalidFields({name: InvalidInput(N_("The %(document)s needs this: fill it in."),
                                                document=document.label) for name in missing})


def check_compliance_days(days: int | None, ctx: LifecycleContext) -> None:
    """A decision may give more time to comply than the law's period, not less (Luật XLVPHC Điều 73 k1)."""
    least = ctx.rules["compliance"].amount
    if days is not None and days < least:
        raise InvalidFields({"compliance_days": InvalidInput(
            N_("The compliance period is at least %(n)s days (%(citation)s); leave it empty for %(n)s days."),
            n=least, citation=ctx.rules["compliance"].citation)})


def check_facts_for_approval(case: Violation, action: workflow.Action) -> None:
    """The facts the decision needs are still on the case when the chairman signs (an edit may have
    emptied one since the proposal)."""
    document = action.document
    if document is None:
        return
    missing = case_facts.missing_facts(case, {}, case_facts.needed_facts(document.kind, case.category))
    if missing:
        raise InvalidInput(N_("The %(document)s needs facts the case does not have: %(facts)s. The officer in charge "
                              "completes them first (“Complete or correct the case's facts”)."),
                           document=document.label, facts=tuple(case_facts.FACTS[name].label for name in missing))


def check_in_order(session: Session, case: Violation, action: workflow.Action, document_date: date | None,
                   today: date) -> None:
    """A step's document is not dated before the documents of the steps it follows (workflow `after`: no
    delivery before its decision, no decision before its record)."""
    if document_date is None or not action.after:
        return
    earlier = [e for e in facts_of(session, case, today).applied
               if e.action in action.after and e.document_date and e.document_date > document_date]
    if earlier:
        last = max(earlier, key=lambda e: e.document_date)
        raise InvalidFields({"document_date": InvalidInput(
            N_("This document cannot be dated before entry #%(seq)s (%(document)s, %(date)s), which it follows: "
               "check the date."),
            seq=last.seq, document=last.document_number or "–", date=last.document_date.strftime("%d/%m/%Y"))})


def check_within_limitation(case: Violation, record_date: date, ctx: LifecycleContext) -> None:
    """A record dated more than the limitation period before the case was detected is a wrong date."""
    rule = ctx.rules[clocks.LIMITATION]
    detected = local_date(case.detected_at)
    if last_day(rule, record_date, ctx.calendar) < detected:
        raise InvalidFields({"document_date": InvalidInput(
            N_("This record is dated more than the limitation period (%(citation)s) before the case was detected "
               "(%(detected)s): check the date."), citation=rule.citation, detected=detected.strftime("%d/%m/%Y"))})


def check_new_officer(session: Session, case: Violation, officer_id: int | None) -> None:
    """The case goes to another active inspector."""
    officer = session.get(User, officer_id)
    if officer is None or not officer.active or officer.role != INSPECTOR:
        raise InvalidFields({"officer_id": InvalidInput(N_("Choose an active inspector."))})
    if officer.id == case.officer_id:
        raise InvalidFields({"officer_id": InvalidInput(N_("This inspector is already in charge of the case."))})


def check_later(clock: clocks.Clock, target: date | None) -> None:
    """A new deadline is later than the clock's current one."""
    if target is None or target <= clock.due:
        raise InvalidFields({"new_due_date": InvalidInput(N_("The new deadline must be later than the current one (%(due)s)."),
                                                          due=clock.due.strftime("%d/%m/%Y"))})
