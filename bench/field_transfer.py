"""Benchmark: bytes the inspector's phone downloads for the field pages, on the first visit and on a
reload with no network (served by the service worker). Debian's Chromium as a Pixel 7, the app on
127.0.0.1 with the demo ward; map tiles are answered blank (they are not the app's bytes).

    .venv/bin/python bench/field_transfer.py
"""
import os
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.operations import demo  # noqa: E402

PAGES = ["/", "/field/today", "/field/report", "/field/visit", "/field/live"]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def measure(page, url, cdp):
    """(bytes over the network, bytes from the service worker) for loading url."""
    seen = {}

    def on_response(event):
        seen[event["requestId"]] = {"sw": event["response"].get("fromServiceWorker", False), "bytes": 0}

    def on_finished(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["bytes"] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    cdp.remove_listener("Network.responseReceived", on_response)
    cdp.remove_listener("Network.loadingFinished", on_finished)
    network = sum(v["bytes"] for v in seen.values() if not v["sw"])
    from_worker = len([v for v in seen.values() if v["sw"]])
    return network, from_worker, len(seen)


def main():
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                      "PHOTO_DIR": str(folder / "photos")})
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, "Phường Thới Long", "TL")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        device = dict(p.devices["Pixel 7"])
        device.pop("default_browser_type", None)
        options = dict(device, locale="vi-VN", geolocation={"latitude": 10.1716, "longitude": 105.5891},
                       permissions=["geolocation"])
        # First visit: what the network carries for each page and its files, before anything is kept.
        first = {}
        for path in PAGES:
            context = browser.new_context(service_workers="block", **options)
            page = _logged_in(context, base)
            first[path] = measure(page, f"{base}{path}", _cdp(context, page))
            context.close()
        # The phone after one visit online: the service worker keeps the pages; then no network.
        context = browser.new_context(**options)
        page = _logged_in(context, base)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        for path in PAGES:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
        kept = page.evaluate("""caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()
            .then(reqs => Promise.all(reqs.map(r => c.match(r).then(x => x.clone().arrayBuffer()).then(b => b.byteLength))))))))
            .then(sizes => sizes.flat().reduce((a, b) => a + b, 0))""")
        context.set_offline(True)
        cdp = _cdp(context, page)
        offline = {path: measure(page, f"{base}{path}", cdp) for path in PAGES}
        context.close()
        # The phone that opened only the home page (where login lands) before the network went.
        context = browser.new_context(**options)
        page = _logged_in(context, base)
        for _ in range(300):  # polled from here: the page's CSP forbids Playwright's eval-based waiting
            if page.evaluate("document.documentElement.dataset.pagesKept") == str(len(PAGES)):
                break
            page.wait_for_timeout(100)
        else:
            raise SystemExit("the service worker did not keep the field pages")
        home_kept = page.evaluate("""caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('pages-'))
            .map(n => caches.open(n).then(c => c.keys().then(reqs => Promise.all(reqs.map(r => c.match(r)
            .then(x => x.clone().arrayBuffer()).then(b => b.byteLength))))))))
            .then(sizes => sizes.flat().reduce((a, b) => a + b, 0))""")
        page.reload()
        page.wait_for_load_state("networkidle")
        context.set_offline(True)
        cdp = _cdp(context, page)
        home_only = {path: measure(page, f"{base}{path}", cdp) for path in PAGES}
        browser.close()
    server.shutdown()
    print("| page | first visit: KB over the network (requests) | offline reload: KB over the network / answered by the service worker |")
    print("| --- | ---: | ---: |")
    for path in PAGES:
        net, _, count = first[path]
        off_net, off_sw, off_count = offline[path]
        print(f"| `{path}` | {net / 1024:.1f} ({count}) | {off_net / 1024:.1f} / {off_sw} of {off_count} |")
    print(f"Kept on the phone by the service worker after visiting these pages: {kept / 1024:.0f} KB (uncompressed).")
    print()
    print("| page, after opening only the home page online | offline: KB over the network / answered by the service worker |")
    print("| --- | ---: |")
    for path in PAGES:
        off_net, off_sw, off_count = home_only[path]
        print(f"| `{path}` | {off_net / 1024:.1f} / {off_sw} of {off_count} |")
    print(f"Field pages the service worker fetched in the background after the home page: {home_kept / 1024:.0f} KB "
          f"(uncompressed HTML, {len(PAGES)} pages).")


def _cdp(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    return cdp


def _logged_in(context, base):
    context.route("https://tile.openstreetmap.org/**", lambda r: r.fulfill(status=200, content_type="image/png", body=b""))
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "kiemtra")
    page.fill("input[name=password]", "kiemtra-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")
    return page


if __name__ == "__main__":
    main()
