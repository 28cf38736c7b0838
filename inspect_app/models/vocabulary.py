"""The closed vocabularies stored as text: roles, case stages, kinds of history entries, visit outcomes and
patrol statuses. Each is a StrEnum (its members are the strings the database holds), and each table's CHECK
constraint is generated from it (allowed), so the code and the database cannot disagree. What they mean
to people (labels) lives with each concept in the domain."""
from enum import StrEnum

from sqlalchemy import CheckConstraint


class Role(StrEnum):
    """Who a user is in the ward."""

    INSPECTOR = "inspector"
    CHAIRMAN = "chairman"
    ADMIN = "admin"


class Stage(StrEnum):
    """Where a case stands in the legal process (DOMAIN.md), in order."""

    DETECTED = "detected"
    WARNING = "warning"
    STOP_WORK = "stop_work"
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"


class EventKind(StrEnum):
    """What an entry of a case's history is: a step taken, a proposal, or the chairman's answer to one."""

    ACTION = "action"
    PROPOSAL = "proposal"
    APPROVAL = "approval"
    REJECTION = "rejection"


class VisitOutcome(StrEnum):
    """What an inspector found at a visit."""

    NOTHING_WRONG = "nothing_wrong"
    VIOLATION_FOUND = "violation_found"
    FOLLOW_UP = "follow_up"


class PatrolStatus(StrEnum):
    """Whether a patrol is still being walked."""

    OPEN = "open"
    ENDED = "ended"


class ReminderStatus(StrEnum):
    """What became of a user's morning reminder of one day."""

    SENT = "sent"
    FAILED = "failed"
    SENDING = "sending"  # claimed by a run that is talking to the mail server now


def allowed(column: str, vocabulary: type[StrEnum], name: str) -> CheckConstraint:
    """The CHECK constraint that keeps a column within its vocabulary."""
    values = ", ".join(f"'{member.value}'" for member in vocabulary)
    return CheckConstraint(f"{column} IN ({values})", name=name)
