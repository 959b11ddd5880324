"""A whole evaluation on a tiny dataset: trained adapters in the registry, every model through
the real engine for two rounds, every file written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from app.datasets.service import import_dataset
from app.datasets.sources import FolderSource
from app.db import session_factory
from app.images.service import blob_store
from app.users.actor import system_actor
from common.models import ModelChoice
from tests.conftest import Stack
from tests.training_data import good_dataset, tiny_feature_net
from worker.engine import Engine
from worker.evaluation.pipeline import run_evaluation
from worker.evaluation.runner import EvalConfig, parse_models
from worker.evaluation.scorers import Scorers
from worker.training.clip import build_tiny_clip
from worker.training.clip_lora import ClipLoraConfig
from worker.training.runs import run_clip_lora, run_unet_lora
from worker.training.unet_lora import UnetLoraConfig


@pytest.fixture
def shapes(sqlite_stack: Stack, tmp_path: Path) -> str:
    with session_factory()() as db:
        import_dataset(db, system_actor("test"), name="shapes", source=FolderSource(good_dataset(tmp_path / "d", 10)))
    return "shapes"


def test_an_evaluation_run_writes_every_file(shapes: str, tiny_model: ModelChoice, tmp_path: Path) -> None:
    unet = run_unet_lora(shapes, UnetLoraConfig(rank=2, epochs=1, resolution=64), device="cpu")
    clip = run_clip_lora(shapes, ClipLoraConfig(rank=2, epochs=1, batch_size=4), device="cpu")
    assert unet["kind"] == "unet-lora" and unet["metrics"]["dataset"]["name"] == "shapes"
    assert clip["config"]["layers"] == "both" and clip["metrics"]["retrieval_after"]

    scorers = Scorers(lpips_net=tiny_feature_net(), lpips_name="tiny", clip=build_tiny_clip(),
                      unavailable={"fid": "FID needs Inception weights (test)"})
    out = tmp_path / "eval"
    engine = Engine(tiny_model, device="cpu", blob_path=blob_store().path_for)
    files = run_evaluation(shapes, "img2img,clip-fusion,clip-lora", EvalConfig(rounds=2, steps=4, size=64), out,
                           engine=engine, scorers=scorers)

    assert {p.name for p in files.values()} == {"metrics.json", "report.md", "metric_vs_round.png",
                                                "training_loss.png"}
    for plot in ("metric_vs_round.png", "training_loss.png"):
        with Image.open(out / plot) as image:
            assert image.format == "PNG" and image.width > 300
    document = json.loads((out / "metrics.json").read_text())
    assert document["pairs"] == 2 and document["dataset"]["name"] == "shapes"
    assert document["engine"]["random_weights"] is True
    start = document["models"]["start"]["rounds"]
    assert [r["round"] for r in start] == [0]
    rounds = document["models"]["img2img"]["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    first = rounds[0]
    assert 0 < first["ssim"]["mean"] <= 1 and first["ssim"]["n"] == 2
    assert first["lpips"]["mean"] > 0 and first["clip_score"]["n"] == 2
    assert first["fid"] == {"unavailable": "FID needs Inception weights (test)"}
    assert first["identity_similarity"]["n"] == 0, "no face in a red shape: not measured, not zero"
    for key in ("clip-fusion", "clip-lora"):
        result = document["models"][key]
        assert [r["round"] for r in result["rounds"]] == [1, 2], result
    assert document["models"]["clip-lora"]["clip_adapter"] == clip["id"]
    runs = {r["kind"]: r for r in document["training_runs"]}
    assert runs["unet-lora"]["rank"] == 2 and runs["unet-lora"]["adapter_size_bytes"] > 0
    assert runs["unet-lora"]["clip_score"]["n"] == 2, "drawn with the adapter, scored by the tiny CLIP"
    assert runs["clip-lora"]["retrieval_after"]["text_to_image"]["top1"] >= 0
    report = (out / "report.md").read_text()
    assert "| Model | SSIM ↑ | PSNR (dB) ↑ | FSIM ↑ | LPIPS ↓ | CLIP score ↑ | Identity ↑ | FID ↓ |" in report
    assert "random weights" in report and "Top-1 before → after" in report and "| img2img |" in report
    assert len(list((out / "images" / "img2img").glob("*.png"))) == 4


def test_model_names_are_checked_and_missing_adapters_reported() -> None:
    models = parse_models("img2img, clip-lora:nope", lambda ref: None)
    assert [m.key for m in models] == ["img2img", "clip-lora:nope"]
    assert models[1].unavailable == "no clip-lora adapter 'nope' in the registry"
    with pytest.raises(ValueError, match="unknown model 'dall-e'"):
        parse_models("dall-e", lambda ref: None)


def test_starting_from_the_sketch_makes_round_0_identical(tmp_path: Path, engine: Engine) -> None:
    from worker.evaluation.runner import evaluate
    from worker.training.pairs import Pair

    pair = Pair("a red round shape", Image.new("RGB", (64, 64), "white"))
    document = evaluate(engine, [pair], parse_models("img2img", lambda ref: None),
                        EvalConfig(rounds=1, steps=4, size=64, start="sketch", save_images=False), Scorers(), tmp_path)
    start = document["models"]["start"]["rounds"][0]
    assert start["psnr"]["mean"] == float("inf") and start["ssim"]["mean"] == pytest.approx(1.0)
    assert start["lpips"]["n"] == 0 and start["clip_score"]["n"] == 0, "no network given: not measured"
