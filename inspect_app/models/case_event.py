"""The history of a case: events are only ever added, each chained to the one before by hash."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .vocabulary import EventKind, Stage, allowed

if TYPE_CHECKING:
    from .field import Photo, Violation
    from .user import User


class CaseEvent(db.Model):
    """One step of a case: a recorded action, a proposal, or the chairman's answer to one."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("violation_id", "seq", name="uq_case_events_seq"),
        allowed("kind", EventKind, "ck_case_events_kind"),
        allowed("stage_before", Stage, "ck_case_events_stage_before"),
        allowed("stage_after", Stage, "ck_case_events_stage_after"),
        CheckConstraint("fine_vnd IS NULL OR fine_vnd >= 0", name="ck_case_events_fine"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage_before: Mapped[str] = mapped_column(String(16))
    stage_after: Mapped[str] = mapped_column(String(16))
    document_kind: Mapped[str] = mapped_column(String(32), default="")
    document_number: Mapped[str] = mapped_column(String(60), default="")
    document_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    fine_vnd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    remedy: Mapped[str] = mapped_column(Text, default="")
    compliance_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_rule: Mapped[str] = mapped_column(String(40), default="")
    due_citation: Mapped[str] = mapped_column(String(120), default="")
    answers_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # Set by a reassignment (and its proposal): the officer the case is given to.
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_case_events_officer_id_users"), nullable=True
    )
    # The clock this event started or moved (clocks.py): its rule, last day and legal basis. Empty on
    # events before migration 0015, whose due_* fields were that clock.
    clock_rule: Mapped[str] = mapped_column(String(40), default="", server_default="")
    clock_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    clock_citation: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Set by placing a case reported with its position unknown: the position given (WGS84).
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Set by a step that completed or corrected the case's facts: [{"fact", "old", "new"}] as JSON.
    changes: Mapped[str] = mapped_column(Text, default="", server_default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User] = relationship("User", foreign_keys=[actor_id])
    officer: Mapped[User | None] = relationship("User", foreign_keys=[officer_id])
    violation: Mapped[Violation] = relationship("Violation", back_populates="events")
    photos: Mapped[list[Photo]] = relationship("Photo", back_populates="event", order_by="Photo.id")
