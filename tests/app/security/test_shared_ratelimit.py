"""Rate limits are counted once for every API process: two uvicorn processes sharing one
Redis enforce a single limit together (with in-memory counters each would allow it again)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Stack
from tests.processes import api_process

LIMIT = 4


def sign_in_statuses(clients: list[httpx.Client], attempts: int) -> list[int]:
    """Wrong passwords from one address, alternating between the processes."""
    return [clients[i % len(clients)].post("/api/auth/token", data={"username": f"nobody{i}",
                                                                    "password": "wrong password here"}).status_code
            for i in range(attempts)]


@pytest.mark.integration
def test_two_api_processes_sharing_redis_enforce_one_limit(postgres_stack: Stack) -> None:
    env = {"LIKENESS_SIGNIN_PER_MINUTE": str(LIMIT)}
    with api_process(postgres_stack, **env) as a, api_process(postgres_stack, **env) as b:
        statuses = sign_in_statuses([a, b], 2 * LIMIT)
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT:] == [429] * LIMIT, f"the limit was counted per process: {statuses}"


@pytest.mark.integration
def test_in_memory_counters_are_per_process(postgres_stack: Stack) -> None:
    # The control: with LIKENESS_RATELIMIT_STORAGE=memory:// each process counts alone.
    env = {"LIKENESS_SIGNIN_PER_MINUTE": str(LIMIT), "LIKENESS_RATELIMIT_STORAGE": "memory://"}
    with api_process(postgres_stack, **env) as a, api_process(postgres_stack, **env) as b:
        statuses = sign_in_statuses([a, b], 2 * LIMIT)
    assert statuses == [401] * (2 * LIMIT)


def test_storage_follows_the_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.security import ratelimit
    from common.settings import get_settings

    for broker, storage, expected in (("", "", "memory://"), ("redis://r:6379/0", "", "redis://r:6379/0"),
                                      ("redis://r:6379/0", "redis://other:6379/3", "redis://other:6379/3")):
        monkeypatch.setenv("LIKENESS_BROKER_URL", broker)
        monkeypatch.setenv("LIKENESS_RATELIMIT_STORAGE", storage)
        get_settings.cache_clear()
        assert ratelimit.storage_uri() == expected
    get_settings.cache_clear()
