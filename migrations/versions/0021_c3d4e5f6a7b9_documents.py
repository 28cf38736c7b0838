"""The official documents: Word templates the office uploads (each kept, the newest in use) and the log
of every document and dossier the app produced (template version, SHA-256, who, when).

Revision ID: c3d4e5f6a7b9
Revises: b2c3d4e5f6a8
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b9'
down_revision = 'b2c3d4e5f6a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_templates_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_templates')),
    )
    op.create_index(op.f('ix_document_templates_kind'), 'document_templates', ['kind'], unique=False)
    op.create_table(
        'generated_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('violation_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('file_format', sa.String(length=8), nullable=False),
        sa.Column('template_version', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('with_blanks', sa.Boolean(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['case_events.id'], name=op.f('fk_generated_documents_event_id_case_events')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_generated_documents_user_id_users')),
        sa.ForeignKeyConstraint(['violation_id'], ['violations.id'],
                                name=op.f('fk_generated_documents_violation_id_violations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_documents')),
    )
    op.create_index(op.f('ix_generated_documents_violation_id'), 'generated_documents', ['violation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_generated_documents_violation_id'), table_name='generated_documents')
    op.drop_table('generated_documents')
    op.drop_index(op.f('ix_document_templates_kind'), table_name='document_templates')
    op.drop_table('document_templates')
