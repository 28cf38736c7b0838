"""Changing a case: every change is a new event, checked against the workflow table,
chained by hash to the one before, and refused whole when anything is wrong.

The caller commits. Two people acting on the same case at once: the one who saw an older
version of the case gets a Conflict naming who changed it and when; nothing is overwritten.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ...models import CaseEvent, User, Violation
from ...models.types import utcnow
from ..accounts.roles import INSPECTOR
from ..errors import N_, Conflict, Forbidden, InvalidFields, InvalidInput, NotFound
from ..field.field_reports import FieldRules, check_position
from ..field.photos import add_photo, prepare_photos
from ..geo import spatial
from ..inputs import FieldReader
from ..ward_time import VIETNAM_OFFSET, local_date
from . import case_facts, clocks, register, signing, workflow
from .deadlines import due_date, last_day
from .preconditions import facts_of, first_missing
from .proposals import pending_proposals  # noqa: F401 (also used by callers as case_actions.pending_proposals)
from .stages import CLOSED, STAGE_LABELS

GENESIS = "0" * 64


@dataclass(frozen=True)
class LifecycleContext:
    """What deadlines need: the rule table, the ward's working calendar, and today (local)."""

    rules: dict
    calendar: object
    today: date
    photo_rules: object = None
    fine_caps: dict | None = None   # {role: signing.FineCap}; None: signing.DEFAULT_FINE_CAPS

    def caps(self):
        """The fine caps per role in force."""
        return self.fine_caps if self.fine_caps is not None else signing.DEFAULT_FINE_CAPS


@dataclass
class ActionInput:
    """An action on a case as read from the form."""

    action: workflow.Action
    mode: str
    expected_version: int
    document_number: str = ""
    document_date: date | None = None
    fine_vnd: int | None = None
    remedy: str = ""
    compliance_days: int | None = None
    outcome: str = ""
    extension_kind: str = ""
    new_due_date: date | None = None
    corrects_event_id: int | None = None
    officer_id: int | None = None
    lon: float | None = None
    lat: float | None = None
    confirm_outside: bool = False
    facts: dict = field(default_factory=dict)   # case facts given with the action (case_facts.py)
    confirmed: frozenset = frozenset()           # warnings the signer ticked (signing.CONFIRMABLE)
    note: str = ""
    photos: list = field(default_factory=list)


def read_action_input(data, photos, today):
    """Parse an action form; raises InvalidFields naming every problem, including forged fields."""
    reader = FieldReader(data)
    if "stage" in data or "to_stage" in data:
        reader.error("action", N_("The stage cannot be set directly: choose one of the actions offered."))
    key = reader.choice("action", tuple(workflow.ACTIONS), required=True)
    mode = reader.choice("mode", ("record", "propose"), required=True)
    expected_version = reader.number("version", 1, 2**31 - 1, required=True, integer=True)
    reader.finish()
    action = workflow.ACTIONS[key]
    inp = ActionInput(action=action, mode=mode, expected_version=expected_version, photos=photos)
    if action.document and action.document.numbered_by_register:
        if mode == "record":
            # Signed now: numbered by the register and dated today, unless the chairman records a decision
            # already signed on paper (its number, checked against the register, and its date).
            inp.document_number = reader.text("document_number", 60)
            inp.document_date = reader.day("document_date") or today
        else:
            for name in ("document_number", "document_date"):
                if (data.get(name) or "").strip():
                    reader.error(name, N_("A decision is numbered and dated when the chairman signs it, not in the "
                                          "proposal."))
    elif action.document:
        inp.document_number = reader.text("document_number", 60, required=action.document.number_required)
        inp.document_date = reader.day("document_date", required=True)
    if inp.document_date and inp.document_date > today:
        reader.error("document_date", N_("A document date cannot be in the future."))
    if action.fine:
        inp.fine_vnd = reader.number("fine_vnd", 0, signing.MAX_FINE_VND, required=True, integer=True)
        inp.confirmed = signing.read_confirmations(data)
        inp.remedy = reader.text("remedy", 1000, required=True, multiline=True)
    if action.compliance_days:
        inp.compliance_days = reader.number("compliance_days", 1, 365, integer=True)
    if action.outcome:
        inp.outcome = reader.choice("outcome", tuple(workflow.OUTCOMES), required=True) or ""
    if action.extension:
        inp.extension_kind = reader.choice("extension_kind", tuple(workflow.EXTENSION_KINDS), required=True) or ""
        inp.new_due_date = reader.day("new_due_date", required=inp.extension_kind == "other")
        if inp.extension_kind == "superior_approval":  # the superior's written approval
            inp.document_number = reader.text("document_number", 60, required=True)
            inp.document_date = reader.day("document_date", required=True)
            if inp.document_date and inp.document_date > today:
                reader.error("document_date", N_("A document date cannot be in the future."))
    if action.corrects:
        inp.corrects_event_id = reader.number("corrects_event_id", 1, 2**31 - 1, required=True, integer=True)
    if action.reassigns:
        inp.officer_id = reader.number("officer_id", 1, 2**31 - 1, required=True, integer=True)
    if action.places_position:
        inp.lon, inp.lat = _placed_position(reader)
        inp.confirm_outside = reader.flag("confirm_outside")
    if action.edits_facts:
        inp.facts = case_facts.read_facts(reader, case_facts.FACTS, today)
    elif action.document:
        inp.facts = case_facts.read_facts(reader, case_facts.form_facts(action.document.kind), today)
    inp.note = reader.text("note", 4000, required=action.note_required, multiline=True)
    reader.finish()
    return inp


def _placed_position(reader):
    lon, lat = reader.position("lon", "lat", required=False)
    if lon is None and "lon" not in reader.errors and "lat" not in reader.errors:
        reader.error("lon", N_("Place the pin on the building on the map, or use the phone's GPS position."))
    if lon is None:
        return None, None
    # A tenth of a micro-degree (about 1 cm) is more than any phone or map gives.
    return round(lon, 7), round(lat, 7)


def load_case_for_change(session, violation_id):
    """The case, locked for this transaction where the database can (PostgreSQL row lock)."""
    violation = session.get(Violation, violation_id, with_for_update=True)
    if violation is None:
        raise NotFound(N_("This case does not exist."))
    return violation


def _check_version(case, expected_version, session):
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


def in_charge(case, user):
    """The user may take legal steps on the case: its officer in charge, or any non-inspector role
    the workflow table lets act (chairman, admin)."""
    return user.role != INSPECTOR or case.officer_id == user.id


def is_observation(session, action, user, corrects_event_id=None):
    """An entry any inspector may add to any case: a site check, or a correction of their own entry."""
    if action.observation:
        return True
    if action.corrects and corrects_event_id is not None:
        target = session.get(CaseEvent, corrects_event_id)
        return target is not None and target.actor_id == user.id and workflow.ACTIONS[target.action].observation
    return False


def available_actions(session, case, user, today):
    """[(action, mode)] the user may take on this case now (role, stage, officer in charge, preconditions)."""
    facts = facts_of(session, case, today)
    offered = [(action, mode) for action, mode in workflow.available_actions(case.stage, user.role)
               if first_missing(action, facts) is None]
    if in_charge(case, user):
        return offered
    own = bool(correctable_entries(facts.entries, case, user))
    return [(action, mode) for action, mode in offered if action.observation or (action.corrects and own)]


def correctable_entries(entries, case, user):
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


def take_action(session, case, user, inp, ctx, files, now=None):
    """Record an action (it takes effect) or a proposal (it waits for approval); returns the event."""
    _check_version(case, inp.expected_version, session)
    if inp.action.corrects:
        target = session.get(CaseEvent, inp.corrects_event_id)
        if target is None or target.violation_id != case.id:
            raise InvalidFields({"corrects_event_id": InvalidInput(N_("Choose an entry of this case."))})
    _check_allowed(session, case, inp.action, user, inp.mode, ctx.today, inp.corrects_event_id)
    if inp.mode == "propose" and pending_proposals(session, case):
        raise Conflict(N_("This case already has a proposal waiting for the chairman."))
    if inp.action.reassigns:
        _check_new_officer(session, case, inp.officer_id)
    if inp.action.key in ("record_violation", "record_continuation") and inp.document_date:
        _check_within_limitation(case, inp.document_date, ctx)
    _check_in_order(session, case, inp.action, inp.document_date, ctx.today)
    _check_compliance_days(inp.compliance_days, ctx)
    if inp.action.places_position:
        rules = ctx.photo_rules or FieldRules()
        outside = check_position(session, inp.lon, inp.lat, inp.confirm_outside, rules.outside_ward_max_m)
    _check_facts(case, inp)
    extension_target = None
    if inp.action.extension:
        extension_target = _extension_target(session, case, ctx, inp.extension_kind, inp.new_due_date)
    if ctx.photo_rules is not None:
        inp.photos = prepare_photos(inp.photos, ctx.photo_rules.max_photo_bytes, ctx.photo_rules.max_photo_pixels,
                                    ctx.photo_rules.max_photos)
    kind = "action" if inp.mode == "record" else "proposal"
    if kind == "action" and inp.action.fine:
        facts = facts_of(session, case, ctx.today)
        signing.check_within_limitation(inp.action, inp.document_date, facts, ctx.rules[clocks.LIMITATION].citation,
                                        inp.confirmed, inp.note)
        signing.check_competence(inp.action, inp.fine_vnd, user.role, ctx.caps(), facts, inp.confirmed)
    spec = inp.action.document
    if kind == "action" and spec and inp.document_number:
        register.check_free(session, spec.kind, inp.document_number, inp.document_date)
    event = _new_event(session, case, user, inp.action.key, kind, now)
    _copy_input(event, inp)
    if kind == "action" and inp.action.fine:
        event.signing_warnings = signing.warnings(inp.action, inp.fine_vnd, inp.document_date, user.role,
                                                  ctx.caps(), facts, ctx.rules[clocks.LIMITATION].citation)
    # Facts the form gave are the case's facts from now on, also with a proposal (they are not the
    # chairman's to decide); the entry keeps old and new values.
    event.changes = case_facts.changes_json(case_facts.apply_facts(case, inp.facts))
    if kind == "action":
        _register(session, spec, event, case, user)
        _apply(session, case, inp.action, event, ctx, extension_target)
        if inp.action.places_position:
            case.outside_ward = outside
    elif extension_target is not None:
        # The proposal carries the deadline it asks for, with its basis, for the chairman to see.
        event.due_date, event.due_rule, event.due_citation = extension_target
    if inp.action.corrects:
        event.answers_event_id = inp.corrects_event_id
    _attach_photos(session, case, event, user, inp.photos, ctx, files)
    _seal(session, case, event)
    return event


def decide(session, case, user, proposal_id, approve, expected_version, ctx, note="", now=None, signed=None):
    """The chairman approves (the action takes effect) or rejects (a reason is needed) a proposal."""
    _check_version(case, expected_version, session)
    proposal = session.get(CaseEvent, proposal_id)
    if proposal is None or proposal.violation_id != case.id or proposal.kind != "proposal":
        raise NotFound(N_("This proposal does not exist."))
    if proposal not in pending_proposals(session, case):
        raise Conflict(N_("This proposal has already been decided."))
    action = workflow.ACTIONS[proposal.action]
    if not workflow.can_approve(action, user.role):
        raise Forbidden(N_("Only the chairman may decide on “%(action)s”."), action=action.label)
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidFields({"note": InvalidInput(N_("Give the reason for rejecting the proposal."))})
    if approve and case.stage not in action.from_stages:
        raise InvalidInput(
            N_("“%(action)s” is no longer possible at this stage (%(stage)s); reject the proposal instead."),
            action=action.label, stage=STAGE_LABELS[case.stage],
        )
    if approve and action.document:
        _check_facts_for_approval(case, action)
    missing = first_missing(action, facts_of(session, case, ctx.today)) if approve else None
    if missing:
        raise InvalidInput(N_("“%(action)s” is not possible now: %(missing)s Reject the proposal instead."),
                           action=action.label, missing=missing)
    event = _new_event(session, case, user, action.key, "approval" if approve else "rejection", now)
    event.answers_event_id = proposal.id
    event.note = note[:4000]
    if approve:
        for name in ("document_kind", "document_number", "document_date", "fine_vnd", "remedy", "compliance_days",
                     "outcome", "officer_id"):
            setattr(event, name, getattr(proposal, name))
        signing.apply_signing(event, action, signed or signing.Signing(), ctx.today)
        _check_compliance_days(event.compliance_days, ctx)
        _check_in_order(session, case, action, event.document_date, ctx.today)
        facts = facts_of(session, case, ctx.today)
        confirmed = (signed or signing.Signing()).confirmed
        signing.check_within_limitation(action, event.document_date, facts, ctx.rules[clocks.LIMITATION].citation,
                                        confirmed, note)
        signing.check_competence(action, event.fine_vnd, user.role, ctx.caps(), facts, confirmed)
        # Shown to the chairman once signed (not stored: the entry's own dates say it).
        event.signing_warnings = signing.warnings(action, event.fine_vnd, event.document_date, user.role,
                                                  ctx.caps(), facts, ctx.rules[clocks.LIMITATION].citation)
        spec = action.document
        if spec and not spec.numbered_by_register and event.document_number:
            register.check_free(session, spec.kind, event.document_number, event.document_date)
        _register(session, spec, event, case, user)
        extension_target = (proposal.due_date, proposal.due_rule, proposal.due_citation) if action.extension else None
        _apply(session, case, action, event, ctx, extension_target)
    _seal(session, case, event)
    return event


def proposal_warnings(session, case, proposal, user, ctx):
    """What the chairman is warned of before signing this proposal today (signing.warnings)."""
    action = workflow.ACTIONS[proposal.action]
    return signing.warnings(action, proposal.fine_vnd, ctx.today, user.role, ctx.caps(),
                            facts_of(session, case, ctx.today), ctx.rules[clocks.LIMITATION].citation)


def record_warnings(session, case, action, user, ctx):
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


def _new_event(session, case, user, action_key, kind, now):
    last = session.execute(
        select(CaseEvent.seq, CaseEvent.content_hash).where(CaseEvent.violation_id == case.id)
        .order_by(CaseEvent.seq.desc()).limit(1)
    ).first()
    return CaseEvent(
        violation_id=case.id, seq=(last.seq if last else 0) + 1, kind=kind, action=action_key, actor_id=user.id,
        recorded_at=now or utcnow(), stage_before=case.stage, stage_after=case.stage,
        document_kind="", document_number="", remedy="", outcome="", due_rule="", due_citation="", note="", changes="",
        prev_hash=last.content_hash if last else GENESIS, content_hash="",  # sealed by _seal()
    )


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


def _check_facts(case, inp):
    """The facts the action's document needs are on the case or in the form; a change of facts changes
    something."""
    if inp.action.edits_facts:
        changes = case_facts.changed(case, inp.facts)
        if not changes:
            raise InvalidInput(N_("Nothing was changed: change a value, or go back to the case."))
        issued = [e for e in case.events if e.kind in clocks.APPLIED and e.document_kind in case_facts.NEEDED_BY_DOCUMENT]
        if issued and not inp.note and any(c["fact"] in case_facts.NAMED_IN_DOCUMENTS for c in changes):
            # The documents already issued still say the old value: the change needs its basis (a correcting
            # decision, NĐ 118/2021 Điều 13, or how the mistake was found).
            raise InvalidFields({"note": InvalidInput(
                N_("%(document)s %(number)s already names the owner and the works: say in the note why this changes "
                   "(e.g. the correcting decision's number)."),
                document=workflow.ACTIONS[issued[-1].action].document.label, number=issued[-1].document_number or "")})
        return
    document = inp.action.document
    if document is None:
        return
    missing = case_facts.missing_facts(case, inp.facts, case_facts.needed_facts(document.kind, case.category))
    if missing:
        raise InvalidFields({name: InvalidInput(N_("The %(document)s needs this: fill it in."),
                                                document=document.label) for name in missing})


def _check_compliance_days(days, ctx):
    """A decision may give more time to comply than the law's period, not less (Luật XLVPHC Điều 73 k1)."""
    least = ctx.rules["compliance"].amount
    if days is not None and days < least:
        raise InvalidFields({"compliance_days": InvalidInput(
            N_("The compliance period is at least %(n)s days (%(citation)s); leave it empty for %(n)s days."),
            n=least, citation=ctx.rules["compliance"].citation)})


def _check_facts_for_approval(case, action):
    """The facts the decision needs are still on the case when the chairman signs (an edit may have
    emptied one since the proposal)."""
    missing = case_facts.missing_facts(case, {}, case_facts.needed_facts(action.document.kind, case.category))
    if missing:
        raise InvalidInput(N_("The %(document)s needs facts the case does not have: %(facts)s. The officer in charge "
                              "completes them first (“Complete or correct the case's facts”)."),
                           document=action.document.label, facts=tuple(case_facts.FACTS[name].label for name in missing))


def _check_in_order(session, case, action, document_date, today):
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


def _check_within_limitation(case, record_date, ctx):
    """A record dated more than the limitation period before the case was detected is a wrong date."""
    rule = ctx.rules[clocks.LIMITATION]
    detected = local_date(case.detected_at)
    if last_day(rule, record_date, ctx.calendar) < detected:
        raise InvalidFields({"document_date": InvalidInput(
            N_("This record is dated more than the limitation period (%(citation)s) before the case was detected "
               "(%(detected)s): check the date."), citation=rule.citation, detected=detected.strftime("%d/%m/%Y"))})


def _check_new_officer(session, case, officer_id):
    officer = session.get(User, officer_id)
    if officer is None or not officer.active or officer.role != INSPECTOR:
        raise InvalidFields({"officer_id": InvalidInput(N_("Choose an active inspector."))})
    if officer.id == case.officer_id:
        raise InvalidFields({"officer_id": InvalidInput(N_("This inspector is already in charge of the case."))})


def _apply(session, case, action, event, ctx, extension_target=None):
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
        when, rule_key, citation = extension_target
        moved = next((c for c in facts_of(session, case, ctx.today).clocks
                      if c.is_open and c.key == clocks.CLOCK_OF_RULE.get(rule_key, rule_key)), None)
        if moved is None:
            raise InvalidInput(N_("This case has no deadline to extend."))
        _check_later(moved, when)  # the deadline may have moved since the proposal
        event.clock_rule, event.clock_due, event.clock_citation = rule_key, when, citation or _extended_citation(event)
    if action.reassigns:
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
            CaseEvent.kind.in_(("action", "approval")),
        ).order_by(CaseEvent.seq.desc()).limit(1)
    )
    return decision.compliance_days if decision is not None else None


def _extension_target(session, case, ctx, kind, new_date):
    """(new due date, rule key, citation) an extension of this kind asks for; raises when it cannot apply.

    The two extensions of Luật XLVPHC Điều 66 khoản 1 apply to the time to decide on the penalty and
    count from the record's date; "other" gives a new date to the nearest running deadline, with an
    empty citation that _apply replaces with the deciding entry ("gia hạn")."""
    facts = facts_of(session, case, ctx.today)
    if kind == "other":
        clock = clocks.nearest_history_clock(facts.clocks)
        if clock is None:
            raise InvalidInput(N_("This case has no deadline to extend."))
        _check_later(clock, new_date)
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
    _check_later(clock, target)
    return target, rule.key, rule.citation


def _check_later(clock, target):
    if target is None or target <= clock.due:
        raise InvalidFields({"new_due_date": InvalidInput(N_("The new deadline must be later than the current one (%(due)s)."),
                                                          due=clock.due.strftime("%d/%m/%Y"))})


def _extended_citation(event):
    """The basis of a deadline moved for another reason: the entry that decided it and its date."""
    return f"Gia hạn theo mục #{event.seq} ngày {local_date(event.recorded_at).strftime('%d/%m/%Y')}"


def _attach_photos(session, case, event, user, photos, ctx, files):
    rules = ctx.photo_rules
    for upload in photos:
        photo = add_photo(session, files, upload, user, rules.max_photo_bytes, rules.max_photo_pixels, violation=case)
        if photo.id is not None:
            # A photo already stored (its identifier sent again): attaching it here would move evidence
            # from its report, visit or earlier step, which rewrites history.
            raise Conflict(N_("This photo was already sent with another record."))
        photo.event = event


def _seal(session, case, event):
    """Hash the event (chained to the previous one by _new_event) and bump the case's version."""
    event.content_hash = event_hash(event, [p.sha256 for p in event.photos])
    session.add(event)
    case.last_event_at = event.recorded_at
    try:
        session.flush()
    except StaleDataError:
        # Another transaction changed the case between our read and our write.
        raise Conflict(N_("This case was changed by someone else at the same moment. Reload it and try again.")) from None


def event_content(event, photo_hashes):
    """The fields of an event that its hash covers, as canonical JSON."""
    content = {
        "case": event.violation_id, "seq": event.seq, "kind": event.kind, "action": event.action,
        "actor": event.actor_id, "at": event.recorded_at.isoformat(timespec="microseconds"),
        "stage": [event.stage_before, event.stage_after],
        "document": [event.document_kind, event.document_number, event.document_date.isoformat() if event.document_date else None],
        "fine": event.fine_vnd, "remedy": event.remedy, "compliance_days": event.compliance_days,
        "outcome": event.outcome,
        "due": [event.due_date.isoformat() if event.due_date else None, event.due_rule, event.due_citation],
        "answers": event.answers_event_id, "note": event.note, "photos": sorted(photo_hashes),
    }
    if event.officer_id is not None:  # only reassignments name one; older events hash as they always did
        content["officer"] = event.officer_id
    if event.lon is not None:  # likewise only placing a case gives a position
        content["position"] = [event.lon, event.lat]
    if event.changes:  # the facts a step completed or corrected (migration 0017)
        content["changes"] = json.loads(event.changes)
    if event.clock_rule:  # the clock an entry started or moved (entries before migration 0015 have none)
        content["clock"] = [event.clock_rule, event.clock_due.isoformat() if event.clock_due else None,
                            event.clock_citation]
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(event, photo_hashes):
    """SHA-256 of the previous event's hash and this event's content."""
    return hashlib.sha256((event.prev_hash + event_content(event, photo_hashes)).encode("utf-8")).hexdigest()
