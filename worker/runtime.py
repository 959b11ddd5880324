"""What lives for the life of a worker process: its name, its engine (loaded once,
in the pool child), its heartbeat, and the sweeper that rescues abandoned jobs."""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy.dialects import postgresql, sqlite

from app.db import session_factory, utcnow
from app.images.service import blob_store
from app.jobs.models import WorkerHeartbeat
from app.jobs.service import stale_jobs
from common.broker import GENERATE_QUEUE, TASK_FOR_KIND
from common.models import resolve_model
from common.settings import get_settings
from worker.engine import Engine

log = logging.getLogger(__name__)
HEARTBEAT_S = 5.0


@functools.cache
def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@functools.cache
def background() -> ThreadPoolExecutor:
    """One thread for CPU-side follow-ups (face checks) while the next job draws."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="likeness-followup")


@functools.cache
def engine() -> Engine:
    settings = get_settings()
    # Adapters, reference uploads and painted masks reach the engine by SHA-256 through the blob store.
    loaded = Engine(resolve_model(settings), device=settings.device, dtype=settings.dtype, blob_path=_blob_path)
    log.warning("engine ready: %s", loaded.info)
    if loaded.info.get("random_weights"):
        log.warning("TINY RANDOM-WEIGHT MODEL: images are noise, not sketches (set LIKENESS_MODEL)")
    return loaded


def _blob_path(sha256: str) -> Path:
    # Looked up on each call, so the engine follows the store the settings name now.
    return blob_store().path_for(sha256)


def beat(model_info: dict[str, object]) -> None:
    values = {"name": worker_name(), "last_seen": utcnow(), "model": model_info}
    with session_factory()() as db:
        dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(WorkerHeartbeat).values(**values)
        db.execute(statement.on_conflict_do_update(index_elements=["name"],
                                                   set_={"last_seen": values["last_seen"], "model": model_info}))
        db.commit()


def sweep(publish: Callable[..., object]) -> int:
    """Publishes again the jobs that lost their message or their worker."""
    with session_factory()() as db:
        requeue_after = timedelta(seconds=get_settings().job_requeue_after_s)
        job_ids = stale_jobs(db, queued_before=utcnow() - requeue_after)
    for job_id, kind in job_ids:
        publish(TASK_FOR_KIND[kind], args=[str(job_id)], queue=GENERATE_QUEUE)
    if job_ids:
        log.warning("sweeper re-published %d job(s): %s", len(job_ids), [str(j) for j, _ in job_ids])
    return len(job_ids)


def start_background(publish: Callable[..., object]) -> None:
    """Heartbeat and sweep at start, then every few seconds (at most half a lease)."""
    info = dict(engine().info)
    interval = min(HEARTBEAT_S, get_settings().job_lease_s / 2)

    def loop() -> None:
        while True:
            try:
                beat(info)
                sweep(publish)
            except Exception:
                log.exception("heartbeat/sweep failed; retrying")
            threading.Event().wait(interval)

    threading.Thread(target=loop, name="likeness-heartbeat", daemon=True).start()
