"""A drill on the real embedded server (`likeness run`, loopback only): 200 open progress
streams (20 artists × the cap of 10) while `/api/health` and `GET /api/cases` must still
answer in under a second. Streams that held a thread each (the old polling generator)
froze every other request past the thread pool's 40."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PASSWORD, REPO, Stack, free_port, make_user, wait_for
from tests.journey import FAST, ok, open_case

pytestmark = pytest.mark.integration
USERS, CAP = 20, 10


@pytest.fixture
def server(sqlite_stack: Stack) -> Iterator[str]:
    """`likeness run` without a worker: every job stays queued, so every stream stays open."""
    for i in range(USERS):
        make_user(f"artist{i}")
    port = free_port()
    log = open(sqlite_stack.data_dir / "run.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--no-worker", "--port", str(port)],
                               cwd=REPO, env={**os.environ, **sqlite_stack.env, "LIKENESS_SIGNIN_PER_MINUTE": "100"},
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    sqlite_stack.processes.append(process)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/api/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, 120, "likeness run to serve", interval=0.5)
        yield base
    finally:
        sqlite_stack.kill(process)
        print((sqlite_stack.data_dir / "run.log").read_text(errors="replace")[-2000:])


def _prepare(base: str) -> list[tuple[dict[str, str], str]]:
    """Each artist signs in and starts a session; returns (headers, queued job id) per artist."""
    users = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(USERS):
            token = ok(client.post("/api/auth/token", data={"username": f"artist{i}", "password": PASSWORD}))
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            ids = open_case(client, headers, f"LOAD-{i}")
            session = ok(client.post("/api/sessions", headers=headers, json={
                "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 1,
                **FAST}), 201)
            users.append((headers, session["rounds"][0]["job_id"]))
    return users


async def _open_stream(client: httpx.AsyncClient, exits: contextlib.AsyncExitStack, headers: dict[str, str],
                       job_id: str) -> str:
    response = await exits.enter_async_context(client.stream("GET", f"/api/jobs/{job_id}/events", headers=headers))
    assert response.status_code == 200, await response.aread()
    # Keep the line iterator: a dropped one is finalised later and closes the connection.
    lines = response.aiter_lines()
    exits.push_async_callback(lines.aclose)
    async for line in lines:
        if line.startswith("data: "):
            return line
    raise AssertionError("the stream ended before its first event")


async def _timed(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


async def _drill(base: str, users: list[tuple[dict[str, str], str]]) -> dict[str, list[float]]:
    limits = httpx.Limits(max_connections=USERS * CAP + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as streams, \
            httpx.AsyncClient(base_url=base, timeout=30) as probe:
        per_user = [contextlib.AsyncExitStack() for _ in users]
        try:
            firsts = await asyncio.gather(*(_open_stream(streams, per_user[u], headers, job_id)
                                            for u, (headers, job_id) in enumerate(users) for _ in range(CAP)))
            assert len(firsts) == USERS * CAP and all('"status":"queued"' in f for f in firsts)
            # Past the cap: 429, saying how many are open and what to do.
            headers, job_id = users[0]
            refused = await asyncio.wait_for(probe.get(f"/api/jobs/{job_id}/events", headers=headers), 20)
            assert refused.status_code == 429 and f"{CAP} progress streams open" in refused.json()["detail"]
            assert "close some" in refused.json()["detail"]
            figures: dict[str, list[float]] = {"health": [], "cases": []}
            for _ in range(5):
                figures["health"].append(await _timed(probe, "/api/health", {}))
                figures["cases"].append(await _timed(probe, "/api/cases", users[1][0]))
            # Closed streams give their slots back.
            await per_user[0].aclose()
            await _wait_accepted(probe, headers, job_id)
            return figures
        finally:
            for exits in per_user:
                await exits.aclose()


async def _wait_accepted(client: httpx.AsyncClient, headers: dict[str, str], job_id: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        async with client.stream("GET", f"/api/jobs/{job_id}/events", headers=headers) as response:
            if response.status_code == 200:
                return
        assert time.monotonic() < deadline, "closed streams did not give their slots back"
        await asyncio.sleep(0.2)


def test_200_open_streams_leave_the_api_responsive(server: str) -> None:
    users = _prepare(server)
    figures = asyncio.run(_drill(server, users))
    print({k: {"max_ms": round(max(v) * 1000), "median_ms": round(statistics.median(v) * 1000)}
           for k, v in figures.items()})
    assert max(figures["health"]) < 1.0 and max(figures["cases"]) < 1.0, figures
