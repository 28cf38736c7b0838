"""Routes can be retired: hidden from the start page, kept for the history of old patrols.

A plain ADD COLUMN (no table rebuild), so the spatial table routes keeps its registration and index.

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-30 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('routes', sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('routes', 'retired_at')
