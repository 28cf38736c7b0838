"""Probe: where the chairman's map page spends its time, visit by visit, in Debian's Chromium.

Seeds BENCH_CASES cases (10,000 by default) in a fresh database (DATABASE_URL, or a SQLite file), serves
the app through gunicorn as bench/map_browser.py does, and visits each of BENCH_PATHS (comma-separated,
default "/map/") BENCH_VISITS times, interleaved, each in a new browser just after a case changed, once
its window has started (map_browser.Visit; BENCH_SETTLE=0 navigates at once, BENCH_SETTLE_BOTH=1 visits
each path both ways, each way first in turn). Prints
per path the median of the drawn moment and, with BENCH_DETAIL=1, the median moment of every resource
(request, first byte, end) and of every mark the page sets (map-init, cases-received, cases-indexed,
cases-drawn, overview-shown: each visit waits for it), in ms from navigation.

    .venv/bin/python bench/map_waterfall.py
    BENCH_DETAIL=1 BENCH_PATHS="/map/,/map/?stage=warning" .venv/bin/python bench/map_waterfall.py
    BENCH_SETTLE_BOTH=1 BENCH_VISITS=15 .venv/bin/python bench/map_waterfall.py

To compare two versions of the page, serve both from one tree (e.g. a query parameter read by the
template in a scratch clone) and list both paths: interleaved visits share the machine's moods, which on
this 2-core VM move a median by 50 ms within an hour (docs/BENCHMARKS.md). No target: it explains,
bench/map_browser.py judges.
"""
import os
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import map_browser  # noqa: E402  (sets up the import path)
from common import fresh_app  # noqa: E402
from geoalchemy2.shape import to_shape  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inspect_app.domain.accounts import accounts  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Ward  # noqa: E402

from nearby import _fill  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "10000"))
VISITS = int(os.environ.get("BENCH_VISITS", "11"))
PATHS = os.environ.get("BENCH_PATHS", "/map/").split(",")
DETAIL = os.environ.get("BENCH_DETAIL") == "1"
BOTH_WAYS = os.environ.get("BENCH_SETTLE_BOTH") == "1"  # each visit also made without waiting for its window

# Every resource but the tiles (request start, first byte, end) and every mark, in ms from navigation.
TIMELINE = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const out = {'page: first byte': nav.responseStart, 'page: parsed': nav.domInteractive};
    for (const r of performance.getEntriesByType('resource')) {
        if (r.name.includes('/tiles/')) continue;
        const name = new URL(r.name).pathname;
        out[name + ': asked'] = r.startTime; out[name + ': first byte'] = r.responseStart; out[name + ': end'] = r.responseEnd;
    }
    for (const m of performance.getEntriesByType('mark')) if (!(m.name in out)) out[m.name] = m.startTime;
    return out; }"""


def main():
    app, folder = fresh_app()
    with app.app_context():
        inspector_id = accounts.find_user(db.session, "kiemtra").id
        minx, miny, maxx, maxy = to_shape(db.session.scalar(select(Ward.boundary))).bounds
        box = (minx + (maxx - minx) * 0.05, miny + (maxy - miny) * 0.05, maxx - (maxx - minx) * 0.05, maxy - (maxy - miny) * 0.05)
        _fill(db.session, CASES, inspector_id, random.Random(7), 0, box=box)
    base, stop = map_browser.serve(app.config["SQLALCHEMY_DATABASE_URI"], folder)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=map_browser.CHROMIUM, args=map_browser.CHROMIUM_ARGS)
            state = map_browser.logged_in_state(browser, base)
            map_browser.warm_up(browser, base, state)
            ways = [True, False] if BOTH_WAYS else [map_browser.SETTLE]
            timelines = {}
            for visit_number in range(VISITS):
                for path in PATHS:
                    for settle in ways if visit_number % 2 == 0 else ways[::-1]:  # each way first in turn
                        map_browser.SETTLE = settle
                        map_browser.change_a_case(app)
                        context = map_browser.new_browser(browser, state)
                        visit = map_browser.Visit(context, f"{base}{path}", then_mark="overview-shown")
                        name = path if settle or not BOTH_WAYS else f"{path} (navigated the instant its window was made)"
                        timelines.setdefault(name, []).append(visit.page.evaluate(TIMELINE))
                        context.close()
            browser.close()
    finally:
        stop()
    for path, rows in timelines.items():
        drawn = [row["cases-drawn"] for row in rows]
        q1, median, q3 = statistics.quantiles(drawn, n=4) if len(drawn) > 1 else drawn * 3
        print(f"{path}: {CASES:,} cases, drawn median {median:.0f} ms (quartiles {q1:.0f}–{q3:.0f}), {len(rows)} visits")
        if DETAIL:
            names = {name for row in rows for name in row}
            at = {name: statistics.median(row[name] for row in rows if name in row) for name in names}
            for name in sorted(at, key=at.get):
                print(f"  {at[name]:7.1f}  {name}")


if __name__ == "__main__":
    main()
