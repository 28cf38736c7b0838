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


# Beyond the printed form's 14 columns, the workbook gives the documents' dates as real dates (the
# printed cells write number and date together); they stay outside the print area.
DATE_COLUMNS = ("Ngày biên bản (gần nhất)", "Ngày quyết định (gần nhất)")
ID_COLUMN = "Số định danh / mã số doanh nghiệp"  # personal data: outside the print area
HEADER_ROW = 8


def xlsx_bytes(listing, ward_name, settings, preparer_name, calendar=None):
    """A workbook laid out as the printed list (Decree 30/2020 header, title, annex line, header row
    repeated on every page, signatures, Nơi nhận; A4 landscape, fit to the page's width), and the
    week's totals on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    width = len(document.COLUMNS)
    bold, italic, centred = Font(bold=True), Font(italic=True), Alignment(horizontal="center", wrap_text=True)
    header = [
        (("ỦY BAN NHÂN DÂN", bold), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)),
        ((ward_name.upper(), bold), ("Độc lập - Tự do - Hạnh phúc", bold)),
        ((f"Số: {settings.list_number}" if settings.list_number else "", None),
         (f"{document.place_name(ward_name)}, ngày … tháng … năm …", italic)),
    ]
    for row, (left, right) in enumerate(header, start=1):
        _block(sheet, row, 1, 4, *left, centred)
        _block(sheet, row, width - 4, width, *right, centred)
    _block(sheet, 5, 1, width, document.full_title(listing.week, settings.list_title), Font(bold=True, size=13), centred)
    _block(sheet, 6, 1, width, settings.annex_line(ward_name), italic, centred)
    for column, name in enumerate((*document.COLUMNS, *DATE_COLUMNS, ID_COLUMN), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=name)
        cell.font, cell.alignment = bold, centred
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row in listing.rows:
        values = document.row_values(row, calendar) + [_latest(row.records), _latest(row.decisions),
                                                        row.case.owner_id_number or None]
        sheet.append([None] * len(values))
        for column, value in enumerate(values):
            cell = sheet.cell(row=sheet.max_row, column=column + 1)
            _set(cell, value)
            cell.alignment = wrapped
            if column in (DATE_COLUMN, width, width + 1) and value is not None:
                cell.number_format = XLSX_DATE_FORMAT
            if column == MONEY_COLUMN and value is not None:
                cell.number_format = XLSX_MONEY_FORMAT
            if row.overdue:
                cell.font = bold
    last_row = sheet.max_row
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    if listing.rows:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{_column_letter(width + len(DATE_COLUMNS) + 1)}{last_row}"
    for letter, column_width in zip("ABCDEFGHIJKLMNOPQ", (5, 14, 24, 28, 20, 28, 22, 24, 14, 24, 12, 18, 18, 28, 14, 14, 18),
                                   strict=True):
        sheet.column_dimensions[letter].width = column_width
    end = _signatures(sheet, last_row + 2, width, settings, preparer_name, bold, centred)
    _page_setup(sheet, f"A1:{_column_letter(width)}{end}")
    totals = workbook.create_sheet("Tổng hợp")
    _set(totals.cell(row=1, column=1), document.full_title(listing.week, settings.list_title))
    for label, value in document.totals_lines(listing.totals):
        totals.append([label, value])
        if isinstance(value, int):
            totals.cell(row=totals.max_row, column=2).number_format = XLSX_MONEY_FORMAT
    totals.column_dimensions["A"].width = 28
    totals.column_dimensions["B"].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _block(sheet, row, first, last, text, font, alignment):
    """Text across merged columns first..last of a row."""
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = sheet.cell(row=row, column=first)
    _set(cell, text)
    if font is not None:
        cell.font = font
    cell.alignment = alignment


def _signatures(sheet, row, width, settings, preparer_name, bold, centred):
    """NGƯỜI LẬP BIỂU on the left, TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH on the right with the signer's name,
    then Nơi nhận; returns the last row used."""
    from openpyxl.styles import Font

    left = [("NGƯỜI LẬP BIỂU", bold), ("", None), ("", None), ("", None), ("", None), (preparer_name, bold)]
    right = [("TM. ỦY BAN NHÂN DÂN", bold), ("CHỦ TỊCH", bold), ("", None), ("", None), ("", None),
             (settings.signer_name, bold)]
    for offset, ((left_text, left_font), (right_text, right_font)) in enumerate(zip(left, right, strict=True)):
        _block(sheet, row + offset, 1, 4, left_text, left_font, centred)
        _block(sheet, row + offset, width - 4, width, right_text, right_font, centred)
    row += len(left) + 1
    sheet.cell(row=row, column=1, value="Nơi nhận:").font = Font(bold=True, italic=True)
    for line in settings.recipient_lines:
        row += 1
        _set(sheet.cell(row=row, column=1), line)
    return row


def _page_setup(sheet, print_area):
    """A4 landscape, one page wide, the header row on every page, page numbers at the top centre from page 2."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = print_area
    sheet.HeaderFooter.differentFirst = True
    sheet.oddHeader.center.text = "&P"
    sheet.evenHeader.center.text = "&P"


def _latest(documents):
    dates = [d.dated for d in documents if d.dated]
    return max(dates) if dates else None


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


def csv_bytes(listing, calendar=None):
    """The header row and one row per case, UTF-8 with a byte-order mark, dates as dd/mm/yyyy, fines as plain numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(document.COLUMNS)
    for row in listing.rows:
        values = document.row_values(row, calendar)
        values[DATE_COLUMN] = document.day(values[DATE_COLUMN])
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
