"""The facts of a case that its documents need: who the owner is (name, ID number, address), where
the works are (address, plot and map sheet), what they are (kind, state, permit), and which facts
each document needs.

All are optional at the first report; an action whose document needs a fact asks for it in its own
form when the case does not have it yet. Every later change is a step of the case's history with the
old and the new value (case_actions keeps them in the entry's `changes`).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import N_

if TYPE_CHECKING:
    from ...models import CaseEvent, Violation
    from ..inputs import FieldReader

# Kinds of works the inspectors meet most (the form offers them; any other text is accepted).
WORKS_KINDS = ("Nhà ở riêng lẻ", "Nhà xưởng, kho", "Công trình phụ", "Tường rào, cổng", "Mái che, lều quán")
WORKS_STATES = {
    "in_progress": N_("Under construction"),
    "stopped": N_("Stopped"),
    "structure_done": N_("Structure finished, not completed"),
    "completed": N_("Completed, in use"),
}


_TEXT_KINDS = ("text", "id_number", "phone", "state")


@dataclass(frozen=True)
class Fact:
    """One fact of a case: its column, label, and how it is read ("text", "id_number", "phone", "date",
    "number", "integer", "state")."""

    name: str
    label: str
    kind: str = "text"
    max_length: int = 200


FACTS = {fact.name: fact for fact in (
    Fact("owner_name", N_("Owner or builder")),
    Fact("owner_id_number", N_("Owner's personal ID, ID card or passport number, or company code"), "id_number", 20),
    Fact("owner_address", N_("Owner's address"), max_length=300),
    Fact("owner_phone", N_("Owner's phone"), "phone", 20),
    Fact("address", N_("Address of the works"), max_length=300),
    Fact("khu_vuc", N_("Khu vực"), max_length=100),
    Fact("plot_number", N_("Plot number (thửa đất số)"), max_length=20),
    Fact("map_sheet", N_("Map sheet (tờ bản đồ số)"), max_length=20),
    Fact("works_kind", N_("Kind of works"), max_length=100),
    Fact("works_state", N_("State of the works"), "state", 20),
    Fact("permit_number", N_("Permit number"), max_length=60),
    Fact("permit_date", N_("Permit date"), "date"),
    Fact("area_m2", N_("Violating area (m²)"), "number"),
    Fact("floors", N_("Floors"), "integer"),
)}

# The facts a report may give besides those it always had (address, owner's name and phone, area, floors).
AT_REPORT = ("owner_id_number", "owner_address", "plot_number", "map_sheet", "works_kind", "works_state",
             "permit_number", "permit_date")

# Which facts each document needs, and which it asks for besides (document kind → fact names). A record
# is made on site even when the violator is absent or will not say who they are (Luật XLVPHC Điều 58):
# it asks for the person but needs only the place and the works; the decisions name the person (NĐ
# 118/2021 forms) and, where the land has one, the plot (not for encroachment on public land or a
# corridor, which usually has no plot number). The permit's number and date only for works built
# against a permit.
_PERSON = ("owner_name", "owner_id_number", "owner_address")
_DECISION = _PERSON + ("address", "plot_number", "map_sheet", "works_kind")
NEEDED_BY_DOCUMENT = {
    "bb_vphc": ("address", "works_state"),
    "bb_continuation": ("address", "works_state"),
    "qd_xu_phat": _DECISION,
    "qd_xu_phat_cap_tren": _DECISION,
    "qd_cuong_che": _DECISION,
}
ASKED_BY_DOCUMENT = {
    "bb_vphc": _PERSON + ("address", "works_kind", "works_state"),
    "bb_continuation": _PERSON + ("address", "works_state"),
}
NEEDED_WITH_PERMIT = ("permit_number", "permit_date")
# What the records and decisions name: changing it later needs its reason (case_actions).
NAMED_IN_DOCUMENTS = _DECISION + ("works_state", "permit_number", "permit_date")
PERMIT_CATEGORIES = ("deviates_from_permit",)
NO_PLOT_CATEGORIES = ("encroachment",)


def needed_facts(document_kind: str, category: str) -> list[str]:
    """The fact names a document of this kind needs on a case of this category (in form order)."""
    names = set(NEEDED_BY_DOCUMENT.get(document_kind, ()))
    if names and category in PERMIT_CATEGORIES:
        names.update(NEEDED_WITH_PERMIT)
    if category in NO_PLOT_CATEGORIES:
        names -= {"plot_number", "map_sheet"}
    return [name for name in FACTS if name in names]


def asked_facts(document_kind: str, category: str) -> list[str]:
    """The fact names the document's form asks for: what it needs, and what it names when known."""
    names = set(needed_facts(document_kind, category)) | set(ASKED_BY_DOCUMENT.get(document_kind, ()))
    if document_kind in NEEDED_BY_DOCUMENT and category in NO_PLOT_CATEGORIES:
        names |= {"plot_number", "map_sheet"}  # asked, not needed
    return [name for name in FACTS if name in names]


def form_facts(document_kind: str) -> tuple[str, ...]:
    """The facts a document's form may send, whatever the case's category (what read_facts reads)."""
    if document_kind not in NEEDED_BY_DOCUMENT:
        return ()
    return tuple(dict.fromkeys(NEEDED_BY_DOCUMENT[document_kind] + ASKED_BY_DOCUMENT.get(document_kind, ())
                               + NEEDED_WITH_PERMIT))


def read_facts(reader: FieldReader, names: Iterable[str], today: date) -> dict[str, Any]:
    """{name: value} for the named facts present in the form (an empty field clears the fact); errors go
    to the reader."""
    values = {}
    for name in names:
        if name not in reader.data:
            continue
        values[name] = _read_one(reader, FACTS[name], today)
    return values


def _read_one(reader, fact, today):
    if fact.kind == "date":
        value = reader.day(fact.name)
        if value and value > today:
            reader.error(fact.name, N_("A document date cannot be in the future."))
        return value
    if fact.kind == "number":
        return reader.number(fact.name, 0, 1_000_000)
    if fact.kind == "integer":
        return reader.number(fact.name, 0, 200, integer=True)
    if fact.kind == "state":
        return reader.choice(fact.name, tuple(WORKS_STATES)) or ""
    value = reader.text(fact.name, fact.max_length)
    if fact.kind == "id_number" and value and not (value.isascii() and value.replace("-", "").isalnum()
                                                   and 6 <= len(value) <= 20):
        reader.error(fact.name, N_("Write the number as on the document: 6 to 20 letters, digits or hyphens (a personal "
                                   "ID has 12 digits; a company code may end in -001)."))
        return ""
    if fact.kind == "phone" and value and not all(ch.isdigit() or ch in "+ .-()" for ch in value):
        reader.error(fact.name, N_("A phone number has only digits, spaces and + . - ( )."))
        return ""
    return value


def missing_facts(case: Violation, values: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The named facts that are empty on the case once `values` are applied."""
    return [name for name in names if _empty(values[name] if name in values else getattr(case, name))]


def _empty(value):
    return value is None or value == ""


def changed(case: Violation, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The changes `values` would make to the case's facts: [{"fact", "old", "new"}], unchanged left out."""
    changes = []
    for name in FACTS:
        if name in values and plain(getattr(case, name)) != plain(values[name]):
            changes.append({"fact": name, "old": plain(getattr(case, name)), "new": plain(values[name])})
    return changes


def apply_facts(case: Violation, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Set the facts on the case; returns the changes made (see changed)."""
    changes = changed(case, values)
    for change in changes:
        name, value = change["fact"], values[change["fact"]]
        setattr(case, name, "" if value is None and FACTS[name].kind in _TEXT_KINDS else value)
    return changes


def plain(value: object) -> Any:
    """A fact's value as JSON keeps it: dates as ISO text, empty as None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changes_json(changes: Sequence[dict[str, Any]]) -> str:
    """The changes as the entry stores them (canonical JSON), or "" when there are none."""
    return json.dumps(changes, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if changes else ""


def changes_of(event: CaseEvent) -> list[dict[str, Any]]:
    """The fact changes an entry made, [{"fact", "old", "new"}], from its stored JSON."""
    return json.loads(event.changes) if getattr(event, "changes", "") else []


def as_reported(case: Violation) -> dict[str, Any]:
    """The case's facts as its first report gave them: the old value of the first later change of each
    fact, else the value it still has (a report sent again is compared with this, not with later steps)."""
    reported = {name: plain(getattr(case, name)) for name in FACTS}
    for event in reversed(case.events):
        for change in changes_of(event):
            reported[change["fact"]] = change["old"]
    return reported


def shown(name: str, value: object) -> str:
    """A fact's value as the case page and the exports print it (the label of a state, dd/mm/yyyy)."""
    if value is None or value == "":
        return ""
    if name == "works_state":
        return WORKS_STATES.get(str(value), str(value))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if name == "permit_date" and isinstance(value, str):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)
