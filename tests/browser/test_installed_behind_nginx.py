"""End to end, as the ward would run it (issue 21): scripts/install.sh in a scratch folder, gunicorn as its
unit runs it, nginx with the rendered site and the ward's own certificate authority, and a Pixel 7 whose
browser trusts that authority (its NSS store, as a phone that installed the certificate): http redirects
to https with HSTS, the service worker installs, a report made with no network arrives once the network
returns, the office's phone check says yes, and the chairman downloads the weekly PDF through the proxy."""
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from ..factories import jpeg_bytes
from ..test_install import _install
from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, login


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url, context=None, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, context=context, timeout=5)
        except urllib.error.HTTPError as answer:
            return answer
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def installed(database, tmp_path):
    """The installation, served: gunicorn on its port, nginx in front on two free ports."""
    prefix = tmp_path / "srv" / "inspect"
    http, https, app_port = _free_port(), _free_port(), _free_port()
    done = _install(prefix, database, "--backup-dir", str(tmp_path / "backups"), "--domain", "127.0.0.1",
                    "--http-port", str(http), "--https-port", str(https), "--app-port", str(app_port))
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    flask = [str(prefix / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    # Trying it needs people and routes: the demo ward, asked for explicitly (the installer loads none).
    subprocess.run([*flask, "seed-demo"], cwd=prefix, env=env, check=True, capture_output=True, timeout=120)
    # As the unit runs it (deploy/systemd/inspect.service): its environment, its command, its folder.
    unit = (prefix / "rendered" / "systemd" / "system" / "inspect.service").read_text()
    unit_env = dict(item.split("=", 1) for line in unit.splitlines() if line.startswith("Environment=")
                    for item in line.split("=", 1)[1].split())
    gunicorn = subprocess.Popen([str(prefix / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                cwd=prefix, env={**env, **unit_env, "INSPECT_WORKERS": "2"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    (prefix / "nginx-tmp").mkdir()
    os.chmod(prefix / "nginx-tmp", 0o777)
    main = prefix / "nginx.conf"
    # Stands in for Debian's /etc/nginx/nginx.conf; the test's folders are private to this user, so the
    # workers run as this user too (Debian's run as www-data and read /etc/inspect/tls).
    worker_user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(f"""daemon off;
{worker_user}
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/nginx-tmp/body;
    proxy_temp_path {prefix}/nginx-tmp/proxy;
    fastcgi_temp_path {prefix}/nginx-tmp/fastcgi;
    uwsgi_temp_path {prefix}/nginx-tmp/uwsgi;
    scgi_temp_path {prefix}/nginx-tmp/scgi;
    include {prefix}/rendered/nginx/sites-enabled/inspect.conf;
}}
""")
    nginx = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(main)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    ca = prefix / "rendered" / "inspect" / "tls" / "ward-ca.crt"
    try:
        assert _wait(f"http://127.0.0.1:{app_port}/healthz").status == 200
        trusted = ssl.create_default_context(cafile=str(ca))
        assert _wait(f"https://127.0.0.1:{https}/healthz", context=trusted).status == 200
        yield {"prefix": prefix, "http": http, "https": https, "ca": ca, "env": env, "flask": flask,
               "base": f"https://127.0.0.1:{https}", "gunicorn": gunicorn}
    finally:
        nginx.terminate()
        gunicorn.terminate()
        nginx.wait(timeout=10)
        gunicorn.wait(timeout=20)


@pytest.fixture
def trusting_browser(playwright, installed, tmp_path):
    """Debian's Chromium with the ward's authority in its certificate store (nothing else changed)."""
    home = tmp_path / "home"
    store = home / ".pki" / "nssdb"
    store.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{store}"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{store}", "-n", "ward-ca", "-t", "C,,", "-i", str(installed["ca"])],
                   check=True, capture_output=True)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, "HOME": str(home)})
    yield browser
    browser.close()


def test_the_installed_app_behind_nginx_works_as_a_phone_that_trusts_the_wards_certificate(installed, trusting_browser,
                                                                                          playwright, tmp_path):
    base = installed["base"]
    # Plain HTTP only redirects (to the HTTPS port), and HTTPS says to stay on it (HSTS).
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"http://127.0.0.1:{installed['http']}/login", timeout=5)
        raise AssertionError("http answered without redirecting")
    except urllib.error.HTTPError as answer:
        assert answer.code == 301 and answer.headers["Location"] == f"{base}/login"
    trusted = ssl.create_default_context(cafile=str(installed["ca"]))
    answer = urllib.request.urlopen(f"{base}/login", context=trusted, timeout=10)
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    # The phone fetches the authority's certificate over plain HTTP before it trusts anything.
    fetched = urllib.request.urlopen(f"http://127.0.0.1:{installed['http']}/ward-ca.crt", timeout=5).read()
    assert fetched == installed["ca"].read_bytes()
    steps = urllib.request.urlopen(f"http://127.0.0.1:{installed['http']}/ward-ca", timeout=10).read().decode()
    assert f'href="http://127.0.0.1:{installed["http"]}/ward-ca.crt"' in steps and "<svg" in steps  # steps and QR code
    (stylesheet,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', steps)
    styled = urllib.request.build_opener(_NoRedirect).open(f"http://127.0.0.1:{installed['http']}{stylesheet}", timeout=5)
    assert styled.status == 200 and styled.headers["Content-Type"].startswith("text/css")  # not a redirect to untrusted https

    pixel = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    phone = trusting_browser.new_context(**pixel, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                         geolocation={"latitude": 10.1716, "longitude": 105.5891, "accuracy": 6},
                                         permissions=["geolocation"], service_workers="allow", bypass_csp=True)
    phone.set_default_timeout(15_000)
    phone.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=200, body=b""))
    page = phone.new_page()
    login(page, base, "kiemtra", "kiemtra-demo")
    installed_worker = page.evaluate("""Promise.race([navigator.serviceWorker.ready.then(() => true),
                                                     new Promise(done => setTimeout(() => done(false), 15000))])""")
    assert installed_worker, "the service worker did not install over the ward's HTTPS"
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    # An upload over the app's limit reaches the app (nginx allows more) and gets its message in Vietnamese.
    too_large = page.evaluate("""async () => {
        const form = new FormData();
        form.append("photos", new Blob([new Uint8Array(18 * 1024 * 1024)], {type: "image/jpeg"}), "lon.jpg");
        const token = document.querySelector('meta[name=csrf-token]').content;
        const answer = await fetch("/api/violations", {method: "POST", body: form, headers: {"X-CSRFToken": token}});
        const text = await answer.text();
        try { return [answer.status, JSON.parse(text).error]; } catch (e) { return [answer.status, text.slice(0, 300)]; }
    }""")
    assert too_large[0] == 413 and too_large[1].startswith("Dữ liệu gửi lên quá lớn: tối đa 16 MB"), too_large
    page.goto(f"{base}/field/report")
    page.wait_for_load_state("networkidle")

    # No network: the report is kept on the phone, then sent once the network returns.
    photo = tmp_path / "hien-truong.jpg"
    photo.write_bytes(jpeg_bytes(width=1200, height=900))
    phone.set_offline(True)
    page.goto(f"{base}/field/report")
    page.wait_for_function("document.querySelector('[name=lat]').value !== ''")
    page.select_option("#category", "no_permit")
    page.fill("#owner_name", "Chủ đầu tư qua nginx")
    page.set_input_files("#photo-gallery", [str(photo)])
    if page.locator("#nearby").is_visible():
        page.check("[name=confirm_new]")
    page.get_by_role("button", name="Lưu báo cáo").click()
    page.wait_for_selector("#saved-locally:not([hidden])")
    phone.set_offline(False)
    page.goto(f"{base}/field/today")
    page.wait_for_function("document.getElementById('outbox') && document.getElementById('outbox').dataset.waiting === '0'",
                           timeout=30_000)
    arrived = subprocess.run([str(installed["prefix"] / ".venv" / "bin" / "python"), "-c", (
        "from wsgi import app\nfrom inspect_app.extensions import db\nfrom sqlalchemy import text\n"
        "with app.app_context():\n    print(db.session.execute(text(\"SELECT count(*) FROM violations WHERE "
        "owner_name = 'Chủ đầu tư qua nginx'\")).scalar_one())")],
        cwd=installed["prefix"], env=installed["env"], capture_output=True, text=True, timeout=60)
    assert arrived.stdout.strip() == "1", arrived.stdout + arrived.stderr
    phone.close()

    desk = trusting_browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True)
    office = desk.new_page()
    login(office, base, "quantri", "quantri-demo")
    office.wait_for_function("document.getElementById('phone-check').getAttribute('data-state') !== 'checking'")
    assert office.locator("#phone-check").get_attribute("data-state") == "ok"
    desk.close()
    desk = trusting_browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True)
    chairman = desk.new_page()
    login(chairman, base, "chutich", "chutich-demo")
    chairman.goto(f"{base}/reports/weekly")
    with chairman.expect_download() as download:  # the office's own click, through nginx
        chairman.click("#download-pdf")
    path = ARTIFACTS / "weekly-through-nginx.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    desk.close()

    # The app stopped (as during an upgrade): nginx says so in Vietnamese, with a 502 the outbox retries on.
    installed["gunicorn"].terminate()
    installed["gunicorn"].wait(timeout=20)
    try:
        urllib.request.urlopen(f"{base}/field/today", context=trusted, timeout=10)
        raise AssertionError("answered with the app stopped")
    except urllib.error.HTTPError as answer:
        page_text = answer.read().decode()
        assert answer.code == 502 and "đang được nâng cấp" in page_text and "Bad Gateway" not in page_text
