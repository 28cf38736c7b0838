"""What the chairman confirms when he signs a decision, and what he is warned of: the date (default
today), the fine, remedy and compliance period he may change, a signature after the Điều 66 deadline,
and a fine beyond the signer's competence (then the file goes to the competent level instead).
"""
from dataclasses import dataclass
from datetime import date
from typing import Optional

from .errors import N_, InvalidFields, InvalidInput
from .inputs import FieldReader

MAX_FINE_VND = 10_000_000_000
REFERRAL = "refer_to_competent_level"


@dataclass(frozen=True)
class FineCap:
    """The most a role may fine (an individual; an organisation twice as much, Luật XLVPHC Điều 52 k1),
    with its legal basis as the ward's legal officer confirmed it."""

    amount_vnd: int
    citation: str


# To confirm: the ward chairman's competence after the 2025 amendments of Luật XLVPHC (Điều 38 k1)
# and NĐ 16/2022 (its article on competence); competence is judged on the maximum of the act's fine
# bracket (Điều 52 k2), which the chairman checks. instance/config.py FINE_CAPS_VND overrides it.
DEFAULT_FINE_CAPS = {
    "chairman": FineCap(100_000_000, "Luật XLVPHC Điều 38 khoản 1, Điều 52 (cần xác nhận mức hiện hành)"),
}


def fine_caps_from_config(overrides):
    """{role: FineCap} from the defaults and instance/config.py's FINE_CAPS_VND ({role: amount or
    (amount, citation)})."""
    caps = dict(DEFAULT_FINE_CAPS)
    for role, value in (overrides or {}).items():
        amount, citation = value if isinstance(value, (tuple, list)) else (value, caps.get(role, FineCap(0, "")).citation)
        caps[role] = FineCap(int(amount), citation)
    return caps


@dataclass
class Signing:
    """What the chairman confirms or changes when approving a decision: its date, fine, remedy, period."""

    document_date: Optional[date] = None
    fine_vnd: Optional[int] = None
    remedy: str = ""
    compliance_days: Optional[int] = None


def read_signing(data, today):
    """Read the approval form's date, fine, remedy and compliance period (all optional: the proposal's
    values stand, the date is today); raises InvalidFields naming every wrong one."""
    reader = FieldReader(data)
    signing = Signing(document_date=reader.day("document_date"),
                      fine_vnd=reader.number("fine_vnd", 0, MAX_FINE_VND, integer=True),
                      remedy=reader.text("remedy", 1000, multiline=True),
                      compliance_days=reader.number("compliance_days", 1, 365, integer=True))
    if signing.document_date and signing.document_date > today:
        reader.error("document_date", N_("A document date cannot be in the future."))
    reader.finish()
    return signing


def apply_signing(event, action, signing, today):
    """The chairman's date and changes at approval; a decision is dated the day it is signed."""
    if action.document and action.document.numbered_by_register:
        event.document_date = signing.document_date or today
    if action.fine:
        if signing.fine_vnd is not None:
            event.fine_vnd = signing.fine_vnd
        if signing.remedy:
            event.remedy = signing.remedy
    if action.compliance_days and signing.compliance_days is not None:
        event.compliance_days = signing.compliance_days


def referred(facts):
    """The case's file went to the competent level (its decision is then recorded as signed there)."""
    return any(e.action == REFERRAL for e in facts.applied)


def check_competence(action, fine_vnd, role, caps, facts):
    """A fine beyond the signer's cap is refused: the file goes to the competent level (REFERRAL)."""
    cap = caps.get(role)
    if not action.fine or fine_vnd is None or cap is None or fine_vnd <= cap.amount_vnd or referred(facts):
        return
    raise InvalidFields({"fine_vnd": InvalidInput(
        N_("A fine of %(fine)s đ is beyond what the ward chairman may decide (up to %(cap)s đ, %(citation)s): "
           "refer the file to the competent level instead (“Refer the file to the competent level”)."),
        fine=_money(fine_vnd), cap=_money(cap.amount_vnd), citation=cap.citation)})


def check_within_limitation(action, on_date, facts):
    """A penalty decision dated after the limitation period ended is refused (Luật XLVPHC Điều 6, Điều 74)."""
    clock = facts.running("limitation")
    if action.fine and clock is not None and on_date is not None and on_date > clock.due:
        raise InvalidFields({"document_date": InvalidInput(
            N_("The limitation period ended on %(due)s (%(citation)s): no penalty decision can be signed after it; "
               "remedial measures may still be ordered (Luật XLVPHC Điều 65, to confirm with the legal officer)."),
            due=clock.due.strftime("%d/%m/%Y"), citation=clock.citation)})


def warnings(action, fine_vnd, on_date, role, caps, facts):
    """[InvalidInput] the signer should read before signing this decision on this date: signed after the
    time to decide (Điều 66), or a fine beyond the role's cap."""
    found = []
    clock = facts.running("penalty_decision")
    if action.key == "penalty_decision" and clock is not None and on_date is not None and on_date > clock.due:
        found.append(InvalidInput(
            N_("Signed after the time to decide on the penalty: it ended on %(due)s (%(citation)s). Say in the "
               "note why it is late."),
            due=clock.due.strftime("%d/%m/%Y"), citation=clock.citation))
    cap = caps.get(role)
    if action.fine and fine_vnd is not None and cap is not None and fine_vnd > cap.amount_vnd and not referred(facts):
        found.append(InvalidInput(
            N_("The fine (%(fine)s đ) is beyond the chairman's competence (up to %(cap)s đ, %(citation)s): refer "
               "the file to the competent level."), fine=_money(fine_vnd), cap=_money(cap.amount_vnd),
            citation=cap.citation))
    return found


def _money(amount):
    return f"{amount:,}".replace(",", ".")
