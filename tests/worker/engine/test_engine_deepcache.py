"""The step skipper (spec.cache_interval): fewer full UNet passes, recorded, and redrawn exactly."""

from __future__ import annotations

import hashlib

import torch
from PIL import Image

from common.spec import GenerationSpec, Mode
from worker.engine import Engine, spec_from_recipe


def _spec(cache_interval: int) -> GenerationSpec:
    # 12 steps at strength 0.5: six denoising steps run.
    return GenerationSpec(mode=Mode.IMG2IMG, prompt="a thin face", seeds=[5, 6], steps=12, strength=0.5, width=64,
                          height=64, parent_sha256="0" * 64, preview=False, cache_interval=cache_interval)


def _draw(engine: Engine, spec: GenerationSpec) -> tuple[list[str], list[dict[str, object]], int]:
    """Image digests, recipes, and how many times the deepest up block ran (once per full UNet pass)."""
    calls = [0]
    hook = engine.img2img.unet.up_blocks[0].register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    try:
        images = engine.generate(spec, Image.new("RGB", (64, 64), (90, 120, 150)))
    finally:
        hook.remove()
    digests = [hashlib.sha256(g.image.tobytes()).hexdigest() for g in images]
    return digests, [g.recipe for g in images], calls[0]


def test_skipper_runs_the_whole_unet_every_nth_step_only(engine: Engine) -> None:
    _, _, plain_passes = _draw(engine, _spec(1))
    _, _, cached_passes = _draw(engine, _spec(3))
    assert plain_passes == 6 and cached_passes == 2  # steps 0 and 3


def test_skipper_is_recorded_and_redraws_byte_for_byte(engine: Engine) -> None:
    plain, plain_recipes, _ = _draw(engine, _spec(1))
    cached, recipes, _ = _draw(engine, _spec(3))
    again, _, _ = _draw(engine, spec_from_recipe(recipes[1]))
    assert cached != plain  # the shortcut draws other pixels than the full run ...
    assert again == cached  # ... but the same ones every time
    assert recipes[1]["spec"]["cache_interval"] == 3 and recipes[1]["speedups"] == {"cache_interval": 3}
    # Off, the recipe is what it was before the skipper existed: older images still verify.
    assert "speedups" not in plain_recipes[0] and "cache_interval" not in plain_recipes[0]["spec"]


def test_skipper_leaves_the_unet_as_it_was(engine: Engine) -> None:
    _draw(engine, _spec(2))
    unet = engine.img2img.unet
    assert "forward" not in vars(unet) and not unet.up_blocks[-1]._forward_pre_hooks
    sample = torch.zeros(1, 4, 8, 8)
    context = torch.zeros(1, 77, unet.config.cross_attention_dim)
    assert unet(sample, 10, context).sample.shape == sample.shape
