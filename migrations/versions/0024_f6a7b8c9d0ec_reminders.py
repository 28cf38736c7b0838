"""The morning reminders by e-mail: each user's address and opt-out, and one row per user and day sent (or
failed), so that a day is never sent twice; until when each user has read the news on their cases.

Revision ID: f6a7b8c9d0ec
Revises: e5f6a7b8c9db
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6a7b8c9d0ec'
down_revision = 'e5f6a7b8c9db'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('email_reminders', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('users', sa.Column('news_seen_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'reminder_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('sent', 'failed', 'sending')", name=op.f('ck_reminder_sends_status')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_sends_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sends')),
        sa.UniqueConstraint('user_id', 'day', name=op.f('uq_reminder_sends_user_id_day')),
    )
    op.create_index(op.f('ix_reminder_sends_user_id'), 'reminder_sends', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reminder_sends_user_id'), table_name='reminder_sends')
    op.drop_table('reminder_sends')
    op.drop_column('users', 'news_seen_at')
    op.drop_column('users', 'email_reminders')
    op.drop_column('users', 'email')
