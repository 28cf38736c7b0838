"""THE table of case actions: from which stages, to which stage, who records, who proposes,
who approves, which document, which clock it starts and which it ends, and what must already have
happened (preconditions). Nothing else in the code decides these.

Roles in `record` make the action take effect at once; roles in `propose` create a proposal
that takes effect only when a role in `approve` approves it. An inspector takes a legal step only
on a case in their charge (case_actions.in_charge); an `observation` any inspector may add.
"""
from dataclasses import dataclass

from ..accounts.roles import ADMIN, CHAIRMAN, INSPECTOR
from ..errors import N_
from .stages import CLOSED, DETECTED, ENFORCEMENT, OPEN_STAGES, STOP_WORK, WARNING


@dataclass(frozen=True)
class DocumentSpec:
    """The legal document an action records."""

    kind: str
    label: str
    number_required: bool = True
    symbol: str = ""                   # the register's symbol (QĐ-XPHC) for documents it numbers
    numbered_by_register: bool = False  # numbered and dated when the chairman signs, not written in the field
    registered: bool = True            # kept in the ward's register (not a document another authority issued)


@dataclass(frozen=True)
class Action:
    """One step of the legal process."""

    key: str
    label: str
    from_stages: tuple
    to_stage: str | None = None          # None: the stage does not change
    taken_by: tuple = ()                    # roles that take the step themselves (the stored mode "record")
    proposed_by: tuple = ()                 # roles that propose it for approval
    approved_by: tuple = ()                 # roles that approve (sign) a proposal of it
    document: DocumentSpec | None = None
    fine: bool = False                      # the decision states a fine and a remedial measure
    compliance_days: bool = False           # the decision may set its own compliance period
    outcome: bool = False                   # closing: one of OUTCOMES
    extension: bool = False                 # moves the deadline; a reason is required
    corrects: bool = False                  # points at an earlier event it corrects
    note_required: bool = False
    deadline: str | None = None          # rule key of the clock this action starts (from the document date)
    counted_from: tuple = ()                # ...or from the document date of the latest of these earlier actions
    closes: tuple = ()                      # clocks (clocks.py keys) this action ends
    requires: tuple = ()                    # preconditions (preconditions.py keys), besides the stage
    observation: bool = False               # any inspector of the ward may add it, on any case
    reassigns: bool = False                 # gives the case to another officer (officer_id)
    places_position: bool = False           # gives a position to a case reported with it unknown (lon, lat)
    edits_facts: bool = False               # completes or corrects the case's facts (case_facts.py)
    after: tuple = ()                       # its document is not dated before the latest of these steps' documents


SITE_CHECK = "site_check"  # an observation on site
ENFORCEMENT_RECORD = "enforcement_record"  # the record of enforcement carried out (monthly report's count)
# Steps taken at the works themselves (a record is drawn up on site; enforcement and placing a position
# happen there): each counts as a visit for "nobody has been on site since".
ON_SITE_STEPS = (SITE_CHECK, "record_violation", "record_continuation", ENFORCEMENT_RECORD, "place_position")
REASSIGN = "reassign"      # the case given to another officer: their news
CORRECTION = "correction"  # an entry that corrects an earlier one (answers_event_id)
# The penalty decision the ward signs, and the one the competent person signs after a referral.
PENALTY_DECISIONS = ("penalty_decision", "competent_decision")
EVERY_CLOCK = ("penalty_decision", "decision_delivery", "compliance", "permit_window", "self_demolition",
               "enforcement_delivery", "limitation")


OUTCOMES = {
    "self_corrected": N_("Self-corrected"),
    "demolished": N_("Demolished"),
    "permit_obtained": N_("Permit obtained"),
    "dismissed": N_("No violation (dismissed)"),
}
# Luật XLVPHC Điều 66 khoản 1, all counted from the record's date; anything else is "other": a new
# date with its reason, which only the chairman decides (a proposal when the inspector asks).
EXTENSION_KINDS = {
    "complex_or_explanation": N_("Complex case, or the violator asked to explain: 1 month from the record"),
    "superior_approval": N_("Very serious and complex case with an explanation: 1 more month, approved in writing "
                            "by the direct superior"),
    "other": N_("Another change of the deadline (a new date and the reason)"),
}

ACTIVE = OPEN_STAGES
EVERY_STAGE = OPEN_STAGES + (CLOSED,)
FIELD = (INSPECTOR,)
SIGNER = (CHAIRMAN,)

ACTIONS = {
    action.key: action for action in (
        Action("record_violation", N_("Record of violation (BB VPHC) with the demand to stop work"),
               from_stages=(DETECTED,), to_stage=WARNING, taken_by=FIELD + SIGNER,
               document=DocumentSpec("bb_vphc", N_("Record of administrative violation (BB VPHC)")),
               deadline="penalty_decision"),
        Action(SITE_CHECK, N_("Site check"), from_stages=ACTIVE, taken_by=FIELD + SIGNER, note_required=True,
               observation=True),
        Action("start_stop_work", N_("Supervised stoppage of works"), from_stages=(WARNING,), to_stage=STOP_WORK,
               taken_by=FIELD + SIGNER,
               document=DocumentSpec("stop_work_notice", N_("Stop-work notice"), number_required=False),
               after=("record_violation",)),
        Action("record_continuation", N_("Works continued after the record (new offence)"),
               from_stages=(WARNING, STOP_WORK, ENFORCEMENT), taken_by=FIELD + SIGNER,
               document=DocumentSpec("bb_continuation", N_("Record of continued works (BB VPHC)")),
               after=("record_violation",)),
        Action("penalty_decision", N_("Penalty decision (QĐ xử phạt VPHC)"), from_stages=(WARNING, STOP_WORK),
               to_stage=ENFORCEMENT, taken_by=SIGNER, proposed_by=FIELD, approved_by=SIGNER,
               document=DocumentSpec("qd_xu_phat", N_("Penalty decision (QĐ xử phạt VPHC)"), symbol="QĐ-XPHC",
                                     numbered_by_register=True),
               fine=True, compliance_days=True, deadline="decision_delivery", closes=("penalty_decision", "limitation"),
               requires=("not_referred",), after=("record_violation", "record_continuation")),
        # A fine beyond the chairman's competence (signing.py): the file goes to the person competent to
        # fine; the ward then records the decision that person signs, with its own number and date.
        Action("refer_to_competent_level", N_("Refer the file to the person competent to fine"),
               from_stages=(WARNING, STOP_WORK), taken_by=SIGNER,
               document=DocumentSpec("referral", N_("Letter referring the case file to the person competent to fine")),
               closes=("penalty_decision",), note_required=True, requires=("not_referred",),
               after=("record_violation", "record_continuation")),
        Action("competent_decision", N_("Penalty decision of the competent person (received)"),
               from_stages=(WARNING, STOP_WORK), to_stage=ENFORCEMENT, taken_by=FIELD + SIGNER,
               document=DocumentSpec("qd_xu_phat_cap_tren", N_("Penalty decision of the competent person"),
                                     registered=False),
               fine=True, compliance_days=True, deadline="decision_delivery", closes=("limitation",),
               requires=("referred",), after=("refer_to_competent_level",)),
        Action("deliver_decision", N_("Penalty decision delivered to the violator"), from_stages=(ENFORCEMENT,),
               taken_by=FIELD + SIGNER, document=DocumentSpec("delivery", N_("Record of delivery"), number_required=False),
               deadline="compliance", closes=("decision_delivery",), requires=("decision_to_deliver",),
               after=PENALTY_DECISIONS),
        # To confirm (NĐ 16/2022 Điều 81): counted from the penalty decision's date; only for works
        # that could be permitted (categories.py permit_possible).
        Action("permit_window", N_("Article 81 route: time to obtain a permit"), from_stages=(ENFORCEMENT,),
               taken_by=SIGNER, proposed_by=FIELD, approved_by=SIGNER, deadline="permit_window", counted_from=PENALTY_DECISIONS,
               requires=("permit_possible", "no_permit_window_yet")),
        Action("self_demolition_notice", N_("Notice to demolish by oneself"), from_stages=(ENFORCEMENT,),
               taken_by=SIGNER, proposed_by=FIELD, approved_by=SIGNER,
               document=DocumentSpec("self_demolition_notice", N_("Notice to demolish by oneself")),
               deadline="self_demolition", closes=("permit_window",), requires=("permit_window_ended",)),
        Action("enforcement_decision", N_("Enforcement decision (QĐ cưỡng chế)"), from_stages=(ENFORCEMENT,),
               taken_by=SIGNER, proposed_by=FIELD, approved_by=SIGNER,
               document=DocumentSpec("qd_cuong_che", N_("Enforcement decision (QĐ cưỡng chế)"), symbol="QĐ-CCXP",
                                     numbered_by_register=True),
               deadline="enforcement_delivery", closes=("compliance", "permit_window", "self_demolition"),
               requires=("compliance_ended", "no_enforcement_decision_yet"), after=PENALTY_DECISIONS + ("deliver_decision",)),
        Action("deliver_enforcement_decision", N_("Enforcement decision delivered"), from_stages=(ENFORCEMENT,),
               taken_by=FIELD + SIGNER,
               document=DocumentSpec("enforcement_delivery", N_("Record of delivery"), number_required=False),
               closes=("enforcement_delivery",), requires=("enforcement_to_deliver",), after=("enforcement_decision",)),
        Action(ENFORCEMENT_RECORD, N_("Record of the enforcement carried out"), from_stages=(ENFORCEMENT,),
               taken_by=FIELD + SIGNER,
               document=DocumentSpec("bb_thi_hanh", N_("Record of execution of the enforcement decision")),
               closes=EVERY_CLOCK, requires=("enforcement_decided", "enforcement_delivered"),
               after=("deliver_enforcement_decision",)),
        # Moving a deadline is never an inspector's act alone: the chairman approves it.
        Action("extend_deadline", N_("Extend the deadline"), from_stages=ACTIVE, taken_by=SIGNER, proposed_by=FIELD,
               approved_by=SIGNER, extension=True, note_required=True, requires=("has_deadline",)),
        # Only for a case reported with its position unknown; the note says how it was checked on site.
        Action("place_position", N_("Place the case on the map"), from_stages=ACTIVE, taken_by=FIELD + SIGNER,
               places_position=True, note_required=True, requires=("position_unknown",)),
        # The officer in charge completes or corrects the owner, plot, works and permit; the entry keeps
        # each old and new value.
        Action("edit_facts", N_("Complete or correct the case's facts"), from_stages=ACTIVE,
               taken_by=FIELD + SIGNER + (ADMIN,), edits_facts=True),
        Action(REASSIGN, N_("Give the case to another officer"), from_stages=ACTIVE, taken_by=SIGNER + (ADMIN,),
               reassigns=True, note_required=True),
        Action("close", N_("Close the case"), from_stages=ACTIVE, to_stage=CLOSED, taken_by=SIGNER + (ADMIN,),
               proposed_by=FIELD, approved_by=SIGNER + (ADMIN,), outcome=True, closes=EVERY_CLOCK),
        Action(CORRECTION, N_("Correction of an earlier entry"), from_stages=EVERY_STAGE,
               taken_by=FIELD + SIGNER + (ADMIN,), corrects=True, note_required=True, requires=("has_entries",)),
    )
}


def can_record(action: Action, role: str) -> bool:
    """The role may record this action directly."""
    return role in action.taken_by


def can_propose(action: Action, role: str) -> bool:
    """The role may propose this action for approval."""
    return role in action.proposed_by and role not in action.taken_by


def can_approve(action: Action, role: str) -> bool:
    """The role may approve a proposal of this action."""
    return role in action.approved_by


def available_actions(stage: str, role: str) -> list[tuple[Action, str]]:
    """[(action, 'record' | 'propose')] the role may take on a case at this stage."""
    result = []
    for action in ACTIONS.values():
        if stage not in action.from_stages:
            continue
        if can_record(action, role):
            result.append((action, "record"))
        elif can_propose(action, role):
            result.append((action, "propose"))
    return result
