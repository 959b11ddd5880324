"""Celery settings shared by the API (which only publishes) and the workers.

Plain values, no celery import: the API builds a tiny producer from them, the
worker its full app. Tuned for long GPU jobs (see worker/celery_app.py).
"""

from __future__ import annotations

from typing import Any

from common.settings import Settings

GENERATE_TASK = "likeness.generate"
VERIFY_TASK = "likeness.verify"
GENERATE_QUEUE = "generate"
# Job kind (the jobs table) -> the task that runs it. Both run on the GPU queue.
TASK_FOR_KIND = {"generate": GENERATE_TASK, "verify": VERIFY_TASK}
# Training runs (the training_runs table) have a queue of their own: a run takes minutes to
# hours, and a worker serving witnesses must not pick one up (`likeness train worker`).
TRAIN_TASK = "likeness.train"
TRAIN_QUEUE = "train"


def celery_config(settings: Settings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "broker_url": settings.resolved_broker_url,
        "task_ignore_result": True,
        "task_default_queue": GENERATE_QUEUE,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
    }
    if settings.is_embedded_broker:
        folder, control = settings.broker_dir / "queue", settings.broker_dir / "control"
        folder.mkdir(parents=True, exist_ok=True)
        control.mkdir(parents=True, exist_ok=True)
        config["broker_transport"] = "common.broker_files:WholeMessageTransport"
        config["broker_transport_options"] = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(control),
            "store_processed": False,
            # A round waits half an interval on average before the worker sees it; a listing of
            # an empty folder 50 times a second costs the idle worker well under 1% of a core.
            "polling_interval": 0.02,
        }
    else:
        # Redelivery after a lost worker is the database sweeper's job (a lease on
        # the job row); the broker's own timeout only needs to outlast one job.
        config["broker_transport_options"] = {"visibility_timeout": settings.job_time_limit_s * 2}
    return config
