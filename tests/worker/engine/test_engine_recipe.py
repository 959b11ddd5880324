"""Every image carries a JSON recipe that redraws it bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from common.recipe import encode_png, read_recipe
from common.spec import Mode
from common.tokens import ClipBpe
from worker.engine import RECIPE_VERSION, Engine, spec_from_recipe
from worker.engine.tiny import SD15_SCHEDULER

KEYS = {
    "recipe_version", "mode", "strategy", "prompt", "negative_prompt", "seed", "batch_seeds", "batch_index",
    "steps", "guidance", "strength", "width", "height", "scheduler", "model", "parent_sha256", "token_count",
    "negative_token_count", "prompt_chunks", "device", "device_name", "dtype", "deterministic", "versions",
}  # fmt: skip


def test_txt2img_recipe_contents(engine: Engine, make_spec, tiny_model_dir: Path) -> None:
    spec = make_spec(seeds=[9, 8, 7])
    counter = ClipBpe(tiny_model_dir / "tokenizer")
    counts = (counter.count(spec.prompt), counter.count(spec.negative_prompt), 1)
    result = engine.generate(spec)
    for index, item in enumerate(result):
        recipe = item.recipe
        assert set(recipe) == KEYS
        assert json.loads(json.dumps(recipe)) == recipe, "must survive JSON unchanged"
        assert recipe["recipe_version"] == RECIPE_VERSION
        assert (recipe["mode"], recipe["strategy"]) == ("txt2img", "img2img")
        assert (recipe["seed"], recipe["batch_seeds"], recipe["batch_index"]) == (item.seed, [9, 8, 7], index)
        assert (recipe["prompt"], recipe["negative_prompt"]) == (spec.prompt, spec.negative_prompt)
        assert (recipe["steps"], recipe["guidance"], recipe["strength"]) == (4, 7.5, None)
        assert (recipe["width"], recipe["height"], recipe["parent_sha256"]) == (64, 64, None)
        assert recipe["scheduler"]["class"] == "DDIMScheduler"
        assert SD15_SCHEDULER.items() <= recipe["scheduler"]["config"].items()
        assert recipe["model"] == {k: engine.info[k] for k in ("name", "sha256", "random_weights")}
        assert (recipe["token_count"], recipe["negative_token_count"], recipe["prompt_chunks"]) == counts
        assert (recipe["device"], recipe["dtype"], recipe["deterministic"]) == ("cpu", "float32", True)
        assert recipe["versions"] == engine.info["versions"]
    result[0].recipe["versions"]["torch"] = "changed"
    assert result[1].recipe["versions"]["torch"] != "changed", "recipes must not share mutable parts"


def test_img2img_recipe_records_strength_and_parent(engine: Engine, make_spec) -> None:
    parent = Image.new("RGB", (64, 64), "white")
    spec = make_spec(mode=Mode.IMG2IMG, steps=10, strength=0.4, seeds=[1], parent_sha256="ab" * 32)
    recipe = engine.generate(spec, parent)[0].recipe
    assert (recipe["mode"], recipe["strength"], recipe["parent_sha256"]) == ("img2img", 0.4, "ab" * 32)


@pytest.mark.parametrize("mode", [Mode.TXT2IMG, Mode.IMG2IMG])
def test_a_recipe_redraws_its_image_bit_for_bit(engine: Engine, make_spec, mode: Mode) -> None:
    parent = engine.generate(make_spec(seeds=[5]))[0].image if mode is Mode.IMG2IMG else None
    spec = make_spec(mode=mode, steps=10, strength=0.5, prompt="a man " * 50, seeds=[3, 1, 4])
    original = engine.generate(spec, parent)[1]
    png = encode_png(original.image, original.recipe)
    recipe = read_recipe(png)
    assert recipe == original.recipe
    again = engine.generate(spec_from_recipe(recipe), parent)[recipe["batch_index"]]
    assert encode_png(again.image, again.recipe) == png
