"""A real API process (uvicorn) on a free port, for tests that need more than one, or its log."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import REPO, Stack, free_port, wait_for


@contextmanager
def api_process(stack: Stack, log_path: Path | None = None, **env: str) -> Iterator[httpx.Client]:
    port = free_port()
    log = open(log_path or stack.data_dir / f"api-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env={**os.environ, **stack.env, **env}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    stack.processes.append(process)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def serving() -> bool:
        try:
            return client.get("/api/health").status_code in (200, 503)
        except httpx.HTTPError:
            return False

    try:
        wait_for(serving, 60, f"the API on port {port}", interval=0.3)
        yield client
    finally:
        client.close()
        stack.kill(process)
        log.close()
