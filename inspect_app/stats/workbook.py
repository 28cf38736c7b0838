"""The Thống kê figures as an Excel workbook: one sheet per table, numbers as numbers, dates as dates,
text neutralised against formulas (reports/exports.neutralise)."""
import io

from ..reports.exports import XLSX_DATE_FORMAT, neutralise


def figures_xlsx(figures, names) -> bytes:
    """The workbook; `names(kind, key)` gives a stage's, category's or route's name in Vietnamese."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title, header, rows):
        ws = workbook.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([neutralise(v) for v in row])
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(12, min(45, max(len(str(c.value or "")) for c in column) + 2))
        return ws

    weeks = sheet("Theo tuần", ["Tuần", "Từ ngày", "Đến ngày", "Vụ việc mới", "Đã kết thúc", "Quá hạn cuối tuần"],
                  [[w.week.iso, w.week.monday, w.week.sunday, w.new, w.closed, w.overdue] for w in figures.weeks])
    for row in weeks.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = XLSX_DATE_FORMAT
    sheet("Theo tuyến", ["Tuyến", "Đang xử lý", "Đã kết thúc", "Tổng"],
          [[names("route", g.key), g.open, g.closed, g.total] for g in figures.by_route])
    sheet("Theo loại vi phạm", ["Loại vi phạm", "Đang xử lý", "Đã kết thúc", "Tổng"],
          [[names("category", g.key), g.open, g.closed, g.total] for g in figures.by_category])
    sheet("Số ngày mỗi giai đoạn", ["Giai đoạn", "Số ngày (trung vị)", "Số lượt đã qua", "Đang ở giai đoạn này"],
          [[names("stage", s.stage), s.median_days, s.stays, s.still_there] for s in figures.stage_days])
    sheet("Độ phủ tuần tra", ["Tuần", *figures.route_codes],
          [[week.iso, *[round(shares.get(code, 0.0) * 100, 1) for code in figures.route_codes]]
           for week, shares in figures.coverage])
    workbook.remove(workbook["Sheet"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
