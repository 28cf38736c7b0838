"""What every step of a case reads besides the case itself: the deadline rules, the ward's working
calendar, today in the ward, the photo limits and the fine caps (built by rules.lifecycle_context)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..field.field_reports import FieldRules
from . import signing
from .deadlines import WorkingCalendar


@dataclass(frozen=True)
class LifecycleContext:
    """What deadlines need: the rule table, the ward's working calendar, and today (local)."""

    rules: dict
    calendar: WorkingCalendar
    today: date
    photo_rules: FieldRules | None = None
    fine_caps: dict | None = None   # {role: signing.FineCap}; None: signing.DEFAULT_FINE_CAPS

    def caps(self) -> dict:
        """The fine caps per role in force."""
        return self.fine_caps if self.fine_caps is not None else signing.DEFAULT_FINE_CAPS
