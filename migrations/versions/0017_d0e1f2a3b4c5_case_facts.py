"""The facts a document needs (owner's ID number and address, plot and map sheet, kind and state of
the works, permit), and the changes a case step made to them.

Revision ID: d0e1f2a3b4c5
Revises: c9d0e1f2a3b4
Create Date: 2026-11-30 17:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0e1f2a3b4c5'
down_revision = 'c9d0e1f2a3b4'
branch_labels = None
depends_on = None

TEXT_FACTS = (('owner_id_number', 20), ('owner_address', 300), ('plot_number', 20), ('map_sheet', 20),
              ('works_kind', 100), ('works_state', 20), ('permit_number', 60))


def upgrade():
    # add_column, never batch_alter_table: rebuilding violations would drop its SpatiaLite geometry
    # registration (STACK-NOTES).
    for name, length in TEXT_FACTS:
        op.add_column('violations', sa.Column(name, sa.String(length=length), server_default='', nullable=False))
    op.add_column('violations', sa.Column('permit_date', sa.Date(), nullable=True))
    op.add_column('case_events', sa.Column('changes', sa.Text(), server_default='', nullable=False))


def downgrade():
    op.drop_column('case_events', 'changes')
    op.drop_column('violations', 'permit_date')
    for name, _ in reversed(TEXT_FACTS):
        op.drop_column('violations', name)
