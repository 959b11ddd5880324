"""audit trail privileges on Postgres

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

The triggers refuse UPDATE, DELETE and TRUNCATE for everyone; privileges say the
same for every role that is not the table's owner, so an application role created
for the API and workers (README, Deployment) can only INSERT and SELECT.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM PUBLIC")
        op.execute("GRANT SELECT, INSERT ON audit_events TO PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("REVOKE SELECT, INSERT ON audit_events FROM PUBLIC")
