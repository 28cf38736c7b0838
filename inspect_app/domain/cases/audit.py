"""Checking that every case is what was written: its history's order, content and photo files, the
case row against what its history implies, and the case against its last keyed seal
(audit_anchors). Each problem names the case and what differs."""
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, Photo, Violation, Visit
from ..field.photos import photo_file
from . import case_facts, workflow
from .audit_anchors import check_seals
from .events import APPLIED
from .history import GENESIS, event_hash
from .stages import DETECTED


@dataclass(frozen=True)
class AuditProblem:
    """Something in a case that no longer matches what was written: `what` names the kind of difference,
    `seq` the history entry (when one is at fault) and `detail` the values or fields."""

    case_code: str
    seq: int | None
    what: str
    detail: str = ""


def _history_problem(session, case, events, photo_dir):
    previous, expected_seq = GENESIS, 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != previous:
            return AuditProblem(case.code, event.seq, "order")
        photos = session.scalars(select(Photo).where(Photo.event_id == event.id)).all()
        if any(not _file_matches(photo_dir, photo) for photo in photos):
            return AuditProblem(case.code, event.seq, "photo")
        if event_hash(event, [p.sha256 for p in photos]) != event.content_hash:
            return AuditProblem(case.code, event.seq, "content")
        previous, expected_seq = event.content_hash, expected_seq + 1
    return None


def _file_matches(photo_dir, photo):
    path = photo_file(photo_dir, photo.stored_name)
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == photo.sha256


def implied_state(case: Violation, events: Iterable[CaseEvent]) -> dict[str, Any]:
    """What the case row must say according to its history: stage, deadline, outcome, officer, and the
    position when an event placed the case (None: the report gave it, and the seal checks it)."""
    state: dict[str, Any] = {"stage": DETECTED, "deadline": (None, "", ""), "outcome": "", "officer": case.inspector_id,
             "position": None, "facts": {}}
    for event in events:
        for change in case_facts.changes_of(event):  # facts a proposal's form gave take effect at once too
            state["facts"][change["fact"]] = change["new"]
        if event.kind not in APPLIED:
            continue
        state["stage"] = event.stage_after
        state["deadline"] = (event.due_date, event.due_rule or "", event.due_citation or "")
        action = workflow.ACTIONS.get(event.action)
        if action is not None and action.outcome:
            state["outcome"] = event.outcome
        if event.officer_id is not None:
            state["officer"] = event.officer_id
        if event.lon is not None and event.lat is not None:
            state["position"] = (round(event.lon, 7), round(event.lat, 7))
    return state


def _row_problems(case, events):
    implied = implied_state(case, events)
    found = {"stage": case.stage, "deadline": (case.due_date, case.due_rule or "", case.due_citation or ""),
             "outcome": case.outcome or "", "officer": case.officer_id, "position": _lon_lat(case.position)}
    keys = ("stage", "deadline", "outcome", "officer") + (("position",) if implied["position"] is not None else ())
    problems = [AuditProblem(case.code, None, key, f"{_show(found[key])} ≠ {_show(implied[key])}")
                for key in keys if found[key] != implied[key]]
    # A fact a step changed must still hold that step's value (the report's own facts the seal checks).
    for name, value in implied["facts"].items():
        stored = case_facts.changed(case, {name: value})
        if stored:
            problems.append(AuditProblem(case.code, None, "fact", f"{name}: {stored[0]['old'] or '–'} ≠ {value or '–'}"))
    return problems


def _lon_lat(position):
    if position is None:
        return None
    point = to_shape(position)
    return round(point.x, 7), round(point.y, 7)


def _show(value):
    if isinstance(value, tuple) and value and isinstance(value[0], float):
        return f"{value[1]:.7f}, {value[0]:.7f}"
    if isinstance(value, tuple):
        return value[0].strftime("%d/%m/%Y") if value[0] else "–"
    return str(value) if value not in (None, "") else "–"


def _evidence_photo_problems(session, case, photo_dir):
    """Report and visit photos: each file must still have the hash stored for it."""
    visit_ids = select(Visit.id).where(Visit.violation_id == case.id)
    photos = session.scalars(select(Photo).where(Photo.event_id.is_(None),
                                                 (Photo.violation_id == case.id) | Photo.visit_id.in_(visit_ids))).all()
    return [AuditProblem(case.code, None, "evidence_photo", photo.client_uuid)
            for photo in photos if not _file_matches(photo_dir, photo)]


def verify_case(session: Session, case: Violation, photo_dir: str, key: str) -> list[AuditProblem]:
    """[AuditProblem] of one case; empty when it proves itself."""
    events = session.scalars(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq)).all()
    problems = []
    history = _history_problem(session, case, events, photo_dir)
    if history is not None:
        problems.append(history)
    problems += _evidence_photo_problems(session, case, photo_dir)
    problems += _row_problems(case, events)
    problems += [AuditProblem(case.code, None, p.what, p.detail) for p in check_seals(session, case, key)]
    return problems


def verify_all(session: Session, photo_dir: str, key: str) -> tuple[int, int, list[AuditProblem]]:
    """(cases checked, cases with a problem, [AuditProblem]) over every case."""
    problems, failing = [], 0
    cases = session.scalars(select(Violation).order_by(Violation.id)).all()
    for case in cases:
        found = verify_case(session, case, photo_dir, key)
        failing += bool(found)
        problems += found
    return len(cases), failing, problems
