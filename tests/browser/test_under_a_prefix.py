"""The app mounted under /kiemtra/ (as behind a proxy that gives it a sub-path): the phone's whole flow
works there, because every URL the pages and scripts use comes from url_for (issue 17). Log-in with
next=, the service worker's scope and cache, the manifest, a patrol started and a violation reported
with a photo with no network, sent by the outbox once the network is back, and the case on the list."""
import hashlib
import re

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from inspect_app.extensions import db
from inspect_app.models import Patrol, Photo, Violation

from ..factories import jpeg_bytes
from .conftest import served

PREFIX = "/kiemtra"
OFFICE = {"longitude": 105.5891, "latitude": 10.1716, "accuracy": 6}


@pytest.fixture
def mounted(app, demo_ward):
    """The app under /kiemtra/ on a real HTTP server; anything outside the prefix is a 404."""
    app.config["TRACK_SEND_INTERVAL_S"] = 1
    with served(DispatcherMiddleware(NotFound(), {PREFIX: app})) as base:
        yield base


def _waiting(page):
    page.wait_for_selector("#outbox[data-ready='1']", state="attached")
    return int(page.get_attribute("#outbox", "data-waiting") or "0")


def test_the_phone_flow_under_a_sub_path(app, mounted, phone, page_errors, tmp_path):
    site = f"{mounted}{PREFIX}"
    phone.set_geolocation(OFFICE)
    page = page_errors(phone.new_page())
    outside = []
    page.on("request", lambda r: outside.append(r.url) if r.url.startswith(mounted) and not r.url.startswith(site) else None)

    # Log-in sends back to the page asked for, under the prefix.
    page.goto(f"{site}/field/today")
    assert re.fullmatch(re.escape(f"{site}/login?next=") + r"(/|%2F)kiemtra(/|%2F)field(/|%2F)today", page.url), page.url
    page.fill("input[name=username]", "kiemtra")
    page.fill("input[name=password]", "kiemtra-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{site}/field/today")
    assert any(c["name"] == "session" or "session" in c["name"] for c in phone.cookies())

    # The manifest and the worker live under the prefix, and so does the worker's scope.
    href = page.get_attribute("link[rel=manifest]", "href")
    assert href == f"{PREFIX}/manifest.webmanifest"
    manifest = page.request.get(f"{mounted}{href}").json()
    assert manifest["scope"] == f"{PREFIX}/" and manifest["start_url"] == f"{PREFIX}/field/today"
    for icon in manifest["icons"]:
        assert page.request.get(f"{mounted}{icon['src']}").ok
    page.goto(f"{site}/")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{site}/"
    page.wait_for_function("document.documentElement.dataset.pagesKept === '5'", timeout=20000)  # all five, from /kiemtra/
    page.reload()  # now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    served = page.request.get(f"{site}/sw.js").text()
    version = re.search(r'"version": "([0-9a-f]{16})"', served).group(1)
    announced = page.evaluate("""new Promise(done => {
        navigator.serviceWorker.addEventListener('message', e => { if (e.data.type === 'version') done(e.data.version); });
        navigator.serviceWorker.controller.postMessage({type: 'version'}); })""")
    assert announced == version
    assert f"shell-{version}" in page.evaluate("caches.keys()")

    # No network: the home page from the phone, a patrol started, a violation reported with a photo.
    phone.set_offline(True)
    page.goto(f"{site}/")
    page.get_by_role("button", name="Bắt đầu tuần tra R1").click()
    page.wait_for_url(re.compile(re.escape(f"{site}/field/live?patrol=") + ".+"))
    page.wait_for_function("Number(document.getElementById('patrol-tracker').dataset.points) >= 1")
    page.get_by_role("link", name="Báo cáo vi phạm").click()
    page.wait_for_url(re.compile(re.escape(f"{site}/field/report") + ".*"))
    page.wait_for_function("document.querySelector('[name=lat]').value !== ''")
    page.select_option("#category", "no_permit")
    page.fill("#owner_name", "Chủ đầu tư dưới /kiemtra/")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg_bytes(width=1200, height=900, colour=(90, 120, 30)))
    page.set_input_files("#photo-gallery", str(photo))
    if page.locator("#nearby").is_visible():
        page.check("[name=confirm_new]")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_selector("#saved-locally:not([hidden])")
    assert _waiting(page) == 3  # the patrol's start, the report, its photo
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Violation)) == 0

    # The network is back: the outbox sends everything, to the URLs under the prefix.
    phone.set_offline(False)
    page.wait_for_function("document.getElementById('outbox').dataset.waiting === '0'", timeout=30000)
    page.wait_for_function("document.getElementById('saved-locally').dataset.confirmed === '1'", timeout=30000)
    with app.app_context():
        case = db.session.scalar(select(Violation).where(Violation.owner_name == "Chủ đầu tư dưới /kiemtra/"))
        assert case is not None and case.patrol_id is not None
        assert db.session.scalar(select(func.count()).select_from(Patrol)) == 1
        stored = db.session.scalars(select(Photo).where(Photo.violation_id == case.id)).all()
        assert [p.sha256 for p in stored] == [hashlib.sha256(photo.read_bytes()).hexdigest()]
        code = case.code

    # The case appears on the list, and its page opens with its photo, all under the prefix.
    page.goto(f"{site}/cases/")
    page.get_by_role("link", name=re.compile(re.escape(code))).first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{site}/cases/")
    assert code in page.inner_text("main")
    assert page.evaluate("[...document.images].filter(i => i.closest('main') && i.naturalWidth > 0).length") >= 1
    assert outside == [], "requests outside the prefix"
    # With no network the outbox's session checks fail: that is expected; nothing else may.
    assert [e for e in page_errors.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
