"""The office at its desk with a case's documents, in Chromium: the case page lists each step's document
and what it lacks; Word and PDF download; a document that lacks a fact leads to the list and to a print
with blanks; the case file downloads and checks with sha256sum; the administrator uploads a template
through the form and the next document uses it."""
import io
import subprocess
import zipfile

from docx import Document

from inspect_app.extensions import db

from .. import documents_scenario as scenario
from ..test_documents import _docx_with, docx_text
from .conftest import login


def _case(app, people):
    with app.app_context():
        events, case, _referred = scenario.build(db.session, people, app.config["PHOTO_DIR"])
        db.session.commit()
        return case.id, {key: event.id for key, event in events.items()}


def test_the_office_downloads_documents_and_the_case_file_from_the_case_page(app, people, live_server, desk,
                                                                              page_errors, tmp_path):
    case_id, events = _case(app, people)
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "mat-khau-dai")
    page.goto(f"{live_server}/cases/{case_id}")
    section = page.locator("#documents")
    assert section.locator("li[data-document]").count() == 7  # the seven steps of the case with a document
    # The stop-work notice lacks the signer's name (no ward settings): said on the page before any click.
    notice = section.locator(f"li[data-document='{events['start_stop_work']}']")
    assert "thiếu: tên người ký" in notice.inner_text()

    with page.expect_download() as download:
        section.locator(f"li[data-document='{events['penalty_decision']}'] a", has_text="Word").click()
    word = download.value
    assert word.suggested_filename == "TL-2026-0042-004-qd_xu_phat.docx"
    text = docx_text(open(word.path(), "rb").read())
    assert "TL-2026-0042" in text and "Nguyễn Văn Ánh" in text and "60.000.000 đồng" in text

    notice.locator("a", has_text="PDF").click()
    assert "thiếu: tên người ký" in page.locator("#missing-facts").inner_text()
    with page.expect_download() as download:
        page.locator("#print-with-blanks").click()
    blank = download.value
    assert open(blank.path(), "rb").read().startswith(b"%PDF")

    page.goto(f"{live_server}/cases/{case_id}")
    with page.expect_download() as download:
        page.locator("#dossier-zip").click()
    folder = tmp_path / "ho-so"
    zipfile.ZipFile(download.value.path()).extractall(folder)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_the_administrator_uploads_a_template_through_the_form(app, people, live_server, desk, page_errors, tmp_path):
    case_id, events = _case(app, people)
    page = page_errors(desk.new_page())
    login(page, live_server, "quantri", "mat-khau-dai")
    page.goto(f"{live_server}/documents")
    row = page.locator("tr[data-kind='qd_xu_phat']")
    bad = tmp_path / "loi.docx"
    bad.write_bytes(_docx_with("qd_xu_phat", "Số: {{ document_number "))
    row.locator("input[type=file]").set_input_files(str(bad))
    row.get_by_role("button", name="Tải lên").click()
    assert "Mẫu có lỗi" in page.locator(".flash").first.inner_text()
    assert "mặc định" in page.locator("tr[data-kind='qd_xu_phat'] .template-version").inner_text()

    good = tmp_path / "mau-rieng.docx"
    good.write_bytes(_docx_with("qd_xu_phat", "MẪU RIÊNG CỦA PHƯỜNG {{ case_code }}"))
    page.locator("tr[data-kind='qd_xu_phat'] input[type=file]").set_input_files(str(good))
    page.locator("tr[data-kind='qd_xu_phat']").get_by_role("button", name="Tải lên").click()
    assert "Mẫu mới đã được dùng" in page.locator(".flash").first.inner_text()
    assert "mau-rieng.docx" in page.locator("tr[data-kind='qd_xu_phat'] .template-version").inner_text()

    response = page.request.get(f"{live_server}/cases/{case_id}/documents/{events['penalty_decision']}.docx")
    document = Document(io.BytesIO(response.body()))
    assert any("MẪU RIÊNG CỦA PHƯỜNG TL-2026-0042" in p.text for p in document.paragraphs)
