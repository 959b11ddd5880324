"""`likeness bench` at a tiny size: the whole system started, a round driven, one JSON object whose
ratios are computed from its own figures."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import redis
import sqlalchemy as sa

from tests.conftest import REPO

SMALL = ("--rounds", "1", "--size", "64", "--steps", "4", "--candidates", "2", "--json")


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", "bench", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def _report(*args: str) -> dict[str, Any]:
    finished = _bench(*args)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return dict(json.loads(finished.stdout))


def test_bench_prints_the_system_against_bare_diffusers_and_the_png_cost() -> None:
    report = _report(*SMALL)

    assert report["stores"] == {"database": "sqlite", "broker": "filesystem"}
    assert report["rounds_timed"] == 1 and report["candidates"] == 2
    assert report["system_round_s"] > 0 and report["bare_pipeline_s"] > 0
    assert report["ratio"] == report["system_round_s"] / report["bare_pipeline_s"]
    assert {"claim", "draw", "encode", "rows"} <= set(report["worker_phases_ms"])
    png = report["png_encode"]
    assert png["candidates_ms"] > 0 and png["pencil_sketches_ms"] > 0
    extra_s = (png["candidates_ms"] - png["pencil_sketches_ms"]) / 1000
    assert report["ratio_with_sketch_pngs"] == (report["system_round_s"] - extra_s) / report["bare_pipeline_s"]


def test_bench_runs_on_postgres_and_redis_as_deployed(postgres_url: str, redis_url: str) -> None:
    report = _report(*SMALL, "--database-url", postgres_url, "--broker-url", redis_url)

    assert report["stores"] == {"database": "postgresql", "broker": "redis"}
    assert report["rounds_timed"] == 1 and report["enqueue_to_start_ms"]["jobs"] == 3


def test_bench_refuses_a_database_or_redis_that_holds_anything(postgres_url: str, redis_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE evidence (id int)"))
    refused = _bench(*SMALL, "--database-url", postgres_url)
    assert refused.returncode == 2 and "holds 1 tables" in refused.stderr
    assert sa.inspect(engine).get_table_names() == ["evidence"], "the bench wrote into a database in use"
    engine.dispose()

    redis.Redis.from_url(redis_url).set("someone's", "queue")
    refused = _bench(*SMALL, "--broker-url", redis_url)
    assert refused.returncode == 2 and "holds 1 keys" in refused.stderr
