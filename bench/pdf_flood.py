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

INSPECTOR_PDFS, CHAIRMAN_PDFS, WATCH_S = 48, 8, 10


def logged_in(base, user, password):
    """A requests session logged in as user, and the headers with its CSRF token."""
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    session.post(f"{base}/login", data={"username": user, "password": password, "csrf_token": token}, allow_redirects=False)
    return session, {"X-CSRFToken": load.csrf_of(session.get(f"{base}/").text)}


def timed_ms(call):
    """How long call() took, in milliseconds."""
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def main():
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder}/f.sqlite"
    load.prepare(url, 1, folder)
    server = load.serve(url, folder)
    base = f"http://{load.HOST}:{load.PORT}"
    inspector, headers = logged_in(base, "tai000", load.PASSWORD)
    chairman, _ = logged_in(base, "chutich", "chutich-demo")
    patrol = str(uuid.uuid4())
    inspector.post(f"{base}/api/patrols", headers=headers, json={"client_uuid": patrol, "route_id": 1})

    answers = []  # (status, seconds)

    def download_pdf(session):
        began = time.perf_counter()
        status = session.get(f"{base}/reports/weekly.pdf", timeout=300).status_code
        answers.append((status, time.perf_counter() - began))

    threads = ([threading.Thread(target=download_pdf, args=(inspector,)) for _ in range(INSPECTOR_PDFS)]
               + [threading.Thread(target=download_pdf, args=(chairman,)) for _ in range(CHAIRMAN_PDFS)])
    for thread in threads:
        thread.start()
    health_ms, track_ms = [], []
    end = time.time() + WATCH_S
    while time.time() < end:
        health_ms.append(timed_ms(lambda: requests.get(f"{base}/healthz", timeout=60)))
        point = {"t": int(time.time() * 1000) - 500, "lon": 105.59, "lat": 10.17 + len(track_ms) * 1e-5, "acc": 5}
        track_ms.append(timed_ms(lambda point=point: inspector.post(
            f"{base}/api/patrols/{patrol}/points", headers=headers, json={"points": [point]})))
        time.sleep(0.2)
    for thread in threads:
        thread.join(300)
    server.terminate()
    server.wait(30)

    codes = {code: sum(1 for status, _ in answers if status == code) for code in {status for status, _ in answers}}
    slowest = {code: max([s for status, s in answers if status == code] or [0]) for code in (429, 200)}
    print("PDF answers:", codes, "| 429 max s:", round(slowest[429], 2), "| 200 max s:", round(slowest[200], 2))
    print("healthz ms p50/max:", round(statistics.median(health_ms)), round(max(health_ms)),
          "| track batch ms p50/max:", round(statistics.median(track_ms)), round(max(track_ms)), f"({len(track_ms)} each)")


if __name__ == "__main__":
    main()
