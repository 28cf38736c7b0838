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
from ..cases import case_facts
from ..cases.categories import BY_KEY
from ..cases.ward_settings import DocumentSettings
from .formats import DOTS, amount_in_words, date_line, date_parts, day, money, place_name
from .forms import CHAIRMAN, FORMS, PLACEHOLDERS, DocumentForm

if TYPE_CHECKING:
    from ...models import CaseEvent, User, Violation

Translate = Callable[[str], str]


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


def _header(ward_name: str, settings: DocumentSettings, when: date | None) -> dict[str, str]:
    d, m, y = date_parts(when)
    return {"ward_name": ward_name, "ward_upper": ward_name.upper(), "place_name": place_name(ward_name),
            "date_day": d, "date_month": m, "date_year": y, "date_line": date_line(place_name(ward_name), when),
            "document_date": day(when), "recipients": "\n".join(settings.recipient_lines)}


def _extent(case: Violation) -> tuple[str, str]:
    area = f"{case.area_m2:g}".replace(".", ",") if case.area_m2 else ""
    return area, str(case.floors) if case.floors else ""


def _permit(case: Violation) -> str:
    if case.permit_number:
        return f"Giấy phép xây dựng số {case.permit_number}" + (f" ngày {day(case.permit_date)}" if case.permit_date else "")
    if case.category == "no_permit":
        return "Không có giấy phép xây dựng"
    return ""


def _violation(case: Violation, translate: Translate) -> tuple[str, str]:
    category = BY_KEY.get(case.category)
    if category is None:
        return case.description, ""
    text = translate(category.label)
    if case.description:
        text += f": {case.description}"
    return text, category.citation


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
                  translate: Translate, proposal: CaseEvent | None = None,
                  template_version: str = "") -> FilledDocument:
    """The document of a step of the case (event.document_kind), filled; KeyError when the app has no
    form of that kind."""
    form = FORMS[event.document_kind]
    area, floors = _extent(case)
    violation, legal_basis = _violation(case, translate)
    recorder = _recorder(event, proposal)
    officers = list(dict.fromkeys(name for name in (_person(recorder), _person(case.officer)) if name))
    values = {
        **_header(ward_name, settings, event.document_date),
        "case_code": case.code, "document_number": event.document_number,
        "violator_name": case.owner_name, "violator_id_number": case.owner_id_number,
        "violator_address": case.owner_address, "violator_phone": case.owner_phone,
        "works_address": case.address, "khu_vuc": case.khu_vuc, "plot_number": case.plot_number,
        "map_sheet": case.map_sheet, "works_kind": case.works_kind,
        "works_state": translate(case_facts.WORKS_STATES[case.works_state]) if case.works_state in case_facts.WORKS_STATES else "",
        "area_m2": area, "floors": floors, "permit": _permit(case),
        "violation": violation, "legal_basis": legal_basis,
        "fine": money(event.fine_vnd), "fine_in_words": amount_in_words(event.fine_vnd), "remedy": event.remedy,
        "compliance_days": str(event.compliance_days) if event.compliance_days else "",
        "deadline": day(event.clock_due), "deadline_citation": event.clock_citation,
        "recorder_name": _person(recorder), "officers_present": ", ".join(officers),
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
        "plot_number": "125", "map_sheet": "14", "works_kind": "Nhà ở riêng lẻ", "works_state": "Đang thi công",
        "area_m2": "45,5", "floors": "2", "permit": "Không có giấy phép xây dựng",
        "violation": "Xây dựng không phép", "legal_basis": "NĐ 16/2022 Đ.16", "fine": money(60_000_000),
        "fine_in_words": amount_in_words(60_000_000), "remedy": "Buộc phá dỡ công trình vi phạm", "compliance_days": "10",
        "deadline": "16/11/2026", "deadline_citation": "Luật XLVPHC Điều 66", "recorder_name": "Trần Thị B",
        "officers_present": "Trần Thị B, Lê Văn C", "officer_name": "Lê Văn C", "signer_name": "Phạm Văn D",
        "note": "", "template_version": "sample",
    }
    return FilledDocument(FORMS[kind], _dotted(values), [])


def _dotted(values: dict[str, str]) -> dict[str, str]:
    return {name: (value if value else DOTS) for name, value in values.items()}
