"""An inspector logs in on a phone and sees the Vietnamese start page; the admin page stays shut."""
from .conftest import ARTIFACTS


def test_inspector_logs_in_on_a_phone_and_is_refused_the_admin_page(live_server, phone, demo_ward, page_errors):
    page = page_errors(phone.new_page())
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("input[name=username]", "kiemtra")
    page.fill("input[name=password]", "kiemtra-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/")

    assert page.locator("h1").inner_text() == "Bắt đầu làm việc"
    assert page.locator("[data-route]").count() == 3
    assert page.get_by_text("Chưa xác minh").first.is_visible()
    # Phone layout: no sideways scrolling, touch targets at least 44 px high.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    logout_height = page.get_by_role("button", name="Đăng xuất").bounding_box()["height"]
    assert logout_height >= 44
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-home-inspector.png"), full_page=True)

    response = page.goto(f"{live_server}/admin/")
    assert response.status == 403
    assert "Bạn không có quyền mở trang này." in page.locator("main").inner_text()
    assert page_errors.errors == []


def test_wrong_password_on_a_phone_shows_the_vietnamese_message(live_server, phone, demo_ward, page_errors):
    page = page_errors(phone.new_page())
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "kiemtra")
    page.fill("input[name=password]", "sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text() == "Sai tên đăng nhập hoặc mật khẩu."
    assert page.url.startswith(f"{live_server}/login")
