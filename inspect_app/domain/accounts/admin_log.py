"""The log the administrator reads: logins (from login_attempts) and administrative changes.

Entries are only ever added. The caller commits, in the same transaction as the change itself,
so a change and its log entry are stored together or not at all.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AdminEvent, LoginAttempt
from ...models.types import utcnow

if TYPE_CHECKING:
    from ...models import User

PAGE_SIZE = 200
log = logging.getLogger("inspect_app.admin")




def log_admin_action(session: Session, actor: User | None, action: str, target: str, detail: str = "") -> AdminEvent:
    """Add one entry for a change an administrator made (not committed)."""
    event = AdminEvent(actor_id=actor.id if actor is not None else None, action=action[:40], target=(target or "")[:200],
                       detail=detail or "", recorded_at=utcnow())
    session.add(event)
    log.info("admin change by %s: %s %s %s", actor.username if actor is not None else "-", action, target or "",
             detail or "")
    return event


def recent_changes(session: Session, limit: int = PAGE_SIZE) -> Sequence[AdminEvent]:
    """The latest administrative changes, newest first."""
    return session.scalars(select(AdminEvent).order_by(AdminEvent.recorded_at.desc(), AdminEvent.id.desc()).limit(limit)).all()


def recent_logins(session: Session, failed_only: bool = False, limit: int = PAGE_SIZE) -> Sequence[LoginAttempt]:
    """The latest login attempts (successful and failed), newest first."""
    statement = select(LoginAttempt)
    if failed_only:
        statement = statement.where(LoginAttempt.succeeded.is_(False))
    return session.scalars(statement.order_by(LoginAttempt.attempted_at.desc(), LoginAttempt.id.desc()).limit(limit)).all()
