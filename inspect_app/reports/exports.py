"""The weekly list as spreadsheets: XLSX and CSV (the PDF is made by pdf.py from the page's own template).

Spreadsheet cells that hold text typed by people are neutralised so that a value such as
`=HYPERLINK(...)` is shown as text and never run as a formula.
"""
import csv
import io

from . import document

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_MONEY_FORMAT = "#,##0"
DATE_COLUMN = document.COLUMNS.index("Hạn")
MONEY_COLUMN = document.COLUMNS.index("Số tiền phạt")


def neutralise(text):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def xlsx_bytes(listing, ward_name):
    """A workbook: the list (title, header row, one row per case) and the week's totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([f"ỦY BAN NHÂN DÂN {ward_name.upper()}"])
    sheet.append([document.full_title(listing.week)])
    sheet["A2"].font = Font(bold=True)
    sheet.append([])
    sheet.append(list(document.COLUMNS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    wrapped, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)
    for row in listing.rows:
        sheet.append([None] * len(document.COLUMNS))
        for column, value in enumerate(document.row_values(row)):
            cell = sheet.cell(row=sheet.max_row, column=column + 1)
            _set(cell, value)
            cell.alignment = wrapped
            if column == DATE_COLUMN and value is not None:
                cell.number_format = XLSX_DATE_FORMAT
            if column == MONEY_COLUMN and value is not None:
                cell.number_format = XLSX_MONEY_FORMAT
            if row.overdue:
                cell.font = bold
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if listing.rows:
        sheet.auto_filter.ref = f"A{header_row}:{_column_letter(len(document.COLUMNS))}{sheet.max_row}"
    for letter, width in zip("ABCDEFGHIJKLMN", (5, 14, 22, 28, 20, 26, 22, 24, 14, 24, 12, 18, 18, 28)):
        sheet.column_dimensions[letter].width = width
    totals = workbook.create_sheet("Tổng hợp")
    totals.append([document.full_title(listing.week)])
    for label, value in document.totals_lines(listing.totals):
        totals.append([label, value])
        if isinstance(value, int):
            totals.cell(row=totals.max_row, column=2).number_format = XLSX_MONEY_FORMAT
    totals.column_dimensions["A"].width = 28
    totals.column_dimensions["B"].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _set(cell, value):
    """Store a value; text is always stored as text (never a formula), with a quote prefix if it looks like one."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store '=…' as a formula
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def _column_letter(number):
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def csv_bytes(listing):
    """The header row and one row per case, UTF-8 with a byte-order mark, dates as dd/mm/yyyy, fines as plain numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(document.COLUMNS)
    for row in listing.rows:
        values = document.row_values(row)
        values[DATE_COLUMN] = document.day(values[DATE_COLUMN])
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
