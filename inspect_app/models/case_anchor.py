"""Seals of a case's state: after each write, its history's length and head and its row, keyed with
a secret kept outside the database, so that a change made with an SQL editor can be told apart."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class CaseAnchor(db.Model):
    """One seal of a case (rows are only ever added; each is chained to the case's previous seal)."""

    __tablename__ = "case_anchors"
    __table_args__ = (UniqueConstraint("violation_id", "seq", name="uq_case_anchors_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    events_count: Mapped[int] = mapped_column(Integer)
    chain_head: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(Text)  # canonical JSON of the case row, its photos and visits
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
