"""The ward's local time: the one place that knows Vietnam is UTC+7 (no daylight saving) and that
a week runs Monday to Sunday."""
from datetime import datetime, time, timedelta, timezone

VIETNAM_OFFSET = timezone(timedelta(hours=7))


def local_now(now=None):
    """The moment (now when None) in the ward's local time."""
    return (now or datetime.now(timezone.utc)).astimezone(VIETNAM_OFFSET)


def local_today(now=None):
    """Today's date in the ward."""
    return local_now(now).date()


def local_date(moment):
    """The ward's calendar date of an aware moment."""
    return moment.astimezone(VIETNAM_OFFSET).date()


def local_midnight(day):
    """The aware moment a local day starts."""
    return datetime.combine(day, time.min).replace(tzinfo=VIETNAM_OFFSET)


def week_bounds(day):
    """Monday and Sunday of the week containing day."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
