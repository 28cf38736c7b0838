"""Several clocks per case: each history entry says which clock it started or moved (rule, last day,
legal basis), and the case keeps the last day of its limitation period.

Plain ADD COLUMNs. Cases and entries recorded before keep empty values: their clocks are read from
the due fields as they were written (see domain/clocks.py `clock_of`), and they have no limitation
clock (computing one now would change sealed rows).

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-11-30 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case_events', sa.Column('clock_rule', sa.String(length=40), server_default='', nullable=False))
    op.add_column('case_events', sa.Column('clock_due', sa.Date(), nullable=True))
    op.add_column('case_events', sa.Column('clock_citation', sa.String(length=120), server_default='', nullable=False))
    op.add_column('violations', sa.Column('limitation_due', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('violations', 'limitation_due')
    op.drop_column('case_events', 'clock_citation')
    op.drop_column('case_events', 'clock_due')
    op.drop_column('case_events', 'clock_rule')
