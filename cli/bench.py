"""`likeness bench`: what the whole system costs over a bare diffusers call.

Starts the embedded default (`likeness run`: API + one worker) on a scratch data
dir with the tiny model, drives refinement rounds through the HTTP API, and times
in the same run the bare diffusers img2img call with the same parameters, seeds
and parent image. Prints figures; it is not a test.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import httpx
from PIL import Image

if TYPE_CHECKING:
    from common.spec import GenerationSpec

PASSWORD = "benchmark passphrase"
OnRound = Callable[[float, float, dict[str, Any]], None]  # (done, total, what to show): cli/progress.py


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _wait_round(client: httpx.Client, headers: dict[str, str], session: dict[str, Any], index: int) -> dict[str, Any]:
    """Follows the round's job over Server-Sent Events, as the browser does, then reads the session."""
    job_id = session["rounds"][index - 1]["job_id"]
    status = "queued"
    with client.stream("GET", f"/api/jobs/{job_id}/events", headers=headers) as events:
        for line in events.iter_lines():
            if line.startswith("data: "):
                status = json.loads(line[len("data: "):])["status"]
    session = client.get(f"/api/sessions/{session['id']}", headers=headers).json()
    if status != "succeeded":
        raise RuntimeError(f"round {index} {status}: {session['rounds'][index - 1]['error']}")
    return session


def _wait_face_checks(client: httpx.Client, headers: dict[str, str], session_id: str, index: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        session = client.get(f"/api/sessions/{session_id}", headers=headers).json()
        checked = all(c["face_found"] is not None for c in session["rounds"][index - 1]["candidates"])
        if checked or time.monotonic() > deadline:
            return session
        time.sleep(0.05)


def _job_times(job_ids: list[str]) -> list[tuple[datetime, datetime, datetime, dict[str, float]]]:
    """Each job's enqueue, start and finish times, and the worker's own clock of its parts."""
    from app.db import session_factory
    from app.jobs.models import Job

    with session_factory()() as db:
        jobs = [db.get(Job, uuid.UUID(job_id)) for job_id in job_ids]
        return [(j.created_at, j.started_at, j.finished_at, (j.result or {}).get("timings_ms", {}))
                for j in jobs if j and j.started_at and j.finished_at]


def _median_phases(timings: list[dict[str, float]]) -> dict[str, float]:
    names = {name for phases in timings for name in phases}
    return {name: statistics.median(phases.get(name, 0.0) for phases in timings) for name in sorted(names)}


def _check_scratch(database_url: str, broker_url: str) -> None:
    """The bench writes a user, a case and its rounds, and the audit log keeps them for good: it runs
    only on a database and a Redis database that hold nothing yet."""
    import redis
    import sqlalchemy as sa

    if database_url:
        engine = sa.create_engine(database_url)
        try:
            tables = sa.inspect(engine).get_table_names()
        except sa.exc.SQLAlchemyError as exc:
            raise click.UsageError(f"--database-url: cannot open it ({exc.__class__.__name__}: {exc})") from None
        finally:
            engine.dispose()
        if tables:
            raise click.UsageError(f"--database-url: the database holds {len(tables)} tables; give an empty one "
                                   "(createdb likeness_bench), since the bench writes a case and rounds into it")
    if broker_url:
        try:
            keys = redis.Redis.from_url(broker_url, socket_connect_timeout=3).dbsize()
        except redis.RedisError as exc:
            raise click.UsageError(f"--broker-url: cannot reach it ({exc})") from None
        if keys:
            raise click.UsageError(f"--broker-url: that Redis database holds {keys} keys; give an empty database "
                                   "number that no worker listens on (redis://host:6379/N)")


def _start_system(data_dir: Path, port: int, username: str = "bench",
                  password: str = PASSWORD) -> subprocess.Popen[bytes]:
    """`likeness run` (API + one worker) on the data dir, with the stores this process's environment names."""
    env = {**os.environ, "LIKENESS_DATA_DIR": str(data_dir), "LIKENESS_MODEL": "", "LIKENESS_DEVICE": "cpu"}
    subprocess.run([sys.executable, "-m", "cli.main", "create-user", "--username", username, "--password", password,
                    "--role", "artist"], env=env, check=True, capture_output=True)
    log = open(data_dir / "run.log", "wb")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _sign_in(client: httpx.Client) -> dict[str, str]:
    answer = client.post("/api/auth/token", data={"username": "bench", "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _drive_rounds(client: httpx.Client, headers: dict[str, str], rounds: int, params: dict[str, Any],
                  bare: Callable[[dict[str, Any]], float], on_round: OnRound | None = None) -> dict[str, Any]:
    """Times each refinement round through the API and, right before and after it, the same round
    drawn by the bare diffusers call: the two sides share whatever else the machine is doing."""
    case = client.post("/api/cases", headers=headers, json={"reference": "BENCH", "title": "bench"}).json()
    witness = client.post(f"/api/cases/{case['id']}/witnesses", headers=headers, json={"name": "w"}).json()
    description = client.post(f"/api/witnesses/{witness['id']}/descriptions", headers=headers, json={
        "text": "thin face, short dark hair, crooked nose", "attributes": {"sex": "male"}}).json()
    session = client.post("/api/sessions", headers=headers, json={
        "witness_id": witness["id"], "description_id": description["id"], "rounds": rounds + 1, **params}).json()
    # A witness takes seconds to choose; the worker's face checks of a round finish in that
    # time. Each round is waited out with them, so the next round and the bare call both
    # meet a quiet worker, as a witness's next pick would.
    session = _wait_face_checks(client, headers, _wait_round(client, headers, session, 1)["id"], 1)
    round_s: list[float] = []
    bare_s: list[float] = []
    for index in range(2, rounds + 3):  # the first refinement warms the worker up; not counted
        picked = session["rounds"][index - 2]["candidates"][0]
        bare_before = bare(session) if index > 2 else 0.0
        started = time.perf_counter()
        # The first round's prompt again: feedback piling up would pass 77 tokens, which plain
        # diffusers cuts off and the engine encodes in full, and the two would not draw the same.
        session = client.post(f"/api/sessions/{session['id']}/rounds", headers=headers,
                              json={"candidate_id": picked["id"], "rating": 5, "feedback": "a little older",
                                    "prompt": session["rounds"][0]["prompt"]}).json()
        session = _wait_round(client, headers, session, index)
        elapsed = time.perf_counter() - started
        session = _wait_face_checks(client, headers, session["id"], index)
        if index > 2:
            round_s.append(elapsed)
            # The bare call on either side of the system round: a machine speeding up or slowing
            # down during the round lands on both sides alike.
            bare_s.append((bare_before + bare(session)) / 2)
        if on_round is not None:
            on_round(index - 1, rounds + 1, {"round_s": elapsed})
    return {"session": session, "round_s": round_s, "bare_s": bare_s}


class _BareDiffusers:
    """The last round of a session drawn again in this process: the bare diffusers call with the
    same parent, seeds and parameters, and the engine's own cost over it."""

    def __init__(self, client: httpx.Client, headers: dict[str, str]) -> None:
        from common.models import resolve_model
        from common.settings import get_settings
        from worker.engine import Engine

        self.client, self.headers = client, headers
        self.engine = Engine(resolve_model(get_settings()), device="cpu")
        self.warm = False

    def _last_round(self, session: dict[str, Any]) -> tuple[GenerationSpec, Image.Image]:
        from common.recipe import read_recipe
        from worker.engine import spec_from_recipe

        last = session["rounds"][-1]
        parent_url = next(c["image_url"] for r in session["rounds"] for c in r["candidates"]
                          if c["id"] == last["parent_candidate_id"])
        parent = Image.open(io.BytesIO(self.client.get(parent_url, headers=self.headers).content)).convert("RGB")
        png = self.client.get(last["candidates"][0]["image_url"], headers=self.headers).content
        return spec_from_recipe(read_recipe(png) or {}), parent

    def time_round(self, session: dict[str, Any]) -> float:
        from worker.engine.bench import bare_call

        spec, parent = self._last_round(session)
        if not self.warm:
            bare_call(self.engine, spec, parent)
            self.warm = True
        started = time.perf_counter()
        bare_call(self.engine, spec, parent)
        return time.perf_counter() - started

    def engine_vs_bare(self, session: dict[str, Any], repeats: int) -> dict[str, Any]:
        from worker.engine.bench import bench_round

        spec, parent = self._last_round(session)
        measured = bench_round(self.engine, spec, parent, repeats)
        return {k: measured[k] for k in ("engine_s", "bare_s", "ratio", "min_ratio")}


def _encode_side_by_side(images: list[Image.Image], repeats: int = 5) -> float:
    """Best of `repeats`: seconds to encode these as evidence PNGs, side by side, as the worker does."""
    from concurrent.futures import ThreadPoolExecutor

    from common.recipe import encode_png

    best = float("inf")
    with ThreadPoolExecutor(max_workers=len(images)) as pool:
        for _ in range(repeats):
            started = time.perf_counter()
            list(pool.map(lambda image: encode_png(image, {}), images))
            best = min(best, time.perf_counter() - started)
    return best


def _png_cost(client: httpx.Client, headers: dict[str, str], session: dict[str, Any]) -> dict[str, float]:
    """The tiny random-weight model draws noise, which deflate cannot shrink: its PNGs cost several
    times what a drawn face's do. The last round's candidates and as many pencil sketches of a real
    face, the same size, encoded the same way, say how much of the system's cost is that."""
    import skimage.data

    from common.faces import photo_to_pencil_sketch

    candidates = [Image.open(io.BytesIO(client.get(c["image_url"], headers=headers).content)).convert("RGB")
                  for c in session["rounds"][-1]["candidates"]]
    sketch = photo_to_pencil_sketch(Image.fromarray(skimage.data.astronaut())).convert("RGB")
    sketches = [sketch.resize(candidates[0].size)] * len(candidates)
    return {"candidates_ms": _encode_side_by_side(candidates) * 1000,
            "pencil_sketches_ms": _encode_side_by_side(sketches) * 1000}


def _requests_per_second(client: httpx.Client, headers: dict[str, str], session_id: str, seconds: float) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = client.get(f"/api/sessions/{session_id}", headers=headers)
        response.raise_for_status()
        count += 1
    return count / (time.perf_counter() - started)


def run_bench(rounds: int, candidates: int, size: int, steps: int, port: int,
              on_round: OnRound | None = None, database_url: str = "", broker_url: str = "") -> dict[str, Any]:
    """On the embedded default unless `database_url` (an empty Postgres database) and `broker_url`
    (an empty Redis database) name the deployment's stores."""
    from app.db import get_engine, session_factory
    from common.settings import get_settings

    _check_scratch(database_url, broker_url)
    params = {"candidates": candidates, "width": size, "height": size, "steps": steps}
    with tempfile.TemporaryDirectory(prefix="likeness-bench-") as scratch:
        data_dir = Path(scratch)
        os.environ.update({"LIKENESS_DATA_DIR": str(data_dir), "LIKENESS_DATABASE_URL": database_url,
                           "LIKENESS_BROKER_URL": broker_url, "LIKENESS_MODEL": ""})
        for cached in (get_settings, get_engine, session_factory):
            cached.cache_clear()
        stores = {"database": get_engine().dialect.name, "broker": get_settings().resolved_broker_url.split(":")[0]}
        port = port or _free_port()
        system = _start_system(data_dir, port)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        try:
            _wait_healthy(client)
            headers = _sign_in(client)
            bare = _BareDiffusers(client, headers)
            driven = _drive_rounds(client, headers, rounds, params, bare.time_round, on_round)
            session = driven["session"]
            jobs = _job_times([r["job_id"] for r in session["rounds"]])
            latency = [(start - created).total_seconds() for created, start, _, _ in jobs]
            worker_s = [(end - start).total_seconds() for _, start, end, _ in jobs[2:]]
            phases = _median_phases([timings for *_, timings in jobs[2:]])
            rps = _requests_per_second(client, headers, session["id"], 5.0)
            engine_only = bare.engine_vs_bare(session, rounds)
            png = _png_cost(client, headers, session)
            processes = _processes(client)
        finally:
            client.close()
            system.terminate()
            system.wait(timeout=30)
            get_engine().dispose()
    system_s, bare_s = statistics.median(driven["round_s"]), statistics.median(driven["bare_s"])
    return {"stores": stores, "rounds_timed": len(driven["round_s"]), **params, "strength": 0.3, "guidance": 7.5,
            "system_round_s": system_s, "bare_pipeline_s": bare_s, "ratio": system_s / bare_s,
            "enqueue_to_start_ms": {"median": statistics.median(latency) * 1000,
                                    "p95": _percentile(latency, 0.95) * 1000, "jobs": len(latency)},
            "worker_job_s": statistics.median(worker_s), "worker_phases_ms": phases,
            "worker_draw_vs_bare": phases.get("draw", 0.0) / 1000 / bare_s, "get_session_rps": rps,
            "engine_vs_bare": engine_only, "png_encode": png,
            # What the ratio would be if the candidates' PNGs cost what a drawn sketch's do: an
            # estimate from two timings, for reading the figure, never a replacement for it.
            "ratio_with_sketch_pngs": (system_s - (png["candidates_ms"] - png["pencil_sketches_ms"]) / 1000) / bare_s,
            "process": processes}


def _processes(client: httpx.Client) -> dict[str, Any]:
    """Threads, niceness and allocator of this process beside the worker's (as its heartbeat reports them)."""
    from worker.diagnostics import process_facts

    workers = client.get("/api/health").json()["worker"]["workers"]
    bench = process_facts()
    return {"bench": {k: bench[k] for k in ("torch_threads", "torch_interop_threads", "cpus_allowed",
                                            "process_nice", "allocator", "niced_threads")},
            "worker": workers[0]["model"].get("process") if workers else None}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(client: httpx.Client, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if client.get("/api/health").json()["worker"]["ok"]:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the embedded system did not become healthy; see run.log in the data dir")


def _seconds(duration: str) -> float:
    """locust's run time ("90", "30s", "2m", "1h30m") in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms]?)", duration)
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit] for n, unit in parts)


def _run_clocked(command: list[str], env: dict[str, str], seconds: float,
                 on_tick: OnRound | None) -> subprocess.CompletedProcess[str]:
    """subprocess.run, reporting the seconds gone of the run time once a second meanwhile."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        started = time.monotonic()
        while process.poll() is None:
            if on_tick is not None:
                on_tick(min(round(time.monotonic() - started), seconds), seconds, {})
            time.sleep(1)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())


def run_loadtest(users: int, duration: str, on_tick: OnRound | None = None) -> str:
    """Runs locust headless against a scratch `likeness run`; returns its summary table."""
    locustfile = Path(__file__).resolve().parent.parent / "bench" / "locustfile.py"
    with tempfile.TemporaryDirectory(prefix="likeness-load-") as scratch:
        data_dir, port = Path(scratch), _free_port()
        system = _start_system(data_dir, port, username="load", password="load test passphrase")
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        try:
            _wait_healthy(client)
            result = _run_clocked(
                [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(users),
                 "-r", str(max(1, users // 4)), "-t", duration, "--host", f"http://127.0.0.1:{port}",
                 "--only-summary", "--csv", str(data_dir / "load")],
                {**os.environ, "LIKENESS_LOAD_USER": "load"}, _seconds(duration), on_tick)
        finally:
            client.close()
            system.terminate()
            system.wait(timeout=30)
        if not (data_dir / "load_stats.csv").exists():
            raise RuntimeError(f"locust did not run: {result.stderr[-1000:]}")
        return _load_summary(data_dir / "load_stats.csv")


def _load_summary(stats_csv: Path) -> str:
    import csv

    lines = [f"{'route':<44} {'requests':>8} {'errors':>7} {'p50 ms':>7} {'p99 ms':>7} {'req/s':>7}"]
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Name"] != "Aggregated" else "all routes"
            lines.append(f"{name[:44]:<44} {row['Request Count']:>8} {row['Failure Count']:>7} "
                         f"{row['50%']:>7} {row['99%']:>7} {float(row['Requests/s']):>7.1f}")
    return "\n".join(lines)
