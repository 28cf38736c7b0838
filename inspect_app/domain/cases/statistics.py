"""Thống kê: the ward's trend over a period (the Thống kê page: 52 weeks; the monthly report: one month),
from the cases' histories. Per ISO week: cases reported, cases closed, and cases overdue at the week's end
(as the weekly list counts them); cases by route and by category; the median days a case spends in each
stage; patrol coverage per route per week. One officer's cases only when asked (an inspector's own)."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only

from ...models import CaseEvent, Route, Violation
from ...models.types import utcnow
from ..errors import N_, InvalidFields, InvalidInput
from ..ward_time import ReportWeek, local_date, local_midnight, week_of
from .events import APPLIED
from .overview import patrol_week
from .stages import CLOSED, STAGES
from .weekly_list import events_by_case, overdue_at_ends_of
from .workflow import ENFORCEMENT_RECORD, PENALTY_DECISIONS

CHUNK = 2000
# What the figures read of a case (not its position, owner or texts: 10,000 cases load in a fraction of the time).
CASE_COLUMNS = (Violation.id, Violation.stage, Violation.detected_at, Violation.route_id, Violation.category,
                Violation.due_date, Violation.limitation_due, Violation.officer_id, Violation.last_event_at)


@dataclass(frozen=True)
class WeekFigures:
    """One ISO week: reported, closed, and overdue at its end (or today, for the week under way)."""

    week: ReportWeek
    first_day: date   # the week's days inside the period (a month's first and last weeks are cut)
    last_day: date
    new: int
    closed: int
    overdue: int

    @property
    def complete(self) -> bool:
        """All seven days of the week are counted (not cut by the period, not still under way)."""
        return self.first_day == self.week.monday and self.last_day == self.week.sunday


@dataclass(frozen=True)
class GroupFigures:
    """Cases reported in the period under one route or category (key None: no route), open and closed now."""

    key: str | None
    open: int
    closed: int

    @property
    def total(self) -> int:
        """Open and closed together."""
        return self.open + self.closed


@dataclass(frozen=True)
class StageDays:
    """How long cases stayed in a stage: the median of the stays that ended in the period, and how many."""

    stage: str
    median_days: float | None
    stays: int
    still_there: int


@dataclass
class Figures:
    """Everything the Thống kê page and the monthly report show."""

    first_day: date
    last_day: date
    as_of: date
    officer_id: int | None
    computed_at: datetime
    weeks: list[WeekFigures] = field(default_factory=list)
    by_route: list[GroupFigures] = field(default_factory=list)
    by_category: list[GroupFigures] = field(default_factory=list)
    stage_days: list[StageDays] = field(default_factory=list)
    route_codes: list[str] = field(default_factory=list)
    coverage: list[tuple[ReportWeek, dict[str, float]]] = field(default_factory=list)
    penalties: int = 0
    fines_vnd: int = 0
    enforced: int = 0

    @property
    def reported(self) -> int:
        """Cases reported in the period."""
        return sum(w.new for w in self.weeks)

    @property
    def closed(self) -> int:
        """Cases closed in the period."""
        return sum(w.closed for w in self.weeks)

    @property
    def overdue_at_end(self) -> int:
        """Cases overdue at the period's end (or today)."""
        return self.weeks[-1].overdue if self.weeks else 0


def last_52_weeks(today: date) -> tuple[date, date]:
    """The Thống kê page's period: the 52 ISO weeks ending with this one (about 12 months)."""
    this_week = week_of(today)
    return this_week.monday - timedelta(weeks=51), this_week.sunday


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def figures(session: Session, first_day: date, last_day: date, today: date, officer_id: int | None = None,
            coverage_weeks: int | None = None) -> Figures:
    """The figures of the days first_day..last_day as known today (states at the period's end, or today);
    `coverage_weeks` limits patrol coverage to the last weeks of the period (it merges every track of each
    week). officer_id: that officer's cases and own patrols only."""
    as_of = min(last_day, today)
    result = Figures(first_day=first_day, last_day=last_day, as_of=as_of, officer_id=officer_id, computed_at=utcnow())
    starts, ends = local_midnight(first_day), local_midnight(as_of + timedelta(days=1))
    weeks = _weeks_between(first_day, as_of)
    end_days = [min(week.sunday, as_of) for week in weeks]
    week_ends = [(week, day, local_midnight(day + timedelta(days=1))) for week, day in zip(weeks, end_days, strict=True)]
    new: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    by_route: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    by_category: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    stays: dict[str, list[float]] = defaultdict(list)
    still_there: dict[str, int] = defaultdict(int)
    route_codes = {r.id: r.code for r in session.scalars(select(Route))}
    # Cases closed (and left alone) before the period are in none of its figures: not even loaded.
    statement = select(Violation).where(Violation.detected_at < ends, or_(
        Violation.stage != CLOSED, Violation.last_event_at.is_(None), Violation.last_event_at >= starts))
    if officer_id is not None:
        statement = statement.where(Violation.officer_id == officer_id)
    cases = session.scalars(statement.options(load_only(*CASE_COLUMNS)).order_by(Violation.id)).all()
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start:start + CHUNK]
        events = events_by_case(session, [c.id for c in chunk])
        for case in chunk:
            every_event = events.get(case.id, [])
            history = [e for e in every_event if e.kind in APPLIED and e.recorded_at < ends]
            closed_at = next((e.recorded_at for e in history if e.stage_after == CLOSED), None)
            if closed_at is not None and closed_at < starts:
                continue  # closed before the period: in none of its figures
            if starts <= case.detected_at < ends:
                new[week_of(local_date(case.detected_at)).iso] += 1
                group = 1 if closed_at is not None else 0  # as it stood at the period's end
                by_route[route_codes.get(case.route_id) if case.route_id else None][group] += 1
                by_category[case.category][group] += 1
            if closed_at is not None:
                closed[week_of(local_date(closed_at)).iso] += 1
            _count_steps(result, history, starts)
            detected_on = local_date(case.detected_at)
            counted = [(week, day) for week, day, end in week_ends if day >= detected_on
                       and (closed_at is None or closed_at >= end)]
            flags = overdue_at_ends_of(case, every_event, [day for _, day in counted])
            for (week, _), late in zip(counted, flags, strict=True):
                overdue[week.iso] += late
            _stage_stays(case, history, starts, stays, still_there)
    result.weeks = [WeekFigures(w, max(w.monday, first_day), day, new[w.iso], closed[w.iso], overdue[w.iso])
                    for w, day in zip(weeks, end_days, strict=True)]
    result.by_route = sorted((GroupFigures(k, v[0], v[1]) for k, v in by_route.items()),
                             key=lambda g: (g.key is None, g.key or ""))
    result.by_category = sorted((GroupFigures(k, v[0], v[1]) for k, v in by_category.items()), key=lambda g: -g.total)
    result.stage_days = [StageDays(s, round(median(stays[s]), 1) if stays[s] else None, len(stays[s]), still_there[s])
                         for s in STAGES if s != CLOSED]
    shown = weeks[-coverage_weeks:] if coverage_weeks else weeks
    codes: set[str] = set()
    for week in shown:
        shares = {rw.route.code: rw.coverage for rw in patrol_week(session, week.monday, officer_id)}
        codes |= set(shares)
        result.coverage.append((week, shares))
    result.route_codes = sorted(codes)
    return result


def _count_steps(result: Figures, history: list[CaseEvent], starts: datetime) -> None:
    """Penalty decisions (with their fines) and enforcements recorded in the period."""
    for event in history:
        if event.recorded_at < starts:
            continue
        if event.action in PENALTY_DECISIONS:
            result.penalties += 1
            result.fines_vnd += event.fine_vnd or 0
        elif event.action == ENFORCEMENT_RECORD:
            result.enforced += 1


def _weeks_between(first_day: date, last_day: date) -> list[ReportWeek]:
    weeks, week = [], week_of(first_day)
    while week.monday <= last_day:
        weeks.append(week)
        week = week.next()
    return weeks


def _stage_stays(case: Violation, history: list[CaseEvent], starts: datetime, stays: dict[str, list[float]],
                 still_there: dict[str, int]) -> None:
    """Add the case's stays in each stage that ended in the period (in days, by when the steps were entered),
    and count the stage it was in at the period's end (history: its entries before that end)."""
    entered, stage = case.detected_at, history[0].stage_before if history else case.stage
    for event in history:
        if event.stage_after == event.stage_before:
            continue
        if event.recorded_at >= starts:
            stays[stage].append((event.recorded_at - entered).total_seconds() / 86400)
        entered, stage = event.recorded_at, event.stage_after
    if stage != CLOSED:
        still_there[stage] += 1


def read_month(text: str | None, today: date) -> tuple[int, int]:
    """(year, month) a URL asks for as YYYY-MM; this month when empty; InvalidFields otherwise."""
    text = (text or "").strip()
    if not text:
        return today.year, today.month
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise InvalidFields({"month": InvalidInput(N_("Enter the month as YYYY-MM, for example %(example)s."),
                                                   example="2026-11")})
    return int(match.group(1)), int(match.group(2))


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
