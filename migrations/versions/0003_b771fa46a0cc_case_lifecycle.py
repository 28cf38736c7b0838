"""Case lifecycle: the append-only event history, deadlines and versions on cases.

Revision ID: b771fa46a0cc
Revises: ab23928e7875
Create Date: 2026-11-27 00:40:27.930667

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b771fa46a0cc'
down_revision = 'ab23928e7875'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stage_before', sa.String(length=16), nullable=False),
    sa.Column('stage_after', sa.String(length=16), nullable=False),
    sa.Column('document_kind', sa.String(length=32), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('fine_vnd', sa.BigInteger(), nullable=True),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('compliance_days', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_rule', sa.String(length=40), nullable=False),
    sa.Column('due_citation', sa.String(length=120), nullable=False),
    sa.Column('answers_event_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('action', 'proposal', 'approval', 'rejection')", name='ck_case_events_kind'),
    sa.CheckConstraint('fine_vnd IS NULL OR fine_vnd >= 0', name='ck_case_events_fine'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['answers_event_id'], ['case_events.id'], ),
    sa.ForeignKeyConstraint(['violation_id'], ['violations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('violation_id', 'seq', name='uq_case_events_seq')
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_violation_id'), ['violation_id'], unique=False)

    # photos has no geometry column, so SQLite may rebuild it (batch) to add the foreign key.
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_photos_event_id_case_events', 'case_events', ['event_id'], ['id'])

    # violations has a geometry column: never batch (a rebuild breaks SpatiaLite's registration,
    # docs/ARCHITECTURE.md). Plain ADD COLUMN works on both databases.
    op.add_column('violations', sa.Column('due_date', sa.Date(), nullable=True))
    op.add_column('violations', sa.Column('due_rule', sa.String(length=40), server_default='', nullable=False))
    op.add_column('violations', sa.Column('due_citation', sa.String(length=120), server_default='', nullable=False))
    op.add_column('violations', sa.Column('outcome', sa.String(length=20), server_default='', nullable=False))
    op.add_column('violations', sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('violations', sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    for column in ('version', 'last_event_at', 'outcome', 'due_citation', 'due_rule', 'due_date'):
        op.drop_column('violations', column)

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_constraint('fk_photos_event_id_case_events', type_='foreignkey')
        batch_op.drop_column('event_id')

    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_violation_id'))

    op.drop_table('case_events')
