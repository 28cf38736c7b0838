"""Benchmark: the chairman's map page at 1,000 / 10,000 / 100,000 cases, against the plain
Folium approach (one folium.Marker with a popup per case in a MarkerCluster), and the bbox
endpoint the page (and QGIS) loads cases from. Runs on the database of DATABASE_URL.

    .venv/bin/python bench/map_page.py
    scripts/with-postgis-db.sh .venv/bin/python bench/map_page.py
"""
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

import folium  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from folium.plugins import MarkerCluster  # noqa: E402
from geoalchemy2.shape import to_shape  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.domain.accounts import accounts  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Violation  # noqa: E402
from inspect_app.operations import demo  # noqa: E402

from nearby import _fill  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def plain_folium_page(session):
    """The approach we did not take: every case as a Marker with an HTML popup, clustered."""
    ward_map = folium.Map(location=[10.17, 105.59], zoom_start=13)
    cluster = MarkerCluster().add_to(ward_map)
    for case in session.scalars(select(Violation)):
        point = to_shape(case.position)
        folium.Marker([point.y, point.x], popup=f"{case.code}<br>{case.address}<br>{case.stage}").add_to(cluster)
    return ward_map.get_root().render()


def timed(fn, repeat):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, "Phường Thới Long", "TL")
        db.session.commit()
        kind = db.engine.url.get_backend_name()
        client = app.test_client()
        client.post("/login", data={"username": "chutich", "password": "chutich-demo"})
        inspector = accounts.find_user(db.session, "kiemtra")
        print(
            "| database | cases | map page: server ms / KB | plain Folium markers: ms / KB "
            "| bbox, whole ward: ms (features) | bbox, 500 m: ms (features) |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        have = 0
        for size in SIZES:
            _fill(db.session, size - have, inspector.id, rng, have)
            have = size
            page_ms, page = timed(lambda: client.get("/map/"), REPEAT)
            assert page.status_code == 200
            plain_repeat = 1 if size > 10000 else 3
            plain_ms, plain = timed(lambda: plain_folium_page(db.session), plain_repeat)
            ward_ms, ward = timed(lambda: client.get("/api/violations.geojson?bbox=105.55,10.12,105.66,10.21"), REPEAT)
            small_ms, small = timed(lambda: client.get("/api/violations.geojson?bbox=105.600,10.170,105.6046,10.1745"), REPEAT)
            print(
                f"| {kind} | {size:,} | {page_ms:.0f} / {len(page.data) // 1024} | {plain_ms:.0f} / {len(plain.encode()) // 1024} "
                f"| {ward_ms:.0f} ({len(ward.get_json()['features'])}) | {small_ms:.1f} ({len(small.get_json()['features'])}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
