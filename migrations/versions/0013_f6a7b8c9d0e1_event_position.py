"""A case reported with its position unknown is placed later by a case event that carries the
position (longitude, latitude as entered), so that who placed it, when and where stays in its history.

A plain ADD COLUMN (no table rebuild).

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-11-30 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6a7b8c9d0e1'
down_revision = 'e5f6a7b8c9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case_events', sa.Column('lon', sa.Float(), nullable=True))
    op.add_column('case_events', sa.Column('lat', sa.Float(), nullable=True))


def downgrade():
    op.drop_column('case_events', 'lat')
    op.drop_column('case_events', 'lon')
