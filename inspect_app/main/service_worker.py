"""What the service worker (static/js/sw.js) keeps on the phone, and its cache version: a digest of the
bytes of the files it keeps and of the worker itself, so that any change to a kept file gives phones new
copies, with no number to raise by hand. The view serving /sw.js puts this before the worker's code as
one JSON value (self.KEPT): URLs from url_for (so it follows a mount under a prefix) and the digest."""
import hashlib
import json
import os
from pathlib import Path

from flask import current_app, url_for
from xstatic.pkg import leaflet

from .. import vendor

# The field pages' own files, kept at install: (endpoint, values for url_for).
SHELL = [
    ("static", {"filename": "css/app.css"}),
    ("static", {"filename": "js/urls.js"}),
    ("static", {"filename": "js/track_filter.js"}),
    ("static", {"filename": "js/field.js"}),
    ("static", {"filename": "js/outbox_queue.js"}),
    ("static", {"filename": "js/outbox.js"}),
    ("static", {"filename": "js/tracker.js"}),
    ("static", {"filename": "js/patrol_start.js"}),
    ("static", {"filename": "js/patrol.js"}),
    ("static", {"filename": "js/report.js"}),
    ("static", {"filename": "js/offline.js"}),
    ("static", {"filename": "js/badge.js"}),
    ("static", {"filename": "js/patrol_summary.js"}),
    ("static", {"filename": "icons/icon.svg"}),
    ("vendor.leaflet_file", {"filename": "leaflet.js"}),
    ("vendor.leaflet_file", {"filename": "leaflet.css"}),
    ("vendor.leaflet_file", {"filename": "images/marker-icon.png"}),  # the report form's pin, with no network too
    ("vendor.leaflet_file", {"filename": "images/marker-icon-2x.png"}),
    ("vendor.leaflet_file", {"filename": "images/marker-shadow.png"}),
    ("vendor.npm_file", {"package": "exifr", "filename": "mini.umd.js"}),
]
# Every page a day in the field needs, kept as soon as an inspector has opened any page online.
FIELD_PAGES = ["main.home", "field.live", "field.report", "field.visit", "field.today"]
# The routes and the open cases with their positions (report.js computes nearby cases from them offline).
FIELD_DATA = ["api.routes_geojson", "api.open_violations"]
WORKER = "js/sw.js"

_digests = {}  # path → (mtime_ns, size, sha256): a file is read again only when it changed


def _file_of(endpoint, values):
    """Where the file an endpoint serves lies on this machine."""
    if endpoint == "static":
        return Path(current_app.static_folder) / values["filename"]
    if endpoint == "vendor.leaflet_file":
        return Path(leaflet.BASE_DIR) / values["filename"]
    if endpoint == "vendor.npm_file":
        return vendor.NPM_DIR / vendor.NPM_FILES[values["package"]] / values["filename"]
    raise ValueError(f"no file behind {endpoint}")


def _digest(path):
    stat = os.stat(path)
    known = _digests.get(path)
    if known is None or known[:2] != (stat.st_mtime_ns, stat.st_size):
        known = (stat.st_mtime_ns, stat.st_size, hashlib.sha256(Path(path).read_bytes()).hexdigest())
        _digests[path] = known
    return known[2]


def kept_version():
    """16 hex digits from the kept files' bytes and the worker's own; the same bytes, the same version."""
    total = hashlib.sha256()
    named = [(f"{endpoint}:{json.dumps(values, sort_keys=True)}", _file_of(endpoint, values)) for endpoint, values in SHELL]
    named.append(("worker", Path(current_app.static_folder) / WORKER))
    for name, path in named:
        total.update(f"{name}\0{_digest(str(path))}\n".encode())
    return total.hexdigest()[:16]


def worker_settings():
    """What the worker keeps and where, for the app as this request reaches it (prefix included)."""
    field_root = url_for("field.today").rsplit("/", 1)[0] + "/"
    return {
        "version": kept_version(),
        "files": [url_for(endpoint, **values) for endpoint, values in SHELL] + [url_for("main.manifest")],
        "fileRoots": [url_for("static", filename=""), url_for("vendor.leaflet_file", filename=""),
                      *(url_for("vendor.npm_file", package=p, filename="") for p in sorted(vendor.NPM_FILES))],
        "manifest": url_for("main.manifest"),
        "home": url_for("main.home"),
        "fieldRoot": field_root,
        "pages": [url_for(endpoint) for endpoint in FIELD_PAGES],
        "data": [url_for(endpoint) for endpoint in FIELD_DATA],
        "stylesheet": url_for("static", filename="css/app.css"),
        "today": url_for("field.today"),
    }


def worker_source():
    """The worker as served: its settings as one JSON value (data, never code), then sw.js unchanged."""
    settings = json.dumps(worker_settings(), ensure_ascii=True, sort_keys=True)
    code = (Path(current_app.static_folder) / WORKER).read_text(encoding="utf-8")
    return f"\"use strict\";\nself.KEPT = {settings};\n{code}"
