"""Job progress pushed from the workers to the API processes that stream it.

The job row stays the truth; this bus only says "job X moved" so a waiting stream wakes
without polling the row. A lost message costs latency, never correctness: waiters re-read
the row every `progress_fallback_s` seconds when they hear nothing.

Transport, chosen from the broker setting (one small module both sides import):
- Redis broker (deployment): Redis pub/sub on one channel per Redis database
  (`likeness:progress:<db>`; pub/sub ignores database numbers). Each API process keeps one
  subscriber connection per event loop and fans messages out to its waiters in memory.
- File broker (embedded default: one API process under `likeness run`): a Unix datagram
  socket, `progress.sock` in the data dir. The API binds it while anyone waits (one reader
  on the event loop, no thread); the worker sends each event with a non-blocking `sendto`
  and ignores "nobody listening" (no socket, refused, queue full). No server, no polling,
  and the socket lives in the data dir, so only its owner can send. A data dir whose path
  is too long for a socket name (108 bytes) uses a Linux abstract name derived from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any, Literal

from common.settings import Settings
from common.spec import JobStatus

log = logging.getLogger(__name__)
SOCKET_NAME = "progress.sock"
Transport = Literal["redis", "unix", "none"]
_PUBLISH_BACKOFF_S = 5.0
FINAL = frozenset(s.value for s in JobStatus if s.is_final)


def transport(settings: Settings) -> Transport:
    if settings.is_embedded_broker:
        return "unix"
    if settings.resolved_broker_url.startswith(("redis://", "rediss://")):
        return "redis"
    return "none"


def redis_channel(settings: Settings) -> str:
    from redis.connection import parse_url

    return f"likeness:progress:{parse_url(settings.resolved_broker_url).get('db', 0)}"


def socket_address(settings: Settings) -> str:
    path = str(settings.resolved_data_dir / SOCKET_NAME)
    if len(os.fsencode(path)) < 104:
        return path
    return "\0likeness-progress-" + hashlib.sha256(path.encode()).hexdigest()[:32]


def encode(job_id: str, status: str, step: int = 0, total_steps: int = 0) -> bytes:
    return json.dumps({"job_id": job_id, "status": status, "step": step, "total_steps": total_steps}).encode()


def is_final(message: dict[str, Any]) -> bool:
    return str(message.get("status")) in FINAL


# --- publishing: the workers (and the API when it cancels a queued job) -------

class _Publisher:
    """Fire and forget: progress must never slow or fail the job that reports it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.unix: socket.socket | None = None
        self.redis: Any = None
        self.redis_url: str | None = None
        self.quiet_until = 0.0

    def send(self, settings: Settings, payload: bytes) -> None:
        if os.getpid() != self.pid:  # a forked pool child: sockets are not shared
            self.__init__()  # type: ignore[misc]  # re-open fresh sockets in place: holders keep this object
        kind = transport(settings)
        if kind == "unix":
            self._send_unix(socket_address(settings), payload)
        elif kind == "redis" and time.monotonic() >= self.quiet_until:
            self._send_redis(settings, payload)

    def _send_unix(self, address: str, payload: bytes) -> None:
        if self.unix is None:
            self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.unix.setblocking(False)
        with contextlib.suppress(OSError):  # no listener, refused, or its queue is full
            self.unix.sendto(payload, address)

    def _send_redis(self, settings: Settings, payload: bytes) -> None:
        import redis

        try:
            if self.redis is None or self.redis_url != settings.resolved_broker_url:
                self.redis_url = settings.resolved_broker_url
                self.redis = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=1)
            self.redis.publish(redis_channel(settings), payload)
        except Exception as exc:
            # Redis away: stop trying for a while rather than pay a timeout on every step.
            self.quiet_until = time.monotonic() + _PUBLISH_BACKOFF_S
            log.warning("could not publish job progress (%s); streams fall back to reading the job", exc)


_publisher = _Publisher()


def publish(settings: Settings, job_id: str, status: str, step: int = 0, total_steps: int = 0) -> None:
    _publisher.send(settings, encode(job_id, status, step, total_steps))


# --- listening: the API --------------------------------------------------------

class Subscription:
    """One waiter's view of one job: the newest message, a final one never overwritten."""

    def __init__(self, hub: _Hub, job_id: str) -> None:
        self.hub, self.job_id = hub, job_id
        self.latest: dict[str, Any] | None = None
        self.ready = asyncio.Event()

    def push(self, message: dict[str, Any]) -> None:
        if self.latest is not None and is_final(self.latest):
            return
        self.latest = message
        self.ready.set()

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The newest message since the last call, or None after `timeout` seconds of silence."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), timeout)
        message, self.latest = self.latest, None
        self.ready.clear()
        return message

    @property
    def listening(self) -> bool:
        return self.hub.listening

    def close(self) -> None:
        """Synchronous: it runs in a cancelled stream's `finally`, where awaiting is not allowed."""
        self.hub.leave(self)


class _UnixListener:
    def __init__(self, address: str, dispatch: Callable[[bytes], None]) -> None:
        self.address, self.dispatch = address, dispatch
        self.inode: int | None = None
        self.loop = asyncio.get_running_loop()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        try:
            self._bind()
        except OSError:
            self.sock.close()
            raise
        self.loop.add_reader(self.sock.fileno(), self._read)

    def _bind(self) -> None:
        try:
            self.sock.bind(self.address)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or self.address.startswith("\0") or _alive(self.address):
                raise
            os.unlink(self.address)  # left by a process that died
            self.sock.bind(self.address)
        if not self.address.startswith("\0"):
            os.chmod(self.address, 0o600)
            self.inode = os.stat(self.address).st_ino

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self.dispatch(data)

    @property
    def alive(self) -> bool:
        return True

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        if self.inode is not None:
            with contextlib.suppress(OSError):
                if os.stat(self.address).st_ino == self.inode:  # still ours, not a newer listener's
                    os.unlink(self.address)


def _alive(address: str) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.setblocking(False)
        probe.sendto(b"", address)
        return True
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except OSError:
        return True  # e.g. its queue is full: somebody is there
    finally:
        probe.close()


class _RedisListener:
    """One subscriber connection; reconnects while anyone waits (they re-read the row meanwhile)."""

    def __init__(self, url: str, channel: str, dispatch: Callable[[bytes], None]) -> None:
        self.url, self.channel, self.dispatch = url, channel, dispatch
        self.subscribed = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        import redis.asyncio as aioredis

        while True:
            client = aioredis.from_url(self.url, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            self.subscribed.set()
                        elif message["type"] == "message":
                            self.dispatch(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("progress subscriber lost Redis (%s); retrying in 2 s", exc)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(2)

    async def wait_ready(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), timeout)

    @property
    def alive(self) -> bool:
        return self.subscribed.is_set()

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # its loop already closed
            self.task.cancel()


class _Hub:
    """Per event loop: one listener while anyone waits, fanned out by job id."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.waiters: dict[str, set[Subscription]] = {}
        self.listener: _UnixListener | _RedisListener | None = None
        self.retry_after = 0.0

    @property
    def listening(self) -> bool:
        return self.listener is not None and self.listener.alive

    async def join(self, job_id: str) -> Subscription:
        subscription = Subscription(self, job_id)
        self.waiters.setdefault(job_id, set()).add(subscription)
        if self.listener is None and time.monotonic() >= self.retry_after:
            self._start()
        if isinstance(self.listener, _RedisListener):
            await self.listener.wait_ready(2.0)  # subscribed before the caller reads the row
        return subscription

    def _start(self) -> None:
        kind = transport(self.settings)
        try:
            if kind == "unix":
                self.listener = _UnixListener(socket_address(self.settings), self._dispatch)
            elif kind == "redis":
                self.listener = _RedisListener(self.settings.resolved_broker_url, redis_channel(self.settings),
                                               self._dispatch)
        except OSError as exc:
            # e.g. a second API process on one embedded data dir: its streams re-read the row slowly.
            self.retry_after = time.monotonic() + 5
            log.warning("cannot listen for job progress (%s); streams will re-read the job instead", exc)

    def _dispatch(self, data: bytes) -> None:
        try:
            message = json.loads(data)
            waiters = self.waiters.get(str(message["job_id"]), ())
        except (ValueError, KeyError, TypeError):
            return
        for subscription in list(waiters):
            subscription.push(message)

    def leave(self, subscription: Subscription) -> None:
        waiters = self.waiters.get(subscription.job_id)
        if waiters is not None:
            waiters.discard(subscription)
            if not waiters:
                del self.waiters[subscription.job_id]
        if not self.waiters and self.listener is not None:
            self.listener.close()
            self.listener = None


_hubs: dict[asyncio.AbstractEventLoop, _Hub] = {}


async def subscribe(settings: Settings, job_id: str) -> Subscription:
    """Start listening for one job; call before reading its row, so no change falls in between."""
    loop = asyncio.get_running_loop()
    for closed in [other for other in _hubs if other.is_closed()]:
        gone = _hubs.pop(closed)
        if gone.listener is not None:
            gone.listener.close()
    hub = _hubs.get(loop)
    if hub is None or hub.settings is not settings:
        hub = _hubs[loop] = _Hub(settings)
    return await hub.join(job_id)
