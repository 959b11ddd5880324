"""`likeness run`, the embedded default, as a user starts it: one command, SQLite, the
file broker and one worker process; then the whole journey over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, REPO, Stack, free_port, make_stack, wait_for
from tests.journey import fetch_png, ok, run_journey


@pytest.fixture
def embedded(tmp_path: Path, tiny_model_dir: Path) -> Iterator[tuple[Stack, httpx.Client]]:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    created = stack.run_cli("create-user", "--username", "artist", "--password", PASSWORD, "--role", "artist")
    assert created.returncode == 0, created.stderr
    port = free_port()
    log = open(stack.data_dir / "run.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--port", str(port)], cwd=REPO,
                               env={**os.environ, **stack.env}, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.processes.append(process)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def worker_up() -> bool:
        try:
            return client.get("/api/health").json()["worker"]["ok"]
        except (httpx.HTTPError, ValueError):
            return False

    try:
        wait_for(worker_up, 120, "likeness run to serve with its worker", interval=0.5)
        yield stack, client
    finally:
        client.close()
        stack.stop_all()
        print((stack.data_dir / "run.log").read_text(errors="replace")[-3000:])


def test_whole_journey_on_the_embedded_default(embedded: tuple[Stack, httpx.Client]) -> None:
    stack, client = embedded
    token = ok(client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD}))
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    result = run_journey(client, headers, "EMBEDDED-1", rounds=5, candidates=4)
    session = result["session"]
    assert session["status"] == "approved" and len(session["rounds"]) == 6
    _, recipe, _ = fetch_png(client, headers, session["rounds"][-1]["candidates"][3]["image_url"])
    assert recipe["mode"] == "img2img" and recipe["model"]["random_weights"] is True
    health = ok(client.get("/api/health"))
    assert health["status"] == "ok" and "noise" in health["model"]["warning"]
    verified = stack.run_cli("audit", "verify")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"] is True
    assert (stack.data_dir / "likeness.db").is_file() and any((stack.data_dir / "blobs").rglob("*"))


def test_models_command_says_what_will_be_used(tmp_path: Path, tiny_model_dir: Path) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    result = stack.run_cli("models")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["will_use"]["random_weights"] is True


def test_a_missing_model_is_a_startup_error_naming_the_setting(tmp_path: Path, tiny_model_dir: Path) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    stack.env["LIKENESS_MODEL"] = str(tmp_path / "no-such-model")
    result = stack.run_cli("run", "--port", str(free_port()))
    assert result.returncode != 0 and "LIKENESS_MODEL" in result.stderr


def test_create_user_refuses_a_common_password(tmp_path: Path, tiny_model_dir: Path) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    result = stack.run_cli("create-user", "--username", "u", "--password", "password123", "--role", "artist")
    assert result.returncode != 0 and "commonly used" in result.stderr


@pytest.mark.parametrize(("setting", "value"), [
    ("LIKENESS_DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"),
    ("LIKENESS_BROKER_URL", "redis://127.0.0.1:1/0"),
])
def test_unreachable_services_are_startup_errors_naming_the_setting(tmp_path: Path, tiny_model_dir: Path,
                                                                     setting: str, value: str) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    stack.env[setting] = value
    result = stack.run_cli("run", "--port", str(free_port()))
    assert result.returncode != 0 and setting in result.stderr, result.stderr
    assert "secret" not in result.stderr  # passwords stay out of messages
