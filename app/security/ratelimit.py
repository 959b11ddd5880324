"""Per-client request limits (429) on the routes an attacker would hammer.

A moving window from the `limits` library. Its counters live where every API process
sees them: in Redis when the broker is Redis (the deployment) or wherever
LIKENESS_RATELIMIT_STORAGE points, so two replicas behind a proxy enforce one limit
together; in this process's memory in the embedded default (one API process).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import DomainError
from common.settings import get_settings

log = logging.getLogger(__name__)


class RateLimitedError(DomainError):
    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    name: str
    requests: int
    per_seconds: float

    @property
    def item(self) -> RateLimitItem:
        return RateLimitItemPerSecond(self.requests, max(1, math.ceil(self.per_seconds)), namespace="likeness")


def login_limit() -> Limit:
    # Per source address: an office behind one NAT signs in from one address, so this is
    # set with the room's size in mind (LIKENESS_SIGNIN_PER_MINUTE); the per-account
    # lockout is what stops guessing at one account.
    return Limit("sign-in attempts", get_settings().signin_per_minute, 60)


GENERATE = Limit("generation requests", 30, 60)
WITNESS = Limit("witness requests", 120, 60)
# Prompt previews and feedback suggestions (live while the artist types, 350 ms debounce),
# and a tighter one for long texts: each may be up to 1M characters of work.
PREVIEW = Limit("prompt previews", 120, 60)
LONG_PREVIEW = Limit("previews of long texts", 10, 60)
LONG_PREVIEW_CHARS = 20_000
# Region overlays: each new picture costs a full face-detector pass on the API's CPU.
FACE_LOOKUPS = Limit("face lookups", 60, 60)


def storage_uri() -> str:
    """LIKENESS_RATELIMIT_STORAGE, else the broker's Redis, else this process's memory."""
    settings = get_settings()
    if settings.ratelimit_storage:
        return settings.ratelimit_storage
    broker = settings.resolved_broker_url
    return broker if broker.startswith(("redis://", "rediss://")) else "memory://"


class SharedWindow:
    """The limiter the routes call; the storage follows the settings (tests change them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uri = ""
        self._storage: Storage | None = None
        self._strategy: MovingWindowRateLimiter | None = None

    def _current(self) -> tuple[Storage, MovingWindowRateLimiter]:
        uri = storage_uri()
        with self._lock:
            if self._storage is None or self._strategy is None or uri != self._uri:
                options = {"key_prefix": "likeness-ratelimit"} if uri.startswith("redis") else {}
                storage = storage_from_string(uri, **options)
                assert isinstance(storage, Storage)  # a synchronous storage: the routes call it from threads
                self._storage, self._strategy, self._uri = storage, MovingWindowRateLimiter(storage), uri
            return self._storage, self._strategy

    def check(self, limit: Limit, key: str) -> None:
        _, strategy = self._current()
        item = limit.item
        try:
            allowed = strategy.hit(item, limit.name, key)
            reset_at = strategy.get_window_stats(item, limit.name, key).reset_time if not allowed else 0.0
        except Exception as exc:  # storage down: serve rather than lock everyone out; say so
            log.warning("rate-limit storage unavailable (%s); %s not limited", type(exc).__name__, limit.name)
            return
        if not allowed:
            retry = max(1, math.ceil(reset_at - time.time()))
            raise RateLimitedError(f"too many {limit.name}; try again in {retry} s", retry)

    def reset(self) -> None:
        """Empties every window (tests; an operator's fresh start). A storage that cannot be
        reached has nothing this process could clear."""
        storage, _ = self._current()
        try:
            storage.reset()
        except Exception as exc:
            log.warning("rate-limit storage unavailable (%s); nothing reset", type(exc).__name__)


limiter = SharedWindow()


def check_preview(key: str, characters: int) -> None:
    limiter.check(PREVIEW, key)
    if characters > LONG_PREVIEW_CHARS:
        limiter.check(LONG_PREVIEW, key)
