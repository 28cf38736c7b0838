"""Backups on the database under test: back up while the app serves, add more, restore, and find the
database rows and the photo files exactly as they were at the backup, with every history intact."""
import hashlib
import io
import json
from pathlib import Path

import pytest

from .conftest import csrf_token_from
from .factories import jpeg_bytes, new_uuid


def _photos(app):
    folder = Path(app.config["PHOTO_DIR"])
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and p.name != ".database"}


def _report(client, token, colour, lon="105.5975"):
    data = {"client_uuid": new_uuid(), "lon": lon, "lat": "10.1775", "category": "no_permit", "confirm_new": "1",
            "photos": [(io.BytesIO(jpeg_bytes(colour=colour)), "a.jpg")]}
    response = client.post("/api/violations", data=data, headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def test_backup_add_more_restore_gives_back_exactly_the_backup(app, demo_ward, auth, client, runner, db_snapshot, tmp_path):
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    target = tmp_path / "sao-luu"
    result = runner.invoke(args=["backup", str(target)])  # the app keeps serving meanwhile
    assert result.exit_code == 0, result.output
    at_backup, photos_at_backup = db_snapshot(), _photos(app)
    manifest = json.loads((target / "backup.json").read_text())
    assert set(manifest["photos"]) == set(photos_at_backup) and len(photos_at_backup) >= 2  # photo and thumbnail

    _report(client, token, (10, 200, 10), lon="105.6010")
    assert db_snapshot() != at_backup and _photos(app) != photos_at_backup

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert db_snapshot() == at_backup
    assert _photos(app) == photos_at_backup
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "nguyên vẹn" in verify.output, verify.output
    assert client.get("/").status_code == 200  # the app goes on working on the restored data


def test_a_backup_goes_only_into_a_new_folder_and_a_restore_needs_a_backup(app, demo_ward, runner, db_snapshot, tmp_path):
    occupied = tmp_path / "co-san"
    occupied.mkdir()
    (occupied / "x.txt").write_text("x")
    result = runner.invoke(args=["backup", str(occupied)])
    assert result.exit_code != 0 and "không trống" in result.output
    before = db_snapshot()
    result = runner.invoke(args=["restore", str(occupied), "--yes"])
    assert result.exit_code != 0 and "backup.json" in result.output
    assert db_snapshot() == before


def test_a_damaged_backup_is_refused_before_anything_changes(app, demo_ward, auth, client, runner, db_snapshot, tmp_path):
    auth.login()
    _report(client, csrf_token_from(client.get("/").get_data(as_text=True)), (90, 90, 200))
    target = tmp_path / "hong"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    photo = next(p for p in (target / "photos").rglob("*") if p.is_file())
    photo.write_bytes(b"damaged")
    before = db_snapshot()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "hỏng" in result.output
    assert db_snapshot() == before


def test_a_backup_taken_while_inspectors_keep_reporting_is_consistent(app, demo_ward, auth, client, runner, tmp_path):
    """Reports arrive during the backup: the restored database and photos agree with each other and every
    history proves itself (each photo row has its file, with its SHA-256)."""
    import threading

    from sqlalchemy import func, select

    from inspect_app.domain.field.photos import photo_file
    from inspect_app.extensions import db
    from inspect_app.models import Photo, Violation

    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    stop, sent, errors = threading.Event(), [], []

    def keep_reporting():
        writer = app.test_client()
        page = writer.get("/login").get_data(as_text=True)
        writer.post("/login", data={"username": "kiemtra", "password": "kiemtra-demo", "csrf_token": csrf_token_from(page)})
        writer_token = csrf_token_from(writer.get("/").get_data(as_text=True))
        i = 0
        while not stop.is_set() and i < 40:
            i += 1
            try:
                _report(writer, writer_token, (i * 5 % 255, 100, 10), lon=f"{105.5975 + i * 0.0004:.6f}")
                sent.append(i)
            except AssertionError as exc:  # pragma: no cover - reported below
                errors.append(str(exc))

    thread = threading.Thread(target=keep_reporting)
    thread.start()
    while len(sent) < 2 and thread.is_alive():
        stop.wait(0.05)
    result = runner.invoke(args=["backup", str(tmp_path / "sao-luu")])
    during = len(sent)
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    assert errors == [] and len(sent) > during >= 2  # reports went on before and after the backup

    assert runner.invoke(args=["restore", str(tmp_path / "sao-luu"), "--yes"]).exit_code == 0
    with app.app_context():
        cases = db.session.scalar(select(func.count(Violation.id)))
        assert 1 + 2 <= cases <= 1 + len(sent)
        for photo in db.session.scalars(select(Photo)):
            stored = photo_file(app.config["PHOTO_DIR"], photo.stored_name)
            assert stored.is_file() and hashlib.sha256(stored.read_bytes()).hexdigest() == photo.sha256
            assert photo_file(app.config["PHOTO_DIR"], photo.thumb_name).is_file()
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_the_nightly_backup_links_unchanged_photos_keeps_the_keys_private_and_prunes(app, demo_ward, auth, client, runner,
                                                                                     tmp_path):
    """The timer's command as the timer runs it (no % in it, the date is the ward's): issue 21."""
    import os
    import stat

    instance = Path(app.instance_path)  # as in production: the keys are files of the instance folder
    for name in ("secret_key", "audit_key"):
        (instance / name).write_text("k" * 64)
    (instance / "config.py").write_text('BEHIND_PROXY = True\n')
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    root = tmp_path / "backups"
    first = runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-01"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-01"])
    assert again.exit_code == 0 and "đã có" in again.output  # run twice the same night: nothing done
    _report(client, token, (10, 200, 10), lon="105.6010")
    assert runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-02"]).exit_code == 0

    day1, day2 = root / "2026-11-01", root / "2026-11-02"
    old = json.loads((day1 / "backup.json").read_text())["photos"]
    new = json.loads((day2 / "backup.json").read_text())["photos"]
    assert set(old) < set(new)
    for name in old:  # written once: the second night links them instead of copying them again
        assert os.stat(day1 / "photos" / name).st_ino == os.stat(day2 / "photos" / name).st_ino
    for name in set(new) - set(old):
        assert os.stat(day2 / "photos" / name).st_nlink == 1
    # The keys without which the seals cannot be checked travel with the data, readable by the app's user only.
    assert {p.name for p in (day2 / "instance").iterdir()} == {"config.py", "secret_key", "audit_key"}
    for path in [root, day2, *day2.rglob("*")]:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))

    # Retention: 14 nights and one per week for 8 weeks by default; here 2 and 3.
    for day in ("2026-11-05", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-24"):
        result = runner.invoke(args=["backup-nightly", str(root), "--date", day, "--keep-daily", "2", "--keep-weekly", "3"])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in root.iterdir() if p.name != ".lock") == ["2026-11-09", "2026-11-16", "2026-11-23", "2026-11-24"]


def test_a_restore_never_empties_a_photo_folder_of_another_database(app, demo_ward, auth, client, runner, db_snapshot,
                                                                    tmp_path):
    """A restore drill into a second database with the live PHOTO_DIR would have deleted live photos."""
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    target = tmp_path / "sao-luu"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    marker = Path(app.config["PHOTO_DIR"]) / ".database"
    with app.app_context():
        from inspect_app.extensions import db

        assert marker.read_text().strip() == db.engine.url.render_as_string(hide_password=True)
    marker.write_text("postgresql://inspect@127.0.0.1/phuong_that\n")  # as if the live ward's folder
    before, photos = db_snapshot(), _photos(app)
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "thuộc về một cơ sở dữ liệu khác" in result.output, result.output
    assert db_snapshot() == before and _photos(app) == photos


@pytest.mark.postgis
def test_the_apps_own_role_restores_a_postgis_backup_and_owns_what_it_restored(tmp_path):
    """With a dedicated, non-superuser role (as the installer makes it), restore used to fail on the
    PostGIS extension ("must be owner of extension postgis"); restored as postgres, the app then could
    not read its own tables (issue 21)."""
    import os

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from inspect_app.domain.errors import InvalidInput
    from inspect_app.extensions import db
    from inspect_app.operations import backups, demo

    from .conftest import POSTGIS_URL, make_app

    role, name, bare = f"inspect_role_{os.getpid()}", f"inspect_owned_{os.getpid()}", f"inspect_bare_{os.getpid()}"
    admin = create_engine(POSTGIS_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
        connection.execute(text(f"CREATE DATABASE {name} OWNER {role}"))
        connection.execute(text(f"CREATE DATABASE {bare} OWNER {role}"))
    as_admin = create_engine(make_url(POSTGIS_URL).set(database=name))
    with as_admin.begin() as connection:  # once, by a superuser, as the installer does
        connection.execute(text("CREATE EXTENSION postgis"))
    as_admin.dispose()
    url = make_url(POSTGIS_URL).set(username=role, password=None, database=name).render_as_string(hide_password=False)
    app = make_app(url, tmp_path)
    try:
        with app.app_context():
            upgrade()
            demo.seed_demo(db.session, "Phường Thới Long", "TL")
            db.session.commit()
            folder = tmp_path / "backup"
            backups.create_backup(db.engine, app.config["PHOTO_DIR"], folder)
            db.session.execute(text("DELETE FROM routes"))
            db.session.commit()
            db.session.remove()
            backups.restore_backup(db.engine, app.config["PHOTO_DIR"], folder)
            assert db.session.execute(text("SELECT count(*) FROM routes")).scalar_one() == 3
            owners = set(db.session.execute(text(
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'")).scalars())
            assert owners == {role}
            # The monthly drill as the same role: it may not create PostGIS, and copies the installer's template.
            with pytest.raises(InvalidInput) as no_template:
                backups.verify_backup(url, folder, app.config["AUDIT_KEY"])
            assert "inspect_template" in no_template.value.message or "CREATEDB" in no_template.value.message
            with admin.connect() as connection:
                connection.execute(text(f"ALTER ROLE {role} CREATEDB"))
                connection.execute(text("DROP DATABASE IF EXISTS inspect_template"))
                connection.execute(text("CREATE DATABASE inspect_template"))
            template = create_engine(make_url(POSTGIS_URL).set(database="inspect_template"))
            with template.begin() as connection:
                connection.execute(text("CREATE EXTENSION postgis"))
            template.dispose()  # a template is copied only while nobody is connected to it
            with admin.connect() as connection:
                connection.execute(text("UPDATE pg_database SET datistemplate = true WHERE datname = 'inspect_template'"))
            report = backups.verify_backup(url, folder, app.config["AUDIT_KEY"])
            assert report["problems"] == [] and report["counts"]["users"] == 3
            db.session.remove()
            db.engine.dispose()
        # A database without PostGIS: the restore says the one command a superuser must run.
        bare_engine = create_engine(make_url(url).set(database=bare))
        with pytest.raises(InvalidInput) as refused:
            backups.restore_backup(bare_engine, tmp_path / "other-photos", folder)
        assert "CREATE EXTENSION postgis" in refused.value.message and refused.value.params["name"] == bare
        bare_engine.dispose()
    finally:
        with app.app_context():
            db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text("UPDATE pg_database SET datistemplate = false WHERE datname = 'inspect_template'"))
            for database in (name, bare, "inspect_template"):
                connection.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_the_restore_drill_restores_into_a_scratch_copy_checks_everything_and_drops_it(app, demo_ward, auth, client,
                                                                                       runner, tmp_path):
    """`flask backup-verify DIR`, monthly: the live database and photos are never touched (issue 21)."""
    import sqlite3

    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    target = tmp_path / "sao-luu"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    photos = _photos(app)
    result = runner.invoke(args=["backup-verify", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 vụ" in result.output and "đã xóa bản sao tạm" in result.output
    assert _photos(app) == photos  # the live photo folder was never touched
    with app.app_context():
        from sqlalchemy import text

        from inspect_app.extensions import db

        if db.engine.url.get_backend_name() == "postgresql":
            left = db.session.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_drill\\_%'")).scalar_one()
            assert left == 0

    # A backup whose history was edited after the fact: the drill says which case, and fails.
    if (target / "database.sqlite").exists():
        with sqlite3.connect(target / "database.sqlite") as copy:
            copy.execute("UPDATE violations SET owner_name = 'Người khác'")
    else:  # PostgreSQL: a photo of the backup changed instead (its digest no longer matches)
        victim = next(p for p in (target / "photos").rglob("*") if p.is_file())
        victim.write_bytes(victim.read_bytes() + b"x")
    result = runner.invoke(args=["backup-verify", str(target)])
    assert result.exit_code != 0, result.output


def test_a_restore_refuses_an_unmarked_folder_with_photos_and_puts_keys_back_on_request(app, demo_ward, auth, client, runner,
                                                                                         db_snapshot, tmp_path):
    """A fresh installation has photos before its first backup marks the folder: a restore drill pointed at it
    must not empty it. On a rebuilt machine, --keys puts the old audit and secret keys back."""
    instance = Path(app.instance_path)
    for name in ("secret_key", "audit_key"):
        (instance / name).write_text(f"{name}-of-the-old-machine")
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    _report(client, token, (200, 10, 10))
    root = tmp_path / "nightly"
    assert runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-03"]).exit_code == 0
    (night,) = list(root.glob("2026-*"))
    (Path(app.config["PHOTO_DIR"]) / ".database").unlink()  # as before the first backup of an installation
    before, photos = db_snapshot(), _photos(app)
    result = runner.invoke(args=["restore", str(night), "--yes"])
    assert result.exit_code != 0 and "không cho biết thuộc về cơ sở dữ liệu nào" in result.output, result.output
    assert db_snapshot() == before and _photos(app) == photos

    assert runner.invoke(args=["backup", str(tmp_path / "marks-the-folder")]).exit_code == 0
    for name in ("secret_key", "audit_key"):
        (instance / name).write_text("new-machine")
    result = runner.invoke(args=["restore", str(night), "--yes", "--keys"])
    assert result.exit_code == 0, result.output
    assert (instance / "audit_key").read_text() == "audit_key-of-the-old-machine"
    assert oct((instance / "audit_key").stat().st_mode & 0o777) == "0o600"


def test_two_nightly_backups_never_run_at_once_and_a_half_written_night_is_started_again(app, demo_ward, runner, tmp_path):
    import fcntl

    root = tmp_path / "nightly"
    root.mkdir()
    (root / "2026-11-04").mkdir()  # a night that died with a full disk: no manifest
    (root / "2026-11-04" / "database.sqlite").write_bytes(b"half")
    with open(root / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-05"])
        assert busy.exit_code != 0 and "đang dùng" in busy.output, busy.output
    done = runner.invoke(args=["backup-nightly", str(root), "--date", "2026-11-05"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == ["2026-11-05"]
