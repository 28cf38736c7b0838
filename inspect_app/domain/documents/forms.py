"""THE list of documents the app writes, and the placeholders their Word templates may use.

Each kind of document of the workflow (workflow.DocumentSpec.kind) that the ward itself writes has a
form here: its title, the state form it follows (the code printed in its corner is part of the
template; *to confirm*, docs/DOCUMENTS.md), who signs it, the placeholders its template must carry,
and what it needs filled before it is printed without blanks. Delivery records and the decision of
another authority have no form: the ward does not write them with the app.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import N_

RECORDER = "recorder"   # the officer who made the record signs it (and the violator, when present)
CHAIRMAN = "chairman"   # TM. Ủy ban nhân dân, Chủ tịch


@dataclass(frozen=True)
class DocumentForm:
    """One kind of official document the app fills."""

    kind: str
    title: str          # as printed (Vietnamese, upper case)
    form_code: str      # the state form's code printed in the corner of the default template ("" : none)
    signer: str         # RECORDER or CHAIRMAN
    needs: tuple        # placeholders that must be filled for a print without blanks


# Placeholders a template may use, with what the office reads when one is missing ("thiếu: …").
PLACEHOLDERS = {
    "ward_name": N_("the ward's name"),
    "ward_upper": N_("the ward's name"),
    "place_name": N_("the ward's name"),
    "case_code": N_("the case code"),
    "document_number": N_("the document's number"),
    "document_date": N_("the document's date"),
    "date_day": N_("the document's date"),
    "date_month": N_("the document's date"),
    "date_year": N_("the document's date"),
    "date_line": N_("the document's date"),
    "violator_name": N_("the violator's name"),
    "violator_id_number": N_("the violator's ID number"),
    "violator_address": N_("the violator's address"),
    "violator_phone": N_("the violator's phone"),
    "works_address": N_("the address of the works"),
    "khu_vuc": N_("the khu vực"),
    "plot_number": N_("the plot number"),
    "map_sheet": N_("the map sheet"),
    "works_kind": N_("the kind of works"),
    "works_state": N_("the state of the works"),
    "area_m2": N_("the violating area"),
    "floors": N_("the number of floors"),
    "permit": N_("the permit"),
    "violation": N_("the violation"),
    "legal_basis": N_("the legal basis"),
    "fine": N_("the fine"),
    "fine_in_words": N_("the fine"),
    "remedy": N_("the remedial measure"),
    "compliance_days": N_("the compliance period"),
    "deadline": N_("the deadline"),
    "deadline_citation": N_("the deadline's legal basis"),
    "record_number": N_("the number of the record of violation"),
    "record_date": N_("the date of the record of violation"),
    "decision_number": N_("the number of the penalty decision"),
    "decision_date": N_("the date of the penalty decision"),
    "enforcement_number": N_("the number of the enforcement decision"),
    "enforcement_date": N_("the date of the enforcement decision"),
    "recorder_name": N_("the name of the officer who made the record"),
    "officers_present": N_("the officers present"),
    "officer_name": N_("the officer in charge"),
    "signer_name": N_("the signer's name"),
    "note": N_("the note"),
    "recipients": N_("the recipients"),
    "template_version": N_("the template's version"),
}

# Every form carries these: a document that does not name its case, number and date is not one.
ALWAYS_REQUIRED = ("case_code", "document_number", "ward_upper")

_PERSON = ("violator_name", "violator_id_number", "violator_address")
_WORKS = ("works_address", "works_kind", "works_state")
_DECISION = _PERSON + ("works_address", "plot_number", "map_sheet", "works_kind", "violation", "legal_basis")
_RECORD = ("record_number", "record_date")
_PENALTY = ("decision_number", "decision_date")

FORMS = {form.kind: form for form in (
    # To confirm: the codes of the forms in the appendix of Nghị định 118/2021/NĐ-CP as amended
    # (Nghị định 68/2025/NĐ-CP); only the two the default templates print are named here.
    DocumentForm("bb_vphc", "BIÊN BẢN VI PHẠM HÀNH CHÍNH", "Mẫu biên bản số 01", RECORDER,
                 ("document_date",) + _PERSON + _WORKS + ("violation", "recorder_name")),
    DocumentForm("bb_continuation", "BIÊN BẢN VI PHẠM HÀNH CHÍNH", "Mẫu biên bản số 01", RECORDER,
                 ("document_date",) + _PERSON + _WORKS + _RECORD + ("recorder_name",)),
    DocumentForm("stop_work_notice", "THÔNG BÁO", "", CHAIRMAN,
                 ("document_date", "violator_name", "works_address", "signer_name") + _RECORD),
    DocumentForm("qd_xu_phat", "QUYẾT ĐỊNH", "Mẫu quyết định số 02", CHAIRMAN,
                 ("document_date",) + _DECISION + _RECORD + ("fine", "remedy", "signer_name")),
    DocumentForm("self_demolition_notice", "THÔNG BÁO", "", CHAIRMAN,
                 ("document_date", "violator_name", "works_address", "deadline", "signer_name") + _PENALTY),
    DocumentForm("qd_cuong_che", "QUYẾT ĐỊNH", "", CHAIRMAN,
                 ("document_date",) + _DECISION + _PENALTY + ("remedy", "signer_name")),
    DocumentForm("bb_thi_hanh", "BIÊN BẢN", "", RECORDER,
                 ("document_date", "violator_name", "works_address", "recorder_name", "enforcement_number",
                  "enforcement_date")),
    DocumentForm("referral", "CÔNG VĂN", "", CHAIRMAN,
                 ("document_date", "violator_name", "works_address", "violation", "signer_name") + _RECORD),
)}

# What each kind's subtitle says (the line under the title), as printed.
SUBTITLES = {
    "bb_vphc": "Về trật tự xây dựng",
    "bb_continuation": "Về việc tiếp tục thực hiện hành vi vi phạm sau khi đã lập biên bản",
    "stop_work_notice": "Về việc dừng thi công công trình vi phạm trật tự xây dựng",
    "qd_xu_phat": "Xử phạt vi phạm hành chính",
    "self_demolition_notice": "Về việc tự phá dỡ công trình, phần công trình vi phạm",
    "qd_cuong_che": "Cưỡng chế buộc thực hiện biện pháp khắc phục hậu quả",
    "bb_thi_hanh": "Cưỡng chế thi hành quyết định",
    "referral": "V/v chuyển hồ sơ vụ vi phạm hành chính để xử phạt theo thẩm quyền",
}


def form_of(kind: str) -> DocumentForm | None:
    """The form of a kind of document, or None when the app does not write that kind."""
    return FORMS.get(kind)


def required_placeholders(kind: str) -> tuple[str, ...]:
    """The placeholders a template of this kind must carry (an upload without them is refused)."""
    form = FORMS[kind]
    return ALWAYS_REQUIRED + tuple(name for name in ("violator_name", "works_address") if name in form.needs)
