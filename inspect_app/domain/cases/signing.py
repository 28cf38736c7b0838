"""What the chairman confirms when he signs a decision, and what he is warned of: the date (default
today), the fine, remedy and compliance period he may change; a signature after the Điều 66 deadline
(a warning); a fine beyond the signer's cap (refused when the ward's legal officer has confirmed the
cap: the file goes to the person competent to fine; while the cap is the default, he ticks that he
checked the fine bracket); a decision after the limitation period (he ticks that it has not ended,
e.g. the works went on, and says why in the note).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import N_, InvalidFields, InvalidInput
from ..inputs import FieldReader
from .preconditions import CaseFacts, referred

if TYPE_CHECKING:
    from ...models import CaseEvent
    from .workflow import Action

MAX_FINE_VND = 10_000_000_000


@dataclass(frozen=True)
class FineCap:
    """The most a role may fine (an individual; an organisation twice as much, Luật XLVPHC Điều 52 k1),
    with its legal basis as the ward's legal officer confirmed it."""

    amount_vnd: int
    citation: str
    confirmed: bool = False   # set by the ward (FINE_CAPS_VND): beyond it the approval is refused


# To confirm: the ward chairman's competence after the 2025 amendments of Luật XLVPHC (Điều 38 k1)
# and NĐ 16/2022 (its article on competence); competence is judged on the maximum of the act's fine
# bracket (Điều 52 k2), which the chairman checks. instance/config.py FINE_CAPS_VND overrides it.
DEFAULT_FINE_CAPS = {
    "chairman": FineCap(100_000_000, "Luật XLVPHC Điều 38 khoản 1, Điều 52 (cần xác nhận mức hiện hành)"),
}


def fine_caps_from_config(overrides: Mapping[str, Any] | None) -> dict[str, FineCap]:
    """{role: FineCap} from the defaults and instance/config.py's FINE_CAPS_VND ({role: amount or
    (amount, citation)})."""
    caps = dict(DEFAULT_FINE_CAPS)
    for role, value in (overrides or {}).items():
        amount, citation = value if isinstance(value, (tuple, list)) else (value, caps.get(role, FineCap(0, "")).citation)
        caps[role] = FineCap(int(amount), citation, confirmed=True)
    return caps


@dataclass
class Signing:
    """What the chairman confirms or changes when approving a decision: its date, fine, remedy, period,
    and the warnings he ticked as checked (CONFIRMABLE keys)."""

    document_date: date | None = None
    fine_vnd: int | None = None
    remedy: str = ""
    compliance_days: int | None = None
    confirmed: frozenset = frozenset()


@dataclass(frozen=True)
class Warning:
    """Something the signer reads before signing; a `blocking` one needs his tick (confirm=<key>)."""

    key: str
    message: InvalidInput
    blocking: bool = False


OVER_CAP, AFTER_LIMITATION, LATE = "over_cap", "after_limitation", "late"
CONFIRMABLE = (OVER_CAP, AFTER_LIMITATION)


def read_confirmations(data: Any) -> frozenset[str]:
    """The warnings the signer ticked (confirm=over_cap, confirm=after_limitation)."""
    values = data.getlist("confirm") if hasattr(data, "getlist") else data.get("confirm") or ()
    values = [values] if isinstance(values, str) else values
    return frozenset(value for value in values if value in CONFIRMABLE)


def read_signing(data: Mapping[str, Any], today: date) -> Signing:
    """Read the approval form's date, fine, remedy and compliance period (all optional: the proposal's
    values stand, the date is today); raises InvalidFields naming every wrong one."""
    reader = FieldReader(data)
    signing = Signing(document_date=reader.day("document_date"),
                      fine_vnd=reader.number("fine_vnd", 0, MAX_FINE_VND, integer=True),
                      remedy=reader.text("remedy", 1000, multiline=True),
                      compliance_days=reader.number("compliance_days", 1, 365, integer=True),
                      confirmed=read_confirmations(data))
    if signing.document_date and signing.document_date > today:
        reader.error("document_date", N_("A document date cannot be in the future."))
    reader.finish()
    return signing


def apply_signing(event: CaseEvent, action: Action, signing: Signing, today: date) -> None:
    """The chairman's date and changes at approval; a decision is dated the day it is signed."""
    if action.document and action.document.numbered_by_register:
        event.document_date = signing.document_date or today
    if action.fine:
        if signing.fine_vnd is not None:
            event.fine_vnd = signing.fine_vnd
        # Only a remedy he changed replaces the proposal's (not the same words with other line breaks).
        if signing.remedy and signing.remedy.split() != (event.remedy or "").split():
            event.remedy = signing.remedy
    if action.compliance_days and signing.compliance_days is not None:
        event.compliance_days = signing.compliance_days


def check_competence(action: Action, fine_vnd: int | None, role: str, caps: Mapping[str, FineCap], facts: CaseFacts,
                     confirmed: frozenset[str] = frozenset()) -> None:
    """A fine beyond the signer's cap: refused when the ward confirmed the cap (the file goes to the person
    competent to fine, REFERRAL); while the cap is the default, signed only once he ticked that he checked."""
    cap = _over_cap(action, fine_vnd, role, caps, facts)
    if cap is None:
        return
    if cap.confirmed:
        raise InvalidFields({"fine_vnd": InvalidInput(
            N_("A fine of %(fine)s đ is beyond what the ward chairman may decide (up to %(cap)s đ, %(citation)s): "
               "refer the file to the person competent to fine instead."),
            fine=_money(fine_vnd), cap=_money(cap.amount_vnd), citation=cap.citation)})
    if OVER_CAP not in confirmed:
        raise InvalidFields({"confirm_" + OVER_CAP: _over_cap_message(fine_vnd, cap)})


def check_within_limitation(action: Action, on_date: date | None, facts: CaseFacts, citation: str,
                            confirmed: frozenset[str] = frozenset(), note: str = "") -> None:
    """A penalty decision dated after the limitation period: only when the signer ticked that it has not
    ended (the works went on, the count restarted: Luật XLVPHC Điều 6) and says why in the note."""
    clock = facts.running("limitation")
    if not (action.fine and clock is not None and on_date is not None and on_date > clock.due):
        return
    if AFTER_LIMITATION not in confirmed:
        raise InvalidFields({"confirm_" + AFTER_LIMITATION: _limitation_message(clock.due, citation)})
    if not (note or "").strip():
        raise InvalidFields({"note": InvalidInput(
            N_("Say in the note why the limitation period has not ended (e.g. the works went on after the record)."))})


def warnings(action: Action, fine_vnd: int | None, on_date: date | None, role: str, caps: Mapping[str, FineCap],
             facts: CaseFacts, limitation_citation: str) -> list[Warning]:
    """[Warning] the signer reads before signing this decision on this date: signed after the time to
    decide (Điều 66), a fine beyond the role's cap, a date after the limitation period."""
    found = []
    clock = facts.running("penalty_decision")
    if action.key == "penalty_decision" and clock is not None and on_date is not None and on_date > clock.due:
        found.append(Warning(LATE, InvalidInput(
            N_("Signed after the time to decide on the penalty: it ended on %(due)s (%(citation)s). Say in the "
               "note why it is late."),
            due=clock.due.strftime("%d/%m/%Y"), citation=clock.citation)))
    cap = _over_cap(action, fine_vnd, role, caps, facts)
    if cap is not None:
        found.append(Warning(OVER_CAP, _over_cap_message(fine_vnd, cap), blocking=not cap.confirmed))
    limitation = facts.running("limitation")
    if action.fine and limitation is not None and on_date is not None and on_date > limitation.due:
        found.append(Warning(AFTER_LIMITATION, _limitation_message(limitation.due, limitation_citation), blocking=True))
    return found


def _over_cap(action, fine_vnd, role, caps, facts):
    cap = caps.get(role)
    if not action.fine or fine_vnd is None or cap is None or fine_vnd <= cap.amount_vnd or referred(facts):
        return None
    return cap


def _over_cap_message(fine_vnd, cap):
    if cap.confirmed:
        return InvalidInput(
            N_("The fine (%(fine)s đ) is beyond the chairman's competence (up to %(cap)s đ, %(citation)s): refer "
               "the file to the person competent to fine."), fine=_money(fine_vnd), cap=_money(cap.amount_vnd),
            citation=cap.citation)
    return InvalidInput(
        N_("The fine (%(fine)s đ) is above %(cap)s đ, the default cap (%(citation)s; not yet confirmed by the ward). "
           "Competence is judged on the maximum of the act's fine bracket, twice as much for an organisation: check "
           "it, then tick to sign, or refer the file to the person competent to fine."),
        fine=_money(fine_vnd), cap=_money(cap.amount_vnd), citation=cap.citation)


def _limitation_message(due, citation):
    return InvalidInput(
        N_("The limitation period counted from detection ended on %(due)s (%(citation)s). A penalty decision is "
           "signed after it only if the period has not really ended (e.g. the works went on, or the count "
           "restarted): tick to confirm and say why in the note; otherwise only remedial measures may be "
           "ordered (Luật XLVPHC Điều 65, to confirm with the legal officer)."),
        due=due.strftime("%d/%m/%Y"), citation=citation)


def _money(amount):
    return f"{amount:,}".replace(",", ".")
