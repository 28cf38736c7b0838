"""The ward's document register (sổ văn bản): every numbered document of a case, per type and year."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .case_event import CaseEvent
    from .field import Violation


class RegisterEntry(db.Model):
    """One document in the register: its kind, year, number as written (12/QĐ-XPHC), date, case,
    history entry and who signed (or recorded) it. A number is never given twice for a kind and year."""

    __tablename__ = "document_register"
    __table_args__ = (UniqueConstraint("kind", "year", "number", name="uq_document_register_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60))
    sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)  # given by the register; None: entered
    dated: Mapped[date] = mapped_column(Date)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[CaseEvent] = relationship("CaseEvent")
    violation: Mapped[Violation] = relationship("Violation")


class DocumentCounter(db.Model):
    """The last number the register gave for a kind of document and a year."""

    __tablename__ = "document_counters"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
