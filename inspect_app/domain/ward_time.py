"""The ward's local time and weeks: the one place that knows Vietnam is UTC+7 (no daylight saving),
that a week runs Monday to Sunday (ISO weeks), and how a week is written in a URL (2026-W48)."""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from .errors import N_, InvalidInput

VIETNAM_OFFSET = timezone(timedelta(hours=7))
FIRST_YEAR, LAST_YEAR = 2000, 2100
_WEEK_PATTERN = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_now(now: datetime | None = None) -> datetime:
    """The moment (now when None) in the ward's local time."""
    return (now or datetime.now(UTC)).astimezone(VIETNAM_OFFSET)


def local_today(now: datetime | None = None) -> date:
    """Today's date in the ward."""
    return local_now(now).date()


def local_date(moment: datetime) -> date:
    """The ward's calendar date of an aware moment."""
    return moment.astimezone(VIETNAM_OFFSET).date()


def local_midnight(day: date) -> datetime:
    """The aware moment a local day starts."""
    return datetime.combine(day, time.min).replace(tzinfo=VIETNAM_OFFSET)


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the week containing day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class ReportWeek:
    """An ISO week, Monday to Sunday, in the ward's local time."""

    year: int
    number: int

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        """The week's last day."""
        return self.monday + timedelta(days=6)

    @property
    def iso(self) -> str:
        """The week as the URL and `<input type=week>` write it: 2026-W48."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def starts_at(self) -> datetime:
        """Local midnight at the start of Monday (aware datetime)."""
        return local_midnight(self.monday)

    @property
    def ends_at(self) -> datetime:
        """Local midnight after Sunday (aware datetime, exclusive)."""
        return self.starts_at + timedelta(days=7)

    def previous(self) -> "ReportWeek":
        """The week before."""
        return week_of(self.monday - timedelta(days=7))

    def next(self) -> "ReportWeek":
        """The week after."""
        return week_of(self.monday + timedelta(days=7))

    def date_range(self) -> str:
        """'23/11 – 29/11/2026' (the year on both ends when the week spans two years)."""
        first = "%d/%m" if self.monday.year == self.sunday.year else "%d/%m/%Y"
        return f"{self.monday.strftime(first)} – {self.sunday.strftime('%d/%m/%Y')}"


def week_of(day: date) -> ReportWeek:
    """The ISO week containing a date."""
    year, number, _ = day.isocalendar()
    return ReportWeek(year, number)


def parse_week(text: str) -> ReportWeek:
    """'2026-W48' (or '2026W48') as a ReportWeek; InvalidInput for malformed or non-existent weeks."""
    match = _WEEK_PATTERN.match(text.strip())
    if not match:
        raise InvalidInput(N_("Enter the week as YYYY-Www, for example %(example)s."), example="2026-W48")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(N_("The year must be between %(first)s and %(last)s."), first=FIRST_YEAR, last=LAST_YEAR)
    weeks_in_year = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last ISO week
    if not 1 <= number <= weeks_in_year:
        raise InvalidInput(N_("Week %(number)s does not exist in %(year)s: its weeks run from 1 to %(last)s."),
                           number=number, year=year, last=weeks_in_year)
    return ReportWeek(year, number)


def read_week(text: str | None, today: date) -> ReportWeek:
    """The week a URL asks for: 2026-W48, or a date inside it (YYYY-MM-DD, the map's links before the
    one format); this week when empty. InvalidInput for anything else."""
    text = (text or "").strip()
    if not text:
        return week_of(today)
    if _DAY_PATTERN.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            return week_of(day)
    return parse_week(text)
