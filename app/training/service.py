"""Training runs on the `train` queue: started by an admin, run by a training worker.

Queued → running (step/total, last loss) → succeeded (the adapter in the registry) |
failed | cancelled. The row is the truth, as for generation jobs: a worker claims a run
with one atomic UPDATE and learns about a cancel from its next progress report.
Settings are checked here by name only (the API has no torch); the worker validates
their values and fails the run with the reason.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.datasets.service import get_dataset
from app.db import utcnow
from app.errors import InvalidError, NotFoundError
from app.jobs import lifecycle
from app.jobs.lifecycle import FINAL
from app.training.models import TrainingRun
from app.users.actor import Actor
from common.broker import TRAIN_QUEUE, TRAIN_TASK
from common.settings import get_settings
from common.spec import JobStatus

log = logging.getLogger(__name__)
CONFIG_KEYS = {
    "unet-lora": {"rank", "alpha", "targets", "learning_rate", "betas", "weight_decay", "batch_size", "epochs",
                  "resolution", "mixed_precision", "gradient_checkpointing", "max_grad_norm", "seed"},
    "clip-lora": {"layers", "rank", "alpha", "learning_rate", "betas", "weight_decay", "batch_size", "epochs",
                  "mixed_precision", "seed", "clip"},
}


def _check_config(kind: str, config: dict[str, Any]) -> None:
    if kind not in CONFIG_KEYS:
        raise InvalidError(f"kind: must be one of {', '.join(CONFIG_KEYS)}")
    unknown = sorted(set(config) - CONFIG_KEYS[kind])
    if unknown:
        raise InvalidError(f"config: unknown setting(s) for {kind}: {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(CONFIG_KEYS[kind]))}")


def publish_run(run_id: uuid.UUID) -> None:
    """After the commit. A broker that is down leaves the run queued; start it again later."""
    from app.jobs.queue import producer

    try:
        producer().send_task(TRAIN_TASK, args=[str(run_id)], queue=TRAIN_QUEUE)
    except Exception:
        log.warning("could not publish training run %s", run_id, exc_info=True)


def start_training(db: Session, actor: Actor, *, kind: str, dataset: str, config: dict[str, Any],
                   name: str | None = None) -> TrainingRun:
    _check_config(kind, config)
    found = get_dataset(db, dataset)
    run = TrainingRun(kind=kind, dataset_id=found.id, name=name, config=config, created_by=actor.id)
    db.add(run)
    db.flush()
    record(db, actor, "training.start", entity_type="training_run", entity_id=run.id,
           details={"kind": kind, "dataset": found.name, "config": config, "name": name})
    db.commit()
    publish_run(run.id)
    return run


def list_runs(db: Session) -> list[TrainingRun]:
    return list(db.scalars(select(TrainingRun).order_by(TrainingRun.created_at)))


def get_run(db: Session, run_id: uuid.UUID) -> TrainingRun:
    run = db.get(TrainingRun, run_id)
    if run is None:
        raise NotFoundError(f"training run {run_id} not found")
    return run


def request_cancel(db: Session, actor: Actor, run_id: uuid.UUID) -> TrainingRun:
    """A queued run is cancelled at once; a running one stops after its current step."""
    run = get_run(db, run_id)
    if not lifecycle.cancel(run):
        return run
    record(db, actor, "training.cancel", entity_type="training_run", entity_id=run.id, details={"status": run.status})
    db.commit()
    return run


# --- worker side ---------------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=get_settings().training_lease_s)


def claim_run(db: Session, run_id: uuid.UUID, worker: str) -> TrainingRun | None:
    """The run for this worker, or None when it is not queued (taken, cancelled, done)."""
    taken = lifecycle.claim(db, TrainingRun, run_id, worker, lease_until=utcnow() + _lease())
    run = db.get(TrainingRun, run_id, populate_existing=True) if taken else None
    db.commit()
    return run


def report_progress(db: Session, run_id: uuid.UUID, worker: str, step: int, total: int, loss: float) -> bool:
    """Records progress and renews the lease; False when the run should stop (cancel requested, or
    failed by the sweeper after its lease ran out)."""
    return lifecycle.report(db, TrainingRun, run_id, worker, step=step, total_steps=total, loss=loss,
                            lease_until=utcnow() + _lease())


def renew_lease(db: Session, run_id: uuid.UUID, worker: str) -> None:
    """The trainer is alive, between steps too (loading the base model, an evaluation)."""
    lifecycle.report(db, TrainingRun, run_id, worker, lease_until=utcnow() + _lease())


def finish_run(db: Session, run_id: uuid.UUID, status: JobStatus, *, error: str | None = None,
               adapter_id: uuid.UUID | None = None) -> None:
    run = db.get(TrainingRun, run_id, populate_existing=True)
    if run is None or run.status in FINAL:
        return
    run.adapter_id, run.lease_until = adapter_id, None
    adapter = str(adapter_id) if adapter_id else None
    lifecycle.finish(db, run, status, error, action="training", entity_type="training_run",
                     details={"worker": run.worker, "error": error, "adapter_id": adapter})
    db.commit()


def fail_abandoned_runs(db: Session) -> list[uuid.UUID]:
    """Runs whose trainer stopped answering (killed, out of memory, its host lost) are failed with the
    reason, on the audit trail, instead of showing "running" for ever. A training worker acknowledges
    its message on receipt, so nothing would redeliver them; the admin starts the run again."""
    abandoned = list(db.scalars(select(TrainingRun.id).where(TrainingRun.status == JobStatus.RUNNING,
                                                             TrainingRun.lease_until < utcnow())))
    for run_id in abandoned:
        finish_run(db, run_id, JobStatus.FAILED,
                   error=f"the training worker stopped answering (its {get_settings().training_lease_s:.0f} s "
                         "lease ran out: killed, out of memory or its host lost); start the run again")
    return abandoned
