"""The pages work under the app's real Content-Security-Policy (the other browser tests bypass it
so that Playwright may evaluate its own checks): no violation is reported anywhere."""
import pytest

from .conftest import BLANK_TILE, login

WATCH = """() => { window.__violations = [];
  document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI)); }"""


@pytest.mark.parametrize("username,pages", [
    ("kiemtra", ["/", "/field/report", "/field/visit", "/field/today", "/field/live", "/routes"]),
    ("chutich", ["/", "/map/", "/cases/", "/cases/queue", "/reports/weekly"]),
    ("quantri", ["/", "/admin/", "/admin/users", "/admin/geography", "/admin/settings", "/admin/log"]),
])
def test_pages_run_under_the_real_policy(browser, live_server, demo_ward, username, pages):
    context = browser.new_context(locale="vi-VN", geolocation={"latitude": 10.1716, "longitude": 105.5891},
                                  permissions=["geolocation"])
    context.route("https://tile.openstreetmap.org/**",
                  lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))
    context.add_init_script(f"({WATCH})()")
    messages = []
    page = context.new_page()
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, username, f"{username}-demo")
    for path in pages:
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path
    assert messages == []
    if username == "chutich":  # the map drew its cases: its scripts ran
        page.goto(f"{live_server}/map/")
        page.wait_for_selector(".leaflet-container")
    context.close()
