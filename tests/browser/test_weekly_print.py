"""Chromium's own print of the weekly list (what the office gets with Ctrl+P): A4 landscape, the header
row on every page, rows kept whole, page numbers at the top centre from page 2, the Decree 30/2020
header (rule under the ward's name 1/3 to 1/2 of its width, motto with hyphens), the signer's name
from the settings, Nơi nhận, and no navigation or buttons on paper."""
import json
import re
import subprocess
import unicodedata
from datetime import date, datetime, timedelta

from inspect_app.domain.cases.stages import STAGES
from inspect_app.domain.geo import geography
from inspect_app.domain.ward_time import VIETNAM_OFFSET
from inspect_app.extensions import db

from ..factories import make_case
from .conftest import ARTIFACTS, login

ROWS = 120
MONDAY = date(2026, 9, 28)  # week 2026-W40


def _busy_week(app, officer_id):
    """120 cases detected in the week, in every stage, a third of the open ones overdue."""
    with app.app_context():
        for n in range(ROWS):
            stage = STAGES[n % len(STAGES)]
            due = None if stage == "closed" else MONDAY + timedelta(days=(n % 3) * 7 - 5)
            make_case(db.session, officer_id, stage=stage, due=due, code=f"TL-2026-{n + 1:04d}",
                      owner_name=f"Ông Nguyễn Văn A{n + 1:03d}", address=f"Số {n + 1} đường 91B",
                      khu_vuc="Thới Xương 2", area_m2=80 + n, floors=1 + n % 4,
                      detected_at=datetime.combine(MONDAY + timedelta(days=n % 7), datetime.min.time(), VIETNAM_OFFSET)
                      + timedelta(hours=8))
        ward = geography.get_ward(db.session)
        ward.document_settings = json.dumps({"signer_name": "Trần Văn Ký", "recipients": "- Như trên;\n- Lưu: VT, ĐC."})
        db.session.commit()


def _pages(pdf_path):
    info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = tuple(round(float(x)) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    texts = []
    for number in range(1, count + 1):
        out = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf_path), "-"],
                             check=True, capture_output=True, text=True).stdout
        texts.append(unicodedata.normalize("NFC", out))
    return size, texts


def test_chromium_prints_a_120_row_week_on_a4_landscape_with_headers_on_every_page(app, people, demo_ward, live_server, desk,
                                                                                   page_errors):
    _busy_week(app, people["inspector"])
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "mat-khau-dai")
    page.goto(f"{live_server}/reports/weekly?week=2026-W40")
    assert page.locator("tr.weekly-row").count() == ROWS
    assert page.locator("[data-print]").is_visible() and page.locator("#download-pdf").is_visible()

    # The rule under the ward's name: one third to one half of the name as printed (the text, not its box).
    ratio = page.evaluate("""() => {
        const name = document.getElementById("doc-ward-name"), range = document.createRange();
        range.selectNodeContents(name);
        return document.getElementById("doc-ward-rule").getBoundingClientRect().width / range.getBoundingClientRect().width;
    }""")
    assert 1 / 3 <= ratio <= 1 / 2, ratio
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "weekly-list-screen.png"))
    page.emulate_media(media="print")
    for hidden in ("[data-print]", "#download-pdf", "#previous-week", "header.topbar", "#weekly-filters"):
        assert not page.locator(hidden).is_visible(), hidden
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "weekly-list-chromium-print.pdf"
    page.pdf(path=str(pdf_path), prefer_css_page_size=True)

    size, pages = _pages(pdf_path)
    assert size == (842, 595), size  # A4 landscape, in points
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        if "TL-2026-" in text:  # a page of rows (the last may hold only the signatures and Nơi nhận)
            assert "Mã vụ" in text and "Chủ đầu tư" in text and "Cán bộ" in text, f"no header row on page {number}"
        top = next(line for line in text.splitlines() if line.strip())
        if number == 1:
            assert "ỦY BAN NHÂN DÂN" in top, "page 1 has a number above its header"
        else:  # alone on the first line, in the middle of the page (842 pt wide, about 200 characters with -layout)
            assert top.strip() == str(number) and 0.35 < (len(top) - len(top.lstrip())) / len(max(text.splitlines(), key=len)) < 0.6, \
                f"no page number at the top centre of page {number}: {top!r}"
        for word in ("Tuần trước", "Tuần sau", "Excel (XLSX)", "Đăng xuất", "Danh sách tuần"):
            assert word not in text, f"{word!r} printed on page {number}"
    everything = "\n".join(pages)
    assert "DANH SÁCH CÔNG TRÌNH VI PHẠM TRẬT TỰ XÂY DỰNG – TUẦN 40" in " ".join(pages[0].split())
    assert "Độc lập - Tự do - Hạnh phúc" in pages[0] and "(Kèm theo Báo cáo số …/BC-UBND" in pages[0]
    assert "NGƯỜI LẬP BIỂU" in pages[-1] and "CHỦ TỊCH" in pages[-1] and "Trần Văn Ký" in pages[-1]
    assert "Trần Chủ Tịch" in pages[-1]  # the person who prints it, under NGƯỜI LẬP BIỂU
    assert "Nơi nhận:" in pages[-1] and "- Lưu: VT, ĐC." in pages[-1]
    for n in range(1, ROWS + 1):
        code, owner = f"TL-2026-{n:04d}", f"A{n:03d}"
        holding = [i for i, text in enumerate(pages) if code in text]
        assert len(holding) == 1, f"{code} found on pages {holding}"
        assert owner in pages[holding[0]], f"row {code} is split across pages"
    assert everything.count("QUÁ HẠN") > 20
    assert page_errors.errors == []
