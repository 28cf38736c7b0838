"""Case anchors: keyed seals of each case's history head and row after every write.

Revision ID: f7a8b9c0d1e2
Revises: e1f2a3b4c5d6
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7a8b9c0d1e2'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_anchors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('events_count', sa.Integer(), nullable=False),
    sa.Column('chain_head', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('prev_mac', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('violation_id', 'seq', name='uq_case_anchors_seq')
    )
    op.create_index(op.f('ix_case_anchors_violation_id'), 'case_anchors', ['violation_id'], unique=False)
    # Cases stored before this revision are sealed by `flask audit seal-unsealed` (docs/DEPLOY.md).


def downgrade():
    op.drop_index(op.f('ix_case_anchors_violation_id'), table_name='case_anchors')
    op.drop_table('case_anchors')
