"""Real Chromium from Debian, driven by Playwright, against the app served on 127.0.0.1."""
import contextlib
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def walks_at_test_speed(request):
    """Tests walk a route in seconds: the GPS-jump speed is raised, unless a test sets its own."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["TRACK_MAX_SPEED_MPS"] = 1_000_000


@pytest.fixture(scope="session")
def playwright():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is not at {CHROMIUM}: run `make test` (it installs it with apt)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@contextlib.contextmanager
def served(wsgi_app, ssl_context=None):
    """A WSGI app on a real server in a thread, on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The test app served by a real HTTP server in a thread; yields its base URL."""
    with served(app) as base:
        yield base


# A 1 x 1 PNG stands in for map tiles: tests have no internet, and the app must not need it.
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000b49444154789c63600002"
    "00000500017a5eab3f0000000049454e44ae426082"
)


def _phone_context(playwright, browser, geolocation=True):
    device = dict(playwright.devices["Pixel 7"])
    device.pop("default_browser_type", None)
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the app's policy forbids;
    # tests/browser/test_content_security_policy.py checks the pages under the real policy.
    options = dict(device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True)
    if geolocation:
        options.update(geolocation={"latitude": 10.1716, "longitude": 105.5891, "accuracy": 8}, permissions=["geolocation"])
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))
    return context


@pytest.fixture
def phone(playwright, browser):
    """A Pixel 7 in Vietnamese, in Ho Chi Minh City time, with GPS allowed at the ward office."""
    context = _phone_context(playwright, browser)
    yield context
    context.close()


@pytest.fixture
def desk(browser):
    """The chairman's or the office's desktop browser, in Vietnamese."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1366, "height": 900},
                                  bypass_csp=True)
    context.set_default_timeout(10_000)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))
    yield context
    context.close()


@pytest.fixture
def phone_without_gps(playwright, browser):
    """The same phone where the user refused the location permission."""
    context = _phone_context(playwright, browser, geolocation=False)
    yield context
    context.close()


def login(page, base, username="kiemtra", password="kiemtra-demo"):
    """Log in through the form and wait for the start page."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def page_errors():
    """JavaScript errors seen by pages that a test attaches to it."""
    errors = []

    def attach(page):
        page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
        page.on("console", lambda msg: errors.append(f"console: {msg.text}")
                if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
        # Pages answered with an error status are what some tests look for; any asset
        # (style, script, icon, image) that fails to load is a real error.
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document" else None)
        # ERR_ABORTED is a request cut short because the page moved on (map tiles, mostly).
        page.on("requestfailed", lambda r: errors.append(f"failed {r.url}: {r.failure}")
                if "ERR_ABORTED" not in (r.failure or "") else None)
        return page

    attach.errors = errors
    return attach
