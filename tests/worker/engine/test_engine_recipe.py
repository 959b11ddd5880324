"""Every image carries a JSON recipe that redraws it bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from common.recipe import encode_png, read_recipe
from common.spec import AdapterRef, Mode, Strategy, StyleBlend
from common.tokens import ClipBpe
from worker.engine import RECIPE_VERSION, Engine, spec_from_recipe
from worker.engine.tiny import SD15_SCHEDULER

KEYS = {
    "recipe_version", "mode", "strategy", "prompt", "negative_prompt", "seed", "batch_seeds", "batch_index",
    "steps", "guidance", "strength", "width", "height", "scheduler", "model", "parent_sha256", "token_count",
    "negative_token_count", "prompt_chunks", "device", "device_name", "dtype", "deterministic", "versions",
    # version 2: the whole spec, and what the engine derived from it
    "spec", "style", "style_blend", "adapters", "adapter_schedule", "region", "mask_sha256", "mask", "clip",
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


def test_every_option_of_a_round_redraws_bit_for_bit(
    engine: Engine, make_spec, unet_lora, put_image, blobs, tiny_model_dir: Path, tmp_path: Path
) -> None:
    from tests.worker.engine.lora_files import clip_lora_file, clip_lora_weights

    parent = engine.generate(make_spec(seeds=[5]))[0].image
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (8, 8, 48, 40))
    clip_file = clip_lora_file(tmp_path / "clip.safetensors", clip_lora_weights(tiny_model_dir, 3, vision=True))
    clip_adapter = AdapterRef(id="c3", sha256=blobs.put(clip_file), weight=0.7, config={"rank": 4, "alpha": 8,
                                                                                         "layers": "both"})
    spec = make_spec(
        mode=Mode.IMG2IMG, strategy=Strategy.CLIP_LORA, steps=4, strength=0.75, seeds=[3, 1],
        parent_sha256=put_image(parent), fusion_weight=0.4, reference_sha256=put_image(Image.new("RGB", (80, 80))),
        sketchify_reference=True, clip_adapter=clip_adapter, adapters=[unet_lora(21, 0.6), unet_lora(22, -0.3)],
        adapter_schedule="ramp", style="charcoal", style_blend=StyleBlend(style="ink", weight=0.3),
        mask_sha256=put_image(mask), preview=False,
    )
    original = engine.generate(spec, parent)[1]
    recipe = read_recipe(encode_png(original.image, original.recipe))
    assert recipe == original.recipe
    assert spec_from_recipe(recipe) == spec, "the recipe names every option of the round"
    assert recipe["adapters"][1] == {"id": "unet-22", "sha256": spec.adapters[1].sha256, "weight": -0.3}
    assert (recipe["adapter_schedule"], recipe["style"], recipe["style_blend"]["style"]) == ("ramp", "charcoal", "ink")
    assert recipe["mask"]["upload_sha256"] == spec.mask_sha256 and recipe["clip"]["sketchified"] is True
    engine.unload_adapters()  # the redraw reads every file again
    again = engine.generate(spec_from_recipe(recipe), parent)[recipe["batch_index"]]
    assert encode_png(again.image, again.recipe) == encode_png(original.image, original.recipe)


def test_a_version_1_recipe_still_gives_its_spec(make_spec) -> None:
    spec = make_spec(mode=Mode.IMG2IMG, strength=0.4, seeds=[2, 3], parent_sha256="cd" * 32)
    old = {"mode": "img2img", "strategy": "img2img", "prompt": spec.prompt, "negative_prompt": spec.negative_prompt,
           "batch_seeds": [2, 3], "steps": 4, "guidance": 7.5, "strength": 0.4, "width": 64, "height": 64,
           "parent_sha256": "cd" * 32, "recipe_version": 1}
    assert spec_from_recipe(old) == spec
