"""Shared fixtures: real databases, a real broker, real worker processes.

Integration tests need Postgres and Redis on localhost (CI has them). When they
are unreachable the tests FAIL with a message saying what to start; they are
never skipped.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("LIKENESS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LIKENESS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
PASSWORD = "a long test passphrase"


def reset_caches() -> None:
    """Settings, engines and clients are cached per process; tests change the environment."""
    from app.db import get_engine, session_factory
    from app.images.service import blob_store
    from app.jobs.queue import producer
    from common.prompt import _tokenizer
    from common.settings import get_settings

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (get_settings, get_engine, session_factory, blob_store, producer, _tokenizer):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with empty rate-limit windows. The settings may still name the last test's
    broker (a drill's Redis that is gone by now): read them afresh, and start from memory."""
    from app.security.ratelimit import limiter
    from common.settings import get_settings

    get_settings.cache_clear()
    limiter.reset()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Builds the tiny random-weight model once; data dirs link to it."""
    from worker.engine import ensure_tiny_model

    path = tmp_path_factory.mktemp("models") / "tiny-random-sd"
    ensure_tiny_model(path)
    return path


def link_tiny_model(data_dir: Path, tiny_model_dir: Path) -> None:
    models = data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    if not (models / "tiny-random-sd").exists():
        (models / "tiny-random-sd").symlink_to(tiny_model_dir)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    engine = sa.create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"Postgres is not reachable at {POSTGRES_ADMIN_URL} ({exc}); start it "
                    "(see README, 'Tests') or set LIKENESS_TEST_POSTGRES_URL", pytrace=False)
    finally:
        engine.dispose()
    return POSTGRES_ADMIN_URL


def create_postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database (the audit table refuses DELETE, so tests never share one)."""
    name = f"likeness_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    url, drop = create_postgres_database(postgres_server)
    yield url
    drop()


@pytest.fixture(scope="session")
def redis_server() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}); start it (see README, 'Tests') "
                    "or set LIKENESS_TEST_REDIS_URL", pytrace=False)
    return REDIS_URL


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """A Redis database number of its own, emptied before and after."""
    url = f"{redis_server}/{secrets.randbelow(15) + 1}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@dataclass
class Stack:
    """Environment for one configuration of Likeness (database, broker, data dir)."""

    data_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def apply(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        reset_caches()

    def run_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli.main", *args], env={**os.environ, **self.env},
                              cwd=REPO, capture_output=True, text=True, timeout=120)

    def start_worker(self, **extra_env: str) -> subprocess.Popen[bytes]:
        log = open(self.data_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "--loglevel", "INFO",
             "--pool", "prefork", "--concurrency", "1", "--queues", "generate",
             "--hostname", f"test{len(self.processes)}@%h"],
            env={**os.environ, **self.env, **extra_env}, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM if process.poll() is None else signal.SIGKILL)

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.data_dir.glob("worker-*.log")))


def make_stack(tmp_path: Path, tiny_model_dir: Path, database_url: str | None, broker_url: str | None) -> Stack:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    link_tiny_model(data_dir, tiny_model_dir)
    env = {"LIKENESS_DATA_DIR": str(data_dir), "LIKENESS_DEVICE": "cpu", "LIKENESS_JOB_LEASE_S": "60"}
    if database_url:
        env["LIKENESS_DATABASE_URL"] = database_url
    if broker_url:
        env["LIKENESS_BROKER_URL"] = broker_url
    for key in ("LIKENESS_DATABASE_URL", "LIKENESS_BROKER_URL", "LIKENESS_MODEL"):
        env.setdefault(key, "")
    return Stack(data_dir=data_dir, env=env)


@pytest.fixture
def sqlite_stack(tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The embedded default: SQLite + the file broker, migrated, nothing running."""
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    stack.apply(monkeypatch)
    from app.migrate import upgrade_head

    upgrade_head()
    yield stack
    stack.stop_all()
    reset_caches()


@pytest.fixture
def postgres_stack(tmp_path: Path, tiny_model_dir: Path, postgres_url: str, redis_url: str,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The deployment shape: Postgres + Redis, migrated, workers started by the test."""
    stack = make_stack(tmp_path, tiny_model_dir, postgres_url, redis_url)
    stack.apply(monkeypatch)
    from app.migrate import upgrade_head

    upgrade_head()
    yield stack
    stack.stop_all()
    reset_caches()


@pytest.fixture
def pg_client(postgres_stack: Stack) -> Iterator[TestClient]:
    """The app on the deployment shape, with an artist and an admin ("boss") to sign in as."""
    from app.main import create_app

    make_user("artist")
    make_user("boss", "admin")
    with TestClient(create_app()) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def queued_training_run() -> uuid.UUID:
    """A training run queued on an empty dataset, straight into the database."""
    from app.datasets.models import Dataset
    from app.db import session_factory
    from app.training.models import TrainingRun

    with session_factory()() as db:
        dataset = Dataset(name=f"d-{uuid.uuid4().hex[:6]}", manifest_sha256="0" * 64, source_name="d", pairs=0,
                          train_count=0, validation_count=0, split_seed=0, validation_fraction=0.2, items=[])
        db.add(dataset)
        db.flush()
        run = TrainingRun(kind="unet-lora", dataset_id=dataset.id, config={})
        db.add(run)
        db.commit()
        return run.id


def make_user(username: str, role: str = "artist") -> None:
    from app.db import session_factory
    from app.users.actor import system_actor
    from app.users.service import create_user

    with session_factory()() as db:
        create_user(db, system_actor("test"), username, PASSWORD, role)


def bearer(client: httpx.Client | object, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
