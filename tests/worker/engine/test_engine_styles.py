"""Style blends: two encodings of the prompt, interpolated; the end points are exact."""

from __future__ import annotations

import pytest
import torch

from common.spec import StyleBlend
from common.styles import STYLE_PREFIXES, restyle
from common.tokens import chunks_needed
from worker.engine import Engine
from worker.engine.prompts import encode_blended_prompts, encode_prompts, token_ids

PROMPT = f"{STYLE_PREFIXES['pencil']}, a middle aged man, short grey hair, thick eyebrows"


def draw(engine: Engine, spec) -> list[bytes]:
    return [item.image.tobytes() for item in engine.generate(spec)]


def test_weight_0_is_no_blend_and_1_is_the_other_style(engine: Engine, make_spec) -> None:
    plain = make_spec(prompt=PROMPT, seeds=[1, 2], steps=3)
    ink = make_spec(prompt=restyle(PROMPT, "pencil", "ink"), seeds=[1, 2], steps=3)
    none = draw(engine, plain)
    assert draw(engine, plain.model_copy(update={"style_blend": StyleBlend(style="ink", weight=0.0)})) == none
    blended_all = draw(engine, plain.model_copy(update={"style_blend": StyleBlend(style="ink", weight=1.0)}))
    assert blended_all == draw(engine, ink)
    halfway = engine.generate(plain.model_copy(update={"style_blend": StyleBlend(style="ink", weight=0.5)}))
    assert [i.image.tobytes() for i in halfway] not in (none, blended_all)
    blend = halfway[0].recipe["style_blend"]
    assert (blend["style"], blend["weight"], blend["prompt"]) == ("ink", 0.5, ink.prompt)
    assert blend["token_count"] > 0 and halfway[0].recipe["style"] == "pencil"


@pytest.mark.parametrize("weight", [0.25, 0.5])
def test_the_blend_is_linear_in_the_embeddings(engine: Engine, weight: float) -> None:
    pipe = engine.txt2img
    other = restyle(PROMPT, "pencil", "charcoal")
    a = encode_prompts(pipe.tokenizer, pipe.text_encoder, PROMPT, "", engine.device)
    b = encode_prompts(pipe.tokenizer, pipe.text_encoder, other, "", engine.device)
    mixed = encode_blended_prompts(pipe.tokenizer, pipe.text_encoder, PROMPT, other, weight, "", engine.device)
    expected = (1 - weight) * a.prompt_embeds + weight * b.prompt_embeds
    torch.testing.assert_close(mixed.prompt_embeds, expected, rtol=1e-5, atol=1e-5)
    assert torch.equal(mixed.negative_prompt_embeds, a.negative_prompt_embeds)


def test_prompts_of_different_length_are_padded_to_one_chunk_count(engine: Engine) -> None:
    pipe = engine.txt2img
    longer = PROMPT + " tall" * 100
    short_ids, long_ids = token_ids(pipe.tokenizer, PROMPT), token_ids(pipe.tokenizer, longer)
    chunks = chunks_needed(len(long_ids))
    assert chunks > chunks_needed(len(short_ids)), "the test needs prompts of different chunk counts"
    mixed = encode_blended_prompts(pipe.tokenizer, pipe.text_encoder, PROMPT, longer, 0.5, "", engine.device)
    assert (mixed.chunks, mixed.token_count, mixed.blend_token_count) == (chunks, len(short_ids), len(long_ids))
    assert mixed.prompt_embeds.shape == mixed.negative_prompt_embeds.shape == (1, 77 * chunks, 32)
