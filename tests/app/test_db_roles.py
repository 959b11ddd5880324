"""`likeness migrate` with LIKENESS_DB_APP_ROLE sets up the non-owner role the API and workers
use on Postgres: the app works as it, and the audit tables only take reads and inserts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import REPO, reset_caches


@pytest.fixture
def app_role(postgres_url: str) -> Iterator[str]:
    role = f"likeness_app_{secrets.token_hex(4)}"
    yield role
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP OWNED BY {role}"))
        connection.execute(sa.text(f"DROP ROLE IF EXISTS {role}"))
    engine.dispose()


def _migrate(postgres_url: str, role: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LIKENESS_DATA_DIR": str(data_dir), "LIKENESS_DATABASE_URL": postgres_url,
           "LIKENESS_DB_APP_ROLE": role, "LIKENESS_DB_APP_PASSWORD": "app-secret-1", "LIKENESS_MODEL": ""}
    return subprocess.run([sys.executable, "-m", "cli.main", "migrate"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_app_role_works_but_cannot_change_the_audit_trail(postgres_url: str, app_role: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):  # idempotent: the second run updates the role and grants again
        result = _migrate(postgres_url, app_role, tmp_path)
        assert result.returncode == 0, result.stderr
    role_url = make_url(postgres_url).set(username=app_role, password="app-secret-1").render_as_string(False)
    monkeypatch.setenv("LIKENESS_DATABASE_URL", role_url)
    monkeypatch.setenv("LIKENESS_DATA_DIR", str(tmp_path))
    reset_caches()
    from app.audit import heads
    from app.audit.service import verify_chain
    from app.db import session_factory
    from tests.conftest import make_user

    try:
        make_user("artist")  # a user row and its audit event, written as the role
        with session_factory()() as db:
            assert db.scalar(sa.text("SELECT current_user")) == app_role
            assert heads.sign_head(db) is not None
            assert verify_chain(db).ok
        for statement in ("UPDATE audit_events SET outcome = 'x'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events", "DELETE FROM audit_signed_heads",
                          "DROP TRIGGER audit_events_no_change ON audit_events",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL", "DELETE FROM alembic_version"):
            with session_factory()() as db, pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                db.execute(sa.text(statement))
    finally:
        reset_caches()


def test_the_owner_cannot_be_named_as_the_app_role(postgres_url: str, tmp_path: Path) -> None:
    owner = make_url(postgres_url).username
    result = _migrate(postgres_url, str(owner), tmp_path)
    assert result.returncode == 1 and "LIKENESS_DB_APP_ROLE" in result.stderr
