"""A case's history as evidence: each event numbered in order, hashed with its photos and chained to the
one before (GENESIS for the first), so that `flask audit verify` finds any change made outside the app."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...models import CaseEvent, User, Violation
from ...models.types import utcnow
from ..errors import N_, Conflict
from ..field.field_reports import FieldRules
from ..field.photos import PhotoFiles, PreparedPhoto, add_photo

if TYPE_CHECKING:
    from .context import LifecycleContext

GENESIS = "0" * 64


def new_event(session: Session, case: Violation, user: User, action_key: str, kind: str,
              now: datetime | None) -> CaseEvent:
    """The case's next event (numbered after the last, chained to its hash), not yet sealed."""
    last = session.execute(
        select(CaseEvent.seq, CaseEvent.content_hash).where(CaseEvent.violation_id == case.id)
        .order_by(CaseEvent.seq.desc()).limit(1)
    ).first()
    return CaseEvent(
        violation_id=case.id, seq=(last.seq if last else 0) + 1, kind=kind, action=action_key, actor_id=user.id,
        recorded_at=now or utcnow(), stage_before=case.stage, stage_after=case.stage,
        document_kind="", document_number="", remedy="", outcome="", due_rule="", due_citation="", note="", changes="",
        prev_hash=last.content_hash if last else GENESIS, content_hash="",  # sealed by seal()
    )


def attach_photos(session: Session, case: Violation, event: CaseEvent, user: User, photos: Sequence[PreparedPhoto],
                  ctx: LifecycleContext, files: PhotoFiles) -> None:
    """Store the step's photos with its event (a photo already stored elsewhere is refused)."""
    rules = ctx.photo_rules or FieldRules()
    for upload in photos:
        photo = add_photo(session, files, upload, user, rules.max_photo_bytes, rules.max_photo_pixels, violation=case)
        if photo.id is not None:
            # A photo already stored (its identifier sent again): attaching it here would move evidence
            # from its report, visit or earlier step, which rewrites history.
            raise Conflict(N_("This photo was already sent with another record."))
        photo.event = event


def seal(session: Session, case: Violation, event: CaseEvent) -> None:
    """Hash the event (chained to the previous one by new_event) and bump the case's version."""
    event.content_hash = event_hash(event, [p.sha256 for p in event.photos])
    session.add(event)
    case.last_event_at = event.recorded_at
    try:
        session.flush()
    except StaleDataError:
        # Another transaction changed the case between our read and our write.
        raise Conflict(N_("This case was changed by someone else at the same moment. Reload it and try again.")) from None


def event_content(event: CaseEvent, photo_hashes: Iterable[str]) -> str:
    """The fields of an event that its hash covers, as canonical JSON."""
    content = {
        "case": event.violation_id, "seq": event.seq, "kind": event.kind, "action": event.action,
        "actor": event.actor_id, "at": event.recorded_at.isoformat(timespec="microseconds"),
        "stage": [event.stage_before, event.stage_after],
        "document": [event.document_kind, event.document_number, event.document_date.isoformat() if event.document_date else None],
        "fine": event.fine_vnd, "remedy": event.remedy, "compliance_days": event.compliance_days,
        "outcome": event.outcome,
        "due": [event.due_date.isoformat() if event.due_date else None, event.due_rule, event.due_citation],
        "answers": event.answers_event_id, "note": event.note, "photos": sorted(photo_hashes),
    }
    if event.officer_id is not None:  # only reassignments name one; older events hash as they always did
        content["officer"] = event.officer_id
    if event.lon is not None:  # likewise only placing a case gives a position
        content["position"] = [event.lon, event.lat]
    if event.changes:  # the facts a step completed or corrected (migration 0017)
        content["changes"] = json.loads(event.changes)
    if event.clock_rule:  # the clock an entry started or moved (entries before migration 0015 have none)
        content["clock"] = [event.clock_rule, event.clock_due.isoformat() if event.clock_due else None,
                            event.clock_citation]
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(event: CaseEvent, photo_hashes: Iterable[str]) -> str:
    """SHA-256 of the previous event's hash and this event's content."""
    return hashlib.sha256((event.prev_hash + event_content(event, photo_hashes)).encode("utf-8")).hexdigest()
