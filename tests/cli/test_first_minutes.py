"""The first minutes of a new install: every command that opens the database names it, and
`likeness run` with no accounts says exactly how to create the first admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import database_label
from tests.conftest import PASSWORD, REPO, Stack, free_port, wait_for


def test_create_user_names_the_database_it_used(tmp_path: Path, tiny_model_dir: Path) -> None:
    elsewhere = tmp_path / "another folder"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LIKENESS_DATA_DIR", "LIKENESS_DATABASE_URL")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([sys.executable, "-m", "cli.main", "create-user", "--username", "admin", "--password",
                             PASSWORD, "--role", "admin"], cwd=elsewhere, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    database = elsewhere / "data" / "likeness.db"
    assert database.is_file()
    assert f"in sqlite:///{database}" in result.stdout, result.stdout
    assert f"database: sqlite:///{database}" in result.stderr


def test_a_database_password_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    from common.settings import get_settings

    monkeypatch.setenv("LIKENESS_DATABASE_URL", "postgresql+psycopg://likeness:s3cret-pw@db:5432/likeness")
    get_settings.cache_clear()
    try:
        label = database_label()
    finally:
        get_settings.cache_clear()
    assert label == "postgresql+psycopg://likeness:***@db:5432/likeness"


def test_run_with_no_accounts_says_how_to_create_the_first_admin(sqlite_stack: Stack) -> None:
    log_path = sqlite_stack.data_dir / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--no-worker", "--port",
                                    str(free_port())], cwd=REPO, env={**os.environ, **sqlite_stack.env},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        sqlite_stack.processes.append(process)
        wait_for(lambda: "Uvicorn running" in log_path.read_text(), 60, "likeness run to serve", interval=0.3)
    text = log_path.read_text()
    assert "No accounts yet" in text
    expected = (f"LIKENESS_DATA_DIR={sqlite_stack.data_dir.resolve()} likeness create-user --username admin "
                "--password 'a long passphrase' --role admin")
    assert expected in text, text
