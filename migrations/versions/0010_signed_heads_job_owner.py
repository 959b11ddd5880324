"""signed audit chain heads; who queued each job; audit list by actor

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01

audit_signed_heads is append-only like audit_events (triggers refuse UPDATE, DELETE and
TRUNCATE; on Postgres other roles may only read and insert). jobs.created_by lets the
queue caps count one user's jobs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_signed_heads is append-only: UPDATE, DELETE and TRUNCATE are refused"


def _protect() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_signed_heads_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""")
        op.execute("CREATE TRIGGER audit_signed_heads_no_change BEFORE UPDATE OR DELETE ON audit_signed_heads "
                   "FOR EACH ROW EXECUTE FUNCTION audit_signed_heads_refuse()")
        op.execute("CREATE TRIGGER audit_signed_heads_no_truncate BEFORE TRUNCATE ON audit_signed_heads "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_signed_heads_refuse()")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_signed_heads FROM PUBLIC")
        op.execute("GRANT SELECT, INSERT ON audit_signed_heads TO PUBLIC")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_signed_heads_no_{verb.lower()} BEFORE {verb} ON audit_signed_heads "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def upgrade() -> None:
    op.create_table(
        "audit_signed_heads",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_signed_heads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_signed_heads_seq"), ["seq"], unique=False)
    _protect()
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_created_by"), ["created_by"], unique=False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_actor"), ["actor"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_actor"))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_created_by"))
        batch_op.drop_column("created_by")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_signed_heads_no_truncate ON audit_signed_heads")
        op.execute("DROP TRIGGER audit_signed_heads_no_change ON audit_signed_heads")
        op.execute("DROP FUNCTION audit_signed_heads_refuse()")
    op.drop_table("audit_signed_heads")
