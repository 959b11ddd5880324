"""Migration 0009 encrypts TOTP secrets that older versions stored in plain text (issue 12, item 14)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from app.migrate import alembic_config, upgrade_head
from tests.conftest import reset_caches


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return request.getfixturevalue("postgres_url")


def test_plain_secrets_are_sealed_on_upgrade(database_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIKENESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIKENESS_SIGNING_KEY", "")
    reset_caches()
    command.upgrade(alembic_config(database_url), "0007")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, username, password_hash, role, active, failed_logins, totp_secret, "
                "totp_enabled, created_at) VALUES (:id, 'old', 'x', 'artist', true, 0, :secret, true, "
                "CURRENT_TIMESTAMP)"), {"id": uuid.uuid4().hex if "sqlite" in database_url else str(uuid.uuid4()),
                                        "secret": secret})
        upgrade_head(database_url)
        with engine.connect() as connection:
            stored = connection.execute(sa.text("SELECT totp_secret FROM users WHERE username = 'old'")).scalar_one()
    finally:
        engine.dispose()
    from app.users import secret_box

    assert stored.startswith("fernet:") and secret not in stored
    assert secret_box.unseal(stored) == secret
    assert (tmp_path / "data" / "keys" / secret_box.KEY_NAME).is_file()
    reset_caches()
