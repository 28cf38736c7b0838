"""The service worker as served (/sw.js): its cache version comes from the bytes of the files it keeps,
its lists come from url_for (so the app can be mounted under a prefix), and the pages give the scripts
their URLs the same way (issue 17)."""
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

KEPT_LINE = re.compile(r'^"use strict";\nself\.KEPT = (\{.*?\});\n', re.S)


def _kept(client, **options):
    response = client.get("/sw.js", **options)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    match = KEPT_LINE.match(response.get_data(as_text=True))
    assert match, "the worker does not start with its settings"
    return json.loads(match.group(1))


@pytest.fixture
def own_static(app, tmp_path):
    """The app's static files copied, so that a test may change a kept file's bytes."""
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    return folder


def test_changing_a_kept_files_bytes_changes_the_version_and_the_same_bytes_give_the_same(client, own_static):
    first = _kept(client)["version"]
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert _kept(client)["version"] == first  # nothing changed: the same version
    kept = own_static / "js" / "field.js"
    original = kept.read_bytes()
    kept.write_bytes(original.replace(b"Shared helpers", b"Shared  helpers"))
    changed = _kept(client)["version"]
    assert changed != first
    kept.write_bytes(original)  # the old bytes again (a newer file time): the old version
    assert _kept(client)["version"] == first
    (own_static / "css" / "app.css").write_bytes((own_static / "css" / "app.css").read_bytes() + b"\n")
    assert _kept(client)["version"] not in (first, changed)


def test_a_file_the_worker_does_not_keep_leaves_the_version_alone(client, own_static):
    first = _kept(client)["version"]
    (own_static / "js" / "print_button.js").write_bytes(b"// another file\n")
    assert _kept(client)["version"] == first


def test_the_worker_s_own_code_is_part_of_the_version(client, own_static):
    first = _kept(client)["version"]
    worker = own_static / "js" / "sw.js"
    worker.write_bytes(worker.read_bytes() + b"\n// changed\n")
    assert _kept(client)["version"] != first


def test_an_unchanged_worker_is_answered_304(client):
    response = client.get("/sw.js")
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources, self.blocks = [], {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.sources.append(attrs["src"])
        elif tag == "script":
            self._in = attrs.get("id") or ""
            self.blocks[self._in] = (attrs.get("type"), "")

    def handle_data(self, data):
        if self._in is not None:
            kind, text = self.blocks[self._in]
            self.blocks[self._in] = (kind, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None


def _page(client, url, **options):
    response = client.get(url, **options)
    assert response.status_code == 200, url
    parsed = _Scripts()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def test_every_script_of_the_field_pages_is_kept_and_every_kept_file_is_there(client, auth, demo_ward):
    auth.login()
    kept = _kept(client)
    for url in kept["pages"]:
        for src in _page(client, url).sources:
            assert src in kept["files"], f"{url} loads {src}, which the worker does not keep"
    for url in kept["files"]:
        assert client.get(url).status_code == 200, url


def test_under_a_prefix_every_url_of_the_worker_and_of_the_page_has_it(client, auth, demo_ward):
    auth.login()
    kept = _kept(client, base_url="http://localhost/kiemtra/")
    for name in ("home", "fieldRoot", "manifest", "stylesheet", "today"):
        assert kept[name].startswith("/kiemtra/"), name
    for name in ("files", "pages", "data", "fileRoots"):
        assert kept[name] and all(url.startswith("/kiemtra/") for url in kept[name]), name
    assert kept["version"] == _kept(client)["version"]  # where it is mounted does not change the files

    page = _page(client, "/field/report", base_url="http://localhost/kiemtra/")
    kind, text = page.blocks["page-urls"]
    assert kind == "application/json"
    urls = json.loads(text)
    assert urls["scope"] == "/kiemtra/" and urls["worker"] == "/kiemtra/sw.js"
    assert urls["patrolEnd"] == "/kiemtra/api/patrols/{uuid}/end"
    assert urls["fieldPatrol"] == "/kiemtra/field/patrols/{id}"
    assert all(url.startswith("/kiemtra/") for url in urls.values())
    assert all(src.startswith("/kiemtra/") for src in page.sources)
    manifest = client.get("/manifest.webmanifest", base_url="http://localhost/kiemtra/").get_json()
    assert manifest["scope"] == "/kiemtra/" and manifest["start_url"] == "/kiemtra/field/today"


def test_no_script_names_an_absolute_path_of_the_app():
    """URLs come from the page (url_for): a literal "/api/…" or "/field/…" in a script breaks a mount under a prefix."""
    folder = Path(__file__).parents[1] / "inspect_app" / "static" / "js"
    literal = re.compile(r"""["'`]/(api|field|static|vendor|cases|sw\.js|manifest|login|map|reports|admin)\b""")
    found = [(path.name, m.group(0)) for path in sorted(folder.glob("*.js"))
             for m in literal.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_a_page_asked_for_under_a_prefix_by_someone_logged_out_sends_to_login_with_the_prefixed_path(client):
    response = client.get("/field/today?x=1", base_url="http://localhost/kiemtra/")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/kiemtra/login"
    assert parse_qs(location.query)["next"] == ["/kiemtra/field/today?x=1"]
