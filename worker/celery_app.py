"""The worker's Celery app, configured for long GPU jobs.

- acks_late + reject_on_worker_lost: a job whose process dies is not lost;
- prefetch 1: a busy worker does not hoard the next job from an idle one;
- a hard time limit well below the broker's visibility timeout;
- pipelines load in the pool's child process (worker/runtime.py), never in the
  parent before fork.
"""

from __future__ import annotations

from celery import Celery

import worker.logcontext  # noqa: F401  (connects the logging signals before the worker starts)
from common.broker import celery_config
from common.settings import get_settings

settings = get_settings()
celery_app = Celery("likeness-worker", include=["worker.tasks"])
celery_app.conf.update(celery_config(settings))
celery_app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=settings.job_time_limit_s,
    worker_concurrency=1,
    # The pool child loads the model and draws its warm-up round before it reports up;
    # Celery's default (4 s) would kill a child still loading SD 1.5 or compiling.
    worker_proc_alive_timeout=600,
    worker_hijack_root_logger=False,
)
