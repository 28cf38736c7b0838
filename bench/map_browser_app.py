"""What bench/map_browser.py serves, through gunicorn with gunicorn.conf.py as shipped (the production server,
several processes): the app, and beside it the Folium page built for each request (/plain/) or beforehand
(/prebuilt/<size>, files written by the bench), the files Folium asks CDNs for (/cdn/, local copies) and
blank tiles (/tiles/) for both pages.

    gunicorn -c gunicorn.conf.py --pythonpath bench 'map_browser_app:create_bench_app()'

with DATABASE_URL, SECRET_KEY, PHOTO_DIR, BENCH_TILE_URL and BENCH_PREBUILT_DIR in the environment.
"""
import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import folium  # noqa: E402
from folium.plugins import MarkerCluster  # noqa: E402
from geoalchemy2.shape import to_shape  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.middleware.dispatcher import DispatcherMiddleware  # noqa: E402

from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Violation  # noqa: E402

ASSETS = Path(__file__).resolve().parent / "folium_assets"
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def plain_folium_page(session):
    """The approach we did not take: every case as a Marker with an HTML popup, clustered. Its CDN files and
    tiles are taken from the bench's routes (/cdn/, /tiles/), as the app's own are from the app."""
    ward_map = folium.Map(location=[10.17, 105.59], zoom_start=13, tiles="/tiles/{z}/{x}/{y}.png", attr="blank")
    cluster = MarkerCluster().add_to(ward_map)
    for case in session.scalars(select(Violation).where(Violation.position.is_not(None))):
        point = to_shape(case.position)
        folium.Marker([point.y, point.x], popup=f"{case.code}<br>{case.address}<br>{case.stage}").add_to(cluster)
    html = ward_map.get_root().render()
    for url in set(re.findall(r'(?:src|href)="(https://[^"]+)"', html)):
        path = local_asset(url)
        html = html.replace(f'"{url}"', f'"/cdn/{path.relative_to(ASSETS / "node_modules")}"' if path else '"/cdn/empty.css"')
    return html.encode()


def local_asset(url):
    """The local copy of a CDN file the Folium page names (None: answered with an empty stylesheet)."""
    patterns = [
        (r"/npm/leaflet@[\d.]+/dist/(.+)$", "leaflet/dist/{}"),
        (r"jquery-[\d.]+\.min\.js$", "jquery/dist/jquery.min.js"),
        (r"/npm/bootstrap@[\d.]+/dist/(.+)$", "bootstrap/dist/{}"),
        (r"Leaflet\.awesome-markers/[\d.]+/leaflet\.awesome-markers\.(js|css)$",
         "drmonty-leaflet-awesome-markers/{0}/leaflet.awesome-markers.{0}"),
        (r"/npm/@fortawesome/fontawesome-free@[\d.]+/(.+)$", "@fortawesome/fontawesome-free/{}"),
        (r"leaflet\.markercluster/[\d.]+/(.+)$", "leaflet.markercluster/dist/{}"),
    ]
    for pattern, target in patterns:
        match = re.search(pattern, url)
        if match:
            return ASSETS / "node_modules" / target.format(*match.groups())
    if url.endswith(("bootstrap-glyphicons.css", "leaflet.awesome.rotate.min.css")):
        return None
    raise SystemExit(f"the Folium page asks for {url}, which this bench has no local copy of")


def with_bench_routes(app, prebuilt_dir):
    """The app's WSGI callable with the bench's routes mounted beside it."""
    def send(environ, start_response, body, kind, extra=()):
        # Compressed when the browser accepts it, as the app's own pages and files are (flask_compress).
        headers = [("Content-Type", kind), ("Vary", "Accept-Encoding"), *extra]
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") and body:
            body = gzip.compress(body, 6)
            headers.append(("Content-Encoding", "gzip"))
        start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def plain(environ, start_response):
        with app.app_context():
            return send(environ, start_response, plain_folium_page(db.session), "text/html; charset=utf-8")

    def prebuilt(environ, start_response):
        name = environ.get("PATH_INFO", "/").strip("/")
        return send(environ, start_response, (Path(prebuilt_dir) / f"{int(name)}.html").read_bytes(), "text/html; charset=utf-8")

    def tiles(environ, start_response):
        start_response("200 OK", [("Content-Type", "image/png"), ("Cache-Control", "max-age=86400")])
        return [BLANK_TILE]

    def cdn(environ, start_response):
        name = environ.get("PATH_INFO", "/").lstrip("/")
        path = (ASSETS / "node_modules" / name).resolve()
        if name == "empty.css" or not path.is_relative_to(ASSETS / "node_modules") or not path.is_file():
            body, kind = b"", "text/css"
        else:
            body = path.read_bytes()
            kind = {".css": "text/css", ".js": "application/javascript", ".png": "image/png"}.get(path.suffix, "application/octet-stream")
        return send(environ, start_response, body, kind)

    return DispatcherMiddleware(app.wsgi_app, {"/plain": plain, "/prebuilt": prebuilt, "/tiles": tiles, "/cdn": cdn})


def create_bench_app():
    """The app on DATABASE_URL with its tiles from BENCH_TILE_URL, and the bench's routes (for gunicorn)."""
    from inspect_app import create_app

    app = create_app({"TILE_URL": os.environ["BENCH_TILE_URL"]})
    app.wsgi_app = with_bench_routes(app, os.environ["BENCH_PREBUILT_DIR"])
    return app
