"""Limits on failed logins, per user name and per address, so that passwords cannot be guessed.

A name (or an address) with `per_username` (`per_address`) failed attempts in the last minute is
refused until the oldest of them is a minute old, even with the right password; the message says
when to try again. Refused attempts are not counted, so waiting always works.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import LoginAttempt
from ..errors import N_, DomainError
from ..ward_time import VIETNAM_OFFSET


@dataclass(frozen=True)
class LoginLimits:
    """How many failed logins a name and an address may have in a window."""

    per_username: int = 5
    per_address: int = 20       # an office behind one address has several people logging in
    window_s: int = 60


class TooManyAttempts(DomainError):
    """Too many failed logins lately; retry_after_s says how long to wait."""

    def __init__(self, message, retry_after_s, **params):
        super().__init__(message, **params)
        self.retry_after_s = retry_after_s


def check_allowed(session: Session, username: str, address: str, limits: LoginLimits, now: datetime) -> None:
    """Raise TooManyAttempts when this name or this address failed too often in the window."""
    since = now - timedelta(seconds=limits.window_s)
    waits = []
    for column, value, limit in ((LoginAttempt.username, username, limits.per_username),
                                 (LoginAttempt.address, address, limits.per_address)):
        failed = session.scalars(
            select(LoginAttempt.attempted_at)
            .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since)
            .order_by(LoginAttempt.attempted_at.desc()).limit(limit)
        ).all()
        if len(failed) >= limit:
            waits.append(failed[-1] + timedelta(seconds=limits.window_s))
    if waits:
        free_at = max(waits)
        seconds = max(1, int((free_at - now).total_seconds() + 0.999))
        raise TooManyAttempts(
            N_("Too many wrong passwords. Try again in %(seconds)s seconds (at %(time)s)."), retry_after_s=seconds,
            seconds=seconds, time=free_at.astimezone(VIETNAM_OFFSET).strftime("%H:%M:%S"),
        )


def log_login_attempt(session: Session, username: str, address: str, succeeded: bool, now: datetime) -> None:
    """Note one login attempt (not committed)."""
    session.add(LoginAttempt(username=username[:64], address=(address or "")[:64], attempted_at=now, succeeded=succeeded))
