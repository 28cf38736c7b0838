"""The ward's calendar beyond its days off: make-up working days, package holidays the office
removed, the years whose holiday list the office confirmed; and the start of a case's deadline
period (to say "dự kiến" when it runs over days not confirmed yet).

Plain ADD COLUMNs (no table rebuild): wards is a spatial table and keeps its registration.

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-11-30 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    for name in ('workdays', 'holidays_not_off', 'holidays_confirmed'):
        op.add_column('wards', sa.Column(name, sa.Text(), server_default='[]', nullable=False))
    op.add_column('violations', sa.Column('due_start', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('violations', 'due_start')
    for name in ('holidays_confirmed', 'holidays_not_off', 'workdays'):
        op.drop_column('wards', name)
