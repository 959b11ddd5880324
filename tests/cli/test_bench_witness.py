"""`likeness bench witness` at a tiny size: one JSON object with the curves and the ratio, and a plot."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from tests.conftest import Stack


def test_bench_witness_prints_json_with_the_ratio_and_writes_a_plot(sqlite_stack: Stack, tmp_path: Path) -> None:
    plot = tmp_path / "curves.png"
    result = CliRunner().invoke(main, ["bench", "witness", "--trials", "1", "--rounds", "2", "--array", "2",
                                       "--picks", "2", "--steps", "1", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    curves = report["median_normalised_distance"]
    assert set(curves) == {"model1", "model1_keep", "evolve", "evolve_scales"}
    assert all(len(curve) == 2 and all(d >= 0 for d in curve) for curve in curves.values())
    assert report["ratio"] == round(curves["evolve"][-1] / curves["model1"][-1], 4)
    assert report["ratio_vs_model1_keep"] == round(curves["evolve"][-1] / curves["model1_keep"][-1], 4)
    assert report["feature_space"] == "pixel", "the tiny random model draws no face dlib can find"
    assert report["memory_noise"] == 0.15 and report["model"]["random_weights"] is True
    assert report["faces_per_round"] == dict.fromkeys(curves, 2), "every method shows as many faces a round"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
