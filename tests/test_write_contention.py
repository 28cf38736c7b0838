"""No write fails because another one is slow: photos and import files are decoded and parsed with no
database transaction open (so SQLite's write lock is not held meanwhile), and a write that finds the
database locked past DB_BUSY_TIMEOUT_S answers 503 with Retry-After, never 500, with nothing stored.

On SQLite the lock is the database's write lock; on PostgreSQL, the case's row lock."""
import io
import threading

import pytest
from sqlalchemy import create_engine, text

from inspect_app.domain.field import photos
from inspect_app.extensions import db
from inspect_app.models import Violation

from .conftest import csrf_token_from, make_app
from .factories import import_through_admin, jpeg_bytes, make_case, new_uuid


def _login(app, username="kiemtra"):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": username, "password": "mat-khau-dai", "csrf_token": csrf_token_from(page)})
    return client, csrf_token_from(client.get("/").get_data(as_text=True))


def _is_sqlite(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _another_writer_could_write(app):
    """True when a second connection can write right now (no write lock held on SQLite)."""
    if not _is_sqlite(app):
        return True
    import sqlite3

    other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def case_id(app, people):
    with app.app_context():
        case = make_case(db.session, people["inspector"], "warning")
        db.session.commit()
        return case.id


def _watch(app, monkeypatch, module, name):
    """Record, each time module.name runs, (a transaction is open, another writer could write)."""
    seen, original = [], getattr(module, name)

    def watching(*args, **kwargs):
        seen.append((db.session().in_transaction(), _another_writer_could_write(app)))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, watching)
    return seen


@pytest.mark.parametrize("where", ["report", "visit", "photo alone", "case event"])
def test_photos_are_decoded_with_no_transaction_open(app, people, case_id, monkeypatch, where):
    seen = _watch(app, monkeypatch, photos, "_open_checked")
    client, token = _login(app)
    picture = lambda: (io.BytesIO(jpeg_bytes(width=800, height=600)), "a.jpg")  # noqa: E731
    record_uuid = new_uuid()
    if where == "report":
        response = client.post("/api/violations", headers={"X-CSRFToken": token}, content_type="multipart/form-data",
                               data={"client_uuid": record_uuid, "lon": "105.5975", "lat": "10.1775", "category": "no_permit",
                                     "confirm_new": "1", "confirm_outside": "1", "photos": [picture()]})
    elif where == "visit":
        response = client.post("/api/visits", headers={"X-CSRFToken": token}, content_type="multipart/form-data",
                               data={"client_uuid": record_uuid, "outcome": "follow_up", "violation_id": str(case_id),
                                     "photos": [picture()]})
    elif where == "photo alone":
        with app.app_context():
            case_uuid = db.session.get(Violation, case_id).client_uuid
        response = client.post("/api/photos", headers={"X-CSRFToken": token}, content_type="multipart/form-data",
                               data={"record_uuid": case_uuid, "photo_uuid": new_uuid(), "photo": picture()})
    else:
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        response = client.post(f"/cases/{case_id}/events", content_type="multipart/form-data", data={
            "csrf_token": csrf_token_from(page), "version": "1", "action": "site_check", "mode": "record",
            "note": "Ảnh hiện trạng", "photos": [picture()]})
    assert response.status_code in (200, 201, 302), response.get_data(as_text=True)[:500]
    assert seen == [(False, True)]  # decoded once, outside any transaction, while others could write


def test_an_import_file_is_parsed_with_no_transaction_open(app, people, monkeypatch):
    from inspect_app.domain.geo import route_admin

    seen = _watch(app, monkeypatch, route_admin, "parse_uploaded_geography")
    client, token = _login(app, "quantri")
    body = (b'{"type": "Feature", "properties": {"code": "R9", "name": "Tuyen"}, "geometry": '
            b'{"type": "LineString", "coordinates": [[105.6, 10.1], [105.61, 10.11]]}}')
    response = import_through_admin(client, token, body, "r9.geojson", confirm_outside=True)
    # Read twice (the file, then what the preview showed), each time with no transaction open.
    assert response.status_code == 302 and seen == [(False, True), (False, True)]


def _hold_the_case(app, case_id, held, release):
    """Another client keeps the case locked (SQLite: the write lock; PostgreSQL: the row) until released."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.connect() as connection:
        if _is_sqlite(app):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.execute(text("SELECT id FROM violations WHERE id = :id FOR UPDATE"), {"id": case_id})
        held.set()
        release.wait(30)
        connection.rollback()
    engine.dispose()


def test_a_write_that_waits_too_long_gets_503_with_retry_after_and_nothing_is_stored(app, people, case_id, db_snapshot,
                                                                                    tmp_path):
    impatient = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "impatient", DB_BUSY_TIMEOUT_S=1)
    client, _token = _login(impatient)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    before = db_snapshot()
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_case, args=(app, case_id, held, release))
    holder.start()
    try:
        assert held.wait(10)
        response = client.post(f"/cases/{case_id}/events", data={
            "csrf_token": csrf_token_from(page), "version": "1", "action": "site_check", "mode": "record",
            "note": "Kiểm tra"})
    finally:
        release.set()
        holder.join(10)
    assert response.status_code == 503, response.get_data(as_text=True)[:800]
    assert response.headers["Retry-After"] == "5"
    assert "bận" in response.get_data(as_text=True)
    assert db_snapshot() == before
    with impatient.app_context():
        db.session.remove()
        db.engine.dispose()
