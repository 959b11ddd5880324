"""The training worker's Celery app: the `train` queue only.

Separate from worker/celery_app.py on purpose: a generation worker's child process loads
the pipeline and heartbeats as a generation worker; a training worker must do neither,
or /api/health would count it as serving witnesses. Messages are acknowledged on receipt:
a run lasts hours, longer than any broker redelivery timeout, and the run's row (claimed
once, atomically) is the truth about whether it ran.
"""

from __future__ import annotations

from celery import Celery

import worker.logcontext  # noqa: F401  (LIKENESS_LOG_FORMAT for the trainer's lines too)
from common.broker import TRAIN_QUEUE, celery_config
from common.settings import get_settings

celery_app = Celery("likeness-trainer", include=["worker.training.tasks"])
celery_app.conf.update(celery_config(get_settings()))
celery_app.conf.update(
    task_default_queue=TRAIN_QUEUE,
    task_acks_late=False,
    worker_prefetch_multiplier=1,
    worker_concurrency=1,
    worker_hijack_root_logger=False,
)
