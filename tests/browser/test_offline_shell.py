"""The field pages as an installable app that opens with no network (issue 7, first part): manifest,
service worker, pages and files kept on the phone, and nothing kept once the inspector logs out."""
import json

from .conftest import ARTIFACTS, login


def _visit_online(page, base):
    """One visit to each field page while online, with the service worker in control."""
    page.goto(f"{base}/")
    installed = page.evaluate("""Promise.race([navigator.serviceWorker.ready.then(() => true),
                                              new Promise(done => setTimeout(() => done(false), 10000))])""")
    assert installed, "the service worker did not install"
    page.reload()  # now controlled: the pages and files go into the phone's cache
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path in ("/field/today", "/field/report", "/field/visit"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")


def test_manifest_names_the_app_in_vietnamese_with_icons(live_server, phone, demo_ward):
    page = phone.new_page()
    login(page, live_server)
    href = page.get_attribute("link[rel=manifest]", "href")
    response = page.request.get(f"{live_server}{href}")
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["lang"] == "vi" and "Thới Long" in manifest["name"] and manifest["start_url"] == "/field/today"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(f"{live_server}{icon['src']}").ok


def test_field_pages_open_from_the_phone_with_no_network(live_server, phone, demo_ward):
    page = phone.new_page()
    login(page, live_server)
    _visit_online(page, live_server)

    phone.set_offline(True)
    for path, marker in (("/field/report", "form#report-form"), ("/field/today", "main.page h1"), ("/", "main.page")):
        page.goto(f"{live_server}{path}")
        assert page.locator(marker).first.is_visible(), path
        assert page.locator("link[rel=stylesheet][href='/static/css/app.css']").count() == 1
        # The stylesheet came from the phone too: the top bar has its colour.
        colour = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
        assert colour == "rgb(11, 83, 148)", (path, colour)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "offline-report-page.png"), full_page=True)
    routes = page.evaluate("fetch('/api/routes.geojson').then(r => r.json())")  # kept by the service worker
    assert {f["properties"]["code"] for f in routes["features"]} >= {"R1", "R2", "R3"}
    page.goto(f"{live_server}/field/never-opened")
    assert page.locator("#offline-page").is_visible() and "Không có mạng" in page.inner_text("#offline-page")
    phone.set_offline(False)


def test_after_logout_the_kept_pages_are_gone(live_server, phone, demo_ward):
    page = phone.new_page()
    login(page, live_server)
    _visit_online(page, live_server)
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server}/login")
    page.wait_for_function("caches.keys().then(n => !n.some(k => /^(pages|data)-/.test(k)))")
    phone.set_offline(True)
    page.goto(f"{live_server}/field/today")
    assert page.locator("#offline-page").is_visible()
    phone.set_offline(False)
