"""The `train` queue's task: claim a training run, train with progress and cancel, register
the adapter, end the run. Thin glue, as worker/tasks.py is for generation."""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from app.db import session_factory
from app.training import service as runs
from common.broker import TRAIN_TASK
from common.settings import get_settings
from common.spec import JobStatus
from worker.runtime import worker_name
from worker.training.celery_app import celery_app
from worker.training.clip_lora import ClipLoraConfig
from worker.training.measure import TrainingCancelled
from worker.training.runs import run_clip_lora, run_unet_lora
from worker.training.unet_lora import UnetLoraConfig

log = logging.getLogger(__name__)


@celery_app.task(name=TRAIN_TASK)
def train(run_id: str) -> None:
    run_training(uuid.UUID(run_id))


def _config(kind: str, settings: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The typed config, and what is not part of it (the CLIP base for clip-lora)."""
    settings = dict(settings)
    extra = {"clip": settings.pop("clip", None)}
    for key in ("targets", "betas"):
        if key in settings:
            settings[key] = tuple(settings[key])
    config = UnetLoraConfig(**settings) if kind == "unet-lora" else ClipLoraConfig(**settings)
    return config, extra


def run_training(run_id: uuid.UUID) -> None:
    me = worker_name()
    with session_factory()() as db:
        # A trainer restarted after a crash ends its predecessor's run here too, where no
        # generation worker is running to sweep it.
        runs.fail_abandoned_runs(db)
        run = runs.claim_run(db, run_id, me)
        if run is None:
            return
        kind, dataset, name, settings = run.kind, str(run.dataset_id), run.name, dict(run.config)

    def on_step(step: int, total: int, loss: float) -> bool:
        with session_factory()() as db:
            return runs.report_progress(db, run_id, me, step, total, loss)

    try:
        with _lease_kept(run_id, me):
            config, extra = _config(kind, settings)
            if kind == "unet-lora":
                adapter = run_unet_lora(dataset, config, name=name, on_step=on_step)
            else:
                adapter = run_clip_lora(dataset, config, clip=extra["clip"], name=name, on_step=on_step)
    except TrainingCancelled as exc:
        _finish(run_id, JobStatus.CANCELLED, error=str(exc))
    except Exception as exc:
        log.exception("training run %s failed", run_id)
        _finish(run_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    else:
        _finish(run_id, JobStatus.SUCCEEDED, adapter_id=uuid.UUID(adapter["id"]))


@contextlib.contextmanager
def _lease_kept(run_id: uuid.UUID, me: str) -> Iterator[None]:
    """Renews the run's lease from a thread while it trains, so that only a dead trainer lets it run
    out: a long stretch between steps (loading SD 1.5, an evaluation) is not taken for one."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(min(60.0, get_settings().training_lease_s / 3)):
            try:
                with session_factory()() as db:
                    runs.renew_lease(db, run_id, me)
            except Exception:
                log.warning("training run %s: could not renew its lease; trying again", run_id, exc_info=True)

    thread = threading.Thread(target=renew, name="likeness-training-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _finish(run_id: uuid.UUID, status: JobStatus, **kwargs: Any) -> None:
    with session_factory()() as db:
        runs.finish_run(db, run_id, status, **kwargs)
