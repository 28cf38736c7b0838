"""The ward's own settings: name, document prefix, its calendar (days off, make-up working days,
public holidays removed, years confirmed), deadline rules, and what the weekly list prints (title,
annex line, signer's name, recipients).

Kept on the ward row (days off and rule overrides as JSON text) so the office changes them
on the admin page; instance/config.py still gives the starting values. The caller commits.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import N_, InvalidInput
from ..inputs import FieldReader
from .deadlines import CALENDAR_DAYS, MONTHS, WORKING_DAYS, DeadlineRule, WorkingCalendar, rules_from_config

if TYPE_CHECKING:
    from ...models import Ward

CODE_PREFIX_PATTERN = re.compile(r"^[A-Z0-9]{1,10}$")
UNITS = (WORKING_DAYS, CALENDAR_DAYS, MONTHS)
MAX_DAYS_OFF = 200
_DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class DocumentSettings:
    """What the weekly list prints besides its rows (Nghị định 30/2020 layout). A list is not a document
    type of its own, so by default it is an annex of a report whose number the office writes in."""

    list_title: str = "DANH SÁCH CÔNG TRÌNH VI PHẠM TRẬT TỰ XÂY DỰNG"
    list_annex: str = ""       # "" : the default annex line (annex_line); NO_ANNEX: none
    list_number: str = ""      # the list's own number (Số: …) when the office gives it one
    signer_name: str = ""      # the chairman's full name under the signature
    recipients: str = "- Chủ tịch, các Phó Chủ tịch UBND phường;\n- Lưu: VT."

    @property
    def recipient_lines(self) -> list[str]:
        """The "Nơi nhận" lines."""
        return [line for line in self.recipients.splitlines() if line.strip()]

    def annex_line(self, ward_name: str) -> str:
        """The line under the title: the ward's own text, none ("-"), or by default an annex of the
        weekly report of the ward's People's Committee."""
        if self.list_annex == NO_ANNEX:
            return ""
        # "của Ủy ban nhân dân phường Thới Long": the unit's kind in lower case inside a sentence.
        in_sentence = ward_name[:1].lower() + ward_name[1:] if ward_name.startswith(("Phường ", "Xã ", "Thị trấn ")) else ward_name
        return self.list_annex or f"(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm … của Ủy ban nhân dân {in_sentence})"


NO_ANNEX = "-"


DOCUMENT_FIELDS = {"list_title": 200, "list_annex": 300, "list_number": 60, "signer_name": 120, "recipients": 1000}


def document_settings_of(ward: Ward | None) -> DocumentSettings:
    """The ward's document settings (defaults for what it has not set)."""
    stored = json.loads(getattr(ward, "document_settings", None) or "{}") if ward is not None else {}
    return DocumentSettings(**{key: value for key, value in stored.items() if key in DOCUMENT_FIELDS})


@dataclass(frozen=True)
class WardSettings:
    """Settings as read from the form, all checked."""

    name: str
    code_prefix: str
    days_off: tuple
    deadline_overrides: dict = field(default_factory=dict)
    workdays: tuple = ()
    holidays_not_off: tuple = ()
    holidays_confirmed: tuple = ()
    document: dict = field(default_factory=dict)   # DocumentSettings values that differ from the defaults


def days_off_of(ward: Ward | None, column: str = "days_off") -> tuple[date, ...]:
    """The ward's own days off as dates (or another list of days: workdays, holidays_not_off)."""
    if ward is None:
        return ()
    return tuple(date.fromisoformat(day) for day in json.loads(getattr(ward, column) or "[]"))


def confirmed_years_of(ward: Ward | None) -> tuple[int, ...]:
    """The years whose public-holiday list the office has confirmed."""
    return tuple(json.loads(ward.holidays_confirmed or "[]")) if ward is not None else ()


def rule_overrides_of(ward: Ward | None) -> dict[str, Any]:
    """The ward's deadline-rule overrides ({key: {amount, unit, citation}})."""
    if ward is None:
        return {}
    return json.loads(ward.deadline_rules or "{}")


def effective_rules(config_overrides: Mapping[str, Any] | None, ward: Ward | None) -> dict[str, DeadlineRule]:
    """The rule table: defaults, then instance/config.py, then the ward's settings."""
    merged = {key: dict(value) for key, value in (config_overrides or {}).items()}
    for key, changes in rule_overrides_of(ward).items():
        merged.setdefault(key, {}).update(changes)
    return rules_from_config(merged)


def effective_days_off(config_days_off: Iterable[date] | None, ward: Ward | None) -> tuple[date, ...]:
    """Every day the ward declares off: from instance/config.py and from its settings."""
    return tuple(config_days_off or ()) + days_off_of(ward)


def effective_calendar(config_days_off: Iterable[date] | None, ward: Ward | None) -> WorkingCalendar:
    """The ward's working calendar: public holidays and swaps (package), its days off, make-up working
    days, the package's days it removed and the years it confirmed."""
    return WorkingCalendar(effective_days_off(config_days_off, ward), days_off_of(ward, "workdays"),
                           days_off_of(ward, "holidays_not_off"), confirmed_years_of(ward))


def parse_day(text_value: str) -> date | None:
    """A date written dd/mm/yyyy (or yyyy-mm-dd); None when it is not one."""
    for pattern in _DAY_FORMATS:
        try:
            return datetime.strptime(text_value, pattern).date()
        except ValueError:
            continue
    return None


def _read_days_off(reader, name):
    raw = reader.text(name, 20 * MAX_DAYS_OFF, multiline=True)
    days, bad = set(), []
    for line in re.split(r"[\n,;]+", raw):
        line = line.strip()
        if not line:
            continue
        day = parse_day(line)
        if day is None or not 2000 <= day.year <= 2100:
            bad.append(line[:20])
        else:
            days.add(day)
    if bad:
        reader.error(name, N_("Not a date (use dd/mm/yyyy, one per line): %(days)s"), days=", ".join(bad[:5]))
    elif len(days) > MAX_DAYS_OFF:
        reader.error(name, N_("At most %(n)s days off."), n=MAX_DAYS_OFF)
    return tuple(sorted(days))


def read_settings_form(data: Mapping[str, Any], config_rules: Mapping[str, Any]) -> WardSettings:
    """Check the settings form; raises InvalidFields naming every wrong field.

    config_rules is the rule table without the ward's settings: only what differs from it is
    stored, so a rule set back to its configured value follows the configuration again.
    """
    reader = FieldReader(data)
    name = reader.text("name", 120, required=True)
    prefix = reader.text("code_prefix", 10, required=True).upper()
    if prefix and not CODE_PREFIX_PATTERN.match(prefix):
        reader.error("code_prefix", N_("Use 1–10 capital letters A–Z or digits, without accents or spaces."))
    days_off = _read_days_off(reader, "days_off")
    workdays = _read_days_off(reader, "workdays")
    not_off = _read_days_off(reader, "holidays_not_off")
    both = set(days_off) & set(workdays)
    if both:
        reader.error("workdays", N_("A day cannot be both a day off and a working day: %(days)s"),
                     days=", ".join(d.strftime("%d/%m/%Y") for d in sorted(both)[:5]))
    confirmed = []
    for raw in data.getlist("holidays_confirmed") if hasattr(data, "getlist") else data.get("holidays_confirmed", ()):
        if not (isinstance(raw, str) and raw.isdigit() and 2000 <= int(raw) <= 2100):
            reader.error("holidays_confirmed", N_("Not a year: %(value)s"), value=str(raw)[:10])
        else:
            confirmed.append(int(raw))
    overrides = {}
    for key, base in config_rules.items():
        amount = reader.number(f"rule_{key}_amount", 1, 366, required=True, integer=True)
        unit = reader.choice(f"rule_{key}_unit", UNITS, required=True)
        citation = reader.text(f"rule_{key}_citation", 120, required=True)
        if unit == MONTHS and (amount or 0) > 24:
            reader.error(f"rule_{key}_amount", N_("At most %(n)s months."), n=24)
        changes = {field_name: value for field_name, value in (("amount", amount), ("unit", unit), ("citation", citation))
                   if value not in (None, "") and value != getattr(base, field_name)}
        if changes:
            overrides[key] = changes
    document = _read_document_settings(reader)
    reader.finish()
    return WardSettings(name=name, code_prefix=prefix, days_off=days_off, deadline_overrides=overrides,
                        workdays=workdays, holidays_not_off=not_off, holidays_confirmed=tuple(sorted(set(confirmed))),
                        document=document)


def _read_document_settings(reader):
    """The weekly list's texts; only what differs from the defaults is kept (an emptied field returns to
    its default; "-" as the annex line prints none)."""
    defaults = DocumentSettings()
    values = {}
    for name, length in DOCUMENT_FIELDS.items():
        if name not in reader.data:
            continue
        value = reader.text(name, length, multiline=name == "recipients").replace("\r\n", "\n")
        if value and value != getattr(defaults, name):
            values[name] = value
    return values


def apply_settings(ward: Ward | None, settings: WardSettings) -> list[str]:
    """Store checked settings on the ward; returns the names of what changed."""
    if ward is None:
        raise InvalidInput(N_("The ward is not set up yet: import its boundary or load the demo ward first."))
    new_values = {
        "name": settings.name,
        "code_prefix": settings.code_prefix,
        "days_off": json.dumps([d.isoformat() for d in settings.days_off]),
        "deadline_rules": json.dumps(settings.deadline_overrides, ensure_ascii=False, sort_keys=True),
        "workdays": json.dumps([d.isoformat() for d in settings.workdays]),
        "holidays_not_off": json.dumps([d.isoformat() for d in settings.holidays_not_off]),
        "holidays_confirmed": json.dumps(list(settings.holidays_confirmed)),
        "document_settings": json.dumps(settings.document, ensure_ascii=False, sort_keys=True),
    }
    changed = [name for name, value in new_values.items() if getattr(ward, name) != value]
    for name in changed:
        setattr(ward, name, new_values[name])
    return changed
