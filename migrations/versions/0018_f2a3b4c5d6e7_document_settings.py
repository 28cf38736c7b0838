"""What the weekly list prints besides its rows (Nghị định 30/2020): title, annex line, number, the
signer's full name and the recipients, kept on the ward as JSON text.

Revision ID: f2a3b4c5d6e7
Revises: d0e1f2a3b4c5
Create Date: 2026-11-30 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a3b4c5d6e7'
down_revision = 'd0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('wards', sa.Column('document_settings', sa.Text(), server_default='{}', nullable=False))


def downgrade():
    op.drop_column('wards', 'document_settings')
