"""SIGTERM or SIGINT to `likeness run` stops its Celery worker too: no orphan left for PID 1."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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


def _child(pid: int) -> int:
    """The one process started by pid (the Celery worker of `likeness run`)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, f"expected one child of {pid}, found {children}"
    return int(children[0])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Serving:
    process: subprocess.Popen[bytes]
    run_log: Path
    workers: set[int]  # every process below `likeness run` once its worker was up


@contextlib.contextmanager
def _likeness_run(tmp_path: Path, tiny_model_dir: Path) -> Iterator[Serving]:
    """`likeness run` in a session of its own, serving with its worker; stopped, with whatever it left
    behind, at the end (a failed test leaves no worker for the next one), its log printed."""
    stack = make_stack(tmp_path, tiny_model_dir, None, None)
    port = free_port()
    run_log = stack.data_dir / "run.log"
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--port", str(port)], cwd=REPO,
                               env={**os.environ, **stack.env}, stdout=open(run_log, "wb"),  # noqa: SIM115
                               stderr=subprocess.STDOUT, start_new_session=True)
    stack.processes.append(process)
    serving = Serving(process, run_log, set())
    try:
        def worker_up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).json()["worker"]["ok"]
            except (httpx.HTTPError, ValueError):
                return False

        wait_for(worker_up, 120, "likeness run to serve with its worker", interval=0.5)
        serving.workers = _descendants(process.pid)
        yield serving
    finally:
        stack.stop_all()
        for pid in serving.workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        print(run_log.read_text(errors="replace")[-3000:])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_likeness_run_stops_its_worker(tmp_path: Path, tiny_model_dir: Path, sig: int) -> None:
    with _likeness_run(tmp_path, tiny_model_dir) as run:
        assert run.workers, "likeness run has no worker process"
        os.kill(run.process.pid, sig)  # the parent only, as `kill` or a service manager sends it
        run.process.wait(timeout=60)
        wait_for(lambda: not any(_alive(pid) for pid in run.workers), 30, "the worker processes to exit")


def test_a_second_signal_while_the_worker_stops_kills_it_instead_of_leaving_it(tmp_path: Path,
                                                                               tiny_model_dir: Path) -> None:
    """Ctrl-C pressed twice: the first asks the worker for a warm shutdown, the second arrives while
    `likeness run` waits for it. It used to end the wait and leave the worker to PID 1, stuck."""
    with _likeness_run(tmp_path, tiny_model_dir) as run:
        os.kill(run.process.pid, signal.SIGTERM)
        wait_for(lambda: "Warm shutdown" in run.run_log.read_text(errors="replace"), 60,
                 "the worker to begin its warm shutdown", interval=0.05)
        worker = _child(run.process.pid)
        os.kill(run.process.pid, signal.SIGTERM)
        run.process.wait(timeout=60)
        # Stopped by `likeness run` itself, before it exited: not left to finish (or hang) on its own.
        assert not _alive(worker), "likeness run exited while its worker was still running"
        wait_for(lambda: not any(_alive(pid) for pid in run.workers), 30, "the worker's pool to exit")
