"""Changing a case: every change is a new event, checked against the workflow table,
chained by hash to the one before, and refused whole when anything is wrong.

The caller commits. Two people acting on the same case at once: the one who saw an older
version of the case gets a Conflict naming who changed it and when; nothing is overwritten.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from ...models import CaseEvent, User, Violation
from ..accounts.roles import INSPECTOR
from ..errors import N_, Conflict, Forbidden, InvalidFields, InvalidInput, NotFound
from ..field.field_reports import FieldRules, check_position
from ..field.photos import PhotoFiles, prepare_photos
from . import case_facts, clocks, register, signing, workflow
from .action_checks import (
    check_compliance_days,
    check_facts,
    check_facts_for_approval,
    check_in_order,
    check_new_officer,
    check_version,
    check_within_limitation,
)
from .action_input import ActionInput, read_action_input  # noqa: F401 (callers: case_actions.read_action_input)
from .context import LifecycleContext
from .effects import apply_action, requested_extension
from .events import ACTION, APPROVAL, PROPOSAL, REJECTION
from .history import GENESIS, attach_photos, event_content, event_hash, new_event, seal  # noqa: F401 (the audit)
from .preconditions import facts_of, first_missing
from .proposals import pending_proposals  # noqa: F401 (also used by callers as case_actions.pending_proposals)
from .stages import CLOSED, STAGE_LABELS


def load_case_for_change(session: Session, violation_id: int) -> Violation:
    """The case, locked for this transaction where the database can (PostgreSQL row lock)."""
    violation = session.get(Violation, violation_id, with_for_update=True)
    if violation is None:
        raise NotFound(N_("This case does not exist."))
    return violation


def in_charge(case: Violation, user: User) -> bool:
    """The user may take legal steps on the case: its officer in charge, or any non-inspector role
    the workflow table lets act (chairman, admin)."""
    return user.role != INSPECTOR or case.officer_id == user.id


def is_observation(session: Session, action: workflow.Action, user: User, corrects_event_id: int | None = None) -> bool:
    """An entry any inspector may add to any case: a site check, or a correction of their own entry."""
    if action.observation:
        return True
    if action.corrects and corrects_event_id is not None:
        target = session.get(CaseEvent, corrects_event_id)
        return target is not None and target.actor_id == user.id and workflow.ACTIONS[target.action].observation
    return False


def available_actions(session: Session, case: Violation, user: User, today: date) -> list[tuple[workflow.Action, str]]:
    """[(action, mode)] the user may take on this case now (role, stage, officer in charge, preconditions)."""
    facts = facts_of(session, case, today)
    offered = [(action, mode) for action, mode in workflow.available_actions(case.stage, user.role)
               if first_missing(action, facts) is None]
    if in_charge(case, user):
        return offered
    own = bool(correctable_entries(facts.entries, case, user))
    return [(action, mode) for action, mode in offered if action.observation or (action.corrects and own)]


def correctable_entries(entries: Iterable[CaseEvent], case: Violation, user: User) -> list[CaseEvent]:
    """The history entries the user may correct: any, when in charge; else their own observations."""
    if in_charge(case, user):
        return list(entries)
    return [e for e in entries if e.actor_id == user.id and e.action in workflow.ACTIONS
            and workflow.ACTIONS[e.action].observation]


def _check_allowed(session, case, action, user, mode, today, corrects_event_id=None):
    role = user.role
    if not in_charge(case, user) and not is_observation(session, action, user, corrects_event_id):
        officer = case.officer
        raise Forbidden(
            N_("Only the officer in charge of this case (%(officer)s) or the chairman may record or propose "
               "“%(action)s”. You can add a site check or a follow-up visit."),
            officer=(officer.full_name or officer.username) if officer else "?", action=action.label,
        )
    if case.stage == CLOSED and CLOSED not in action.from_stages:
        raise InvalidInput(N_("This case is closed: only a correction can still be added."))
    if case.stage not in action.from_stages:
        raise InvalidInput(
            N_("“%(action)s” is not possible at this stage (%(stage)s)."), action=action.label,
            stage=STAGE_LABELS[case.stage],
        )
    missing = first_missing(action, facts_of(session, case, today))
    if missing:
        raise InvalidInput(N_("“%(action)s” is not possible yet: %(missing)s"), action=action.label, missing=missing)
    if mode == "record" and not workflow.can_record(action, role):
        if workflow.can_propose(action, role):
            raise Forbidden(N_("You may propose “%(action)s”; the chairman decides."), action=action.label)
        raise Forbidden(N_("Your role may not take the action “%(action)s”."), action=action.label)
    if mode == "propose" and not workflow.can_propose(action, role):
        raise Forbidden(N_("Your role may not propose “%(action)s”."), action=action.label)


def take_action(session: Session, case: Violation, user: User, inp: ActionInput, ctx: LifecycleContext,
                files: PhotoFiles, now: datetime | None = None) -> CaseEvent:
    """Record an action (it takes effect) or a proposal (it waits for approval); returns the event."""
    outside, extension_target = _check_action(session, case, user, inp, ctx)
    if ctx.photo_rules is not None:
        inp.photos = prepare_photos(inp.photos, ctx.photo_rules.max_photo_bytes, ctx.photo_rules.max_photo_pixels,
                                    ctx.photo_rules.max_photos)
    kind = ACTION if inp.mode == "record" else PROPOSAL
    if kind == ACTION and inp.action.fine:
        facts = facts_of(session, case, ctx.today)
        signing.check_within_limitation(inp.action, inp.document_date, facts, ctx.rules[clocks.LIMITATION].citation,
                                        inp.confirmed, inp.note)
        signing.check_competence(inp.action, inp.fine_vnd, user.role, ctx.caps(), facts, inp.confirmed)
    spec = inp.action.document
    if kind == ACTION and spec and inp.document_number:
        register.check_free(session, spec.kind, inp.document_number, inp.document_date)
    event = new_event(session, case, user, inp.action.key, kind, now)
    _copy_input(event, inp)
    if kind == ACTION and inp.action.fine:
        event.signing_warnings = signing.warnings(inp.action, inp.fine_vnd, inp.document_date, user.role,
                                                  ctx.caps(), facts, ctx.rules[clocks.LIMITATION].citation)
    # Facts the form gave are the case's facts from now on, also with a proposal (they are not the
    # chairman's to decide); the entry keeps old and new values.
    event.changes = case_facts.changes_json(case_facts.apply_facts(case, inp.facts))
    if kind == ACTION:
        _register(session, spec, event, case, user)
        apply_action(session, case, inp.action, event, ctx, extension_target)
        if inp.action.places_position:
            case.outside_ward = outside
    elif extension_target is not None:
        # The proposal carries the deadline it asks for, with its basis, for the chairman to see.
        event.due_date, event.due_rule, event.due_citation = extension_target
    if inp.action.corrects:
        event.answers_event_id = inp.corrects_event_id
    attach_photos(session, case, event, user, inp.photos, ctx, files)
    seal(session, case, event)
    return event


def _check_action(session: Session, case: Violation, user: User, inp: ActionInput,
                  ctx: LifecycleContext) -> tuple[bool, tuple[date | None, str, str] | None]:
    """Everything an action must pass before it is written; returns (outside the ward, the extension asked)."""
    check_version(case, inp.expected_version, session)
    if inp.action.corrects:
        target = session.get(CaseEvent, inp.corrects_event_id)
        if target is None or target.violation_id != case.id:
            raise InvalidFields({"corrects_event_id": InvalidInput(N_("Choose an entry of this case."))})
    _check_allowed(session, case, inp.action, user, inp.mode, ctx.today, inp.corrects_event_id)
    if inp.mode == "propose" and pending_proposals(session, case):
        raise Conflict(N_("This case already has a proposal waiting for the chairman."))
    if inp.action.reassigns:
        check_new_officer(session, case, inp.officer_id)
    if inp.action.key in ("record_violation", "record_continuation") and inp.document_date:
        check_within_limitation(case, inp.document_date, ctx)
    check_in_order(session, case, inp.action, inp.document_date, ctx.today)
    check_compliance_days(inp.compliance_days, ctx)
    outside = False
    if inp.action.places_position:
        rules = ctx.photo_rules or FieldRules()
        assert inp.lon is not None and inp.lat is not None  # read_action_input refuses a placing without both
        outside = check_position(session, inp.lon, inp.lat, inp.confirm_outside, rules.outside_ward_max_m)
    check_facts(case, inp)
    extension_target = None
    if inp.action.extension:
        extension_target = requested_extension(session, case, ctx, inp.extension_kind, inp.new_due_date)
    return outside, extension_target


def decide(session: Session, case: Violation, user: User, proposal_id: int, approve: bool, expected_version: int,
           ctx: LifecycleContext, note: str = "", now: datetime | None = None,
           signed: signing.Signing | None = None) -> CaseEvent:
    """The chairman approves (the action takes effect) or rejects (a reason is needed) a proposal."""
    check_version(case, expected_version, session)
    note = (note or "").strip()
    proposal, action = _proposal_to_decide(session, case, user, proposal_id, approve, note, ctx)
    event = new_event(session, case, user, action.key, APPROVAL if approve else REJECTION, now)
    event.answers_event_id = proposal.id
    event.note = note[:4000]
    if approve:
        _approve(session, case, user, proposal, action, event, ctx, note, signed or signing.Signing())
    seal(session, case, event)
    return event


def _proposal_to_decide(session: Session, case: Violation, user: User, proposal_id: int, approve: bool, note: str,
                        ctx: LifecycleContext) -> tuple[CaseEvent, workflow.Action]:
    """The waiting proposal and its action, once the user may decide it now; raises otherwise."""
    proposal = session.get(CaseEvent, proposal_id)
    if proposal is None or proposal.violation_id != case.id or proposal.kind != PROPOSAL:
        raise NotFound(N_("This proposal does not exist."))
    if proposal not in pending_proposals(session, case):
        raise Conflict(N_("This proposal has already been decided."))
    action = workflow.ACTIONS[proposal.action]
    if not workflow.can_approve(action, user.role):
        raise Forbidden(N_("Only the chairman may decide on “%(action)s”."), action=action.label)
    if not approve and not note:
        raise InvalidFields({"note": InvalidInput(N_("Give the reason for rejecting the proposal."))})
    if approve and case.stage not in action.from_stages:
        raise InvalidInput(
            N_("“%(action)s” is no longer possible at this stage (%(stage)s); reject the proposal instead."),
            action=action.label, stage=STAGE_LABELS[case.stage],
        )
    if approve and action.document:
        check_facts_for_approval(case, action)
    missing = first_missing(action, facts_of(session, case, ctx.today)) if approve else None
    if missing:
        raise InvalidInput(N_("“%(action)s” is not possible now: %(missing)s Reject the proposal instead."),
                           action=action.label, missing=missing)
    return proposal, action


def _approve(session: Session, case: Violation, user: User, proposal: CaseEvent, action: workflow.Action,
             event: CaseEvent, ctx: LifecycleContext, note: str, signed: signing.Signing) -> None:
    """The approval takes the proposal's content, the chairman's signing, its checks and its effects."""
    for name in ("document_kind", "document_number", "document_date", "fine_vnd", "remedy", "compliance_days",
                 "outcome", "officer_id"):
        setattr(event, name, getattr(proposal, name))
    signing.apply_signing(event, action, signed, ctx.today)
    check_compliance_days(event.compliance_days, ctx)
    check_in_order(session, case, action, event.document_date, ctx.today)
    facts = facts_of(session, case, ctx.today)
    signing.check_within_limitation(action, event.document_date, facts, ctx.rules[clocks.LIMITATION].citation,
                                    signed.confirmed, note)
    signing.check_competence(action, event.fine_vnd, user.role, ctx.caps(), facts, signed.confirmed)
    # Shown to the chairman once signed (not stored: the entry's own dates say it).
    event.signing_warnings = signing.warnings(action, event.fine_vnd, event.document_date, user.role,
                                              ctx.caps(), facts, ctx.rules[clocks.LIMITATION].citation)
    spec = action.document
    if spec and not spec.numbered_by_register and event.document_number:
        register.check_free(session, spec.kind, event.document_number, event.document_date)
    _register(session, spec, event, case, user)
    extension_target = None
    if action.extension:
        extension_target = (proposal.due_date, proposal.due_rule, proposal.due_citation)
    apply_action(session, case, action, event, ctx, extension_target)


def proposal_warnings(session: Session, case: Violation, proposal: CaseEvent, user: User,
                      ctx: LifecycleContext) -> Sequence[signing.Warning]:
    """What the chairman is warned of before signing this proposal today (signing.warnings)."""
    action = workflow.ACTIONS[proposal.action]
    return signing.warnings(action, proposal.fine_vnd, ctx.today, user.role, ctx.caps(),
                            facts_of(session, case, ctx.today), ctx.rules[clocks.LIMITATION].citation)


def record_warnings(session: Session, case: Violation, action: workflow.Action, user: User,
                    ctx: LifecycleContext) -> Sequence[signing.Warning]:
    """What the signer of a decision recorded directly is warned of before he saves it (today's date;
    the fine is not known yet, so not the cap)."""
    return signing.warnings(action, None, ctx.today, user.role, ctx.caps(), facts_of(session, case, ctx.today),
                            ctx.rules[clocks.LIMITATION].citation)


def _register(session, spec, event, case, user):
    """A document taking effect goes into the ward's register: numbered there (decisions) or as written."""
    if spec is None or not spec.registered:
        return
    if event.document_number:
        register.enter(session, spec.kind, event, case, user)
    elif spec.numbered_by_register:
        register.sign(session, spec, event, case, user)


def _copy_input(event, inp):
    if inp.action.document:
        event.document_kind = inp.action.document.kind
        event.document_number = inp.document_number
        event.document_date = inp.document_date
    elif inp.extension_kind == "superior_approval":
        event.document_kind, event.document_number, event.document_date = "superior_approval", inp.document_number, inp.document_date
    event.fine_vnd = inp.fine_vnd
    event.remedy = inp.remedy
    event.compliance_days = inp.compliance_days
    event.outcome = inp.outcome
    event.officer_id = inp.officer_id
    event.lon, event.lat = inp.lon, inp.lat
    event.note = inp.note
