"""Ward settings (days off, deadline rules) and the log of administrators' changes.

Revision ID: d8a4f0b6c2e1
Revises: c5e1d2a9f3b7
Create Date: 2026-11-27 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8a4f0b6c2e1'
down_revision = 'c5e1d2a9f3b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_admin_events_recorded_at'), 'admin_events', ['recorded_at'], unique=False)
    # wards has a geometry column: plain ADD COLUMN, never a batch rebuild (see STACK-NOTES).
    op.add_column('wards', sa.Column('days_off', sa.Text(), server_default='[]', nullable=False))
    op.add_column('wards', sa.Column('deadline_rules', sa.Text(), server_default='{}', nullable=False))


def downgrade():
    # SQLite ≥ 3.35 drops a column in place, without rebuilding the spatial table.
    op.drop_column('wards', 'deadline_rules')
    op.drop_column('wards', 'days_off')
    op.drop_index(op.f('ix_admin_events_recorded_at'), table_name='admin_events')
    op.drop_table('admin_events')
