"""What lives for the life of a worker process: its name, its engine (loaded once,
in the pool child), its heartbeat, and the sweeper that rescues abandoned jobs."""

from __future__ import annotations

import functools
import io
import logging
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy.dialects import postgresql, sqlite

from app.db import session_factory, utcnow
from app.images.service import blob_store
from app.jobs.models import WorkerHeartbeat
from app.jobs.service import stale_jobs
from app.training.service import fail_abandoned_runs
from common.broker import GENERATE_QUEUE, TASK_FOR_KIND
from common.models import resolve_model
from common.settings import get_settings
from common.spec import GenerationSpec, Mode
from worker.diagnostics import process_facts
from worker.engine import Engine
from worker.engine.speedups import Speedups
from worker.progress import PREVIEW_INTERVAL_S

log = logging.getLogger(__name__)
HEARTBEAT_S = 5.0


@functools.cache
def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@functools.cache
def background() -> ThreadPoolExecutor:
    """One thread for CPU-side follow-ups (face checks) while the next job draws; it lowers its own
    priority (worker/tasks.py `_yield_cpu`), so it must never hold a database transaction: see recorder()."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="likeness-followup")


@functools.cache
def recorder() -> ThreadPoolExecutor:
    """One thread at normal priority that writes the follow-ups' results.

    On a busy machine a nice-19 thread waits seconds for each slice of CPU. Holding SQLite's write
    lock meanwhile, it made every writer wait with it: the API's next round and the heartbeat timed
    out after 30 s, and the app said no worker was running.

    A new thread takes its creator's nice value, so the thread is started here, by whoever asks
    first: ask for it from a thread at normal priority (the job's), and hand it to the follow-up."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="likeness-recorder")
    pool.submit(lambda: None).result()
    return pool


class RecentImages:
    """The pictures this process stored last, by SHA-256. The next round's parent is nearly
    always one of them, and a PNG is lossless: its pixels need not be read and decoded again."""

    def __init__(self, capacity: int = 16) -> None:
        self._capacity = capacity
        self._images: OrderedDict[str, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, sha256: str, image: Image.Image) -> None:
        with self._lock:
            self._images[sha256] = image.convert("RGB")  # a copy: the caller may go on changing its own
            self._images.move_to_end(sha256)
            while len(self._images) > self._capacity:
                self._images.popitem(last=False)

    def open(self, sha256: str) -> Image.Image:
        """The RGB picture stored under `sha256`, from memory or from the blob store."""
        with self._lock:
            kept = self._images.get(sha256)
        if kept is not None:
            return kept.copy()
        with Image.open(io.BytesIO(blob_store().get(sha256))) as image:
            return image.convert("RGB")


recent_images = RecentImages()


# Cleared while the warm-up round draws: a job that arrives meanwhile waits for it (one pipeline, one caller).
_warmed = threading.Event()
_warmed.set()


def engine() -> Engine:
    """The process's engine, once its warm-up round (if one is running) is drawn."""
    loaded = _loaded_engine()
    _warmed.wait()
    return loaded


@functools.cache
def _loaded_engine() -> Engine:
    settings = get_settings()
    # Adapters, reference uploads and painted masks reach the engine by SHA-256 through the blob store.
    speedups = None
    if settings.channels_last or settings.compile_unet:
        speedups = Speedups(channels_last=settings.channels_last, compile=settings.compile_unet)
    loaded = Engine(resolve_model(settings), device=settings.device, dtype=settings.dtype, blob_path=_blob_path,
                    speedups=speedups, preview_every_s=PREVIEW_INTERVAL_S)
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


def gpu_memory() -> dict[str, dict[str, int]]:
    """This process's CUDA memory for /metrics (read from the heartbeat): nothing on CPU."""
    import torch

    if not torch.cuda.is_available() or not str(engine().info.get("device", "")).startswith("cuda"):
        return {}
    device = torch.device(str(engine().info["device"]))
    free, total = torch.cuda.mem_get_info(device)
    return {"gpu_memory": {"allocated": torch.cuda.memory_allocated(device),
                           "reserved": torch.cuda.memory_reserved(device), "used": total - free, "total": total}}


def sweep(publish: Callable[..., object]) -> int:
    """Publishes again the jobs that lost their message or their worker, and fails the training runs
    that lost theirs (their message was acknowledged on receipt: nothing would redeliver it)."""
    with session_factory()() as db:
        requeue_after = timedelta(seconds=get_settings().job_requeue_after_s)
        job_ids = stale_jobs(db, queued_before=utcnow() - requeue_after)
        failed_runs = fail_abandoned_runs(db)
    if failed_runs:
        log.warning("sweeper failed %d abandoned training run(s): %s", len(failed_runs), [str(r) for r in failed_runs])
    for job_id, kind in job_ids:
        publish(TASK_FOR_KIND[kind], args=[str(job_id)], queue=GENERATE_QUEUE)
    if job_ids:
        log.warning("sweeper re-published %d job(s): %s", len(job_ids), [str(j) for j, _ in job_ids])
    return len(job_ids)


def warm_up(loaded: Engine) -> float:
    """One tiny round (one step), so the first real round finds every module touched and its kernels
    loaded. A compiled UNet compiles for the shape it is called with: then the warm-up draws the
    default round's batch and size (4 candidates, 512²), so the first real round is not the compile."""
    compiled = bool(loaded.speedups.get("compile"))
    spec = GenerationSpec(mode=Mode.IMG2IMG, prompt="warm-up", seeds=[0, 1, 2, 3] if compiled else [0], steps=10,
                          strength=0.1, width=512 if compiled else 64, height=512 if compiled else 64,
                          parent_sha256="0" * 64, preview=False)
    started = time.perf_counter()
    loaded.generate(spec, Image.new("RGB", (spec.width, spec.height), (128, 128, 128)))
    return time.perf_counter() - started


def start_background(publish: Callable[..., object], warm: bool = True) -> None:
    """Heartbeat and sweep at start, then every few seconds (at most half a lease).

    The heartbeat says "warming" while the engine loads, compiles and draws its warm-up
    round, and "ready" with the model's info after: /api/health counts only ready workers."""
    info: list[dict[str, object]] = [{"state": "warming"}]  # swapped whole, never changed in place
    interval = min(HEARTBEAT_S, get_settings().job_lease_s / 2)

    def loop() -> None:
        while True:
            try:
                beat({**info[0], **gpu_memory()})
                sweep(publish)
            except Exception:
                log.exception("heartbeat/sweep failed; retrying")
            threading.Event().wait(interval)

    threading.Thread(target=loop, name="likeness-heartbeat", daemon=True).start()
    loaded = _loaded_engine()
    # The warm-up draws on its own thread: the pool child reports up to Celery as soon as the model
    # is loaded, as before, while the heartbeat keeps saying "warming"; a job that arrives meanwhile
    # waits in engine() until the warm-up is drawn.
    _warmed.clear()
    warm = warm and _wants_warm_up(loaded)
    threading.Thread(target=_warm_then_ready, args=(loaded, info, warm), name="likeness-warmup", daemon=True).start()


def _wants_warm_up(loaded: Engine) -> bool:
    setting = get_settings().warmup
    return setting == "on" or (setting == "auto" and (loaded.device.type == "cuda" or bool(loaded.speedups["compile"])))


def _warm_then_ready(loaded: Engine, info: list[dict[str, object]], warm: bool) -> None:
    try:
        warmup_s = warm_up(loaded) if warm else 0.0
    except Exception:
        log.exception("warm-up round failed; the worker takes rounds without it")
        warmup_s = 0.0
    finally:
        _warmed.set()
    facts = process_facts()
    log.warning("worker process ready after a %.2f s warm-up round; process: %s", warmup_s, facts)
    info[0] = {**loaded.info, "state": "ready", "warmup_s": round(warmup_s, 3),
               "process": {k: facts[k] for k in ("torch_threads", "torch_interop_threads", "cpus_allowed",
                                                 "process_nice", "allocator", "niced_threads")}}
    beat(info[0])  # ready now, not at the next tick
