"""Constraints named by the metadata's convention on databases made before it (PostgreSQL).

Since issue 17 the models' metadata names what migrations create (extensions.NAMING_CONVENTION), and
Alembic applies that convention when migrations 0001–0019 run: a database made now has `pk_patrols`,
`uq_patrols_client_uuid`, `fk_patrols_inspector_id_users`; one made before has PostgreSQL's own
`patrols_pkey`, `patrols_client_uuid_key`, `patrols_inspector_id_fkey`. This renames the latter so that
every PostgreSQL installation has the same names and a later migration can drop a constraint by name.

SQLite keeps the primary and unique keys of the older tables unnamed: it changes constraints only by
rebuilding a table, which does not need their names.

Revision ID: b2c3d4e5f6a8
Revises: a1b2c3d4e5f7
Create Date: 2026-11-30 21:40:00

"""
from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = 'b2c3d4e5f6a8'
down_revision = 'a1b2c3d4e5f7'
branch_labels = None
depends_on = None

# The app's tables (frozen here: a later table is made with the convention already).
TABLES = ("admin_events", "case_anchors", "case_counters", "case_events", "document_counters", "document_register",
          "login_attempts", "login_sessions", "patrols", "photos", "routes", "track_points", "users", "violations",
          "visits", "wards")

# Named explicitly by migrations 0001–0019 (with names the convention would also give): never renamed.
EXPLICIT = {"fk_case_events_officer_id_users", "fk_photos_event_id_case_events", "uq_case_anchors_seq",
            "uq_case_events_seq", "uq_document_register_number", "uq_track_points_patrol_time", "uq_violations_code"}

_CONSTRAINTS = text("""
    SELECT rel.relname AS table_name, con.conname AS name, con.contype AS kind, ref.relname AS referred,
           ARRAY(SELECT att.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(num, pos)
                 JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.num
                 ORDER BY k.pos) AS columns
    FROM pg_constraint con
    JOIN pg_class rel ON rel.oid = con.conrelid
    JOIN pg_namespace ns ON ns.oid = rel.relnamespace
    LEFT JOIN pg_class ref ON ref.oid = con.confrelid
    WHERE ns.nspname = current_schema() AND con.contype IN ('p', 'u', 'f') AND rel.relname = ANY(:tables)
    ORDER BY rel.relname, con.conname
""")


def _names(row):
    """(PostgreSQL's default name, the convention's name) of a constraint."""
    columns = list(row.columns)
    if row.kind == "p":
        return f"{row.table_name}_pkey", f"pk_{row.table_name}"
    if row.kind == "u":
        return f"{row.table_name}_{'_'.join(columns)}_key", f"uq_{row.table_name}_{'_'.join(columns)}"
    return f"{row.table_name}_{columns[0]}_fkey", f"fk_{row.table_name}_{columns[0]}_{row.referred}"


def _rename(to_convention):
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    for row in conn.execute(_CONSTRAINTS, {"tables": list(TABLES)}).all():
        default, conventional = _names(row)
        old, new = (default, conventional) if to_convention else (conventional, default)
        if row.name == old and row.name not in EXPLICIT:
            conn.execute(text(f'ALTER TABLE "{row.table_name}" RENAME CONSTRAINT "{old}" TO "{new}"'))


def upgrade():
    _rename(to_convention=True)


def downgrade():
    _rename(to_convention=False)
