"""Checking that every case's history is what was written: order, content and photo files."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from ..models import CaseEvent, Photo, Violation
from .case_actions import GENESIS, event_hash
from .photos import photo_file


@dataclass(frozen=True)
class AuditProblem:
    """The first event of a case that no longer matches its hash chain."""

    case_code: str
    seq: int
    what: str


def verify_case(session, case, photo_dir):
    """The first problem in the case's history, or None when it proves itself."""
    previous = GENESIS
    expected_seq = 1
    events = session.scalars(select(CaseEvent).where(CaseEvent.violation_id == case.id).order_by(CaseEvent.seq)).all()
    for event in events:
        if event.seq != expected_seq or event.prev_hash != previous:
            return AuditProblem(case.code, event.seq, "order")
        photos = session.scalars(select(Photo).where(Photo.event_id == event.id)).all()
        for photo in photos:
            path = photo_file(photo_dir, photo.stored_name)
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != photo.sha256:
                return AuditProblem(case.code, event.seq, "photo")
        if event_hash(event, [p.sha256 for p in photos]) != event.content_hash:
            return AuditProblem(case.code, event.seq, "content")
        previous = event.content_hash
        expected_seq += 1
    return None


def verify_all(session, photo_dir):
    """(cases checked, [AuditProblem]) over every case."""
    problems = []
    cases = session.scalars(select(Violation).order_by(Violation.id)).all()
    for case in cases:
        problem = verify_case(session, case, photo_dir)
        if problem is not None:
            problems.append(problem)
    return len(cases), problems
