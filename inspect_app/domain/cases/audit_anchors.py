"""Seals (anchors) of each case: after every transaction that touched a case, its history's length
and head hash and its whole state (row, photos, visits) are recorded, chained per case and keyed
with HMAC-SHA256 under a secret kept in the instance folder, never in the database.

Someone with an SQL editor can rewrite events and even re-hash them with the app's own function,
but cannot make a seal for the result: `flask audit verify` compares each case with its last seal.
Cutting the last seals off as well is what the weekly paper fingerprint (chain_fingerprint) is for.
"""
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import event, false, func, select
from sqlalchemy.orm import Session

from ...models import CaseAnchor, CaseEvent, Photo, Violation, Visit
from ...models.types import utcnow

GENESIS_MAC = "0" * 64
# What a seal covers, by version: a later migration that adds a column does not make every old seal
# read as "changed"; to seal a new column, add a version (old seals are checked with their own list).
SEALED_COLUMNS = {
    1: {
        "case": ("id", "client_uuid", "code", "stage", "detected_at", "inspector_id", "officer_id", "patrol_id",
                 "route_id", "position", "gps_lon", "gps_lat", "gps_accuracy_m", "outside_ward", "address", "khu_vuc",
                 "owner_name", "owner_phone", "category", "description", "area_m2", "floors", "created_at",
                 "due_date", "due_rule", "due_citation", "outcome", "last_event_at", "version"),
        "visit": ("id", "client_uuid", "inspector_id", "patrol_id", "violation_id", "outcome", "note", "position",
                  "accuracy_m", "outside_ward", "visited_at"),
        "photo": ("client_uuid", "sha256", "violation_id", "visit_id", "event_id"),
    },
}
# Version 2 (migrations 0014–0015): the start of the deadline's period and the limitation period's last day.
SEALED_COLUMNS[2] = dict(SEALED_COLUMNS[1], case=SEALED_COLUMNS[1]["case"] + ("due_start", "limitation_due"))
# Version 3 (migration 0017): the facts documents need.
SEALED_COLUMNS[3] = dict(SEALED_COLUMNS[2], case=SEALED_COLUMNS[2]["case"] + (
    "owner_id_number", "owner_address", "plot_number", "map_sheet", "works_kind", "works_state", "permit_number",
    "permit_date"))
SEAL_VERSION = max(SEALED_COLUMNS)
_TOUCHED_CASES = "audit_touched_cases"
_TOUCHED_VISITS = "audit_touched_visits"


def _plain(value):
    """A column value as JSON the same way whichever database or session it came from."""
    if isinstance(value, (WKBElement, WKTElement)):
        shape = to_shape(value)
        return [[round(x, 9), round(y, 9)] for x, y in shape.coords] if shape.geom_type == "Point" else shape.wkt
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _columns(table, names):
    return [table.c[name] for name in names]


def case_state(session: Session, case_id: int, version: int = SEAL_VERSION) -> dict[str, Any]:
    """The case row, its photos (report, event, visit) and visits, as plain data read from the database
    (the columns of seal `version`)."""
    names = SEALED_COLUMNS[version]
    row = session.execute(select(*_columns(Violation.__table__, names["case"])).where(Violation.id == case_id)).mappings().one()
    visits = session.execute(select(*_columns(Visit.__table__, names["visit"])).where(Visit.violation_id == case_id)
                             .order_by(Visit.id)).mappings().all()
    visit_ids = [v["id"] for v in visits]
    photo_rows = session.execute(
        select(*_columns(Photo.__table__, names["photo"]))
        .where((Photo.violation_id == case_id) | (Photo.visit_id.in_(visit_ids) if visit_ids else false()))
        .order_by(Photo.client_uuid)
    ).mappings().all()
    return {
        "v": version,
        "case": {key: _plain(value) for key, value in row.items()},
        "visits": [{key: _plain(value) for key, value in v.items()} for v in visits],
        "photos": [{key: _plain(value) for key, value in p.items()} for p in photo_rows],
    }


def canonical(state: Any) -> str:
    """Canonical JSON text of a state (sorted keys, no spaces)."""
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_head(session: Session, case_id: int) -> tuple[int, str]:
    """(number of events, content hash of the last one or '') of the case's history."""
    rows = session.execute(
        select(CaseEvent.seq, CaseEvent.content_hash).where(CaseEvent.violation_id == case_id).order_by(CaseEvent.seq)
    ).all()
    return len(rows), rows[-1].content_hash if rows else ""


def anchor_mac(key: str, violation_id: int, seq: int, recorded_at: datetime, events_count: int, head: str,
               state_text: str, prev_mac: str) -> str:
    """HMAC-SHA256 of a seal's fields under the instance's audit key."""
    message = json.dumps([violation_id, seq, _plain(recorded_at), events_count, head, state_text, prev_mac],
                         ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_case(session: Session, case_id: int, key: str, now: datetime | None = None) -> CaseAnchor:
    """Add a seal of the case as it is now in this transaction (the caller commits)."""
    # Row lock on PostgreSQL: two transactions sealing one case take turns (SQLite writes one at a time).
    session.execute(select(Violation.id).where(Violation.id == case_id).with_for_update())
    last = session.scalar(select(CaseAnchor).where(CaseAnchor.violation_id == case_id).order_by(CaseAnchor.seq.desc()).limit(1))
    count, head = chain_head(session, case_id)
    state_text = canonical(case_state(session, case_id))
    seq, prev_mac = (last.seq + 1, last.mac) if last else (1, GENESIS_MAC)
    recorded_at = now or utcnow()
    anchor = CaseAnchor(violation_id=case_id, seq=seq, recorded_at=recorded_at, events_count=count, chain_head=head,
                        state=state_text, prev_mac=prev_mac,
                        mac=anchor_mac(key, case_id, seq, recorded_at, count, head, state_text, prev_mac))
    session.add(anchor)
    return anchor


def install(session: Any, key_source: Callable[[], str]) -> None:
    """Seal every case a transaction touched (report, event, photo, visit) just before it commits.

    key_source() returns the audit key. Done here, once, so that no write path can forget it.
    """
    @event.listens_for(session, "after_flush")
    def _note_touched(flush_session, _context):
        cases = flush_session.info.setdefault(_TOUCHED_CASES, set())
        visits = flush_session.info.setdefault(_TOUCHED_VISITS, set())
        for obj in list(flush_session.new) + list(flush_session.dirty):
            if isinstance(obj, Violation):
                cases.add(obj.id)
            elif isinstance(obj, (CaseEvent, Visit)) and obj.violation_id is not None:
                cases.add(obj.violation_id)
            elif isinstance(obj, Photo):
                if obj.violation_id is not None:
                    cases.add(obj.violation_id)
                elif obj.visit_id is not None:
                    visits.add(obj.visit_id)

    @event.listens_for(session, "before_commit")
    def _seal_touched(commit_session):
        commit_session.flush()
        cases = commit_session.info.pop(_TOUCHED_CASES, set())
        visits = commit_session.info.pop(_TOUCHED_VISITS, set())
        if visits:
            cases |= set(commit_session.scalars(
                select(Visit.violation_id).where(Visit.id.in_(visits), Visit.violation_id.is_not(None))))
        if not cases:
            return
        key = key_source()
        now = utcnow()
        for case_id in sorted(c for c in cases if c is not None):
            seal_case(commit_session, case_id, key, now)
        commit_session.flush()
        commit_session.info.pop(_TOUCHED_CASES, None)

    @event.listens_for(session, "after_soft_rollback")
    def _forget_touched(rollback_session, _previous):
        rollback_session.info.pop(_TOUCHED_CASES, None)
        rollback_session.info.pop(_TOUCHED_VISITS, None)


@dataclass(frozen=True)
class SealProblem:
    """How a case differs from its seals: `what` is a key of audit.PROBLEM_KINDS, detail says more."""

    what: str
    detail: str = ""


def check_seals(session: Session, case: Violation, key: str) -> list[SealProblem]:
    """[SealProblem] for one case: its seals' keys and links, then the case against its last seal."""
    anchors = session.scalars(select(CaseAnchor).where(CaseAnchor.violation_id == case.id).order_by(CaseAnchor.seq)).all()
    if not anchors:
        return [SealProblem("unsealed")]
    prev_mac = GENESIS_MAC
    for number, anchor in enumerate(anchors, start=1):
        expected = anchor_mac(key, case.id, anchor.seq, anchor.recorded_at, anchor.events_count, anchor.chain_head,
                              anchor.state, anchor.prev_mac)
        if anchor.seq != number or anchor.prev_mac != prev_mac or not hmac.compare_digest(expected, anchor.mac):
            return [SealProblem("seal", str(anchor.seq))]
        prev_mac = anchor.mac
    last = anchors[-1]
    problems = []
    count, head = chain_head(session, case.id)
    if (count, head) != (last.events_count, last.chain_head):
        problems.append(SealProblem("history", f"{last.events_count} → {count}"))
    sealed = json.loads(last.state)
    now = case_state(session, case.id, sealed.get("v", SEAL_VERSION))
    changed = [f"case.{k}" for k in sorted(now["case"]) if now["case"].get(k) != sealed["case"].get(k)]
    if now["visits"] != sealed["visits"]:
        changed.append("visits")
    if now["photos"] != sealed["photos"]:
        changed.append("photos")
    if changed:
        problems.append(SealProblem("row", ", ".join(changed)))
    return problems


def chain_fingerprint(session: Session, until: datetime) -> tuple[str, int]:
    """(short fingerprint, number of cases) of every case's history as it stood at `until` (for the
    weekly list on paper): each case's last entry before then, by code."""
    last = (select(CaseEvent.violation_id, func.max(CaseEvent.seq).label("seq"))
            .where(CaseEvent.recorded_at < until).group_by(CaseEvent.violation_id).subquery())
    rows = session.execute(
        select(Violation.code, CaseEvent.seq, CaseEvent.content_hash)
        .join(last, last.c.violation_id == Violation.id)
        .join(CaseEvent, (CaseEvent.violation_id == last.c.violation_id) & (CaseEvent.seq == last.c.seq))
    ).all()
    digest = hashlib.sha256()
    for code, seq, content_hash in sorted(rows):  # in Python: the same order whatever the database's collation
        digest.update(f"{code}:{seq}:{content_hash}\n".encode())
    text = digest.hexdigest()[:20].upper()
    return "-".join(text[i:i + 4] for i in range(0, 20, 4)), len(rows)


def seal_unsealed(session: Session, key: str) -> int:
    """Seal every case that has no seal yet; returns how many (the caller commits)."""
    sealed = select(CaseAnchor.violation_id)
    unsealed = session.scalars(select(Violation.id).where(Violation.id.not_in(sealed)).order_by(Violation.id)).all()
    now = utcnow()
    for case_id in unsealed:
        seal_case(session, case_id, key, now)
    return len(unsealed)
