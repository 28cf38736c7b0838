"""A phone whose storage is full (a real quota in Chromium, set through the DevTools protocol): the
report that does not fit is not stored, the page says so plainly in Vietnamese, what the inspector typed
stays in the form, nothing already in the outbox is lost, and it all goes once there is room and a
network. The outbox asks the browser for persistent storage when it first stores something (issue 17)."""
import io
import os

import pytest
from geoalchemy2.shape import to_shape
from PIL import Image
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Route, Violation

from ..factories import offset, points_along
from .conftest import login

# Counts the outbox's requests for persistent storage (the real call still runs).
COUNT_PERSIST = """(() => { window.__persistAsked = 0; const real = StorageManager.prototype.persist;
    StorageManager.prototype.persist = function () { window.__persistAsked += 1; return real.call(this); }; })()"""


def _noise_photo(path, width=2000, height=1500):
    """A photo that does not compress (noise): several MB, still more than 1 MB after the phone's downscaling."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return str(path)


# A small phone: room for the app's files, its pages and a report without photos, not for a big photo.
# (Chromium takes a quota for a site from the DevTools protocol only before the site has stored anything.)
SMALL_PHONE_BYTES = 1_800_000


@pytest.fixture
def online_once(live_server, phone, demo_ward):
    """Logged in on a small phone, the worker in control and the field pages kept; returns the page."""
    phone.add_init_script(COUNT_PERSIST)
    page = phone.new_page()
    phone.new_cdp_session(page).send("Storage.overrideQuotaForOrigin", {"origin": live_server, "quotaSize": SMALL_PHONE_BYTES})
    login(page, live_server)
    page.wait_for_function("document.documentElement.dataset.pagesKept === '5'", timeout=20000)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return page


def _report(page, base, owner, spot, photo=None):
    page.context.set_geolocation({"longitude": spot[0], "latitude": spot[1], "accuracy": 6})
    page.goto(f"{base}/field/report")
    page.wait_for_function("document.querySelector('[name=lat]').value !== ''")
    page.select_option("#category", "no_permit")
    page.fill("#owner_name", owner)
    if photo:
        page.set_input_files("#photo-gallery", photo)
    if page.locator("#nearby").is_visible():
        page.check("[name=confirm_new]")
    page.get_by_role("button", name="Lưu báo cáo").click()


def _owners_kept(page):
    return page.evaluate("""new Promise(done => { const r = indexedDB.open('inspect-outbox');
        r.onsuccess = () => { const out = [], q = r.result.transaction('items').objectStore('items').openCursor();
            q.onsuccess = e => { const c = e.target.result;
                if (c) { out.push((c.value.fields || {}).owner_name || c.value.kind); c.continue(); } else done(out); }; }; })""")


def test_a_full_phone_says_so_keeps_the_form_and_loses_nothing_already_queued(app, live_server, phone, online_once, tmp_path):
    page = online_once
    with app.app_context():
        walk = points_along(list(to_shape(db.session.scalar(select(Route.geom).where(Route.code == "R1"))).coords), 120)
    # Two places far apart: the second report is not "near" the first one.
    first, second = offset(*walk[2], metres_north=150), offset(*walk[8], metres_north=400)
    phone.set_offline(True)
    _report(page, live_server, "Đã lưu trước khi đầy", first)
    page.wait_for_selector("#saved-locally:not([hidden])")
    assert page.evaluate("window.__persistAsked") >= 1  # asked when the first thing was stored

    _report(page, live_server, "Không vừa bộ nhớ", second, _noise_photo(tmp_path / "big.jpg"))

    page.wait_for_selector("#outbox-storage-full:not([hidden])")
    message = page.inner_text("#outbox-storage-full")
    assert "Bộ nhớ điện thoại đã đầy" in message and "vẫn còn và sẽ được gửi" in message
    assert "Bộ nhớ điện thoại đã đầy" in page.inner_text("#report-form .form-error")
    assert page.locator("#saved-locally").is_hidden()
    assert page.input_value("#owner_name") == "Không vừa bộ nhớ"  # the form keeps what was typed
    assert page.get_attribute("#photo-picker", "data-count") == "1"
    assert _owners_kept(page) == ["Đã lưu trước khi đầy"]  # the earlier report is still there, alone

    # With a network the report goes straight to the server, without a copy on the phone; the outbox sends
    # the earlier one.
    phone.set_offline(False)
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_url(f"{live_server}/cases/**")
    page.wait_for_function("document.getElementById('outbox').dataset.waiting === '0'", timeout=30000)
    with app.app_context():
        owners = set(db.session.scalars(select(Violation.owner_name)).all())
    assert owners == {"Đã lưu trước khi đầy", "Không vừa bộ nhớ"}
