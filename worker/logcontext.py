"""The worker's log lines: LIKENESS_LOG_FORMAT, and the request id of the API request that
queued the job (a Celery message header) on every line written while the job runs."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import setup_logging, task_postrun, task_prerun

from common.logs import CELERY_HEADER, configure_logging, request_id_var

log = logging.getLogger("likeness.worker")


@setup_logging.connect
def _configure(**_: Any) -> None:
    # Connected, this replaces Celery's own set-up: its lines go through our handler too.
    configure_logging()


def _request_id(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = request.get(CELERY_HEADER) or (getattr(request, "headers", None) or {}).get(CELERY_HEADER)
    return str(value) if value else None


@task_prerun.connect
def _enter(task_id: str, task: Any, args: tuple[Any, ...] = (), **_: Any) -> None:
    request_id_var.set(_request_id(task))
    # Ids only: the job's spec holds the witness's words, which never go in a log.
    log.info("%s started: job %s (task %s)", task.name, args[0] if args else "?", task_id)


@task_postrun.connect
def _leave(task_id: str, task: Any, args: tuple[Any, ...] = (), state: str | None = None, **_: Any) -> None:
    log.info("%s ended %s: job %s (task %s)", task.name, state, args[0] if args else "?", task_id)
    request_id_var.set(None)
