"""Publishing jobs to the workers, by task name: the API never imports worker code."""

from __future__ import annotations

import functools
import logging
import uuid

from celery import Celery

from common.broker import GENERATE_QUEUE, TASK_FOR_KIND, celery_config
from common.logs import CELERY_HEADER, request_id_var
from common.settings import get_settings

log = logging.getLogger(__name__)


@functools.cache
def producer() -> Celery:
    app = Celery("likeness-api")
    app.conf.update(celery_config(get_settings()))
    return app


def publish_job(job_id: uuid.UUID, kind: str = "generate") -> None:
    """Call only after the job row is committed: a fast worker must find it.

    If the broker is down the job stays queued in the database, and the workers'
    sweeper publishes it again; the request itself has succeeded.
    """
    try:
        # The request id rides in the message headers, so the worker's lines for this job carry it.
        producer().send_task(TASK_FOR_KIND[kind], args=[str(job_id)], queue=GENERATE_QUEUE,
                             headers={CELERY_HEADER: request_id_var.get() or ""})
    except Exception:
        log.warning("could not publish job %s; the sweeper will retry it", job_id, exc_info=True)


def broker_reachable() -> bool:
    try:
        with producer().connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
