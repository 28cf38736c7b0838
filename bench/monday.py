"""Benchmark: what the chairman and the office wait for on a Monday morning, with BENCH_CASES cases (10,000
by default), each with a record entry in its history (deadlines running, some overdue): the chairman's home
(Việc cần làm), an inspector's home, the Thống kê page and its XLSX, the monthly report page, the whole
ward's cases as GeoPackage, and the chairman's morning e-mail digest. Through the app's views (test client,
logged in), median of BENCH_REPEAT calls; Thống kê computed afresh each time (its 5-minute cache emptied),
then once kept. No target is set by the issue: the numbers go to docs/BENCHMARKS.md.

    .venv/bin/python bench/monday.py
    scripts/with-postgis-db.sh .venv/bin/python bench/monday.py
"""
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import fresh_app, median_of  # noqa: I001  (puts the project on the path first)
from geoalchemy2.shape import from_shape  # noqa: E402
from shapely.geometry import Point  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from inspect_app.domain.accounts import accounts  # noqa: E402
from inspect_app.domain.cases import digest  # noqa: E402
from inspect_app.domain.ward_time import local_today  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import CaseEvent, Route, Violation  # noqa: E402
from inspect_app.rules import lifecycle_context  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def fill(session, officer_ids, route_ids, rng):
    """CASES cases over the last 14 months, each with the record that started its penalty-decision clock."""
    now = datetime.now(UTC)
    today = local_today()
    cases, events = [], []
    for number in range(1, CASES + 1):
        detected = now - timedelta(days=rng.uniform(0, 420))
        due = (detected + timedelta(days=rng.randint(5, 40))).date()
        stage = rng.choice(["warning", "warning", "stop_work", "enforcement", "closed"])
        cases.append({
            "id": number, "client_uuid": str(uuid.UUID(int=rng.getrandbits(128))), "code": f"TL-B-{number:06d}",
            "stage": stage, "inspector_id": rng.choice(officer_ids), "officer_id": rng.choice(officer_ids),
            "route_id": rng.choice(route_ids), "category": rng.choice(["no_permit", "deviates_from_permit", "encroachment"]),
            "detected_at": detected, "address": f"Số {number} Lộ Vòng Cung", "khu_vuc": "Thới Xương 2",
            "due_date": due if stage != "closed" else None, "due_rule": "penalty_decision", "due_citation": "Điều 66",
            "limitation_due": (detected + timedelta(days=730)).date(), "search_text": f"tl b {number}",
            "position": from_shape(Point(105.57 + rng.random() / 20, 10.15 + rng.random() / 20), srid=4326),
        })
        recorded = detected + timedelta(days=rng.uniform(0.5, 4))
        events.append({"violation_id": number, "seq": 1, "kind": "action", "action": "record_violation",
                       "actor_id": officer_ids[0], "recorded_at": recorded, "stage_before": "detected",
                       "stage_after": "warning", "document_kind": "bb_vphc", "document_number": f"{number}/BB",
                       "document_date": recorded.date(), "due_date": due, "due_rule": "penalty_decision",
                       "clock_rule": "penalty_decision", "clock_due": due, "content_hash": "x" * 64, "prev_hash": "0" * 64})
        if stage == "closed":
            events.append({"violation_id": number, "seq": 2, "kind": "action", "action": "close", "actor_id": officer_ids[0],
                           "recorded_at": min(recorded + timedelta(days=rng.uniform(3, 60)), now), "stage_before": "warning",
                           "stage_after": "closed", "outcome": "self_corrected", "content_hash": "y" * 64,
                           "prev_hash": "x" * 64})
    for start in range(0, len(cases), 5000):
        session.execute(insert(Violation), cases[start:start + 5000])
    for start in range(0, len(events), 5000):
        session.execute(insert(CaseEvent), events[start:start + 5000])
    session.commit()
    return today


def login(app, username, password):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": password})
    return client


def main():
    app, _folder = fresh_app()
    with app.app_context():
        start = time.perf_counter()
        officers = [accounts.find_user(db.session, "kiemtra").id]
        routes = list(db.session.scalars(select(Route.id)))
        fill(db.session, officers, routes, random.Random(19))
        filled = time.perf_counter() - start
        kind = db.engine.url.get_backend_name()
    chairman, inspector = login(app, "chutich", "chutich-demo"), login(app, "kiemtra", "kiemtra-demo")
    month = local_today().strftime("%Y-%m")
    pages = [("chairman's home", chairman, "/"), ("inspector's home", inspector, "/"),
             ("Thống kê page", chairman, "/stats"), ("Thống kê XLSX", chairman, "/stats.xlsx"),
             ("monthly report page", chairman, f"/stats/month?month={month}"),
             ("all cases as GeoPackage", chairman, "/api/exports/cases.gpkg")]
    print(f"{kind}, {CASES:,} cases (filled in {filled:.1f} s), median of {REPEAT}")
    print("| what | ms | KB |\n| --- | ---: | ---: |")
    def cold(client, url):
        app.extensions.pop("stats_cache", None)  # Thống kê keeps its figures 5 minutes: time the computing
        return client.get(url)

    for name, client, url in pages:
        ms, response = median_of(lambda client=client, url=url: cold(client, url), REPEAT, scale=1000)
        assert response.status_code == 200, (url, response.status_code)
        print(f"| {name} | {ms:,.0f} | {len(response.get_data()) / 1024:,.0f} |")
    ms, _ = median_of(lambda: chairman.get("/stats"), REPEAT, scale=1000)
    print(f"| Thống kê page again within 5 minutes (figures kept) | {ms:,.0f} | – |")
    with app.app_context():
        chairman_user = accounts.find_user(db.session, "chutich")
        context = lifecycle_context(app.config)
        ms, mail = median_of(lambda: digest.digest_for(db.session, chairman_user, context), REPEAT, scale=1000)
        print(f"| the chairman's e-mail digest ({mail.items:,} items) | {ms:,.0f} | – |")


if __name__ == "__main__":
    main()
