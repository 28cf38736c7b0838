"""The ward's document register: numbered documents per kind and year (decisions get their number
from it at signing; records keep the number written in the field, checked against it).

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-11-30 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9d0e1f2a3b4'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_register',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=60), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=True),
        sa.Column('dated', sa.Date(), nullable=False),
        sa.Column('violation_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('signer_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['violation_id'], ['violations.id']),
        sa.ForeignKeyConstraint(['event_id'], ['case_events.id']),
        sa.ForeignKeyConstraint(['signer_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'year', 'number', name='uq_document_register_number'),
    )
    op.create_index('ix_document_register_violation_id', 'document_register', ['violation_id'])
    op.create_table(
        'document_counters',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'year'),
    )


def downgrade():
    op.drop_table('document_counters')
    op.drop_index('ix_document_register_violation_id', table_name='document_register')
    op.drop_table('document_register')
