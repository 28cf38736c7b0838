"""Legal deadlines: a rule table (configuration with defaults) and a working-day calendar.

Working days skip Saturdays, Sundays, Vietnamese public holidays (the `holidays` package,
which includes the Tết days the government gives) and the extra days off the ward declares.
A new decree changes the rule table in instance/config.py (DEADLINE_RULES), not this code.
"""
import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

import holidays

from .errors import N_

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
MONTHS = "months"


@dataclass(frozen=True)
class DeadlineRule:
    """How long a step may take, counted from its start date, and the law that says so."""

    key: str
    label: str
    amount: int
    unit: str
    citation: str


DEFAULT_RULES = {
    rule.key: rule for rule in (
        DeadlineRule("penalty_decision", N_("Penalty decision after the record"), 7, WORKING_DAYS,
                     "Luật XLVPHC Điều 66 khoản 1"),
        DeadlineRule("penalty_decision_explanation", N_("Penalty decision when the violator asks to explain"), 1, MONTHS,
                     "Luật XLVPHC Điều 66 khoản 1"),
        DeadlineRule("very_complex", N_("Extra time for a very complex case"), 1, MONTHS, "Luật XLVPHC Điều 66 khoản 1"),
        DeadlineRule("decision_delivery", N_("Deliver the penalty decision"), 2, WORKING_DAYS, "Luật XLVPHC Điều 70"),
        DeadlineRule("compliance", N_("Comply with the penalty decision"), 10, CALENDAR_DAYS, "Luật XLVPHC Điều 73"),
        DeadlineRule("enforcement_delivery", N_("Deliver the enforcement decision"), 2, WORKING_DAYS, "Luật XLVPHC Điều 88"),
        DeadlineRule("permit_window", N_("Obtain the permit (Article 81 route)"), 30, CALENDAR_DAYS, "NĐ 16/2022 Điều 81"),
        DeadlineRule("self_demolition", N_("Demolish by oneself after the notice"), 15, CALENDAR_DAYS, "NĐ 16/2022 Điều 81"),
    )
}


def rules_from_config(overrides=None):
    """The default rules with the ward's overrides applied ({key: {amount, unit, citation}})."""
    rules = dict(DEFAULT_RULES)
    for key, changes in (overrides or {}).items():
        base = rules.get(key) or DeadlineRule(key, key, 0, CALENDAR_DAYS, "")
        rules[key] = replace(base, **{k: v for k, v in changes.items() if k in ("amount", "unit", "citation", "label")})
    return rules


class WorkingCalendar:
    """Which days are working days for the ward."""

    def __init__(self, days_off=()):
        self.days_off = {d if isinstance(d, date) else date.fromisoformat(str(d)) for d in days_off}
        self._public = holidays.country_holidays("VN")

    def is_working_day(self, day):
        """False on weekends, public holidays and the ward's own days off."""
        return day.weekday() < 5 and day not in self._public and day not in self.days_off

    def add_working_days(self, start, count):
        """The date count working days after start (start itself not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


def add_months(start, months):
    """Same day of the month, months later (clamped to the month's last day)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(rule, start, working_calendar, amount=None):
    """The due date of a rule counted from start (amount overrides the rule's, e.g. a decision's own period)."""
    amount = rule.amount if amount is None else amount
    if rule.unit == WORKING_DAYS:
        return working_calendar.add_working_days(start, amount)
    if rule.unit == MONTHS:
        return add_months(start, amount)
    return start + timedelta(days=amount)
