"""Prometheus series for GET /metrics (prometheus-client; the API stays torch-free).

Counted in this process: request latency by route, open progress streams. Read from the
database at scrape time, so every API replica reports the same: queue depth per queue,
jobs by state, round durations, live workers with their model and GPU memory (which each
worker puts in its heartbeat).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from prometheus_client import Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select

log = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram("likeness_http_request_duration_seconds", "API request latency by route template",
                            ["method", "route"])
streams_open = Gauge("likeness_progress_streams_open", "Server-Sent Events progress streams open now")
ROUND_BUCKETS = (1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800)
WORKER_FRESH = timedelta(seconds=30)


@contextlib.contextmanager
def progress_stream() -> Iterator[None]:
    """Wrap the life of one SSE progress stream: counted open until it ends, however it ends."""
    streams_open.inc()
    try:
        yield
    finally:
        streams_open.dec()


def _job_rows(db: Any) -> tuple[Counter[tuple[str, str]], int, list[float]]:
    from app.jobs.models import Job

    states: Counter[tuple[str, str]] = Counter()
    for kind, status, count in db.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)):
        states[(kind, status)] = count
    queued = sum(c for (_, status), c in states.items() if status == "queued")
    durations = [(finished - created).total_seconds() for created, finished in db.execute(
        select(Job.created_at, Job.finished_at).where(Job.kind == "generate", Job.status == "succeeded",
                                                      Job.finished_at.is_not(None)))]
    return states, queued, durations


def _training_queued(db: Any) -> int:
    from app.training.models import TrainingRun

    return int(db.scalar(select(func.count()).select_from(TrainingRun).where(TrainingRun.status == "queued")) or 0)


def _workers(db: Any) -> list[tuple[str, dict[str, Any]]]:
    from app.db import utcnow
    from app.jobs.models import WorkerHeartbeat

    beats = db.scalars(select(WorkerHeartbeat).where(WorkerHeartbeat.last_seen > utcnow() - WORKER_FRESH))
    return [(b.name, dict(b.model or {})) for b in beats]


def _histogram(durations: list[float]) -> HistogramMetricFamily:
    buckets = [(str(le), float(sum(1 for d in durations if d <= le))) for le in ROUND_BUCKETS]
    buckets.append(("+Inf", float(len(durations))))
    return HistogramMetricFamily("likeness_round_duration_seconds",
                                 "Generation rounds, enqueue to candidates stored (succeeded jobs)",
                                 buckets=buckets, sum_value=sum(durations))


class DatabaseCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        from app.db import session_factory

        try:
            with session_factory()() as db:
                states, queued, durations = _job_rows(db)
                training = _training_queued(db)
                workers = _workers(db)
        except Exception as exc:  # a scrape during a database restart: say so, do not 500
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            up = GaugeMetricFamily("likeness_database_up", "1 when the last scrape could read the database")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("likeness_database_up", "1 when the last scrape could read the database")
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("likeness_queue_depth", "Jobs waiting for a worker, per queue", labels=["queue"])
        depth.add_metric(["generate"], queued)
        depth.add_metric(["train"], training)
        yield depth
        jobs = GaugeMetricFamily("likeness_jobs", "Jobs by kind and state", labels=["kind", "state"])
        for (kind, state), count in sorted(states.items()):
            jobs.add_metric([kind, state], count)
        yield jobs
        yield _histogram(durations)
        yield from _worker_metrics(workers)


def _worker_metrics(workers: list[tuple[str, dict[str, Any]]]) -> Iterable[Metric]:
    count = GaugeMetricFamily("likeness_workers", "Workers with a heartbeat in the last 30 s")
    count.add_metric([], len(workers))
    yield count
    info = GaugeMetricFamily("likeness_worker_model", "1 per live worker, labelled with the model it serves",
                             labels=["worker", "model", "device", "random_weights"])
    gpu = GaugeMetricFamily("likeness_worker_gpu_memory_bytes", "GPU memory of each worker (CUDA workers only)",
                            labels=["worker", "kind"])
    for name, model in workers:
        info.add_metric([name, str(model.get("name", "")),
                         str(model.get("device", "")), str(bool(model.get("random_weights"))).lower()], 1)
        for kind, value in (model.get("gpu_memory") or {}).items():
            gpu.add_metric([name, str(kind)], float(value))
    yield info
    yield gpu


_registered: list[DatabaseCollector] = []


def register_collectors() -> None:
    if not _registered:
        _registered.append(DatabaseCollector())
        REGISTRY.register(_registered[0])
