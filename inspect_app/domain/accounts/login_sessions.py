"""Sessions kept on the server: started at login, checked on every request, ended by logging out,
by deactivation and by a new password. The caller commits."""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from ...models import LoginSession
from ...models.types import utcnow

if TYPE_CHECKING:
    from ...models import User


def start_session(session: Session, user: User, now: datetime | None = None) -> str:
    """A new server-side session for the user; returns its id (for the signed cookie)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=token, user_id=user.id, started_at=now or utcnow()))
    return token


def is_live(session: Session, session_id: str | None, user_id: int) -> bool:
    """True when the session exists, belongs to the user and has not been ended."""
    if not session_id or not isinstance(session_id, str):
        return False
    row = session.get(LoginSession, session_id)
    return row is not None and row.user_id == user_id and row.ended_at is None


def end_session(session: Session, session_id: str | None, reason: str = "logout", now: datetime | None = None) -> None:
    """End one session (a copy of its cookie is refused from now on)."""
    row = session.get(LoginSession, session_id) if session_id else None
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = now or utcnow(), reason


def end_all_sessions(session: Session, user: User, reason: str, keep: str | None = None,
                     now: datetime | None = None) -> int:
    """End every live session of the user (but `keep`); returns how many."""
    statement = (update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                 .values(ended_at=now or utcnow(), end_reason=reason))
    if keep:
        statement = statement.where(LoginSession.id != keep)
    result: CursorResult = session.execute(statement)  # type: ignore[assignment]  # an UPDATE gives a cursor result
    return result.rowcount


def live_sessions(session: Session, user: User) -> Sequence[LoginSession]:
    """The user's sessions not yet ended, newest first."""
    return session.scalars(select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                           .order_by(LoginSession.started_at.desc())).all()


def forget_sessions(session: Session, user: User) -> None:
    """Remove every session row of the user (before the account itself is deleted)."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))

