"""Officer in charge: reassignment events name the new officer; photos get an unguessable public id.

Revision ID: e1f2a3b4c5d6
Revises: d8a4f0b6c2e1
Create Date: 2026-11-30 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = 'd8a4f0b6c2e1'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; alembic would ask for a batch rebuild of
        # case_events, which photos refer to.
        op.execute("ALTER TABLE case_events ADD COLUMN officer_id INTEGER REFERENCES users (id)")
    else:
        op.add_column('case_events', sa.Column('officer_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_case_events_officer_id_users', 'case_events', 'users', ['officer_id'], ['id'])
    op.add_column('photos', sa.Column('public_id', sa.String(length=32), nullable=True))
    # Existing photos keep a random id they already had: the 32 hex digits of their stored name.
    op.execute("UPDATE photos SET public_id = substr(stored_name, 4, 32)")
    op.create_index(op.f('ix_photos_public_id'), 'photos', ['public_id'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_photos_public_id'), table_name='photos')
    op.drop_column('photos', 'public_id')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('fk_case_events_officer_id_users', 'case_events', type_='foreignkey')
    op.drop_column('case_events', 'officer_id')
