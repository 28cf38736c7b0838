"""A record on the phone, a proposal, and the chairman's approval at his desk."""
import re
from datetime import date, timedelta

from inspect_app.extensions import db

from ..factories import jpeg_bytes, make_case
from .conftest import ARTIFACTS, login


def test_record_propose_and_approve(app, live_server, desk, phone, people, page_errors, tmp_path):
    with app.app_context():
        case = make_case(db.session, people["inspector"], address="42 Lộ Vòng Cung", owner_name="Võ Văn Tám")
        db.session.commit()
        case_url, code = f"{live_server}/cases/{case.id}", case.code
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    photo = tmp_path / "bien-ban.jpg"
    photo.write_bytes(jpeg_bytes(width=1200, height=900))

    page = page_errors(phone.new_page())
    login(page, live_server, "kiemtra", "mat-khau-dai")
    page.goto(case_url)
    bb = page.locator('details[data-action="record_violation"]')
    bb.locator("summary").click()
    bb.locator("[name=document_number]").fill("31/BB-VPHC")
    bb.locator("[name=document_date]").fill(yesterday)
    bb.locator("[name=photos]").set_input_files(str(photo))
    bb.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("#event-1")
    assert "Luật XLVPHC Điều 66 khoản 1" in page.locator("#case-deadline").inner_text()

    proposal = page.locator('details[data-action="penalty_decision"]')
    proposal.locator("summary").click()
    # The inspector proposes the fine and remedy; the decision's number and date come at signing.
    assert proposal.locator("[name=document_number]").count() == 0 and proposal.locator("[name=document_date]").count() == 0
    proposal.locator("[name=fine_vnd]").fill("65000000")
    proposal.locator("[name=remedy]").fill("Buộc phá dỡ phần xây dựng không phép")
    proposal.get_by_role("button", name="Gửi Chủ tịch duyệt").click()
    page.wait_for_selector("#pending")
    assert "đề xuất bởi" in page.locator("#pending").inner_text()
    page.screenshot(path=str(ARTIFACTS / "phone-case-proposed.png"), full_page=True)

    chairman = page_errors(desk.new_page())
    login(chairman, live_server, "chutich", "mat-khau-dai")
    chairman.get_by_role("link", name="Chờ Chủ tịch duyệt").click()
    item = chairman.locator(f'#queue [data-case="{code}"]')
    assert "Quyết định xử phạt VPHC" in item.inner_text()
    item.get_by_role("link", name=code).click()
    pending = chairman.locator("#pending")
    assert pending.locator("[name=document_date]").input_value() == date.today().isoformat()
    assert pending.locator("[name=fine_vnd]").input_value() == "65000000"
    pending.locator("[name=fine_vnd]").fill("60000000")  # the chairman may change the fine when signing
    chairman.get_by_role("button", name="Duyệt").click()
    chairman.wait_for_selector("#event-3")
    timeline = chairman.locator("#timeline").inner_text()
    assert "31/BB-VPHC" in timeline and "1/QĐ-XPHC" in timeline and "60.000.000" in timeline
    assert chairman.locator("#event-1 img.thumb").count() == 1
    assert chairman.locator("#event-3").get_attribute("class").count("event-approval") == 1
    assert "Xử phạt / cưỡng chế" in chairman.locator("#case-stage").inner_text()
    deadline = chairman.locator("#case-deadline").inner_text()
    assert "Luật XLVPHC Điều 70" in deadline and re.search(r"\d\d/\d\d/\d{4}", deadline)
    assert chairman.locator("#pending").count() == 0
    chairman.screenshot(path=str(ARTIFACTS / "desk-case-approved.png"), full_page=True)
    assert page_errors.errors == []
