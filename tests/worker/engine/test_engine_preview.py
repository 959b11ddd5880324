"""A cheap RGB look at the latents after every step, beside the usual progress."""

from __future__ import annotations

import torch
from PIL import Image

from common.spec import Mode
from worker.engine import Engine, latents_to_preview
from worker.engine.preview import SD15_LATENT_RGB


def test_on_preview_gets_an_image_after_every_step(engine: Engine, make_spec) -> None:
    previews: list[tuple[int, Image.Image]] = []
    steps: list[tuple[int, int]] = []
    spec = make_spec(seeds=[1, 2, 3], steps=3)
    with_preview = engine.generate(spec, None, lambda s, t: steps.append((s, t)), lambda s, i: previews.append((s, i)))
    assert steps == [(1, 3), (2, 3), (3, 3)], "on_step(step, total) works as before"
    assert [s for s, _ in previews] == [1, 2, 3]
    assert all(i.mode == "RGB" and i.size == (3 * 8, 8) for _, i in previews), "three 8x8 latents side by side"
    assert previews[0][1].tobytes() != previews[-1][1].tobytes()
    plain = engine.generate(spec)
    assert [a.image.tobytes() for a in with_preview] == [b.image.tobytes() for b in plain], "previews draw nothing"


def test_previews_at_most_every_so_often_skip_the_steps_between(engine: Engine, make_spec) -> None:
    spec = make_spec(seeds=[1, 2], steps=4)
    previews: list[int] = []
    engine.preview_every_s = 3600.0  # the worker sets 0.2 s; an hour leaves only the first step's
    try:
        throttled = engine.generate(spec, None, None, lambda s, i: previews.append(s))
    finally:
        engine.preview_every_s = 0.0
    assert previews == [1]
    every = engine.generate(spec, None, None, lambda s, i: previews.append(s))
    assert previews == [1, 1, 2, 3, 4], "0 s: one after every step again"
    assert [a.image.tobytes() for a in throttled] == [b.image.tobytes() for b in every], "previews draw nothing"


def test_spec_preview_off_sends_none(engine: Engine, make_spec) -> None:
    previews: list[int] = []
    parent = Image.new("RGB", (64, 64), "gray")
    spec = make_spec(mode=Mode.IMG2IMG, strength=0.5, seeds=[1], preview=False)
    engine.generate(spec, parent, None, lambda s, i: previews.append(s))
    assert previews == []
    engine.generate(spec.model_copy(update={"preview": True}), parent, None, lambda s, i: previews.append(s))
    assert previews == [1, 2]


def test_the_latent_to_rgb_factors() -> None:
    latents = torch.zeros(2, 4, 3, 5)
    latents[1, 0] = 1.0  # only the first channel: its RGB row, shifted to [0, 1]
    image = latents_to_preview(latents)
    assert image.size == (10, 3)
    pixels = list(image.getdata())
    assert pixels[0] == (128, 128, 128), "zero latents are mid grey"
    expected = tuple(round((f + 1) / 2 * 255) for f in SD15_LATENT_RGB[0])
    assert pixels[5] == expected, "the second candidate starts at x = 5"
