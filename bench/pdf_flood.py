"""48 concurrent weekly PDFs from one inspector (and 8 from the chairman) against gunicorn as shipped,
timing /healthz and GPS batches meanwhile (issue 14, point 7). Bounded, 127.0.0.1 only.

    .venv/bin/python bench/pdf_flood.py
"""
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import requests  # noqa: E402

import load  # noqa: E402

folder = Path(tempfile.mkdtemp()); url = f"sqlite:///{folder}/f.sqlite"
app = load.prepare(url, 1, folder); server = load.serve(url, folder); base = f"http://{load.HOST}:{load.PORT}"
def session(user, pw):
    s = requests.Session(); page = s.get(f"{base}/login").text
    tok = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    s.post(f"{base}/login", data={"username": user, "password": pw, "csrf_token": tok}, allow_redirects=False)
    return s, {"X-CSRFToken": load.csrf_of(s.get(f"{base}/").text)}
insp, h = session("tai000", load.PASSWORD); chair, _ = session("chutich", "chutich-demo")
patrol = str(uuid.uuid4()); insp.post(f"{base}/api/patrols", headers=h, json={"client_uuid": patrol, "route_id": 1})
res = []
def pdf(s):
    t = time.perf_counter(); r = s.get(f"{base}/reports/weekly.pdf", timeout=300); res.append((r.status_code, time.perf_counter() - t))
ts = [threading.Thread(target=pdf, args=(insp,)) for _ in range(48)] + [threading.Thread(target=pdf, args=(chair,)) for _ in range(8)]
for t in ts: t.start()
health, track = [], []
end = time.time() + 10
while time.time() < end:
    t = time.perf_counter(); requests.get(f"{base}/healthz", timeout=60); health.append(time.perf_counter() - t)
    t = time.perf_counter(); insp.post(f"{base}/api/patrols/{patrol}/points", headers=h, json={"points": [{"t": int(time.time()*1000)-500, "lon": 105.59, "lat": 10.17 + len(track)*1e-5, "acc": 5}]}); track.append(time.perf_counter() - t)
    time.sleep(0.2)
for t in ts: t.join(300)
server.terminate(); server.wait(30)
codes = {c: sum(1 for x, _ in res if x == c) for c in set(x for x, _ in res)}
print("PDF answers:", codes, "| 429 max s:", round(max([d for c, d in res if c == 429] or [0]), 2), "| 200 max s:", round(max([d for c, d in res if c == 200] or [0]), 2))
print("healthz ms p50/max:", round(statistics.median(health)*1000), round(max(health)*1000), "| track batch ms p50/max:", round(statistics.median(track)*1000), round(max(track)*1000), f"({len(track)} each)")
