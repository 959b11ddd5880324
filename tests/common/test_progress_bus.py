"""The progress bus on its own: the embedded Unix datagram transport and Redis pub/sub."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from common import progress_bus
from common.settings import Settings


def _embedded(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, broker_url=None, database_url=None)


async def _roundtrip(settings: Settings) -> list[dict[str, object] | None]:
    subscription = await progress_bus.subscribe(settings, "job-1")
    try:
        assert subscription.listening
        progress_bus.publish(settings, "job-2", "running", 1, 9)  # someone else's job: not delivered here
        progress_bus.publish(settings, "job-1", "running", 3, 9)
        first = await subscription.next(5)
        progress_bus.publish(settings, "job-1", "succeeded", 9, 9)
        progress_bus.publish(settings, "job-1", "running", 9, 9)  # late: a final message is never overwritten
        await asyncio.sleep(0.2)
        second = await subscription.next(5)
        quiet = await subscription.next(0.2)
        return [first, second, quiet]
    finally:
        subscription.close()


def test_unix_socket_delivers_per_job_and_keeps_the_final_message(tmp_path: Path) -> None:
    settings = _embedded(tmp_path)
    assert progress_bus.transport(settings) == "unix"
    first, second, quiet = asyncio.run(_roundtrip(settings))
    assert first == {"job_id": "job-1", "status": "running", "step": 3, "total_steps": 9}
    assert second is not None and second["status"] == "succeeded"
    assert quiet is None
    assert not (tmp_path / progress_bus.SOCKET_NAME).exists()  # the last waiter gone, the socket too


def test_nobody_listening_is_not_an_error(tmp_path: Path) -> None:
    settings = _embedded(tmp_path)
    progress_bus.publish(settings, "job-1", "running", 1, 2)  # no socket at all
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    stale.bind(str(tmp_path / progress_bus.SOCKET_NAME))
    stale.close()  # a socket file left by a process that died: refused
    progress_bus.publish(settings, "job-1", "running", 1, 2)
    first, _, _ = asyncio.run(_roundtrip(settings))  # and the next listener replaces the stale file
    assert first is not None and first["step"] == 3


def test_a_long_data_dir_uses_an_abstract_socket_name(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    settings = _embedded(deep)
    assert progress_bus.socket_address(settings).startswith("\0")
    first, _, _ = asyncio.run(_roundtrip(settings))
    assert first is not None and first["step"] == 3


@pytest.mark.integration
def test_redis_pubsub_delivers_per_job(redis_url: str) -> None:
    settings = Settings(broker_url=redis_url)
    assert progress_bus.transport(settings) == "redis"
    assert progress_bus.redis_channel(settings) == f"likeness:progress:{redis_url.rsplit('/', 1)[1]}"
    first, second, quiet = asyncio.run(_roundtrip(settings))
    assert first == {"job_id": "job-1", "status": "running", "step": 3, "total_steps": 9}
    assert second is not None and second["status"] == "succeeded"
    assert quiet is None
