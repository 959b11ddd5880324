"""the working description: on each session, and per round the suggested and accepted edits and the diff

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = "0010"
branch_labels = None
depends_on = None

_ROUND_COLUMNS = ('working', 'suggestions', 'accepted_edits', 'working_diff')


def upgrade() -> None:
    with op.batch_alter_table('sketch_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working', sa.JSON(), nullable=True))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        for name in _ROUND_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        for name in reversed(_ROUND_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('sketch_sessions', schema=None) as batch_op:
        batch_op.drop_column('working')
