"""`likeness bench` at a tiny size: the whole system started, a round driven, one JSON object whose
ratios are computed from its own figures."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_bench_prints_the_system_against_bare_diffusers_and_the_png_cost() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "cli.main", "bench", "--rounds", "1", "--size", "64", "--steps", "4",
         "--candidates", "2", "--json"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)

    assert report["rounds_timed"] == 1 and report["candidates"] == 2
    assert report["system_round_s"] > 0 and report["bare_pipeline_s"] > 0
    assert report["ratio"] == report["system_round_s"] / report["bare_pipeline_s"]
    assert {"claim", "draw", "encode", "rows"} <= set(report["worker_phases_ms"])
    png = report["png_encode"]
    assert png["candidates_ms"] > 0 and png["pencil_sketches_ms"] > 0
    extra_s = (png["candidates_ms"] - png["pencil_sketches_ms"]) / 1000
    assert report["ratio_with_sketch_pngs"] == (report["system_round_s"] - extra_s) / report["bare_pipeline_s"]
