"""The office administrator at a desktop Chromium: add an account, deactivate one, change the ward's
days off and a deadline, import a route file, and read it all back in the log."""
import re

from inspect_app.domain.geo import geography
from inspect_app.extensions import db

from .conftest import login

GEOJSON = ('{"type": "Feature", "properties": {"code": "R7", "name": "Tuyến thử Bắc Vàng"}, "geometry": '
           '{"type": "LineString", "coordinates": [[105.5891, 10.1716], [105.5930, 10.1745]]}}')


def test_the_administrator_manages_accounts_settings_and_routes(app, live_server, desk, demo_ward, page_errors, tmp_path):
    page = page_errors(desk.new_page())
    login(page, live_server, "quantri", "quantri-demo")
    page.get_by_role("link", name="Quản trị").first.click()
    page.get_by_role("link", name="Người dùng").click()

    form = page.locator("#new-user")
    form.locator("input[name=username]").fill("lan")
    form.locator("input[name=full_name]").fill("Phạm Thị Lan")
    form.locator("select[name=role]").select_option("inspector")
    form.locator("input[name=password]").fill("mot-hai-ba-bon")
    form.get_by_role("button", name="Tạo tài khoản").click()
    assert page.get_by_text("Đã tạo tài khoản lan.").is_visible()

    row = page.locator('tr[data-user="kiemtra"]')
    row.locator("summary").click()
    row.get_by_role("button", name="Vô hiệu hóa").click()
    assert page.get_by_text("kiemtra không còn đăng nhập được").is_visible()
    assert page.locator('tr[data-user="kiemtra"]').get_by_text("Đã vô hiệu hóa").is_visible()

    page.get_by_role("link", name="Cài đặt của phường").click()
    page.fill("textarea[name=days_off]", "02/01/2027\n2027-01-04")
    page.fill("input[name=rule_compliance_amount]", "12")
    page.get_by_role("button", name="Lưu cài đặt").click()
    assert page.get_by_text("Đã lưu cài đặt.").is_visible()
    assert page.input_value("input[name=rule_compliance_amount]") == "12"
    assert page.input_value("textarea[name=days_off]") == "02/01/2027\n04/01/2027"

    page.get_by_role("link", name="Tuyến và ranh giới").click()
    route_file = tmp_path / "r7.geojson"
    route_file.write_text(GEOJSON, encoding="utf-8")
    page.set_input_files("#import input[type=file]", str(route_file))
    page.locator("#import").get_by_role("button", name="Đọc tệp và xem trước").click()
    # The line is shown on a map before anything is stored.
    page.wait_for_function("document.getElementById('import-map').dataset.drawn === '1'")
    assert page.locator("#import-map path.leaflet-interactive").count() >= 1
    assert page.locator('#import-routes tr[data-route="R7"]').get_by_text("tuyến mới").is_visible()
    page.get_by_role("button", name="Lưu dữ liệu nhập").click()
    assert page.get_by_text("Đã nhập: tuyến mới R7.").is_visible()
    assert page.locator('tr[data-route="R7"]').get_by_text("Chưa xác minh").is_visible()

    page.get_by_role("link", name="Nhật ký").click()
    actions = page.locator("#changes tr[data-action]").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions == ["geography.import", "ward.settings", "user.deactivate", "user.create"]
    assert page.locator('#changes tr[data-action="user.deactivate"]').get_by_text("vô hiệu hóa tài khoản").is_visible()
    assert page.locator('#logins tr[data-succeeded="yes"]').first.inner_text().split("\t")[1] == "quantri"
    with app.app_context():
        ward = geography.get_ward(db.session)
        assert re.search(r"2027-01-02.*2027-01-04", ward.days_off)
    assert page_errors.errors == []
