"""A step's document filled from what the app knows: the case, the step (number, date, fine, remedy,
deadline), the ward and its signer. Every value is plain text that the template prints as data.

A value the document needs and the case lacks is listed (`missing`), never printed as a silent blank:
the office completes the case, or chooses to print with dots to fill by hand. A date or time the app
does not know (the hour a record was made) is always dots.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ...models.vocabulary import Role
from ..cases.categories import BY_KEY
from ..cases.ward_settings import DocumentSettings
from .formats import DOTS, amount_in_words, date_line, date_parts, day, money, place_name
from .forms import CHAIRMAN, FORMS, PLACEHOLDERS, DocumentForm

if TYPE_CHECKING:
    from ...models import CaseEvent, User, Violation

Translate = Callable[[str], str]

# The works' state as a document words it (always Vietnamese; the form's labels are translated elsewhere).
WORKS_STATE_WORDS = {"in_progress": "đang thi công", "stopped": "đã dừng thi công",
                     "structure_done": "đã xong phần thô, chưa hoàn thiện", "completed": "đã hoàn thành, đang sử dụng"}
RECORDS = ("record_violation",)
DECISIONS = ("penalty_decision", "competent_decision")
ENFORCEMENT_DECISIONS = ("enforcement_decision",)


@dataclass(frozen=True)
class FilledDocument:
    """A document's values (placeholder → text; empty ones as dots) and the needed ones still empty."""

    form: DocumentForm
    values: dict[str, str]
    missing: list[str] = field(default_factory=list)

    def missing_labels(self, translate: Translate) -> list[str]:
        """What is missing, as the office reads it (one label per fact, in order)."""
        return list(dict.fromkeys(translate(PLACEHOLDERS[name]) for name in self.missing))


def _person(user: User | None) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _in_sentence(ward_name: str) -> str:
    """'phường Thới Long': the unit's kind in lower case inside a sentence."""
    for kind in ("Phường ", "Xã ", "Thị trấn "):
        if ward_name.startswith(kind):
            return kind.lower() + ward_name[len(kind):]
    return ward_name


def _header(ward_name: str, settings: DocumentSettings, when: date | None) -> dict[str, str]:
    d, m, y = date_parts(when)
    return {"ward_name": _in_sentence(ward_name), "ward_upper": ward_name.upper(), "place_name": place_name(ward_name),
            "date_day": d, "date_month": m, "date_year": y, "date_line": date_line(place_name(ward_name), when),
            "document_date": day(when), "recipients": "\n".join(settings.recipient_lines)}


def _extent(case: Violation) -> tuple[str, str]:
    area = f"{case.area_m2:g}".replace(".", ",") if case.area_m2 else ""
    return area, str(case.floors) if case.floors else ""


def _permit(case: Violation) -> str:
    if case.permit_number:
        return f"giấy phép xây dựng số {case.permit_number}" + (f" ngày {day(case.permit_date)}" if case.permit_date else "")
    if case.category == "no_permit":
        return "không có giấy phép xây dựng"
    return ""


def works_place(case: Violation) -> str:
    """The address, with its khu vực when the address does not name it already."""
    if case.khu_vuc and case.khu_vuc.casefold() not in case.address.casefold():
        return f"{case.address}, khu vực {case.khu_vuc}" if case.address else f"khu vực {case.khu_vuc}"
    return case.address


def _violation(case: Violation) -> tuple[str, str]:
    category = BY_KEY.get(case.category)
    text = category.act if category is not None else ""
    if case.description:
        text = f"{text}: {case.description}" if text else case.description
    return text, category.citation if category is not None else ""


def _earlier(event: CaseEvent, history: list[CaseEvent], actions: tuple[str, ...]) -> CaseEvent | None:
    """The latest step of these actions before this one that took effect with a dated document, or None."""
    for earlier in reversed([e for e in history if e.seq < event.seq]):
        if earlier.action in actions and earlier.kind in ("action", "approval") and earlier.document_date:
            return earlier
    return None


def _number_and_date(event: CaseEvent | None) -> tuple[str, str]:
    return (event.document_number, day(event.document_date)) if event is not None else ("", "")


def _signer(form: DocumentForm, event: CaseEvent, settings: DocumentSettings) -> str:
    if form.signer != CHAIRMAN:
        return _person(event.actor)
    if event.actor is not None and event.actor.role == Role.CHAIRMAN and event.actor.full_name:
        return event.actor.full_name
    return settings.signer_name


def _recorder(event: CaseEvent, proposal: CaseEvent | None) -> User | None:
    """Who made the step: the inspector who proposed it, else who took it."""
    return proposal.actor if proposal is not None else event.actor


def case_document(case: Violation, event: CaseEvent, *, ward_name: str, settings: DocumentSettings,
                  proposal: CaseEvent | None = None,
                  template_version: str = "") -> FilledDocument:
    """The document of a step of the case (event.document_kind), filled; KeyError when the app has no
    form of that kind."""
    form = FORMS[event.document_kind]
    area, floors = _extent(case)
    violation, legal_basis = _violation(case)
    recorder = _recorder(event, proposal)
    history = list(case.events)
    record_number, record_date = _number_and_date(_earlier(event, history, RECORDS))
    penalty = _earlier(event, history, DECISIONS)
    decision_number, decision_date = _number_and_date(penalty)
    enforcement_number, enforcement_date = _number_and_date(_earlier(event, history, ENFORCEMENT_DECISIONS))
    # A later step (the enforcement decision) enforces the remedy the penalty decision imposed.
    remedy = event.remedy or (penalty.remedy if penalty is not None else "")
    values = {
        **_header(ward_name, settings, event.document_date),
        "case_code": case.code, "document_number": event.document_number,
        "violator_name": case.owner_name, "violator_id_number": case.owner_id_number,
        "violator_address": case.owner_address, "violator_phone": case.owner_phone,
        "works_address": works_place(case), "khu_vuc": case.khu_vuc, "plot_number": case.plot_number,
        "map_sheet": case.map_sheet, "works_kind": case.works_kind,
        "works_state": WORKS_STATE_WORDS.get(case.works_state, ""),
        "area_m2": area, "floors": floors, "permit": _permit(case),
        "violation": violation, "legal_basis": legal_basis,
        "fine": money(event.fine_vnd), "fine_in_words": amount_in_words(event.fine_vnd), "remedy": remedy,
        "compliance_days": str(event.compliance_days) if event.compliance_days else "",
        "deadline": day(event.clock_due), "deadline_citation": event.clock_citation,
        "record_number": record_number, "record_date": record_date, "decision_number": decision_number,
        "decision_date": decision_date, "enforcement_number": enforcement_number, "enforcement_date": enforcement_date,
        # Only who made the step is known; who else was there is written on paper, never guessed.
        "recorder_name": _person(recorder), "officers_present": _person(recorder),
        "officer_name": _person(case.officer), "signer_name": _signer(form, event, settings),
        "note": event.note, "template_version": template_version,
    }
    missing = ([] if values["document_number"] else ["document_number"]) + [name for name in form.needs if not values[name]]
    return FilledDocument(form, _dotted(values), missing)


def blank_document(kind: str, *, ward_name: str, settings: DocumentSettings, template_version: str = "") -> FilledDocument:
    """A form with no case: the ward's header and dots everywhere else, for writing by hand."""
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(_header(ward_name, settings, None))
    values.update({"document_date": "", "date_line": date_line(place_name(ward_name), None),
                   "template_version": template_version})
    return FilledDocument(FORMS[kind], _dotted(values), [])


def sample_document(kind: str, ward_name: str = "Phường Thới Long") -> FilledDocument:
    """A complete made-up case: what an uploaded template must render with before it is accepted."""
    values = {
        **_header(ward_name, DocumentSettings(), date(2026, 11, 2)),
        "case_code": "TL-2026-0042", "document_number": "12/BB-VPHC", "violator_name": "Nguyễn Văn A",
        "violator_id_number": "092087001234", "violator_address": "Khu vực Thới Xương 2, phường Thới Long",
        "violator_phone": "0909 123 456", "works_address": "Đường số 3, khu vực Thới Xương 2", "khu_vuc": "Thới Xương 2",
        "plot_number": "125", "map_sheet": "14", "works_kind": "Nhà ở riêng lẻ", "works_state": "đang thi công",
        "area_m2": "45,5", "floors": "2", "permit": "không có giấy phép xây dựng",
        "violation": "Tổ chức thi công xây dựng công trình không có giấy phép xây dựng",
        "legal_basis": "NĐ 16/2022 Đ.16", "fine": money(60_000_000),
        "fine_in_words": amount_in_words(60_000_000), "remedy": "Buộc phá dỡ công trình vi phạm", "compliance_days": "10",
        "deadline": "16/11/2026", "deadline_citation": "Luật XLVPHC Điều 66", "recorder_name": "Trần Thị B",
        "officers_present": "Trần Thị B, Lê Văn C", "officer_name": "Lê Văn C", "signer_name": "Phạm Văn D",
        "record_number": "07/BB-VPHC", "record_date": "01/11/2026", "decision_number": "01/QĐ-XPHC",
        "decision_date": "02/11/2026", "enforcement_number": "01/QĐ-CCXP", "enforcement_date": "20/11/2026",
        "note": "", "template_version": "sample",
    }
    return FilledDocument(FORMS[kind], _dotted(values), [])


def _dotted(values: dict[str, str]) -> dict[str, str]:
    return {name: (value if value else DOTS) for name, value in values.items()}
