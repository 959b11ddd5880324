"""Waiting on a job without a thread, a pooled connection or a poll loop.

A waiter subscribes to the progress bus (common/progress_bus.py) first, then reads the row
once; from there it sleeps on the event loop until the worker pushes a change. It reads the
row again only for the authoritative final state, or when it heard nothing for
`progress_fallback_s` (a lost message). Each read is a short session of its own, closed at
once: on SQLite every transaction holds the write lock (app/db.py), so nothing may stay open
while it waits.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.db import session_factory
from app.jobs import service
from app.jobs.models import Job
from app.observability.metrics import progress_stream
from app.security.ratelimit import RateLimitedError
from app.users.actor import Actor
from app.users.deps import current_actor, current_session
from common import progress_bus
from common.previews import preview_path
from common.settings import get_settings
from common.spec import JobStatus, ProgressEvent

T = TypeVar("T")
STREAM_LIMIT_S = 3600
KEEP_ALIVE_S = 15.0
TICK_S = 5.0  # a quiet waiter wakes this often: keep-alives, the fallback re-read, the time limit


def read_event(job_id: uuid.UUID) -> ProgressEvent | None:
    """The job as it stands, in a session of its own (call in a thread)."""
    with session_factory()() as db:
        job = db.get(Job, job_id)
        return service.progress_of(job) if job else None


def signed_in(request: Request, work: Callable[[Session, Actor], T]) -> tuple[Actor, T]:
    """Sign-in check and `work` in one short session (call in a thread).

    Routes that wait take no `Db` dependency: under load, sessions opened by dependencies
    would hold pooled connections (and SQLite's write lock) while their route awaits a thread.
    """
    with session_factory()() as db:
        actor = current_actor(request, current_session(request, db))
        return actor, work(db, actor)


def check_and_read(request: Request, job_id: uuid.UUID) -> tuple[Actor, ProgressEvent]:
    """Who is asking, the access check and the current state: one short session."""
    return signed_in(request, lambda db, actor: service.progress_of(service.get_job(db, actor, job_id)))


def pushed_event(message: dict[str, Any]) -> ProgressEvent:
    """A running step as pushed by the worker: the same event the row would give."""
    settings, job_id = get_settings(), str(message["job_id"])
    step = int(message.get("step", 0))
    preview = None
    if preview_path(settings, uuid.UUID(job_id)).exists():
        preview = f"/api/jobs/{job_id}/preview?step={step}"
    return ProgressEvent(job_id=job_id, status=JobStatus.RUNNING, step=step,
                         total_steps=int(message.get("total_steps", 0)), preview_url=preview)


async def _next_event(subscription: progress_bus.Subscription, job_id: uuid.UUID,
                      timeout: float) -> ProgressEvent | None:
    """Waits up to `timeout` for news; None if there was none."""
    message = await subscription.next(timeout)
    if message is None:
        return None
    if message.get("status") != JobStatus.RUNNING:
        return await run_in_threadpool(read_event, job_id)  # final: the row has the result and the error
    return pushed_event(message)


async def _events(subscription: progress_bus.Subscription, job_id: uuid.UUID, first: ProgressEvent,
                  limit_s: float) -> AsyncIterator[ProgressEvent | None]:
    """Yields each new state (ending after a final one), or None at each quiet tick."""
    loop, fallback = asyncio.get_running_loop(), get_settings().progress_fallback_s
    deadline, last, heard = loop.time() + limit_s, first, loop.time()
    tick = min(TICK_S, fallback)
    while not JobStatus(last.status).is_final and loop.time() < deadline:
        event = await _next_event(subscription, job_id, min(tick, max(0.0, deadline - loop.time())))
        now = loop.time()
        if event is None and now - heard >= fallback:
            event = await run_in_threadpool(read_event, job_id)  # heard nothing for long: a lost message?
        if event is not None:
            heard = now
        if event is None or event == last:
            yield None  # nothing new: the caller may send a keep-alive
            continue
        last = event
        yield event


async def wait_final(job_id: uuid.UUID, timeout: float) -> ProgressEvent | None:
    """The job once final, or as it stands after `timeout` seconds (None if it is gone)."""
    subscription = await progress_bus.subscribe(get_settings(), str(job_id))
    try:
        event = await run_in_threadpool(read_event, job_id)
        if event is None or timeout <= 0:
            return event
        async for news in _events(subscription, job_id, event, timeout):
            if news is not None:
                event = news
        return event
    finally:
        subscription.close()


async def sse(subscription: progress_bus.Subscription, job_id: uuid.UUID, first: ProgressEvent) -> AsyncIterator[str]:
    """The Server-Sent Events body: the state now, each change, keep-alives; ends after a final state."""
    try:
        yield f"event: progress\ndata: {first.model_dump_json()}\n\n"
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        async for event in _events(subscription, job_id, first, STREAM_LIMIT_S):
            if event is not None:
                quiet_since = loop.time()
                yield f"event: progress\ndata: {event.model_dump_json()}\n\n"
            elif loop.time() - quiet_since >= KEEP_ALIVE_S:
                quiet_since = loop.time()
                yield ": keep-alive\n\n"  # proxies close silent connections
    finally:
        subscription.close()


class StreamSlots:
    """Open progress streams per user, in this process: past the cap, 429."""

    def __init__(self) -> None:
        self.open: Counter[uuid.UUID | str] = Counter()
        self.lock = threading.Lock()

    def take(self, actor: Actor) -> Callable[[], None]:
        key, cap = actor.id or actor.username, get_settings().streams_per_user
        with self.lock:
            if self.open[key] >= cap:
                raise RateLimitedError(
                    f"you have {self.open[key]} progress streams open (the limit is {cap} per user); "
                    "close some pages or streams, then try again", retry_after=int(KEEP_ALIVE_S))
            self.open[key] += 1
        released = [False]

        def release() -> None:
            with self.lock:
                if not released[0]:
                    released[0] = True
                    self.open[key] -= 1
                    if self.open[key] <= 0:
                        del self.open[key]

        return release


slots = StreamSlots()


class CountedStream(StreamingResponse):
    """Gives the user's stream slot back however the stream ends (done, error, client gone)."""

    def __init__(self, content: AsyncIterator[str], release: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            with progress_stream():  # the /metrics gauge of open streams
                await super().__call__(scope, receive, send)
        finally:
            self.release()
