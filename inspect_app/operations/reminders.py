"""The morning reminders (flask reminders send, from the 07:00 timer): for every user who wants one, the
digest of the day (domain/cases/digest.py) written by `render` and sent once. A day already sent to a user
is not sent again; a failure is recorded with its reason and sent by the next run of the same day."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.cases.context import LifecycleContext
from ..domain.cases.digest import Digest, digest_for, recipients
from ..domain.geo.spatial.engine import expect_writes, reset_expect_writes
from ..models import ReminderSend, User
from ..models.types import utcnow
from ..models.vocabulary import ReminderStatus
from .mailer import MailSettings, SendFailed, send_message

CLAIM_EXPIRES = timedelta(minutes=30)  # a claim older than this was left by a run that died: send again


@dataclass
class ReminderReport:
    """What one run did, for the command's output and its exit code."""

    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    nothing_to_say: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def send_reminders(session: Session, settings: MailSettings, context: LifecycleContext,
                   render: Callable[[Digest], EmailMessage], sleep=None) -> ReminderReport:
    """Send the day's reminders (context.today); commits one user at a time, after the mail server answered."""
    token = expect_writes()  # each user's reading and writing is one short transaction: SQLite's BEGIN IMMEDIATE
    try:
        return _send_all(session, settings, context, render, sleep)
    finally:
        reset_expect_writes(token)


def _send_all(session, settings, context, render, sleep):
    report = ReminderReport()
    day = context.today
    for user_id, username in [(u.id, u.username) for u in recipients(session)]:
        previous = _row(session, user_id, day)
        if previous is not None and previous.status == ReminderStatus.SENT:
            report.already_sent.append(username)
            continue
        if previous is not None and previous.status == ReminderStatus.SENDING and \
                previous.updated_at > utcnow() - CLAIM_EXPIRES:
            report.already_sent.append(username)  # another run is sending it right now
            continue
        digest = digest_for(session, session.get_one(User, user_id), context)
        if not digest.items:
            report.nothing_to_say.append(username)
            continue
        message, address, items = render(digest), digest.user.email or "", digest.items
        # Claim the day before talking to the mail server: a second run at the same time skips it.
        row = previous or ReminderSend(user_id=user_id, day=day, attempts=0, last_error="")
        row.status, row.address, row.items, row.updated_at = ReminderStatus.SENDING, address, items, utcnow()
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # the other run claimed it first
            session.rollback()
            report.already_sent.append(username)
            continue
        try:
            attempts = send_message(settings, message, **({"sleep": sleep} if sleep else {}))
            status, error = ReminderStatus.SENT, ""
        except SendFailed as exc:
            attempts, status, error = exc.attempts, ReminderStatus.FAILED, str(exc)
            report.failed.append((username, error))
        else:
            report.sent.append(username)
        row = _row(session, user_id, day)
        assert row is not None, "claimed above"
        row.status, row.last_error, row.attempts, row.updated_at = status, error, row.attempts + attempts, utcnow()
        session.commit()
    return report


def _row(session, user_id: int, day: date) -> ReminderSend | None:
    return session.scalar(select(ReminderSend).where(ReminderSend.user_id == user_id, ReminderSend.day == day))

