"""Journalists' own preferences (muted regions, beats, languages) and the record of each
unsubscribe or change of preferences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact_preference',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('muted_regions', sa.JSON(), nullable=False),
    sa.Column('muted_beats', sa.JSON(), nullable=False),
    sa.Column('muted_languages', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id')
    )
    op.create_table('preference_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('unsubscribe', 'narrow', name='preference_action', native_enum=False, length=32), nullable=False),
    sa.Column('channel', sa.Enum('one_click', 'web', 'mailto', name='preference_channel', native_enum=False, length=32), nullable=False),
    sa.Column('muted_regions', sa.JSON(), nullable=False),
    sa.Column('muted_beats', sa.JSON(), nullable=False),
    sa.Column('muted_languages', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('preference_change', schema=None) as batch_op:
        batch_op.create_index('ix_preference_change_contact', ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('preference_change', schema=None) as batch_op:
        batch_op.drop_index('ix_preference_change_contact')

    op.drop_table('preference_change')
    op.drop_table('contact_preference')