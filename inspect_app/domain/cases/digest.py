"""The morning reminder's content for one user (flask reminders send): what is overdue and what falls due
in the next working days, only among what the user is answerable for. An inspector hears only of the
cases in their charge; the chairman of every case and of the decisions waiting for him; the office of
documents without a number. Plain data: the operations layer writes and sends it."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CaseEvent, User, Violation
from ..accounts.roles import ADMIN, CHAIRMAN, INSPECTOR
from .clocks import is_overdue
from .context import LifecycleContext
from .proposals import pending_proposals
from .todo import SOON_WORKING_DAYS, cases_due_by, count_overdue, unnumbered_documents

LISTED = 50  # cases named in one mail; the link opens all of them


@dataclass
class Digest:
    """One user's reminder of one day."""

    user: User
    day: date
    due_by: date
    overdue: list[Violation] = field(default_factory=list)
    due_soon: list[Violation] = field(default_factory=list)
    total_due: int = 0
    total_overdue: int = 0
    waiting: Sequence[CaseEvent] = ()
    unnumbered: Sequence[CaseEvent] = ()
    officer_only: bool = True  # the list link is filtered to the user's own cases

    @property
    def items(self) -> int:
        """How many things the mail asks the user to look at (0: no mail)."""
        return self.total_due + len(self.waiting) + len(self.unnumbered)


def digest_for(session: Session, user: User, context: LifecycleContext) -> Digest:
    """What the user should hear of this morning (context.today), by their role."""
    due_by = context.calendar.add_working_days(context.today, SOON_WORKING_DAYS)
    digest = Digest(user=user, day=context.today, due_by=due_by, officer_only=user.role == INSPECTOR)
    if user.role in (INSPECTOR, CHAIRMAN):
        officer_id = user.id if user.role == INSPECTOR else None
        listed, digest.total_due = cases_due_by(session, due_by, officer_id, LISTED)
        digest.total_overdue = count_overdue(session, context.today, officer_id)
        digest.overdue = [c for c in listed if is_overdue(c, context.today)]
        digest.due_soon = [c for c in listed if not is_overdue(c, context.today)]
    if user.role == CHAIRMAN:
        digest.waiting = pending_proposals(session)
    if user.role == ADMIN:
        digest.unnumbered = unnumbered_documents(session)
    return digest


def recipients(session: Session) -> Sequence[User]:
    """Active users with an address who want the reminder."""
    return session.scalars(select(User).where(User.active, User.email_reminders, User.email.is_not(None),
                                              User.email != "").order_by(User.id)).all()
