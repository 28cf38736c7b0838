"""The Thống kê figures as an Excel workbook: one sheet per table, numbers as numbers, dates as dates,
text neutralised against formulas (reports/exports.neutralise)."""
import io

from ..domain.ward_time import VIETNAM_OFFSET
from ..reports.exports import XLSX_DATE_FORMAT, neutralise


def figures_xlsx(figures, names) -> bytes:
    """The workbook; `names(kind, key)` gives a stage's, category's or route's name in Vietnamese."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title, header, rows):
        ws = workbook.create_sheet(title)
        ws.append([neutralise(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([neutralise(v) for v in row])
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(12, min(45, max(len(str(c.value or "")) for c in column) + 2))
        return ws

    scope = "Chỉ các vụ việc và lượt tuần tra của một cán bộ" if figures.officer_id else "Toàn phường"
    sheet("Thông tin", ["Mục", "Giá trị"], [
        ["Từ ngày", figures.first_day], ["Đến ngày", figures.as_of],
        ["Số liệu tính lúc (giờ Việt Nam)", figures.computed_at.astimezone(VIETNAM_OFFSET).replace(tzinfo=None)],
        ["Phạm vi", scope],
        ["Ghi chú", "Tuần cuối cùng chưa hết nếu ngày cuối là hôm nay; quá hạn tính như danh sách tuần"],
    ])
    weeks = sheet("Theo tuần", ["Tuần", "Từ ngày", "Đến ngày", "Phát hiện", "Kết thúc", "Quá hạn cuối tuần"],
                  [[w.week.iso, w.first_day, w.last_day, w.new, w.closed, w.overdue] for w in figures.weeks])
    for row in weeks.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = XLSX_DATE_FORMAT
    sheet("Theo tuyến", ["Tuyến", "Đang xử lý", "Kết thúc", "Tổng"],
          [[names("route", g.key), g.open, g.closed, g.total] for g in figures.by_route])
    sheet("Theo loại vi phạm", ["Loại vi phạm", "Đang xử lý", "Kết thúc", "Tổng"],
          [[names("category", g.key), g.open, g.closed, g.total] for g in figures.by_category])
    sheet("Số ngày mỗi giai đoạn", ["Giai đoạn", "Số ngày (trung vị)", "Số lượt đã kết thúc", "Vụ việc đang ở giai đoạn này"],
          [[names("stage", s.stage), s.median_days, s.stays, s.still_there] for s in figures.stage_days])
    sheet("Độ phủ tuần tra", ["Tuần", *figures.route_codes],
          [[week.iso, *[round(shares.get(code, 0.0) * 100, 1) for code in figures.route_codes]]
           for week, shares in figures.coverage])
    workbook.remove(workbook["Sheet"])
    info = workbook["Thông tin"]
    for row in info.iter_rows(min_row=2, max_row=3, min_col=2, max_col=2):
        row[0].number_format = XLSX_DATE_FORMAT
    info["B4"].number_format = "HH:MM DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
