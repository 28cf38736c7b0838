"""Whether the app may serve: its database is the kind the configuration expects and is migrated to
the code's newest migration. Without this, a service started without DATABASE_URL quietly created an
empty SQLite file and /healthz said "ok" while every page failed (issue 21)."""
import functools

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..domain.errors import N_, InvalidInput
from ..domain.geo.spatial import database_kind


@functools.lru_cache(maxsize=4)
def code_heads(migrations_dir):
    """The newest migration(s) the code knows (read once per process: the code does not change under it)."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return set(ScriptDirectory.from_config(config).get_heads())


def database_revisions(session):
    """The migration(s) the database is at (empty when it was never migrated)."""
    try:
        return set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        session.rollback()  # PostgreSQL: the failed statement aborted the transaction
        return set()


def problems(session, migrations_dir, expected_kind=None):
    """[InvalidInput] saying why the app is not ready (empty: ready)."""
    found = []
    kind = database_kind(session)
    if expected_kind and kind != expected_kind:
        found.append(InvalidInput(
            N_("The database is %(kind)s but the configuration expects %(expected)s: is DATABASE_URL set for this "
               "service (instance/config.py)?"), kind=kind, expected=expected_kind))
    at, heads = database_revisions(session), code_heads(migrations_dir)
    if at != heads:
        found.append(InvalidInput(
            N_("The database is at migration %(at)s, the code needs %(heads)s: run “flask db upgrade”."),
            at=", ".join(sorted(at)) or "–", heads=", ".join(sorted(heads))))
    return found
