"""Photos say where their time and place come from: the file received, or the phone (read from the
original before downscaling, which drops EXIF).

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-30 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('photos', sa.Column('exif_source', sa.String(length=8), server_default='', nullable=False))
    # Facts already stored came from the files themselves.
    op.execute("UPDATE photos SET exif_source = 'file' WHERE taken_at IS NOT NULL OR exif_lon IS NOT NULL")


def downgrade():
    op.drop_column('photos', 'exif_source')
