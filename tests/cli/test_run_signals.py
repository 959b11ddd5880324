"""SIGTERM or SIGINT to `likeness run` stops its Celery worker too: no orphan left for PID 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, free_port, make_stack, wait_for


def _descendants(pid: int) -> set[int]:
    """Every process below pid, from /proc (children of children too)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_likeness_run_stops_its_worker(tmp_path: Path, tiny_model_dir: Path, sig: int) -> None:
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    port = free_port()
    log = open(stack.data_dir / "run.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--port", str(port)], cwd=REPO,
                               env={**os.environ, **stack.env}, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.processes.append(process)
    try:
        def worker_up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()["worker"]["ok"]
            except (httpx.HTTPError, ValueError):
                return False

        wait_for(worker_up, 120, "likeness run to serve with its worker", interval=0.5)
        workers = _descendants(process.pid)
        assert workers, "likeness run has no worker process"
        os.kill(process.pid, sig)  # the parent only, as `kill` or a service manager sends it
        process.wait(timeout=60)
        wait_for(lambda: not any(_alive(pid) for pid in workers), 30, "the worker processes to exit")
    finally:
        stack.stop_all()
        print((stack.data_dir / "run.log").read_text(errors="replace")[-3000:])
