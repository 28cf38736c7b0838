"""Reading user input (form fields or JSON values) into typed values, collecting every error.

Used by views and API endpoints alike, so the same field gets the same message everywhere.
"""
import math
import re
import unicodedata
import uuid as uuid_module
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, overload

from .errors import N_, InvalidFields, InvalidInput

# Invisible characters no text of the ward needs (PostgreSQL refuses NUL outright); a tab or a line break
# only where the text may have several lines.
# Besides the C0 controls: lone surrogates and the noncharacters U+FFFE/U+FFFF (and U+FDD0–U+FDEF), which
# no document format (XML, Word, PDF) can hold: a value with one could not be printed as typed.
_NOT_TEXT = "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_NOT_TEXT}]")
_LINE_CONTROL = re.compile(f"[\x00-\x1f\x7f{_NOT_TEXT}]")


def has_control_characters(text: str | None, multiline: bool = False) -> bool:
    """Whether text holds invisible control characters or characters no document can hold (tab, CR and
    LF count only in one-line text)."""
    return bool((_CONTROL if multiline else _LINE_CONTROL).search(text or ""))


_MISSING = object()
# The span of dates the app accepts anywhere (filters, documents, phone times, photo EXIF): wide
# enough for any real case, narrow enough that a week or a time zone around it stays a date.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def plausible_day(value: date | datetime) -> bool:
    """True when a date (or datetime) lies within EARLIEST_DAY..LATEST_DAY."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DAY <= day <= LATEST_DAY


class FieldReader:
    """Reads named fields from a mapping; each reader returns a value or records an error."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, InvalidInput] = {}

    def _raw(self, name):
        value = self.data.get(name, _MISSING)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return _MISSING
        if value is None:
            return _MISSING
        return value

    def error(self, name: str, message: str, **params: Any) -> None:
        """Record an error for a field (the first one per field is kept)."""
        self.errors.setdefault(name, InvalidInput(message, **params))

    def text(self, name: str, max_length: int, required: bool = False, multiline: bool = False) -> str:
        """A text field, NFC-normalised; control characters are refused."""
        raw = self._raw(name)
        if raw is _MISSING:
            if required:
                self.error(name, N_("This field is required."))
            return ""
        if not isinstance(raw, str):
            self.error(name, N_("This field must be text."))
            return ""
        value = unicodedata.normalize("NFC", raw)
        if not multiline:
            value = value.replace("\r", " ").replace("\n", " ")
        if has_control_characters(value, multiline=True):
            self.error(name, N_("This field contains invisible control characters."))
            return ""
        if len(value) > max_length:
            self.error(name, N_("At most %(n)s characters."), n=max_length)
            return ""
        return value

    @overload
    def number(self, name: str, minimum: float, maximum: float, required: bool = ..., *,
               integer: Literal[True]) -> int | None: ...

    @overload
    def number(self, name: str, minimum: float, maximum: float, required: bool = ...,
               integer: Literal[False] = ...) -> float | None: ...

    def number(self, name: str, minimum: float, maximum: float, required: bool = False,
               integer: bool = False) -> float | None:
        """A finite number within [minimum, maximum], or None when optional and empty."""
        raw = self._raw(name)
        if raw is _MISSING:
            if required:
                self.error(name, N_("This field is required."))
            return None
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw.replace(",", ".")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            self.error(name, N_("Enter a number."))
            return None
        if not math.isfinite(value):
            self.error(name, N_("Enter a number."))
            return None
        if integer and value != int(value):
            self.error(name, N_("Enter a whole number."))
            return None
        if not minimum <= value <= maximum:
            self.error(name, N_("Must be between %(min)s and %(max)s."), min=minimum, max=maximum)
            return None
        return int(value) if integer else value

    def choice(self, name: str, choices: Collection[str], required: bool = False) -> str | None:
        """One of the allowed keys."""
        raw = self._raw(name)
        if raw is _MISSING:
            if required:
                self.error(name, N_("Please choose one."))
            return None
        if raw not in choices:
            self.error(name, N_("This choice is not in the list."))
            return None
        return raw

    def missing(self, name: str) -> bool:
        """True when the field was not sent or is empty."""
        return self._raw(name) is _MISSING

    def flag(self, name: str) -> bool:
        """A checkbox or boolean: true for on/true/1/yes."""
        raw = self._raw(name)
        if raw is _MISSING:
            return False
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in ("1", "true", "on", "yes")

    def uuid(self, name: str) -> str | None:
        """A client-generated UUID, normalised to lower-case canonical form."""
        raw = self._raw(name)
        if raw is _MISSING:
            self.error(name, N_("The request has no record identifier (UUID); reload the page."))
            return None
        try:
            return str(uuid_module.UUID(str(raw)))
        except ValueError:
            self.error(name, N_("The record identifier is not a valid UUID."))
            return None

    def optional_id(self, name: str) -> int | None:
        """A positive integer id, or None."""
        value = self.number(name, 1, 2**31 - 1, integer=True)
        return value

    def optional_uuid(self, name: str) -> str | None:
        """A UUID when given, else None."""
        if self._raw(name) is _MISSING:
            return None
        return self.uuid(name)

    def moment(self, name: str, now: datetime, max_age: timedelta, future_tolerance: timedelta) -> datetime | None:
        """A time the phone recorded (epoch ms or ISO 8601 with zone), within [now - max_age, now + tolerance]; or None."""
        raw = self._raw(name)
        if raw is _MISSING:
            return None
        if isinstance(raw, str) and raw.lstrip("-").isdigit():
            raw = int(raw)
        try:
            value = parse_client_time(raw)
        except InvalidInput as problem:
            self.errors.setdefault(name, problem)
            return None
        if value > now + future_tolerance:
            self.error(name, N_("This time is in the future; check the phone's clock."))
            return None
        if value < now - max_age:
            self.error(name, N_("This time is too long ago to be sent now (more than %(days)s days)."), days=max_age.days)
            return None
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        """A date written YYYY-MM-DD within EARLIEST_DAY..LATEST_DAY, or None."""
        raw = self.text(name, 10, required=required)
        if not raw:
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            self.error(name, N_("Enter a date as YYYY-MM-DD."))
            return None
        if not plausible_day(value):
            self.error(name, N_("The date must be between %(first)s and %(last)s."),
                       first=EARLIEST_DAY.strftime("%d/%m/%Y"), last=LATEST_DAY.strftime("%d/%m/%Y"))
            return None
        return value

    def position(self, lon_name: str, lat_name: str, required: bool = True) -> tuple[float, float] | tuple[None, None]:
        """A WGS84 longitude/latitude pair, or (None, None)."""
        lon = self.number(lon_name, -180, 180, required=required)
        lat = self.number(lat_name, -90, 90, required=required)
        if lon is None or lat is None:
            return None, None
        return lon, lat

    def finish(self) -> None:
        """Raise InvalidFields when any field was wrong."""
        if self.errors:
            raise InvalidFields(self.errors)


def parse_client_time(value: object) -> datetime:
    """A client timestamp (epoch milliseconds or ISO 8601) as an aware UTC datetime."""
    if isinstance(value, bool):
        raise InvalidInput(N_("A time is not valid."))
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise InvalidInput(N_("A time is not valid."))
        try:
            moment = datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(N_("A time is not valid.")) from None
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(N_("A time is not valid.")) from None
        if parsed.tzinfo is None:
            raise InvalidInput(N_("A time has no time zone."))
        if not plausible_day(parsed):  # year 1 or 9999 with an offset has no UTC equivalent
            raise InvalidInput(N_("A time is not valid."))
        moment = parsed.astimezone(UTC)
    else:
        raise InvalidInput(N_("A time is not valid."))
    if not plausible_day(moment):
        raise InvalidInput(N_("A time is not valid."))
    return moment
