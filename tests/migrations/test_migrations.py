"""One Alembic history, up and down, on both databases; the models match it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from app.migrate import alembic_config, downgrade_base, upgrade_head


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return request.getfixturevalue("postgres_url")


def test_up_down_up(database_url: str) -> None:
    upgrade_head(database_url)
    assert {"audit_events", "audit_head", "cases", "jobs", "rounds", "candidates"} <= _tables(database_url)
    downgrade_base(database_url)
    assert _tables(database_url) == set()
    upgrade_head(database_url)
    assert "audit_events" in _tables(database_url)


def test_models_and_migrations_agree(database_url: str) -> None:
    upgrade_head(database_url)
    command.check(alembic_config(database_url))  # raises if autogenerate would write anything
