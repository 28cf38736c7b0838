"""Benchmark: the nearby-open-case query at 1,000 / 10,000 / 100,000 cases, through the
spatial index versus a full scan, on the database of DATABASE_URL (SpatiaLite when unset).

    .venv/bin/python bench/nearby.py                          # SpatiaLite, temporary file
    scripts/with-postgis-db.sh .venv/bin/python bench/nearby.py   # PostGIS, throwaway database

Prints one Markdown table row per size; docs/BENCHMARKS.md keeps the results.
"""
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.domain.accounts import accounts  # noqa: E402
from inspect_app.domain.field import field_reports  # noqa: E402
from inspect_app.domain.geo import spatial  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Violation  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
RADIUS_M = 30
# The merged ward's bounding box, roughly: cases are spread over it at random.
BOX = (105.55, 10.12, 105.66, 10.21)


def _timed(fn, points):
    samples = []
    for lon, lat in points:
        start = time.perf_counter()
        fn(lon, lat)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _fill(session, count, inspector_id, rng, start_number, box=BOX):
    rows = []
    now = datetime.now(UTC)
    for i in range(count):
        lon, lat = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        rows.append({
            "client_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "code": f"BM-2026-{start_number + i:06d}",
            "stage": rng.choice(["detected", "warning", "stop_work", "enforcement", "closed"]),
            "detected_at": now, "inspector_id": inspector_id, "officer_id": inspector_id,
            "position": f"SRID=4326;POINT({lon} {lat})", "outside_ward": False, "address": "", "khu_vuc": "",
            "owner_name": "", "owner_phone": "", "category": "no_permit", "description": "", "created_at": now,
        })
        if len(rows) == 5000:
            session.execute(insert(Violation.__table__), rows)
            rows = []
    if rows:
        session.execute(insert(Violation.__table__), rows)
    session.commit()


def main():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(42)
    with app.app_context():
        upgrade()
        session = db.session
        kind = spatial.database_kind(session)
        inspector = accounts.create_user(session, "bench", "inspector", "bench-password")
        session.commit()
        points = [(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])) for _ in range(QUERIES)]
        print("| database | cases | through the index: median / p95 (ms) | full scan: median / p95 (ms) | found per query |")
        print("| --- | ---: | ---: | ---: | ---: |")
        have = 0
        for size in SIZES:
            _fill(session, size - have, inspector.id, rng, have)
            have = size
            if kind == spatial.POSTGIS:
                session.execute(text("ANALYZE violations"))
                session.commit()
            found = []

            def indexed(lon, lat, found=found):
                found.append(len(field_reports.nearby_open_cases(session, lon, lat, RADIUS_M)))

            def scan(lon, lat):
                distance = spatial.distance_m_expr(session, Violation.position, lon, lat)
                session.execute(select(Violation.id).where(Violation.stage != "closed", distance <= RADIUS_M)).all()

            indexed_ms = _timed(indexed, points)
            scan_points = points if size <= 10000 else points[:20]
            scan_ms = _timed(scan, scan_points)
            count = session.scalar(select(func.count()).select_from(Violation))
            print(f"| {kind} | {count:,} | {indexed_ms[0]:.2f} / {indexed_ms[1]:.2f} | {scan_ms[0]:.1f} / {scan_ms[1]:.1f} "
                  f"| {statistics.mean(found):.2f} |", flush=True)


if __name__ == "__main__":
    main()
