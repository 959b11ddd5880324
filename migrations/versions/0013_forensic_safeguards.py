"""forensic safeguards: perceptual hashes, photographic flag, exposure reasons, approval
statement and confidence, cross-witness releases, face-recognition export consent

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-01 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('release_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('released_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('released_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photographic', sa.Boolean(), nullable=True))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exposure_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('sketch_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_statement', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('approval_confidence', sa.Integer(), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('face_recognition_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('face_recognition_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('face_recognition_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('face_recognition_at')
        batch_op.drop_column('face_recognition_by')
        batch_op.drop_column('face_recognition_reason')
    with op.batch_alter_table('sketch_sessions', schema=None) as batch_op:
        batch_op.drop_column('approval_confidence')
        batch_op.drop_column('approval_statement')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('exposure_reason')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('photographic')
    with op.batch_alter_table('images', schema=None) as batch_op:
        batch_op.drop_column('released_at')
        batch_op.drop_column('released_by')
        batch_op.drop_column('release_reason')
        batch_op.drop_column('phash')
