"""The heavy uploader: one inspector sends ten visits at once, each with a 6000 x 6000 photo, while
twenty others send a GPS batch every second. Served by gunicorn (gunicorn.conf.py as shipped) on
127.0.0.1; bounded in time and count. Targets (issue 14): no error at all, track batch p95 < 1 s.

    .venv/bin/python bench/heavy_uploader.py                       # SpatiaLite
    scripts/with-postgis-db.sh .venv/bin/python bench/heavy_uploader.py
    HEAVY_SECONDS=30 .venv/bin/python bench/heavy_uploader.py      # shorter

Exits 1 when a target is missed or a confirmed write is not in the database.
"""
import functools
import hashlib
import io
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Photo, Visit  # noqa: E402

import load  # noqa: E402  (the load test's set-up, server and recorder)

SECONDS = float(os.environ.get("HEAVY_SECONDS", "60"))
TRACKERS, BURST, BURST_EVERY_S, TRACK_EVERY_S = 20, 10, 20.0, 1.0
SIDE = 6000


def big_photo(seed):
    """A 6000 x 6000 JPEG (36 megapixels, under the 40 MP limit) that compresses like a photo of a wall."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (300, 300), rng.randbytes(300 * 300 * 3))
    out = io.BytesIO()
    small.resize((SIDE, SIDE), Image.BICUBIC).save(out, "JPEG", quality=80)
    return out.getvalue()


def logged_in(base, number):
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"username": f"tai{number:03d}", "password": load.PASSWORD, "csrf_token": token},
                 allow_redirects=False)
    return session, {"X-CSRFToken": load.csrf_of(session.get(f"{base}/").text), "Accept": "application/json"}


def tracker(number, base, rec, deadline, stop, ready):
    session, headers = logged_in(base, number)
    patrol_uuid = str(uuid.uuid4())
    rec.timed("patrol start", functools.partial(session.post, f"{base}/api/patrols", headers=headers,
                                                   json={"client_uuid": patrol_uuid, "route_id": 1 + number % 3}))
    with rec.lock:
        rec.patrols[patrol_uuid] = 0
    ready.wait()
    lon, lat = 105.59 + number * 1e-4, 10.17
    while time.time() < deadline and not stop.is_set():
        began = time.time()
        now_ms = int(began * 1000)
        points = [{"t": now_ms - (4 - i) * 200, "lon": lon + i * 1e-5, "lat": lat + i * 1e-5, "acc": 6} for i in range(5)]
        lat += 1e-4
        r = rec.timed("track batch", functools.partial(session.post, f"{base}/api/patrols/{patrol_uuid}/points", headers=headers,
                                                          json={"points": points}))
        if r is not None and r.status_code == 200:
            with rec.lock:
                rec.patrols[patrol_uuid] += r.json()["added"]
        stop.wait(max(0.0, TRACK_EVERY_S - (time.time() - began)))


def heavy(base, rec, deadline, stop, ready, photos, sent):
    session, headers = logged_in(base, TRACKERS)
    ready.wait()
    stop.wait(3)
    while time.time() < deadline - 10 and not stop.is_set():
        burst_started = time.time()

        def one_visit(index):
            visit_uuid, content = str(uuid.uuid4()), photos[index % len(photos)]
            r = rec.timed("visit + 6000x6000 photo", functools.partial(session.post,
                f"{base}/api/visits", headers=headers,
                data={"client_uuid": visit_uuid, "outcome": "nothing_wrong", "note": "Ảnh lớn", "lon": "105.5975",
                      "lat": "10.1775", "confirm_outside": "1", "photo_uuid": str(uuid.uuid4())},
                files={"photos": ("lon.jpg", content, "image/jpeg")}, timeout=120))
            if r is not None and r.status_code in (200, 201):
                with rec.lock:
                    sent[visit_uuid] = hashlib.sha256(content).hexdigest()

        workers = [threading.Thread(target=one_visit, args=(i,)) for i in range(BURST)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        stop.wait(max(0.0, BURST_EVERY_S - (time.time() - burst_started)))


def check(app, sent):
    problems = []
    with app.app_context():
        for visit_uuid, sha in sent.items():
            visit = db.session.scalar(select(Visit).where(Visit.client_uuid == visit_uuid))
            hashes = [p.sha256 for p in db.session.scalars(select(Photo).where(Photo.visit_id == visit.id))] if visit else []
            if hashes != [sha]:
                problems.append(f"visit {visit_uuid}: {hashes}")
    return problems


def main():
    kind = "PostGIS" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SpatiaLite"
    folder = Path(tempfile.mkdtemp())
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/heavy.sqlite"
    photos = [big_photo(seed) for seed in range(3)]
    app = load.prepare(url, TRACKERS + 1, folder)
    server = load.serve(url, folder)
    base = f"http://{load.HOST}:{load.PORT}"
    rec, stop, ready, sent = load.Recorder(), threading.Event(), threading.Barrier(TRACKERS + 2), {}
    deadline = time.time() + SECONDS + 20  # logins first
    threads = [threading.Thread(target=tracker, args=(n, base, rec, deadline, stop, ready), daemon=True)
               for n in range(TRACKERS)]
    threads.append(threading.Thread(target=heavy, args=(base, rec, deadline, stop, ready, photos, sent), daemon=True))
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.time()
    for thread in threads:
        thread.join(timeout=SECONDS + 180)
    elapsed = time.time() - started
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    problems = check(app, sent)
    print(f"{kind}; gunicorn.conf.py as shipped; {elapsed:.0f} s; {os.cpu_count()} cores; photos "
          f"{', '.join(f'{len(p) / 1e6:.1f} MB' for p in photos)} of {SIDE}x{SIDE}")
    print("| database | request | count | p50 ms | p95 ms | max ms | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in ("track batch", "visit + 6000x6000 photo", "patrol start"):
        values = rec.latencies.get(name) or [0]
        print(f"| {kind} | {name} | {len(rec.latencies.get(name, []))} | {statistics.median(values):.0f} | "
              f"{load.percentile(values, 0.95):.0f} | {max(values):.0f} | {len(rec.errors[name])} |")
    errors = {k: v[:5] for k, v in rec.errors.items() if v}
    track_p95 = load.percentile(rec.latencies.get("track batch") or [0], 0.95)
    print(f"\nerrors: {errors or 'none'}; lost writes: {len(problems)} {problems[:3] if problems else ''}")
    ok = not errors and not problems and track_p95 < 1000 and len(sent) >= BURST
    print("targets met" if ok else "TARGET MISSED (0 errors, track batch p95 < 1000 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
