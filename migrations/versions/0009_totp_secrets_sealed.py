"""totp secrets encrypted at rest, and a pending secret while the factor is changed

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01

Secrets stored in plain text are sealed with the key beside the signing key
(app/users/secret_box.py); the key is created only if there is something to seal.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

_users = sa.table("users", sa.column("id", sa.Uuid), sa.column("totp_secret", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
        batch_op.add_column(sa.Column("totp_pending_secret", sa.String(length=255), nullable=True))
    bind = op.get_bind()
    plain = [(row.id, row.totp_secret) for row in bind.execute(sa.select(_users.c.id, _users.c.totp_secret))
             if row.totp_secret and not row.totp_secret.startswith("fernet:")]
    if plain:
        from app.users import secret_box

        for user_id, secret in plain:
            bind.execute(_users.update().where(_users.c.id == user_id).values(totp_secret=secret_box.seal(secret)))


def downgrade() -> None:
    bind = op.get_bind()
    sealed = [(row.id, row.totp_secret) for row in bind.execute(sa.select(_users.c.id, _users.c.totp_secret))
              if row.totp_secret and row.totp_secret.startswith("fernet:")]
    if sealed:
        from app.users import secret_box

        for user_id, secret in sealed:
            bind.execute(_users.update().where(_users.c.id == user_id).values(totp_secret=secret_box.unseal(secret)))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_pending_secret")
        batch_op.alter_column("totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
