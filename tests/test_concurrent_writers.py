"""Twenty phones writing at the same moment through the app, on the database under test (a file
SQLite database by default): every report, photo and track point is stored, case codes are unique
and consecutive, and no request fails (writers queue behind BEGIN IMMEDIATE instead of erroring)."""
import io
import threading
import uuid

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Patrol, Photo, Route, TrackPoint, Violation
from inspect_app.models.types import utcnow

from .conftest import csrf_token_from
from .factories import jpeg_bytes

WRITERS, REPORTS_EACH, BATCHES_EACH = 20, 3, 3


def _phone(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(page)})
    return client, csrf_token_from(client.get("/").get_data(as_text=True))


def test_twenty_concurrent_writers_lose_nothing(app, demo_ward):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert not app.config["SQLALCHEMY_DATABASE_URI"].endswith(":memory:")  # a real file, with WAL
    with app.app_context():
        routes = list(db.session.scalars(select(Route.id).order_by(Route.id)))
        before = {model: db.session.scalar(select(func.count()).select_from(model)) for model in (Patrol, TrackPoint, Violation, Photo)}
        codes_before = set(db.session.scalars(select(Violation.code)))
    phones = [_phone(app) for _ in range(WRITERS)]
    statuses, start = [], threading.Barrier(WRITERS)
    lock = threading.Lock()

    def writer(number):
        client, token = phones[number]
        headers = {"X-CSRFToken": token}
        start.wait()  # all at once
        got = []
        patrol_uuid = str(uuid.uuid4())
        got.append(client.post("/api/patrols", json={"client_uuid": patrol_uuid, "route_id": routes[number % len(routes)]},
                               headers=headers).status_code)
        base_ms = int(utcnow().timestamp() * 1000)
        for batch in range(BATCHES_EACH):
            points = [{"t": base_ms + (batch * 5 + i) * 1000, "lon": 105.59 + number * 1e-4, "lat": 10.17 + i * 1e-4, "acc": 5}
                      for i in range(5)]
            got.append(client.post(f"/api/patrols/{patrol_uuid}/points", json={"points": points}, headers=headers).status_code)
        for report in range(REPORTS_EACH):
            data = {"client_uuid": str(uuid.uuid4()), "lon": str(105.58 + number * 1e-3), "lat": str(10.16 + report * 1e-3),
                    "category": "no_permit", "confirm_new": "1", "confirm_outside": "1", "patrol_uuid": patrol_uuid,
                    "photos": [(io.BytesIO(jpeg_bytes(width=64, height=48, colour=(number, report, 9))), "a.jpg")]}
            got.append(client.post("/api/violations", data=data, headers=headers,
                                   content_type="multipart/form-data").status_code)
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(statuses)) in ([200, 201], [201])  # 200: points stored
    assert len(statuses) == WRITERS * (1 + BATCHES_EACH + REPORTS_EACH)
    with app.app_context():
        added = {model: db.session.scalar(select(func.count()).select_from(model)) - before[model] for model in before}
        assert added == {Patrol: WRITERS, TrackPoint: WRITERS * BATCHES_EACH * 5, Violation: WRITERS * REPORTS_EACH,
                         Photo: WRITERS * REPORTS_EACH}
        new_codes = set(db.session.scalars(select(Violation.code))) - codes_before
        numbers = sorted(int(code.rsplit("-", 1)[1]) for code in new_codes)
        assert len(numbers) == WRITERS * REPORTS_EACH and numbers == list(range(numbers[0], numbers[0] + len(numbers)))
