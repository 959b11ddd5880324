"""Failure drills on private servers this test starts and restarts: Redis dies and comes
back empty, Postgres restarts under load. Every accepted job reaches a final state,
and the API answers 503 (never 500) while the database is away."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from app.jobs.models import Job
from tests.conftest import Stack, bearer, free_port, make_stack, make_user, wait_for
from tests.journey import FAST, ok, open_case

pytestmark = pytest.mark.integration
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/lib/postgresql/15/bin"))
DRILL_ENV = {"LIKENESS_JOB_LEASE_S": "3", "LIKENESS_JOB_REQUEUE_AFTER_S": "3"}


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.port, self.folder, self.process = free_port(), folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                        text=True).stdout.strip() == "PONG", 20, "private redis")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


class PrivatePostgres:
    """A throwaway cluster run as the postgres user (Postgres refuses to run as root)."""

    def __init__(self, folder: Path) -> None:
        self.port, self.data = free_port(), folder / "pgdata"
        self.data.mkdir(parents=True)
        shutil.chown(folder, "postgres")
        shutil.chown(self.data, "postgres")
        self._as_postgres(PG_BIN / "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: object) -> None:
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        subprocess.run([*prefix, *map(str, args)], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-o",
                          f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "-l",
                          self.data / "log", "start")

    def stop(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", "immediate", "stop")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.kill()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp dir: that is root-only, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="likeness-pg-"))
    server = PrivatePostgres(folder)
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _stack(tmp_path: Path, tiny_model_dir: Path, database_url: str, broker_url: str,
           monkeypatch: pytest.MonkeyPatch) -> Stack:
    from app.migrate import upgrade_head

    stack = make_stack(tmp_path, tiny_model_dir, database_url, broker_url)
    stack.env.update(DRILL_ENV)
    stack.apply(monkeypatch)
    upgrade_head()
    make_user("artist")
    return stack


def _submit(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    jobs = []
    for i in range(count):
        ids = open_case(client, headers, f"DRILL-{time.monotonic_ns()}-{i}")
        session = ok(client.post("/api/sessions", headers=headers, json={
            "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1,
            **FAST, "steps": 30}), 201)
        jobs.append(session["rounds"][0]["job_id"])
    return jobs


def _statuses(job_ids: list[str]) -> list[str]:
    try:
        with session_factory()() as db:
            return [db.scalar(sa.select(Job.status).where(Job.id == uuid.UUID(j))) or "?" for j in job_ids]
    except sa.exc.OperationalError:
        return ["unreachable"]


def test_redis_dies_and_returns_empty(tmp_path: Path, tiny_model_dir: Path, postgres_url: str,
                                      private_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.main import create_app

    stack = _stack(tmp_path, tiny_model_dir, postgres_url, private_redis.url, monkeypatch)
    stack.start_worker(**DRILL_ENV)
    client = TestClient(create_app())
    headers = bearer(client, "artist")
    try:
        first = _submit(client, headers, 2)
        private_redis.kill()  # queued messages are gone with it
        during = _submit(client, headers, 2)  # accepted while the broker is down: rows only
        time.sleep(2)
        private_redis.start()
        jobs = first + during
        wait_for(lambda: all(s in ("succeeded", "failed", "cancelled") for s in _statuses(jobs)), 180,
                 "every accepted job to finish after Redis came back", interval=0.5)
        assert _statuses(jobs) == ["succeeded"] * 4, stack.worker_logs()
    finally:
        stack.stop_all()


def test_postgres_restart_under_load(tmp_path: Path, tiny_model_dir: Path, private_postgres: PrivatePostgres,
                                     redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.main import create_app

    stack = _stack(tmp_path, tiny_model_dir, private_postgres.url, redis_url, monkeypatch)
    stack.start_worker(**DRILL_ENV)
    client = TestClient(create_app(), raise_server_exceptions=False)
    headers = bearer(client, "artist")
    try:
        jobs = _submit(client, headers, 3)
        wait_for(lambda: "running" in _statuses(jobs) or "succeeded" in _statuses(jobs), 120, "a job to run")
        private_postgres.stop()
        answers = {client.get("/api/cases", headers=headers).status_code for _ in range(3)}
        assert answers == {503}, answers
        time.sleep(2)
        private_postgres.start()
        wait_for(lambda: client.get("/api/cases", headers=headers).status_code == 200, 60, "the API to recover")
        wait_for(lambda: all(s in ("succeeded", "failed", "cancelled") for s in _statuses(jobs)), 180,
                 "every job to finish after Postgres came back", interval=0.5)
        assert _statuses(jobs) == ["succeeded"] * 3, stack.worker_logs()
    finally:
        stack.stop_all()
