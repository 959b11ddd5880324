"""The embedded broker writes each message whole: a worker polling the folder never takes one
half-written (kombu's own transport let it read an empty file, and the worker stopped)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from celery import Celery

import common.broker_files as broker_files
from common.broker import GENERATE_QUEUE, celery_config
from common.settings import Settings


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Any]:
    app = Celery("test-broker")
    app.conf.update(celery_config(Settings(data_dir=tmp_path, broker_url="", database_url="")))
    with app.connection_for_write() as connection:
        assert type(connection.transport) is broker_files.WholeMessageTransport
        yield connection.default_channel


def test_a_message_is_invisible_until_written_whole(channel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen_while_writing: list[str] = []
    encode = broker_files.str_to_bytes

    def encode_and_look(text: str) -> bytes:
        # Mid-write: what would a polling worker find now?
        with contextlib.suppress(Empty):
            seen_while_writing.append(repr(channel._get(GENERATE_QUEUE)))
        return encode(text)  # type: ignore[no-any-return]

    monkeypatch.setattr(broker_files, "str_to_bytes", encode_and_look)
    channel._put(GENERATE_QUEUE, {"body": "job 1"})
    assert seen_while_writing == []
    assert channel._get(GENERATE_QUEUE) == {"body": "job 1"}
    with pytest.raises(Empty):
        channel._get(GENERATE_QUEUE)


def test_messages_come_out_oldest_first(channel: Any) -> None:
    for n in range(3):
        channel._put(GENERATE_QUEUE, {"n": n})
    assert [channel._get(GENERATE_QUEUE)["n"] for _ in range(3)] == [0, 1, 2]


def test_a_redis_broker_keeps_its_own_transport(tmp_path: Path) -> None:
    config = celery_config(Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/15", database_url=""))
    assert "broker_transport" not in config and config["broker_url"].startswith("redis://")
