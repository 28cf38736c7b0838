"""The database keeps the vocabularies too: a case's stage, and the stages an entry of its history moves
between, are among the five stages (models/vocabulary.py; roles, entry kinds, visit outcomes and patrol
statuses had their constraints already).

PostgreSQL adds the constraints in place (checking every row). SQLite cannot add a constraint to a
table, and rebuilding a table with a geometry column breaks it (STACK-NOTES): its CREATE statement is
edited in sqlite_schema in one transaction, as migration 0010 does, after checking that no row
breaks the new rule (then it refuses and names them: a constraint never hides bad data).

Revision ID: a1b2c3d4e5f7
Revises: f2a3b4c5d6e7
Create Date: 2026-11-30 21:00:00

"""
from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = 'a1b2c3d4e5f7'
down_revision = 'f2a3b4c5d6e7'
branch_labels = None
depends_on = None

# Frozen here on purpose: a later change of the vocabulary needs its own migration.
STAGES = "'detected', 'warning', 'stop_work', 'enforcement', 'closed'"
CHECKS = (
    ("violations", "ck_violations_stage", f"stage IN ({STAGES})"),
    ("case_events", "ck_case_events_stage_before", f"stage_before IN ({STAGES})"),
    ("case_events", "ck_case_events_stage_after", f"stage_after IN ({STAGES})"),
)


def _refuse_rows_breaking(conn, table, name, condition):
    bad = conn.execute(text(f"SELECT id FROM {table} WHERE NOT ({condition}) ORDER BY id LIMIT 20")).scalars().all()
    if bad:
        raise RuntimeError(f"{table} rows {bad} break {name} ({condition}): correct them before upgrading")


def _sqlite_definitions(conn, edit):
    """Rewrite the CREATE statements of the tables with edit(table, sql) -> sql, in one schema change."""
    version = conn.execute(text("PRAGMA schema_version")).scalar()
    conn.execute(text("PRAGMA writable_schema = ON"))
    for table in sorted({table for table, _, _ in CHECKS}):
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}).scalar()
        conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
                     {"sql": edit(table, sql), "t": table})
    conn.execute(text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(text("PRAGMA writable_schema = OFF"))
    problems = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"integrity check after adding the constraints: {problems}")


def _clause(name, condition):
    return f", CONSTRAINT {name} CHECK ({condition})"


def upgrade():
    conn = op.get_bind()
    for table, name, condition in CHECKS:
        _refuse_rows_breaking(conn, table, name, condition)
    if conn.dialect.name != "sqlite":
        for table, name, condition in CHECKS:
            op.create_check_constraint(name, table, condition)
        return

    def add(table, sql):
        body = sql.rstrip()
        if not body.endswith(")"):
            raise RuntimeError(f"unexpected definition of {table}: {sql[-80:]!r}")
        if any(name in sql for t, name, _ in CHECKS if t == table):
            raise RuntimeError(f"{table} already has a constraint of this migration: its schema is not the one 0018 left")
        clauses = "".join(_clause(name, condition) for t, name, condition in CHECKS if t == table)
        return body[:-1].rstrip() + clauses + ")"

    _sqlite_definitions(conn, add)


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        for table, name, _ in reversed(CHECKS):
            op.drop_constraint(name, table, type_="check")
        return

    def remove(table, sql):
        for t, name, condition in CHECKS:
            if t == table:
                if _clause(name, condition) not in sql:
                    raise RuntimeError(f"{table} does not have {name} as migration 0019 wrote it: edit it by hand")
                sql = sql.replace(_clause(name, condition), "")
        return sql

    _sqlite_definitions(conn, remove)
