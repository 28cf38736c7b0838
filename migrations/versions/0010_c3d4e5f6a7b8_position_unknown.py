"""A case may be reported with its position unknown (no GPS, no pin placed): violations.position may be NULL.

SQLite cannot drop a NOT NULL in place, and a table rebuild (batch mode) breaks spatial tables
(docs/STACK-NOTES). Removing a NOT NULL changes nothing stored, so SQLite's documented simpler
procedure is used: the table's CREATE statement is edited in sqlite_schema and the schema version
raised, in one transaction (https://www.sqlite.org/lang_altertable.html, "otheralter").

Revision ID: c3d4e5f6a7b8
Revises: b1c2d3e4f5a6
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None

NOT_NULL = "position GEOMETRY NOT NULL,"
NULLABLE = "position GEOMETRY,"


def _edit_sqlite_definition(conn, old, new):
    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'violations'")).scalar()
    if old not in sql:
        raise RuntimeError(f"violations table definition does not contain {old!r}")
    version = conn.execute(text("PRAGMA schema_version")).scalar()
    conn.execute(text("PRAGMA writable_schema = ON"))
    conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'violations'"),
                 {"sql": sql.replace(old, new)})
    conn.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(text("PRAGMA writable_schema = OFF"))
    problems = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"integrity check after editing violations: {problems}")


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _edit_sqlite_definition(conn, NOT_NULL, NULLABLE)
    else:
        op.alter_column("violations", "position", nullable=True)


def downgrade():
    conn = op.get_bind()
    unknown = conn.execute(text("SELECT code FROM violations WHERE position IS NULL ORDER BY code")).scalars().all()
    if unknown:
        # The older schema cannot hold them, and inventing a position would make the record wrong.
        raise RuntimeError("Place these cases on the map before downgrading: " + ", ".join(unknown))
    if conn.dialect.name == "sqlite":
        _edit_sqlite_definition(conn, NULLABLE, NOT_NULL)
    else:
        op.alter_column("violations", "position", nullable=False)
