"""Fixtures: an app on a real database per test (SpatiaLite by default, PostGIS when
DATABASE_URL points at PostgreSQL), a client, a CLI runner and login helpers."""
import os
import re
import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.operations import demo

os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
POSTGIS_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
ON_POSTGIS = bool(POSTGIS_URL)
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def pytest_report_header(config):
    return f"database: {'PostGIS at ' + POSTGIS_URL if ON_POSTGIS else 'SpatiaLite (temporary files)'}"


def pytest_collection_modifyitems(config, items):
    """Cross-database comparisons need PostGIS: they run in the PostGIS pass, which CI always makes."""
    if ON_POSTGIS:
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgis") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def make_app(database_url, instance_path, **overrides):
    """An app on the given database, with test settings."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PHOTO_DIR": str(instance_path / "photos"),
    }
    settings.update(overrides)
    app = create_app(settings)
    app.instance_path = str(instance_path)
    return app


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """URL of a database migrated to head once per session (a template file on SpatiaLite)."""
    folder = tmp_path_factory.mktemp("template")
    url = POSTGIS_URL or f"sqlite:///{folder / 'template.sqlite'}"
    app = make_app(url, folder)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


_EMPTY_ALL = []


def _truncate_all(app):
    """Empty every app table and restart its ids, in one round trip. DELETE, children first, not TRUNCATE:
    on tables this small it takes a few ms where TRUNCATE takes 40 (new files for each table), and this
    runs twice per test on PostGIS."""
    with app.app_context():
        if not _EMPTY_ALL:
            sequences = db.session.scalars(text(
                "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")).all()
            _EMPTY_ALL.append("; ".join([f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
                                        + [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences]))
        db.session.execute(text(_EMPTY_ALL[0]))
        db.session.commit()


@pytest.fixture
def app(migrated_database, tmp_path):
    """A fresh app on an empty migrated database."""
    if ON_POSTGIS:
        url = migrated_database
    else:
        target = tmp_path / "test.sqlite"
        shutil.copyfile(migrated_database.removeprefix("sqlite:///"), target)
        url = f"sqlite:///{target}"
    application = make_app(url, tmp_path)
    if ON_POSTGIS:
        _truncate_all(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if ON_POSTGIS:
        _truncate_all(application)


@pytest.fixture
def session(app):
    """The database session inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_ward(app):
    """The demo ward, routes and users, as `flask seed-demo` loads them."""
    with app.app_context():
        report = demo.seed_demo(db.session, app.config["WARD_NAME"], app.config["WARD_CODE_PREFIX"])
        db.session.commit()
    return report


def csrf_token_from(html):
    """The CSRF token embedded in a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Log in and out through the real forms (CSRF included)."""

    def __init__(self, client):
        self.client = client

    def login(self, username="kiemtra", password="kiemtra-demo", follow_redirects=False):
        page = self.client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        page = self.client.get("/")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def snapshot(session):
    """Every row of every app table, for 'nothing changed' assertions."""
    result = {}
    for table in db.metadata.sorted_tables:
        rows = session.execute(select(table)).all()
        result[table.name] = sorted(tuple(str(getattr(v, "desc", v)) for v in row) for row in rows)
    return result


@pytest.fixture
def db_snapshot(app):
    """Function that returns the current content of every app table."""

    def take():
        with app.app_context():
            return snapshot(db.session)

    return take


_FAST_HASH = {}


@pytest.fixture
def people(app):
    """One user per role (inspector, a second inspector, chairman, admin), without the cost of
    hashing a password for each test: they share one hash of 'mat-khau-dai'."""
    from werkzeug.security import generate_password_hash

    from inspect_app.models import User

    if "hash" not in _FAST_HASH:
        _FAST_HASH["hash"] = generate_password_hash("mat-khau-dai")
    with app.app_context():
        rows = {
            "inspector": User(username="kiemtra", full_name="Nguyễn Văn Kiểm", role="inspector", password_hash=_FAST_HASH["hash"]),
            "inspector2": User(username="kiemtra2", full_name="Lê Thị Hai", role="inspector", password_hash=_FAST_HASH["hash"]),
            "chairman": User(username="chutich", full_name="Trần Chủ Tịch", role="chairman", password_hash=_FAST_HASH["hash"]),
            "admin": User(username="quantri", full_name="Quản Trị", role="admin", password_hash=_FAST_HASH["hash"]),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        return {key: user.id for key, user in rows.items()}


@pytest.fixture
def phone(client, auth, demo_ward):
    """The demo inspector's logged-in client and its CSRF token, as the phone's scripts use the API.
    (tests/browser/conftest.py has its own `phone`: a real browser.)"""
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client, token


@pytest.fixture
def database(tmp_path):
    """The installation's own database: a new PostGIS database (PostGIS made by the superuser, as the
    installer does) or a SQLite file."""
    if not ON_POSTGIS:
        yield f"sqlite:///{tmp_path / 'ward.sqlite'}"
        return
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"inspect_install_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGIS_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(POSTGIS_URL).set(database=name)
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("CREATE EXTENSION postgis"))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
