"""The morning reminders sent by e-mail: one row per user and day, so that a day is never sent twice and
a failure stays on record until a later run sends it."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow
from .vocabulary import ReminderStatus, allowed

if TYPE_CHECKING:
    from .user import User


class ReminderSend(db.Model):
    """A user's reminder of one day: sent (when, to which address, how many items) or failed (the last error,
    how many tries)."""

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("user_id", "day", name="uq_reminder_sends_user_id_day"),
        allowed("status", ReminderStatus, "ck_reminder_sends_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))
    items: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship("User")
