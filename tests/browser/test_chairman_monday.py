"""The chairman's Monday morning (issue 19): his home page says what needs doing; from it, a due item,
the case, and the approval take fewer than five clicks; the installed app's badge carries the count."""
from datetime import timedelta

from inspect_app.domain.ward_time import local_today, week_bounds
from inspect_app.extensions import db
from inspect_app.models import User

from ..factories import make_case
from ..test_lifecycle import _act
from .conftest import ARTIFACTS, login

# Records what the page asks of the Badging API (the desk's Chromium is not an installed app).
RECORD_BADGE = """
Object.defineProperty(Navigator.prototype, "setAppBadge", {value: function (n) { window.__badge = n; return Promise.resolve(); }});
Object.defineProperty(Navigator.prototype, "clearAppBadge", {value: function () { window.__badge = 0; return Promise.resolve(); }});
"""


def test_home_due_item_case_approve_in_under_five_clicks(app, live_server, desk, people, page_errors):
    today = local_today()
    with app.app_context():
        s = db.session
        inspector = s.get(User, people["inspector"])
        proposed = make_case(s, inspector.id, "detected", address="7 Lộ Vòng Cung", owner_name="Đỗ Văn Bảy")
        _act(s, proposed, inspector, "record_violation", today=today, document_number="8/BB",
             document_date=today.isoformat())
        _act(s, proposed, inspector, "penalty_decision", today=today, mode="propose", fine_vnd="40000000",
             remedy="Buộc phá dỡ")
        late = make_case(s, inspector.id, "warning", due=week_bounds(today)[0] - timedelta(days=1))
        s.commit()
        proposed_code, late_code = proposed.code, late.code
    desk.add_init_script(RECORD_BADGE)
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "mat-khau-dai")
    clicks = 0

    def click(locator):
        nonlocal clicks
        clicks += 1
        locator.click()

    assert page.locator("h1").inner_text() == "Việc cần làm"
    assert page.locator("#waiting-count").inner_text() == "1" and page.locator("#overdue-count").inner_text() == "1"
    page.wait_for_function("window.__badge === 2")  # one decision + one overdue case
    item = page.locator(f'#waiting [data-case="{proposed_code}"]')
    assert "40.000.000 đ" in item.inner_text() and "Buộc phá dỡ" in item.inner_text()
    page.screenshot(path=str(ARTIFACTS / "desk-chairman-monday.png"), full_page=True)

    click(item.get_by_role("link", name=proposed_code))                     # the due item → its case
    page.wait_for_selector("#pending")
    click(page.locator("#pending").get_by_role("button", name="Duyệt"))    # approve
    page.wait_for_selector(".flash-info")
    assert "Quyết định xử phạt" in page.locator("#timeline").inner_text() and page.locator("#pending").count() == 0
    assert clicks < 5

    page.goto(f"{live_server}/")
    assert page.locator("#waiting-count").inner_text() == "0"
    page.wait_for_function("window.__badge === 1")
    click(page.locator("#todo a.stat", has=page.locator("#overdue-count")))  # the overdue number → those cases
    page.wait_for_selector("#case-list")
    assert page.locator("#case-list tbody tr").all_inner_texts()[0].startswith(late_code)
    assert page.locator("#case-list tbody tr").count() == 1
    assert page_errors.errors == []


def test_the_statistics_page_and_the_monthly_report_show_without_errors(app, live_server, desk, people, page_errors):
    today = local_today()
    with app.app_context():
        inspector = db.session.get(User, people["inspector"])
        for days_ago, category in ((3, "no_permit"), (10, "no_permit"), (40, "encroachment"), (100, "no_permit")):
            case = make_case(db.session, inspector.id, "warning", category=category, due=today - timedelta(days=days_ago // 2))
            case.detected_at = case.detected_at.replace(year=today.year, month=today.month, day=1) - timedelta(days=days_ago)
        db.session.commit()
    page = page_errors(desk.new_page())
    login(page, live_server, "chutich", "mat-khau-dai")
    page.get_by_role("link", name="Thống kê").click()
    page.wait_for_selector("#chart-weeks svg polyline")
    assert page.locator("#chart-weeks polyline").count() == 3 and page.locator("#chart-categories rect").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "desk-statistics.png"), full_page=True)
    page.locator("#monthly-link").click()
    page.wait_for_selector("#monthly-document")
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()  # the print keeps the report only
    page.screenshot(path=str(ARTIFACTS / "desk-monthly-report.png"), full_page=True)
    assert page_errors.errors == []
