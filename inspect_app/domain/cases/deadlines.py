"""Legal deadlines: a rule table (configuration with defaults) and a working-day calendar.

Working days skip Saturdays, Sundays, Vietnamese public holidays (the `holidays` package,
which includes the Tết days the government gives and the Saturdays it swaps into working days)
and the extra days off the ward declares. docs/DEADLINES.md explains the counting with its sources.
A new decree changes the rule table in instance/config.py (DEADLINE_RULES), not this code.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import holidays

from ..errors import N_

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
        DeadlineRule("penalty_decision_explanation",
                     N_("Penalty decision when the case is complex or the violator asks to explain"), 1, MONTHS,
                     "Luật XLVPHC Điều 66 khoản 1"),
        # Counted on from the end of the month above, not from the current deadline.
        DeadlineRule("very_complex", N_("One more month, approved in writing by the direct superior"), 1, MONTHS,
                     "Luật XLVPHC Điều 66 khoản 1"),
        DeadlineRule("decision_delivery", N_("Deliver the penalty decision"), 2, WORKING_DAYS, "Luật XLVPHC Điều 70"),
        DeadlineRule("compliance", N_("Comply with the penalty decision"), 10, CALENDAR_DAYS, "Luật XLVPHC Điều 73"),
        DeadlineRule("enforcement_delivery", N_("Deliver the enforcement decision"), 2, WORKING_DAYS, "Luật XLVPHC Điều 88"),
        DeadlineRule("permit_window", N_("Obtain the permit (Article 81 route)"), 30, CALENDAR_DAYS, "NĐ 16/2022 Điều 81"),
        DeadlineRule("self_demolition", N_("Demolish by oneself after the notice"), 15, CALENDAR_DAYS, "NĐ 16/2022 Điều 81"),
        # To confirm: how the limitation counts for works still going on, and whether Điều 148 k5 applies to it.
        DeadlineRule("limitation", N_("Limitation period for a penalty (construction)"), 24, MONTHS,
                     "Luật XLVPHC Điều 6 (cần xác nhận)"),
    )
}


def rules_from_config(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, DeadlineRule]:
    """The default rules with the ward's overrides applied ({key: {amount, unit, citation}})."""
    rules = dict(DEFAULT_RULES)
    for key, changes in (overrides or {}).items():
        base = rules.get(key) or DeadlineRule(key, key, 0, CALENDAR_DAYS, "")
        rules[key] = replace(base, **{k: v for k, v in changes.items() if k in ("amount", "unit", "citation", "label")})
    return rules


@dataclass(frozen=True)
class DayOff:
    """A day that is not a working day (or a weekend day that is one), and where that comes from."""

    day: date
    name: str
    source: str   # one of SOURCES


SOURCES = {
    "forecast": N_("Public holiday (forecast by the holidays package: not yet confirmed by the office)"),
    "confirmed": N_("Public holiday (confirmed by the office)"),
    "ward": N_("Day off declared by the ward"),
    "not_off": N_("Not as the package says (removed by the office): an ordinary day"),
    "swapped_workday": N_("Working day swapped by the government (holidays package)"),
    "makeup": N_("Make-up working day declared by the ward"),
}


class WorkingCalendar:
    """Which days are working days for the ward.

    Public holidays and the government's swapped working Saturdays come from the `holidays` package;
    the office adds its own days off and make-up working days, removes a forecast holiday that is not
    one, and confirms a year's list once the government's decision for it is out.
    """

    def __init__(self, days_off=(), workdays=(), not_off=(), confirmed_years=()):
        self.days_off = _dates(days_off)
        self.workdays = _dates(workdays)
        self.not_off = _dates(not_off)
        self.confirmed_years = frozenset(int(year) for year in confirmed_years)
        self._public = holidays.country_holidays("VN")

    def is_working_day(self, day: date) -> bool:
        """False on weekends, public holidays and the ward's days off; true on swapped or make-up working days."""
        if day in self.workdays:
            return True
        if day in self.days_off:
            return False
        if day in self.not_off:  # the package's entry for this day is wrong: an ordinary weekday or weekend
            return day.weekday() < 5
        return self._public.is_working_day(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The date count working days after start (start itself not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def is_forecast(self, start: date | None, end: date) -> bool:
        """A period from start to end counts over days whose status the office has not confirmed yet
        (a year whose holiday list is still the package's forecast). start None: only end's year."""
        first = (start or end).year
        return any(year not in self.confirmed_years for year in range(min(first, end.year), end.year + 1))

    def year(self, year: int, language: str = "vi") -> list[DayOff]:
        """[DayOff] of a year: public holidays and swapped Saturdays (package, names in `language`:
        vi or en_US), the ward's own days off and make-up working days, each with its source; by day."""
        named = holidays.country_holidays("VN", years=year, language=language)
        public = "confirmed" if year in self.confirmed_years else "forecast"
        found = {}
        for day, name in named.items():
            found[day] = DayOff(day, name, "not_off" if day in self.not_off else public)
        for day in named.weekend_workdays:
            if day.year == year:
                found[day] = DayOff(day, "", "swapped_workday" if day not in self.not_off else "not_off")
        found.update({day: DayOff(day, "", "ward") for day in self.days_off if day.year == year})
        found.update({day: DayOff(day, "", "makeup") for day in self.workdays if day.year == year})
        return [found[day] for day in sorted(found)]


def _dates(values):
    return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in values)


def add_months(start: date, months: int) -> date:
    """Same day of the month, months later (clamped to the month's last day)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def last_day(rule: DeadlineRule, start: date, working_calendar: WorkingCalendar, amount: int | None = None) -> date:
    """The last day of a period before any roll-forward (working days: the due date itself)."""
    amount = rule.amount if amount is None else amount
    if rule.unit == WORKING_DAYS:
        return working_calendar.add_working_days(start, amount)
    return add_months(start, amount) if rule.unit == MONTHS else start + timedelta(days=amount)


def due_date(rule: DeadlineRule, start: date, working_calendar: WorkingCalendar, amount: int | None = None) -> date:
    """The due date of a rule counted from start (amount overrides the rule's, e.g. a decision's own period).

    Working days are counted from the day after start. A period in days or months whose last day is
    not a working day ends on the next working day (BLDS 2015 Điều 148 khoản 5, through Luật XLVPHC
    Điều 8)."""
    last = last_day(rule, start, working_calendar, amount)
    return last if rule.unit == WORKING_DAYS else working_calendar.next_working_day(last)
