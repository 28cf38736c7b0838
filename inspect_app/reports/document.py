"""What the official weekly list says, in one place: ward header, title, columns and each row's cells.

The list is a Vietnamese administrative document (Decree 30/2020 layout), so it is always
rendered in Vietnamese (`force_locale("vi")` around its use), whatever the reader's language.
The HTML/PDF template and the spreadsheets take their column names and cell texts from here.
"""
import unicodedata

from flask_babel import gettext

from ..domain.cases.weekly_list import DECISION_DOCUMENTS, TOTAL_KEYS, TOTAL_LABELS
from ..domain.cases.workflow import OUTCOMES
from ..domain.documents.formats import day, money, place_name  # noqa: F401  (the templates call doc.money …)
from ..i18n import stage_label, translate_error

TITLE = "DANH SÁCH CÔNG TRÌNH VI PHẠM TRẬT TỰ XÂY DỰNG"
COLUMNS = (
    "STT", "Mã vụ", "Chủ đầu tư", "Địa chỉ / khu vực", "Tuyến", "Hành vi vi phạm", "Biên bản số, ngày",
    "Quyết định số, ngày", "Số tiền phạt", "Biện pháp khắc phục", "Hạn", "Tình trạng", "Cán bộ phụ trách", "Ghi chú",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def full_title(week, title=TITLE):
    """'DANH SÁCH … – TUẦN 48 (23/11 – 29/11/2026)' (the title as the ward's settings give it)."""
    return f"{title} – TUẦN {week.number:02d} ({week.date_range()})"


def file_stem(ward_name, week):
    """An ASCII file name for downloads: 'danh-sach-vi-pham-phuong-thoi-long-2026-W48'."""
    plain = unicodedata.normalize("NFKD", ward_name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    slug = "-".join("".join(c if c.isalnum() else " " for c in plain).split())
    return f"danh-sach-vi-pham-{slug}-{week.iso}"


def document_line(document):
    """'12/BB-VPHC, 02/11/2026' (the number is blank on paper when the app has none)."""
    text = ", ".join(part for part in (document.number or "…", day(document.dated)) if part)
    label = DECISION_DOCUMENTS.get(document.kind)
    return f"{text} ({gettext(label).lower()})" if label else text


def violation_text(row):
    """The category, with the kind of works, area and floors, and the permit when known."""
    parts = [gettext(row.category_label)]
    if row.case.works_kind:
        parts.append(row.case.works_kind)
    if row.case.permit_number:
        parts.append(f"GPXD số {row.case.permit_number}" + (f" ngày {day(row.case.permit_date)}" if row.case.permit_date else ""))
    extent = []
    if row.case.area_m2:
        extent.append(f"{row.case.area_m2:g} m²".replace(".", ","))
    if row.case.floors:
        extent.append(gettext("%(n)s floors", n=row.case.floors))
    if extent:
        parts.append(", ".join(extent))
    return " – ".join(parts)


def status_text(row):
    """The stage, with the outcome for a closed case."""
    text = stage_label(row.stage)
    if row.outcome in OUTCOMES:
        text += f": {gettext(OUTCOMES[row.outcome])}"
    return text


def officer_name(row):
    """The officer in charge as people know them."""
    return row.case.officer.full_name or row.case.officer.username


def route_name(row):
    """The route's name, or empty when the case is off every route."""
    return row.case.route.name if row.case.route is not None else ""


def owner_lines(row):
    """The owner's name and address (what is known), one per line. The ID number is personal data the
    meeting does not need: it stays on the case page and in the spreadsheet's extra column."""
    case = row.case
    return [part for part in (case.owner_name, case.owner_address and f"Đ/c: {case.owner_address}") if part]


def address_lines(row):
    """Address, khu vực and the plot (thửa, tờ bản đồ), one per line."""
    case = row.case
    plot = ", ".join(part for part in (case.plot_number and f"Thửa {case.plot_number}",
                                       case.map_sheet and f"tờ bản đồ {case.map_sheet}") if part)
    return [part for part in (case.address, case.khu_vuc, plot) if part]


def address_text(row):
    """Address, khu vực and plot on separate lines."""
    return "\n".join(address_lines(row))


def notes_lines(row):
    """The remarks in the current language."""
    return [translate_error(note) for note in row.notes]


def due_forecast(row, calendar):
    """The row's deadline runs over a year whose days off the office has not confirmed ("dự kiến"),
    from the period's start when the row shows the case's current deadline."""
    if calendar is None or row.due_date is None:
        return False
    start = row.case.due_start if row.due_date == row.case.due_date else None
    return calendar.is_forecast(start, row.due_date)


FORECAST_NOTE = "Hạn dự kiến: lịch nghỉ của năm chưa được xác nhận"


def notes_text(row, calendar=None):
    """The remarks, one per line (and the forecast deadline, for the spreadsheets whose date cells hold
    only the date)."""
    return "\n".join(notes_lines(row) + ([FORECAST_NOTE] if due_forecast(row, calendar) else []))


def due_text(row):
    """The deadline, with QUÁ HẠN when it has passed."""
    if row.due_date is None:
        return ""
    return day(row.due_date) + (f"\n{gettext('OVERDUE')}" if row.overdue else "")


def row_values(row, calendar=None):
    """The row's 14 cells as typed values (int, str, date), in column order, for spreadsheets."""
    return [
        row.number, row.case.code, "\n".join(owner_lines(row)), address_text(row), route_name(row), violation_text(row),
        "\n".join(document_line(d) for d in row.records), "\n".join(document_line(d) for d in row.decisions),
        row.fine_vnd, row.remedy, row.due_date, status_text(row), officer_name(row), notes_text(row, calendar),
    ]


def totals_lines(totals):
    """[(label, value)] of the week's totals in the order DOMAIN.md gives."""
    return [(gettext(TOTAL_LABELS[key]), totals[key]) for key in TOTAL_KEYS]
