"""The office's check of whether phones can run the offline mode at this address (issue 21): a
self-signed certificate lets pages open and log in but refuses the service worker. As a Pixel 7:
over a trusted address the check says yes; over HTTPS with a certificate the phone does not trust
(the page opened anyway, as a user clicking through the warning), it says no and what to do."""
import subprocess

import pytest

from .conftest import _phone_context, login, served


@pytest.fixture
def self_signed_server(app, tmp_path):
    """The app over HTTPS with a certificate no one trusts (what a ward gets from a quick openssl line)."""
    cert, key = tmp_path / "self.crt", tmp_path / "self.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    with served(app, ssl_context=(str(cert), str(key))) as base:
        yield base


def _check(page):
    page.wait_for_function("document.getElementById('phone-check').getAttribute('data-state') !== 'checking'")
    return page.locator("#phone-check").get_attribute("data-state"), page.locator("#phone-check [data-result]").inner_text()


def test_the_office_sees_on_a_phone_whether_the_offline_mode_can_run_here(app, demo_ward, live_server, self_signed_server,
                                                                          playwright, browser, page_errors):
    trusted = _phone_context(playwright, browser)
    page = page_errors(trusted.new_page())
    login(page, live_server, "quantri", "quantri-demo")
    assert page.request.get(f"{live_server}/static/js/sw-check.js").status == 200  # "no" below is the certificate's doing
    state, text = _check(page)
    assert state == "ok" and "chế độ mất mạng dùng được" in text, text
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0  # it removed its own
    trusted.close()

    pixel = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    clicked_through = browser.new_context(**pixel, locale="vi-VN", ignore_https_errors=True, bypass_csp=True)
    page = clicked_through.new_page()
    login(page, self_signed_server, "quantri", "quantri-demo")  # pages open and login works…
    state, text = _check(page)
    assert state == "untrusted" and "không tin chứng thư" in text, text  # …but the offline worker is refused
    clicked_through.close()
