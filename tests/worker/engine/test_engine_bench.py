"""bench_round times the engine against the bare diffusers call in one run."""

from __future__ import annotations

from PIL import Image

from common.spec import Mode
from worker.engine import Engine
from worker.engine.bench import bench_round


def test_bench_round_reports_medians_and_ratio(engine: Engine, make_spec) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, steps=4, strength=0.5, seeds=[1, 2])
    parent = Image.new("RGB", (100, 80), "gray")
    result = bench_round(engine, spec, parent, repeats=3)
    assert len(result["engine_times"]) == len(result["bare_times"]) == 3
    assert result["engine_s"] == sorted(result["engine_times"])[1]
    assert result["bare_s"] == sorted(result["bare_times"])[1]
    assert result["ratio"] == result["engine_s"] / result["bare_s"] > 0
    assert result["min_ratio"] == min(result["engine_times"]) / min(result["bare_times"])
    assert (result["mode"], result["candidates"], result["size"]) == ("img2img", 2, [64, 64])


def test_bench_round_runs_txt2img(engine: Engine, make_spec) -> None:
    result = bench_round(engine, make_spec(steps=2, seeds=[1]), None, repeats=1)
    assert result["mode"] == "txt2img" and result["engine_s"] > 0 and result["bare_s"] > 0
