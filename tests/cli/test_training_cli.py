"""`likeness dataset`, `likeness train` and `likeness evaluate` as an admin runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from tests.conftest import Stack
from tests.training_data import good_dataset, write_dataset


def test_dataset_import_lists_bad_rows_then_imports_a_good_folder(sqlite_stack: Stack, tmp_path: Path) -> None:
    bad = write_dataset(tmp_path / "bad", [{"description": "a red round shape", "sketch": "gone.png"},
                                           {"description": "", "sketch": "gone.png"}], {})
    refused = sqlite_stack.run_cli("dataset", "import", str(bad), "--name", "shapes")
    assert refused.returncode == 1
    assert "nothing was imported: 2 problem(s)" in refused.stderr
    assert "line 1: sketch: 'gone.png': file not found" in refused.stderr
    assert "line 2: description: empty" in refused.stderr

    good = good_dataset(tmp_path / "good", count=10)
    checked = sqlite_stack.run_cli("dataset", "import", str(good), "--name", "shapes", "--check")
    assert checked.returncode == 0 and "10 pairs, all usable" in checked.stdout
    assert json.loads(sqlite_stack.run_cli("dataset", "list").stdout) == [], "--check stores nothing"
    imported = sqlite_stack.run_cli("dataset", "import", str(good), "--name", "shapes", "--split-seed", "5")
    assert imported.returncode == 0, imported.stderr
    assert "10 pairs, 8 train / 2 validation (seed 5)" in imported.stdout
    listed = json.loads(sqlite_stack.run_cli("dataset", "list").stdout)
    assert [(d["name"], d["pairs"], d["split_seed"]) for d in listed] == [("shapes", 10, 5)]


def test_train_both_adapters_then_evaluate(sqlite_stack: Stack, tmp_path: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(main, ["dataset", "import", str(good_dataset(tmp_path / "d", count=10)),
                                    "--name", "shapes"])
    assert imported.exit_code == 0, imported.output
    unet = runner.invoke(main, ["train", "unet-lora", "--dataset", "shapes", "--rank", "2", "--epochs", "1",
                                "--resolution", "64", "--targets", "to_q,to_v,ff.net.2", "--name", "style-r2"])
    assert unet.exit_code == 0, unet.output
    adapter = json.loads(unet.stdout)
    assert adapter["name"] == "style-r2" and adapter["kind"] == "unet-lora"
    assert adapter["config"]["targets"] == ["to_q", "to_v", "ff.net.2"] and adapter["config"]["alpha"] == 4.0
    assert "loss_curve" not in adapter["metrics"] and adapter["metrics"]["steps"] == 2
    clip = runner.invoke(main, ["train", "clip-lora", "--dataset", "shapes", "--layers", "proj", "--rank", "2",
                                "--epochs", "1", "--batch-size", "4"])
    assert clip.exit_code == 0, clip.output
    assert json.loads(clip.stdout)["config"]["target_modules"] == ["text_projection", "visual_projection"]
    bad = runner.invoke(main, ["train", "unet-lora", "--dataset", "shapes", "--targets", "conv1"])
    assert bad.exit_code == 1 and "unknown LoRA target" in bad.output
    missing = runner.invoke(main, ["train", "clip-lora", "--dataset", "nope"])
    assert missing.exit_code == 1 and "dataset nope not found" in missing.output

    out = tmp_path / "eval"
    too_few = runner.invoke(main, ["evaluate", "--dataset", "shapes", "--steps", "2", "--out", str(out)])
    assert too_few.exit_code == 1 and "leaves no refinement step" in too_few.output
    evaluated = runner.invoke(main, ["evaluate", "--dataset", "shapes", "--models", "img2img,clip-lora",
                                     "--rounds", "1", "--steps", "4", "--size", "64", "--limit", "1",
                                     "--out", str(out), "--no-images"])
    assert evaluated.exit_code == 0, evaluated.output
    assert {p.name for p in out.iterdir()} == {"metrics.json", "report.md", "metric_vs_round.png",
                                               "training_loss.png"}
    document = json.loads((out / "metrics.json").read_text())
    # No LPIPS, CLIP or Inception weights on this machine: said so, never faked.
    assert set(document["unavailable_metrics"]) >= {"lpips", "fid"}
    assert "nothing is downloaded" in document["unavailable_metrics"]["lpips"] or \
        "pip install" in document["unavailable_metrics"]["lpips"]
    assert document["models"]["img2img"]["rounds"][0]["lpips"]["n"] == 0
    assert document["training_runs"][0]["name"] == "style-r2"
