"""Database connections: SpatiaLite loading for SQLite, nothing special for PostGIS.

Only this package knows which spatial database is in use (see docs/ARCHITECTURE.md).
"""
import contextvars
import importlib
import os
import sqlite3
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

SPATIALITE = "spatialite"
POSTGIS = "postgis"

# SQLite lets many read but one write. A transaction that reads first and writes later can
# fail at once (SQLITE_BUSY_SNAPSHOT) when another writer got in between, without waiting.
# Requests that will write therefore take the write lock when they begin (BEGIN IMMEDIATE)
# and queue behind each other for up to busy_timeout instead of failing.
_writes_expected = contextvars.ContextVar("writes_expected", default=False)


def expect_writes(flag: bool = True) -> contextvars.Token:
    """Declare that the transactions started from now on (this thread/context) will write."""
    return _writes_expected.set(flag)


def reset_expect_writes(token: contextvars.Token) -> None:
    """Undo expect_writes()."""
    _writes_expected.reset(token)


def kind_of_url(url: Any) -> str:
    """'spatialite' or 'postgis' for a database URL; anything else is refused."""
    backend = make_url(str(url)).get_backend_name()
    if backend == "sqlite":
        return SPATIALITE
    if backend == "postgresql":
        return POSTGIS
    raise ValueError(f"unsupported database {backend!r}: use SQLite (SpatiaLite) or PostgreSQL (PostGIS)")


def stdlib_sqlite_loads_extensions() -> bool:
    """True when this interpreter's sqlite3 module can load extensions."""
    return hasattr(sqlite3.Connection, "enable_load_extension")


def engine_options(url: Any, pool_size: int = 10, max_overflow: int = 10, busy_timeout_s: float = 30) -> dict[str, Any]:
    """Extra create_engine() options for the database at url (PostgreSQL: a connection pool per process).

    busy_timeout_s: how long a statement waits for a lock another transaction holds before the
    database gives up (then the app answers 503 with Retry-After, see errors.py).
    """
    if kind_of_url(url) != SPATIALITE:
        return {"pool_pre_ping": True, "pool_size": pool_size, "max_overflow": max_overflow, "pool_recycle": 1800,
                "pool_timeout": 30, "connect_args": {"options": f"-c lock_timeout={int(busy_timeout_s * 1000)}"}}
    options: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_s}}  # sqlite3's busy handler waits this long
    if not stdlib_sqlite_loads_extensions():
        # pyenv-style builds lack extension loading; pysqlite3-binary has it
        # (scripts/bootstrap.sh installs it on such machines).
        try:
            options["module"] = importlib.import_module("pysqlite3.dbapi2")
        except ImportError as exc:
            raise RuntimeError(
                "This Python's sqlite3 cannot load SpatiaLite and pysqlite3-binary is not "
                "installed: run `make setup` or use a Python built with extension loading."
            ) from exc
    return options


# What a database says when another transaction held a lock for longer than we wait for it.
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy",  # SQLite
                  "lock timeout", "could not obtain lock", "deadlock detected")           # PostgreSQL


def is_busy_error(error: BaseException) -> bool:
    """True when an OperationalError means 'the database is busy' rather than a fault."""
    return any(text in str(getattr(error, "orig", error)).lower() for text in _BUSY_MESSAGES)


def is_disk_full_error(error: BaseException) -> bool:
    """True when an OperationalError means the database's disk is full."""
    text = str(getattr(error, "orig", error)).lower()
    return "database or disk is full" in text or "no space left on device" in text


def install_connection_hooks(engine: Engine) -> None:
    """Load SpatiaLite into every new SQLite connection; no-op for PostGIS."""
    if kind_of_url(engine.url) != SPATIALITE:
        return
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


def _on_sqlite_begin(connection):
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes_expected.get() else "BEGIN")


def _on_sqlite_connect(dbapi_conn, _record):
    # Deliberately no isinstance(sqlite3.Connection) test: pysqlite3 connections must pass.
    library = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    dbapi_conn.enable_load_extension(True)
    try:
        dbapi_conn.load_extension(library)
    finally:
        dbapi_conn.enable_load_extension(False)
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] == 0:
            # WGS84 mode: 0.03 s instead of 10 s for every EPSG code; VN-2000 added by hand.
            cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
            cursor.execute("SELECT InsertEpsgSrid(3405)")
            dbapi_conn.commit()
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()
    # The driver must not open transactions on its own: _on_sqlite_begin does it.
    dbapi_conn.isolation_level = None
