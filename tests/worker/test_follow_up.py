"""The face checks after a round run on a niced thread, but no niced thread holds a database
transaction: on a busy machine it waited seconds for each slice of CPU while holding SQLite's
write lock, and the API's next round and the worker's heartbeat timed out behind it."""

from __future__ import annotations

import os
import threading
import uuid

import numpy as np
from PIL import Image
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.conftest import Stack


def _own_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_face_checks_yield_the_cpu_but_write_at_normal_priority(sqlite_stack: Stack) -> None:
    from worker.runtime import background
    from worker.tasks import follow_up

    opened: list[tuple[str, int]] = []

    def on_begin(_session: Session, _transaction: object, _connection: object) -> None:
        opened.append((threading.current_thread().name, _own_nice()))

    picture = Image.fromarray(np.random.default_rng(0).integers(0, 255, (48, 48, 3), dtype=np.uint8))
    event.listen(Session, "after_begin", on_begin)
    try:
        follow_up([uuid.uuid4()], [picture], None).result(timeout=120)
    finally:
        event.remove(Session, "after_begin", on_begin)

    assert background().submit(_own_nice).result() == 19, "the face checks no longer give way to drawing"
    assert opened, "the face checks' results were never written"
    assert all(nice == 0 for _, nice in opened), f"a niced thread opened a transaction: {opened}"
    assert all(name.startswith("likeness-recorder") for name, _ in opened), opened
