"""Log lines that connect across processes: every line carries the request id of the API
request it serves (X-Request-ID, or one made up), in the API, in the job's Celery message
and in the worker. LIKENESS_LOG_FORMAT=json writes one JSON object per line.

Witness personal data (names, contact, their words, feedback) is never passed to a logger:
log ids and hashes only (tests grep the logs of a whole round for it).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO

request_id_var: ContextVar[str | None] = ContextVar("likeness_request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
CELERY_HEADER = "likeness_request_id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a plain token (it ends up in logs), else a new one."""
    if header and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", None) or request_id_var.get(),
                 "process": record.process}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def handler(fmt: str, stream: IO[str] | None = None) -> logging.Handler:
    out = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(RequestIdFilter())
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    out.likeness = True  # type: ignore[attr-defined]  # a marker, so configure_logging replaces only its own
    return out


def configure_logging(fmt: str | None = None, level: int = logging.INFO,
                      adopt: tuple[str, ...] = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery")) -> None:
    """One handler on the root logger in the chosen format; the named libraries' loggers hand
    their lines to it (so uvicorn's and Celery's lines are JSON too). Safe to call twice."""
    if fmt is None:
        from common.settings import get_settings

        fmt = get_settings().log_format
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "likeness", False)]:
        root.removeHandler(old)
    root.addHandler(handler(fmt))
    root.setLevel(level)
    for name in adopt:
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
