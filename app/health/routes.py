"""GET /api/health: what works right now (database, broker, workers, model)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, text

from app.db import session_factory, utcnow
from app.jobs.limits import queue_status
from app.jobs.models import WorkerHeartbeat
from app.jobs.queue import broker_reachable
from common.models import ModelNotFoundError, resolve_model
from common.settings import get_settings

router = APIRouter(prefix="/api", tags=["health"])
WORKER_FRESH = timedelta(seconds=30)


def _database_and_workers() -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        with session_factory()() as db:
            db.execute(text("SELECT 1"))
            beats = list(db.scalars(select(WorkerHeartbeat).where(WorkerHeartbeat.last_seen > utcnow() - WORKER_FRESH)))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}, {"ok": False, "count": 0, "workers": []}
    workers = [{"name": b.name, "last_seen": b.last_seen.isoformat(), "state": _state(b.model), "model": b.model}
               for b in beats]
    ready = sum(w["state"] == "ready" for w in workers)
    # Only a ready worker takes rounds at full speed: one still warming up does not count yet.
    return {"ok": True}, {"ok": bool(ready), "count": len(workers), "ready": ready,
                          "warming": len(workers) - ready, "workers": workers}


def _state(model: dict[str, Any] | None) -> str:
    """A worker's heartbeat says "warming" until its warm-up round is drawn; older workers say nothing."""
    return "warming" if (model or {}).get("state") == "warming" else "ready"


def model_status() -> dict[str, Any]:
    try:
        choice = resolve_model(get_settings())
    except ModelNotFoundError as exc:
        return {"ok": False, "error": str(exc)}
    info = choice.as_dict()
    info.pop("path")
    info["ok"] = True
    if choice.random_weights:
        info["warning"] = "tiny random-weight model: images are noise, not sketches"
    return info


@router.get("/health")
async def health() -> dict[str, Any]:
    database, workers = await run_in_threadpool(_database_and_workers)
    broker = {"ok": await run_in_threadpool(broker_reachable)}
    model = model_status()
    ok = database["ok"] and broker["ok"] and workers["ok"] and model["ok"]
    warming = database["ok"] and broker["ok"] and model["ok"] and not workers["ok"] and workers.get("warming")
    status = "ok" if ok else "warming" if warming else "degraded"
    return {"status": status, "database": database, "broker": broker, "worker": workers, "model": model,
            "queue": await run_in_threadpool(_queue)}


def _queue() -> dict[str, Any]:
    try:
        with session_factory()() as db:
            return queue_status(db)
    except Exception as exc:
        return {"error": type(exc).__name__}
