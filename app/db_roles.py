"""The Postgres role the API and workers run as: not the tables' owner, so the audit
tables' read-and-insert-only privileges (migrations 0007, 0010) bind it, and it can
neither drop their triggers nor alter the schema. `likeness migrate`, run as the owner,
creates or updates it and grants what the application needs after every upgrade.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("audit_events", "audit_signed_heads")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleSettingError(ValueError):
    pass


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def grant_app_role(database_url: str, role: str, password: str | None) -> None:
    """Idempotent: creates the login role if missing (or resets its password), then grants."""
    if not ROLE_NAME.fullmatch(role):
        raise RoleSettingError(f"LIKENESS_DB_APP_ROLE={role!r}: use lower-case letters, digits and _")
    engine = sa.create_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            return  # SQLite has no roles: the embedded default relies on its triggers
        with engine.begin() as connection:
            owner = connection.scalar(sa.text("SELECT current_user"))
            if owner == role:
                raise RoleSettingError(f"LIKENESS_DB_APP_ROLE={role}: that is the owner migrations run as; "
                                       "name another role")
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
            secret = f" PASSWORD {_literal(password)}" if password else ""
            verb = "ALTER" if exists else "CREATE"
            connection.execute(sa.text(f"{verb} ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE{secret}"))
            database = connection.scalar(sa.text("SELECT current_database()"))
            for statement in _grants(role, '"' + str(database).replace('"', '""') + '"'):
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def _grants(role: str, database: str) -> list[str]:
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # The append-only tables: read and insert, nothing else, whatever was granted above.
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}" for table in APPEND_ONLY_TABLES),
        # The schema version is the migrations' business: the app only reads it.
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
    ]
