"""Files a request leaves behind, backups that stand for one moment, a full disk, and huge routes.

- `flask photos sweep` lists and removes photo files no row names (and `.part` files), older than an hour.
- A backup copies only the files rows name; `backup.json`'s made_at is the database snapshot's moment.
- A full disk while writing a photo answers 507 with a message, and nothing is half-saved.
- A 200,000-point route is drawn simplified on the map; its stored geometry stays exact."""
import errno
import io
import json
import os
import time
from datetime import datetime
from pathlib import Path

from geoalchemy2.shape import to_shape
from sqlalchemy import select

from inspect_app.domain.field import photos
from inspect_app.extensions import db
from inspect_app.models import Route
from inspect_app.operations import backups

from .conftest import csrf_token_from
from .factories import jpeg_bytes, new_uuid
from .test_backups import _photos, _report


def _age(path, seconds):
    old = time.time() - seconds
    os.utime(path, (old, old))


def _leftovers(app):
    folder = Path(app.config["PHOTO_DIR"])
    (folder / "ab").mkdir(parents=True, exist_ok=True)
    old_orphan, old_part, new_orphan = folder / "ab" / "old.jpg", folder / "ab" / "cut.jpg.part", folder / "ab" / "new.jpg"
    for path in (old_orphan, old_part, new_orphan):
        path.write_bytes(b"left by a request that died")
    _age(old_orphan, 7200)
    _age(old_part, 7200)
    return old_orphan, old_part, new_orphan


def test_sweep_lists_then_removes_only_old_files_no_row_names(app, demo_ward, auth, client, runner):
    auth.login()
    _report(client, csrf_token_from(client.get("/").get_data(as_text=True)), (200, 10, 10))
    kept = _photos(app)
    old_orphan, old_part, new_orphan = _leftovers(app)
    for name in kept:
        _age(Path(app.config["PHOTO_DIR"]) / name, 7200)  # old, but named by a row
    listed = runner.invoke(args=["photos", "sweep", "--dry-run"])
    assert listed.exit_code == 0 and str(old_orphan) in listed.output and str(old_part) in listed.output
    assert str(new_orphan) not in listed.output and "2" in listed.output and old_orphan.exists()
    swept = runner.invoke(args=["photos", "sweep"])
    assert swept.exit_code == 0 and not old_orphan.exists() and not old_part.exists() and new_orphan.exists()
    new_orphan.unlink()
    assert _photos(app) == kept
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_backup_leaves_orphans_out_and_is_dated_at_its_database_snapshot(app, demo_ward, auth, client, runner,
                                                                            tmp_path, monkeypatch):
    auth.login()
    _report(client, csrf_token_from(client.get("/").get_data(as_text=True)), (200, 10, 10))
    named = _photos(app)
    _leftovers(app)
    moments = {}
    dump, copy = backups.snapshot.dump, backups._copy_tree

    def timed_dump(*args, **kwargs):
        moments["dump"] = datetime.now().astimezone()
        return dump(*args, **kwargs)

    def slow_copy(*args, **kwargs):
        time.sleep(1.2)  # a photo folder that takes a while to copy
        return copy(*args, **kwargs)

    monkeypatch.setattr(backups.snapshot, "dump", timed_dump)
    monkeypatch.setattr(backups, "_copy_tree", slow_copy)
    target = tmp_path / "sao-luu"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    manifest = json.loads((target / "backup.json").read_text())
    assert set(manifest["photos"]) == set(named)  # the three leftovers stay out
    made_at, copied_until = datetime.fromisoformat(manifest["made_at"]), datetime.fromisoformat(manifest["copied_until"])
    assert made_at <= moments["dump"] and (copied_until - made_at).total_seconds() >= 1.2


def test_a_full_disk_answers_507_and_nothing_is_half_saved(app, demo_ward, auth, client, db_snapshot, monkeypatch):
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    before, files_before = db_snapshot(), _photos(app)
    write = photos.PhotoFiles._write_file
    calls = []

    def fills_up(self, name, data):
        calls.append(name)
        if len(calls) > 2:  # the first photo and its thumbnail fit, the second photo does not
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, name, data)

    monkeypatch.setattr(photos.PhotoFiles, "_write_file", fills_up)
    response = client.post("/api/violations", headers={"X-CSRFToken": token}, content_type="multipart/form-data", data={
        "client_uuid": new_uuid(), "lon": "105.5975", "lat": "10.1775", "category": "no_permit", "confirm_new": "1",
        "photos": [(io.BytesIO(jpeg_bytes(colour=(1, 1, 1))), "a.jpg"), (io.BytesIO(jpeg_bytes(colour=(2, 2, 2))), "b.jpg")]})
    assert response.status_code == 507 and "đầy" in response.get_json()["error"], response.get_json()
    assert db_snapshot() == before and _photos(app) == files_before


def test_a_huge_route_is_drawn_simplified_and_stored_exactly(app, people, runner, tmp_path):
    count = 200_000
    coordinates = [[105.58 + i * 2e-7, 10.17 + (i % 2) * 1e-7] for i in range(count)]  # a 4.4 km line, zig-zag < 1 cm
    path = tmp_path / "huge.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {"code": "R9", "name": "Tuyến rất dài"},
                                "geometry": {"type": "LineString", "coordinates": coordinates}}))
    assert runner.invoke(args=["geo", "import", str(path)]).exit_code == 0
    from .test_cases_web import login

    page = login(app, "chutich").get("/map/")
    assert page.status_code == 200 and len(page.data) < 500_000, len(page.data)
    routes = login(app, "kiemtra").get("/api/routes.geojson").get_json()
    drawn = next(f for f in routes["features"] if f["properties"]["code"] == "R9")
    assert len(drawn["geometry"]["coordinates"]) < 100 and drawn["properties"]["length_m"] > 4000
    with app.app_context():
        stored = to_shape(db.session.scalar(select(Route.geom).where(Route.code == "R9")))
        assert len(stored.coords) == count  # the exact geometry is kept
