"""A record on the phone (the owner's ID and address filled in on the record's form), a proposal, the
chairman's approval from his queue, and the inspector hearing of it on the home page."""
import re
from datetime import timedelta

from inspect_app.domain.ward_time import local_today
from inspect_app.extensions import db

from ..factories import jpeg_bytes, make_case
from .conftest import ARTIFACTS, login


def test_record_propose_and_approve(app, live_server, desk, phone, people, page_errors, tmp_path):
    with app.app_context():
        case = make_case(db.session, people["inspector"], address="42 Lộ Vòng Cung", owner_name="Võ Văn Tám",
                         owner_id_number="", owner_address="")
        db.session.commit()
        case_url, code = f"{live_server}/cases/{case.id}", case.code
    today = local_today()  # the ward's date (UTC+7), also in the evening when UTC is a day behind
    yesterday = (today - timedelta(days=1)).isoformat()
    photo = tmp_path / "bien-ban.jpg"
    photo.write_bytes(jpeg_bytes(width=1200, height=900))

    page = page_errors(phone.new_page())
    login(page, live_server, "kiemtra", "mat-khau-dai")
    page.goto(case_url)
    bb = page.locator('details[data-action="record_violation"]')
    bb.locator("summary").click()
    bb.locator("[name=document_number]").fill("31/BB-VPHC")
    bb.locator("[name=document_date]").fill(yesterday)
    # The record's form asks for what the case does not know yet about the owner (prefilled with the rest).
    assert bb.locator("[name=owner_name]").input_value() == "Võ Văn Tám" and bb.locator("[name=owner_id_number]").input_value() == ""
    bb.locator("[name=owner_id_number]").fill("092080007777")
    bb.locator("[name=owner_address]").fill("42 Lộ Vòng Cung, Thới Long")
    bb.locator("[name=photos]").set_input_files(str(photo))
    bb.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("#event-1")
    assert "hoặc mã số doanh nghiệp: – → 092080007777" in page.locator("#event-1").inner_text()
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
    text = item.inner_text()
    # What he signs is on the queue: the decision, fine, remedy, deadlines and the case's photos.
    assert "Quyết định xử phạt VPHC" in text and "65.000.000 đ" in text and "Buộc phá dỡ phần xây dựng không phép" in text
    assert "Ra quyết định xử phạt" in item.locator(".queue-clocks").inner_text() and item.locator("img.thumb").count() >= 1
    assert item.locator("[name=document_date]").input_value() == today.isoformat()
    assert item.locator("[name=fine_vnd]").input_value() == "65000000"
    item.locator("[name=fine_vnd]").fill("60000000")  # the chairman may change the fine when signing
    item.get_by_role("button", name="Duyệt").click()
    chairman.wait_for_selector(".flash-info")
    assert chairman.url.endswith("/cases/queue") and chairman.locator(f'#queue [data-case="{code}"]').count() == 0
    chairman.goto(case_url)
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

    page.goto(f"{live_server}/")
    news = page.locator(f'#news [data-case="{code}"]')
    assert news.get_attribute("data-kind") == "approval" and "1/QĐ-XPHC" in news.inner_text()
    assert page_errors.errors == []
