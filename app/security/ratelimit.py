"""Per-client request limits (429) on the routes an attacker would hammer.

A sliding window in this process's memory: enough for one API process (the
embedded default, or one container). Several API replicas each keep their own
window, so the effective limit multiplies by the replica count.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from app.errors import DomainError
from common.settings import get_settings


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


class SlidingWindow:
    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, limit: Limit, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[(limit.name, key)]
            while hits and now - hits[0] > limit.per_seconds:
                hits.popleft()
            if len(hits) >= limit.requests:
                retry = int(limit.per_seconds - (now - hits[0])) + 1
                raise RateLimitedError(f"too many {limit.name}; try again in {retry} s", retry)
            hits.append(now)

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = SlidingWindow()


def check_preview(key: str, characters: int) -> None:
    limiter.check(PREVIEW, key)
    if characters > LONG_PREVIEW_CHARS:
        limiter.check(LONG_PREVIEW, key)
