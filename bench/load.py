"""Load test: simulated inspectors (and a chairman) against the app served by gunicorn on 127.0.0.1,
then a check that every write the server confirmed is in the database (rows and photo hashes).

Each inspector logs in, starts a patrol, posts a batch of 5 GPS points every 5 s, logs a visit about
every 30 s and reports a violation with a 300 KB photo about every 60 s (first ones staggered), and
ends the patrol; the chairman opens the map, its data and the weekly list every 10 s. Bounded in time
and in count, and only ever against 127.0.0.1.

    .venv/bin/python bench/load.py                       # SpatiaLite, 10 / 50 / 200 inspectors, 60 s each
    scripts/with-postgis-db.sh .venv/bin/python bench/load.py
    LOAD_SIZES=20 LOAD_SECONDS=20 .venv/bin/python bench/load.py   # quick
"""
import functools
import hashlib
import io
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

import requests  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Patrol, TrackPoint, User, Violation, Visit  # noqa: E402
from inspect_app.operations import demo  # noqa: E402

SIZES = [int(s) for s in os.environ.get("LOAD_SIZES", "10,50,200").split(",")]
WARM_UP_S = 15.0  # the first seconds hold every login (scrypt, on purpose slow): reported apart
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PORT = int(os.environ.get("LOAD_PORT", "8765"))
HOST = "127.0.0.1"  # never anything else
TRACK_EVERY_S, VISIT_EVERY_S, REPORT_EVERY_S, CHAIRMAN_EVERY_S = 5.0, 30.0, 60.0, 10.0
WARD_BOX = (105.575, 10.155, 105.615, 10.190)
PASSWORD = "mat-khau-tai-thu"


def photo_300kb(seed):
    """A JPEG of about 300 KB (noise does not compress), different for each seed."""
    image = Image.frombytes("RGB", (640, 480), random.Random(seed).randbytes(640 * 480 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


PHOTOS = [photo_300kb(seed) for seed in range(16)]  # made once: the load generator's CPU is the server's too


class Recorder:
    """Latencies and errors per request type, and what the server confirmed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.steady = defaultdict(list)      # latencies after the warm-up
        self.started_perf = time.perf_counter()
        self.errors = defaultdict(list)
        self.patrols = {}            # patrol uuid -> points confirmed
        self.reports = {}            # report uuid -> photo sha256
        self.visits = set()

    def timed(self, kind, call):
        start = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as exc:
            with self.lock:
                self.errors[kind].append(type(exc).__name__)
            return None
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.latencies[kind].append(elapsed)
            if start - self.started_perf > WARM_UP_S:
                self.steady[kind].append(elapsed)
            if response.status_code >= 400:
                self.errors[kind].append(str(response.status_code))
        return response


def csrf_of(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def inspector(number, deadline, rec, base, stop):
    rng = random.Random(number)
    session = requests.Session()
    time.sleep(rng.uniform(0, 5))  # people do not all arrive in the same second
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    login = rec.timed("login", functools.partial(session.post, f"{base}/login", data={
        "username": f"tai{number:03d}", "password": PASSWORD, "csrf_token": token}, allow_redirects=False))
    if login is None or login.status_code != 302:
        return
    token = csrf_of(session.get(f"{base}/").text)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    patrol_uuid = str(uuid.uuid4())
    started = rec.timed("patrol start", functools.partial(session.post, f"{base}/api/patrols", headers=headers, json={
        "client_uuid": patrol_uuid, "route_id": 1 + number % 3}))
    if started is None or started.status_code not in (200, 201):
        return
    with rec.lock:
        rec.patrols[patrol_uuid] = 0
    lon, lat = rng.uniform(*WARD_BOX[0::2]), rng.uniform(*WARD_BOX[1::2])
    next_visit = time.time() + rng.uniform(5, VISIT_EVERY_S)
    next_report = time.time() + rng.uniform(5, REPORT_EVERY_S)
    while time.time() < deadline and not stop.is_set():
        now_ms = int(time.time() * 1000)
        points = []
        for i in range(5):
            lon += rng.uniform(-0.0002, 0.0002)
            lat += rng.uniform(-0.0002, 0.0002)
            points.append({"t": now_ms - (4 - i) * 1000, "lon": lon, "lat": lat, "acc": rng.uniform(4, 20)})
        r = rec.timed("track batch", functools.partial(session.post, f"{base}/api/patrols/{patrol_uuid}/points", headers=headers,
                                                          json={"points": points}))
        if r is not None and r.status_code == 200:
            with rec.lock:
                rec.patrols[patrol_uuid] += r.json()["added"]
        if time.time() >= next_visit:
            next_visit += VISIT_EVERY_S
            visit_uuid = str(uuid.uuid4())
            r = rec.timed("visit", functools.partial(session.post, f"{base}/api/visits", headers=headers, data={
                "client_uuid": visit_uuid, "outcome": "nothing_wrong", "note": "Kiểm tra tải", "patrol_uuid": patrol_uuid,
                "lon": str(lon), "lat": str(lat), "confirm_outside": "1"}))
            if r is not None and r.status_code in (200, 201):
                with rec.lock:
                    rec.visits.add(visit_uuid)
        if time.time() >= next_report:
            next_report += REPORT_EVERY_S
            report_uuid, photo = str(uuid.uuid4()), rng.choice(PHOTOS)
            r = rec.timed("report + 300 KB photo", functools.partial(session.post,
                f"{base}/api/violations", headers=headers,
                data={"client_uuid": report_uuid, "lon": str(lon), "lat": str(lat), "category": "no_permit",
                      "owner_name": f"Chủ {number}", "patrol_uuid": patrol_uuid, "confirm_new": "1",
                      "confirm_outside": "1", "photo_uuid": str(uuid.uuid4())},
                files={"photos": ("anh.jpg", photo, "image/jpeg")}))
            if r is not None and r.status_code in (200, 201):
                with rec.lock:
                    rec.reports[report_uuid] = hashlib.sha256(photo).hexdigest()
        stop.wait(max(0.0, TRACK_EVERY_S - (time.time() * 1000 - now_ms) / 1000))
    rec.timed("patrol end", functools.partial(session.post, f"{base}/api/patrols/{patrol_uuid}/end", headers=headers, json={}))


def chairman(deadline, rec, base, stop):
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"username": "chutich", "password": "chutich-demo", "csrf_token": token})
    while time.time() < deadline and not stop.is_set():
        rec.timed("map page", lambda: session.get(f"{base}/map/"))
        rec.timed("map data (bbox)", lambda: session.get(f"{base}/api/violations.geojson?bbox=105.55,10.12,105.66,10.21"))
        rec.timed("weekly list", lambda: session.get(f"{base}/reports/weekly"))
        stop.wait(CHAIRMAN_EVERY_S)


def prepare(url, count, folder):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "PHOTO_DIR": str(folder / "photos")})
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session, "Phường Thới Long", "TL")
        from werkzeug.security import generate_password_hash

        hashed = generate_password_hash(PASSWORD)
        have = {u.username for u in db.session.scalars(select(User))}
        for number in range(count):
            name = f"tai{number:03d}"
            if name not in have:
                db.session.add(User(username=name, full_name=f"Cán bộ tải {number}", role="inspector", password_hash=hashed))
        db.session.commit()
        db.engine.dispose()
    return app


def serve(url, folder):
    env = dict(os.environ, DATABASE_URL=url, INSPECT_BIND=f"{HOST}:{PORT}", INSPECT_ACCESS_LOG="",
               SECRET_KEY="load", PHOTO_DIR=str(folder / "photos"))
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "gunicorn.log", "w"))
    for _ in range(100):
        try:
            if requests.get(f"http://{HOST}:{PORT}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start; see {folder / 'gunicorn.log'}")


def check_writes(app, rec):
    """What the server confirmed against what the database holds: missing rows, points, photo hashes."""
    problems = []
    with app.app_context():
        for patrol_uuid, points in rec.patrols.items():
            patrol = db.session.scalar(select(Patrol).where(Patrol.client_uuid == patrol_uuid))
            if patrol is None:
                problems.append(f"patrol {patrol_uuid} missing")
                continue
            stored = db.session.scalar(select(func.count()).select_from(TrackPoint).where(TrackPoint.patrol_id == patrol.id))
            if stored != points:
                problems.append(f"patrol {patrol_uuid}: {points} points confirmed, {stored} stored")
        for report_uuid, sha in rec.reports.items():
            case = db.session.scalar(select(Violation).where(Violation.client_uuid == report_uuid))
            hashes = [p.sha256 for p in case.photos] if case else []
            if case is None or hashes != [sha]:
                problems.append(f"report {report_uuid}: {'missing' if case is None else 'photo hashes ' + str(hashes)}")
            elif not (Path(app.config["PHOTO_DIR"]) / case.photos[0].stored_name).is_file():
                problems.append(f"report {report_uuid}: photo file missing")
        found = set(db.session.scalars(select(Visit.client_uuid).where(Visit.client_uuid.in_(rec.visits)))) if rec.visits else set()
        problems += [f"visit {v} missing" for v in rec.visits - found]
    return problems


def process_tree_cpu_s(pid):
    """CPU seconds used so far by a process and its children (gunicorn's master and workers), from /proc."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for one in [str(pid)] + children:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(url, count, folder):
    app = prepare(url, count, folder)
    server = serve(url, folder)
    base = f"http://{HOST}:{PORT}"
    rec, stop = Recorder(), threading.Event()
    deadline = time.time() + SECONDS
    threads = [threading.Thread(target=inspector, args=(n, deadline, rec, base, stop), daemon=True) for n in range(count)]
    threads.append(threading.Thread(target=chairman, args=(deadline, rec, base, stop), daemon=True))
    started, generator_cpu = time.time(), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
    elapsed = time.time() - started
    server_cpu = process_tree_cpu_s(server.pid)
    rec.cpu = (server_cpu, time.process_time() - generator_cpu, elapsed)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    problems = check_writes(app, rec)
    return rec, elapsed, problems


def main():
    kind = "PostGIS" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SpatiaLite"
    print(f"{kind}; gunicorn.conf.py as shipped; {SECONDS:.0f} s per run; this machine runs the server and the load")
    print(f"| database | inspectors | request | count | req/s | p50 ms | p95 ms | p99 ms | p95 ms after {WARM_UP_S:.0f} s | errors |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    summaries = []
    for count in SIZES:
        folder = Path(tempfile.mkdtemp())
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/load.sqlite"
        rec, elapsed, problems = run(url, count, folder)
        for kind_name in sorted(rec.latencies):
            values, steady = rec.latencies[kind_name], rec.steady[kind_name]
            print(f"| {kind} | {count} | {kind_name} | {len(values)} | {len(values) / elapsed:.1f} | "
                  f"{statistics.median(values):.0f} | {percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | "
                  f"{percentile(steady, 0.95):.0f} | {len(rec.errors[kind_name])} |" if steady else
                  f"| {kind} | {count} | {kind_name} | {len(values)} | {len(values) / elapsed:.1f} | "
                  f"{statistics.median(values):.0f} | {percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | – | "
                  f"{len(rec.errors[kind_name])} |")
        errors = sum(len(v) for v in rec.errors.values())
        server_cpu, generator_cpu, wall = rec.cpu
        summaries.append(f"{kind}, {count} inspectors: CPU used in {wall:.0f} s on {os.cpu_count()} cores: server "
                         f"{server_cpu:.0f} s, load generator {generator_cpu:.0f} s (of {wall * os.cpu_count():.0f} s); "
                         f"{sum(len(v) for v in rec.latencies.values())} requests, "
                         f"{errors} errors {dict((k, v[:3]) for k, v in rec.errors.items() if v) or ''}; lost writes: "
                         f"{len(problems)} (checked {len(rec.patrols)} patrols with "
                         f"{sum(rec.patrols.values())} points, {len(rec.reports)} reports with photos, "
                         f"{len(rec.visits)} visits){': ' + '; '.join(problems[:5]) if problems else ''}")
    print()
    for line in summaries:
        print(line)


if __name__ == "__main__":
    main()
