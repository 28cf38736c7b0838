"""Search cases without diacritics: violations.search_text (code, owner, phone, address, khu vực and
description, folded: lower case, no diacritics, đ as d) and a full-text index on it, SQLite FTS5 (an
external-content table kept in step by triggers) or PostgreSQL (a GIN index on its 'simple' tsvector).
Existing cases are folded here with the rule of domain/cases/case_search.py as it stood at this revision.

Revision ID: d4e5f6a7b8ca
Revises: c3d4e5f6a7b9
Create Date: 2026-12-01 01:00:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8ca'
down_revision = 'c3d4e5f6a7b9'
branch_labels = None
depends_on = None

_WORD = re.compile(r"[0-9a-z]+")
SQLITE_INDEX = (
    # prefix='1 2 3': a word being typed ("3", "ng", "ngu") is looked up directly, not by merging every word it starts.
    "CREATE VIRTUAL TABLE violations_search USING fts5(search_text, content='violations', content_rowid='id', "
    "prefix='1 2 3')",
    "CREATE TRIGGER violations_search_insert AFTER INSERT ON violations BEGIN "
    "INSERT INTO violations_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER violations_search_delete AFTER DELETE ON violations BEGIN "
    "INSERT INTO violations_search(violations_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER violations_search_update AFTER UPDATE OF search_text ON violations BEGIN "
    "INSERT INTO violations_search(violations_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO violations_search(rowid, search_text) VALUES (new.id, new.search_text); END",
)


def _fold(text):
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain.lower()))


def _search_text(row):
    code = _fold(row.code).split()
    if code and code[-1].isdigit():
        code.append(str(int(code[-1])))
    groups = _fold(row.owner_phone).split()
    joined = "".join(groups)
    phone = groups + ([joined] if len(groups) > 1 else [])
    if joined.startswith("84") and (row.owner_phone or "").lstrip().startswith("+"):
        phone += (["0" + groups[1]] + groups[2:] if groups[0] == "84" and len(groups) > 1 else []) + ["0" + joined[2:]]
    parts = [" ".join(code), _fold(row.owner_name), " ".join(dict.fromkeys(phone)), _fold(row.address),
             _fold(row.khu_vuc), _fold(row.description)]
    return " ".join(part for part in parts if part)


def upgrade():
    # add_column, never batch_alter_table: rebuilding violations would drop its SpatiaLite geometry
    # registration (STACK-NOTES).
    op.add_column('violations', sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, code, owner_name, owner_phone, address, khu_vuc, description FROM violations")).all()
    for row in rows:
        bind.execute(sa.text("UPDATE violations SET search_text = :text WHERE id = :id"),
                     {"text": _search_text(row), "id": row.id})
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_INDEX:
            bind.execute(sa.text(statement))
        bind.execute(sa.text("INSERT INTO violations_search(violations_search) VALUES ('rebuild')"))
    else:
        bind.execute(sa.text("CREATE INDEX ix_violations_search ON violations "
                             "USING gin (to_tsvector('simple', search_text))"))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("violations_search_insert", "violations_search_delete", "violations_search_update"):
            bind.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        bind.execute(sa.text("DROP TABLE IF EXISTS violations_search"))
    else:
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_violations_search"))
    op.drop_column('violations', 'search_text')
