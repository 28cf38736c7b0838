"""The log the administrator reads: logins (from login_attempts) and administrative changes.

Entries are only ever added. The caller commits, in the same transaction as the change itself,
so a change and its log entry are stored together or not at all.
"""
import logging

from sqlalchemy import select

from ...models import AdminEvent, LoginAttempt
from ...models.types import utcnow

PAGE_SIZE = 200
log = logging.getLogger("inspect_app.admin")




def log_admin_action(session, actor, action, target, detail=""):
    """Add one entry for a change an administrator made (not committed)."""
    event = AdminEvent(actor_id=actor.id if actor is not None else None, action=action[:40], target=(target or "")[:200],
                       detail=detail or "", recorded_at=utcnow())
    session.add(event)
    log.info("admin change by %s: %s %s %s", actor.username if actor is not None else "-", action, target or "",
             detail or "")
    return event


def recent_changes(session, limit=PAGE_SIZE):
    """The latest administrative changes, newest first."""
    return session.scalars(select(AdminEvent).order_by(AdminEvent.recorded_at.desc(), AdminEvent.id.desc()).limit(limit)).all()


def recent_logins(session, failed_only=False, limit=PAGE_SIZE):
    """The latest login attempts (successful and failed), newest first."""
    statement = select(LoginAttempt)
    if failed_only:
        statement = statement.where(LoginAttempt.succeeded.is_(False))
    return session.scalars(statement.order_by(LoginAttempt.attempted_at.desc(), LoginAttempt.id.desc()).limit(limit)).all()
