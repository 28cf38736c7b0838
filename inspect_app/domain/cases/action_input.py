"""An action on a case as the form gives it: read, typed and checked field by field (InvalidFields names
every problem, forged fields included). Nothing here reads the database."""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import N_
from ..inputs import FieldReader
from . import case_facts, signing, workflow


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


def read_action_input(data: Mapping[str, Any], photos: list[Any], today: date) -> ActionInput:
    """Parse an action form; raises InvalidFields naming every problem, including forged fields."""
    reader = FieldReader(data)
    if "stage" in data or "to_stage" in data:
        reader.error("action", N_("The stage cannot be set directly: choose one of the actions offered."))
    key = reader.choice("action", tuple(workflow.ACTIONS), required=True)
    mode = reader.choice("mode", ("record", "propose"), required=True)
    expected_version = reader.number("version", 1, 2**31 - 1, required=True, integer=True)
    reader.finish()
    assert key is not None and mode is not None and expected_version is not None  # finish() raised otherwise
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
