"""Accounts of the people who use the app."""
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow
from .vocabulary import Role, allowed


def password_stamp(password_hash):
    """A short fingerprint of the stored password hash (the hash itself never goes into a cookie)."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


class User(UserMixin, db.Model):
    """An inspector, the ward chairman or an office administrator."""

    __tablename__ = "users"
    __table_args__ = (
        allowed("role", Role, "ck_users_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when an administrator chose the password: the user picks their own at the next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The morning reminder (flask reminders send): where it goes, and whether the user wants it.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Until when the user has read the news on their cases ("Đã xem"): later entries are marked new.
    news_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def get_id(self):
        """Flask-Login: the session names the user and their current password, so a new password
        (set by the user or reset by the administrator) ends every session opened with the old one."""
        return f"{self.id}:{password_stamp(self.password_hash)}"

    @property
    def is_active(self):
        """Flask-Login: deactivated accounts cannot log in or keep a session."""
        return self.active

    def __repr__(self):
        return f"<User {self.username} ({self.role})>"
