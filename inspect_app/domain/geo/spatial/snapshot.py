"""Consistent copies of the database while the app runs, and putting one back: SQLite's online
backup API for SpatiaLite, pg_dump / pg_restore for PostGIS. Part of the one package that knows
the two databases apart."""
import contextlib
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ...errors import N_, InvalidInput
from .engine import SPATIALITE, engine_options, install_connection_hooks, kind_of_url

SQLITE_FILE = "database.sqlite"
DRILL_TEMPLATE = "inspect_template"   # a database with PostGIS that a role with CREATEDB may copy
POSTGRES_FILE = "database.pgdump"


def dump(engine: Engine, folder: str | Path) -> str:
    """Write a consistent copy of the database into folder; returns the file name."""
    folder = Path(folder)
    if kind_of_url(engine.url) == SPATIALITE:
        target = folder / SQLITE_FILE
        dbapi: Any = engine.dialect.dbapi
        raw = engine.raw_connection()
        try:
            destination = dbapi.connect(str(target))
            try:
                raw.driver_connection.backup(destination)  # type: ignore[union-attr]  # pages copied under SQLite's own locking
            finally:
                destination.close()
        finally:
            raw.close()
        return target.name
    target = folder / POSTGRES_FILE
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", _libpq_url(engine.url)],
         engine.url.password)
    return target.name


def restore(engine: Engine, folder: str | Path) -> None:
    """Put the copy in folder back in place of the database's content."""
    folder = Path(folder)
    if kind_of_url(engine.url) == SPATIALITE:
        source = folder / SQLITE_FILE
        if not source.is_file():
            raise InvalidInput(N_("This folder holds no SQLite backup (%(name)s)."), name=SQLITE_FILE)
        engine.dispose()
        dbapi: Any = engine.dialect.dbapi
        origin = dbapi.connect(str(source))
        raw = engine.raw_connection()
        try:
            origin.backup(raw.driver_connection)
        finally:
            raw.close()
            origin.close()
        engine.dispose()
        return
    source = folder / POSTGRES_FILE
    if not source.is_file():
        raise InvalidInput(N_("This folder holds no PostgreSQL backup (%(name)s)."), name=POSTGRES_FILE)
    _require_postgis(engine)
    engine.dispose()
    # Restored by the app's own role: the PostGIS extension (a superuser's, made once at installation)
    # and its reference table are left as they are, and every restored table belongs to the role that
    # restores it (--no-owner), so the app can use them.
    listing = _run(["pg_restore", "--list", str(source)])
    kept = [line for line in listing.splitlines() if not _belongs_to_the_extension(line)]
    with tempfile.TemporaryDirectory() as scratch:
        items = Path(scratch) / "restore-list.txt"
        items.write_text("\n".join(kept) + "\n", encoding="utf-8")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              f"--use-list={items}", f"--dbname={_libpq_url(engine.url)}", str(source)], engine.url.password)


def _belongs_to_the_extension(line):
    """A pg_restore list line of the PostGIS extension itself or its spatial_ref_sys table."""
    return " EXTENSION " in line or " spatial_ref_sys " in line


def _require_postgis(engine):
    """The target database has PostGIS already (only a superuser may create it): say the command if not."""
    with engine.connect() as connection:
        present = connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    if present is None:
        raise InvalidInput(N_("The database %(name)s has no PostGIS yet: run once as the postgres user "
                              "“psql -d %(name)s -c 'CREATE EXTENSION postgis'”, then restore again."),
                           name=engine.url.database)


def _libpq_url(url):
    """The SQLAlchemy URL as libpq takes it (no '+psycopg' driver part, and no password: _run passes it in
    the environment, where other users of the machine cannot read it as they can a command line)."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command, password=None):
    env = dict(os.environ, **({"PGPASSWORD": password} if password else {}))
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise InvalidInput(N_("%(program)s failed: %(detail)s"), program=command[0], detail=result.stderr.strip()[-500:])
    return result.stdout


@contextlib.contextmanager
def scratch_database(url: str) -> Iterator[Engine]:
    """A new, empty database of the same kind as url's, for a restore drill; dropped afterwards.
    PostgreSQL: made by url's role (it needs CREATEDB) with PostGIS (a superuser's, or a trusted one)."""
    if kind_of_url(url) == SPATIALITE:
        with tempfile.TemporaryDirectory() as folder:
            scratch_url = f"sqlite:///{Path(folder) / 'drill.sqlite'}"
            engine = create_engine(scratch_url, **engine_options(scratch_url))
            install_connection_hooks(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"{make_url(url).database}_drill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            # The installer's template has PostGIS already (only a superuser may create it); without
            # one, a superuser's role creates the extension itself.
            template = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :t AND datistemplate"),
                                          {"t": DRILL_TEMPLATE}).first()
            connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{DRILL_TEMPLATE}"' if template else "")))
    except SQLAlchemyError as exc:
        admin.dispose()
        raise InvalidInput(N_("The drill could not create a scratch database (%(detail)s): give the app's role "
                              "CREATEDB (as postgres: “ALTER ROLE %(role)s CREATEDB”)."),
                           detail=str(getattr(exc, "orig", exc)).strip()[:200], role=make_url(url).username or "?") from exc
    engine = create_engine(make_url(url).set(database=name), isolation_level="AUTOCOMMIT")
    try:
        try:
            with engine.connect() as connection:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        except SQLAlchemyError as exc:
            raise InvalidInput(N_("The drill's scratch database has no PostGIS and this role may not create it: as "
                                  "postgres, make the template once (scripts/install.sh does): “createdb -T template0 "
                                  "%(template)s && psql -d %(template)s -c 'CREATE EXTENSION postgis' && psql -c "
                                  "\"UPDATE pg_database SET datistemplate = true WHERE datname = '%(template)s'\"”."),
                               template=DRILL_TEMPLATE) from exc
        engine.dispose()
        engine = create_engine(make_url(url).set(database=name))
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
