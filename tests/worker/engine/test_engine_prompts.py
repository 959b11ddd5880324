"""Long prompts: chunked, never truncated; token counts agree with the API's counter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import CLIPTokenizer

from common.spec import Mode
from common.tokens import ClipBpe
from worker.engine import Engine
from worker.engine.prompts import encode_prompts, token_ids

WORDS = "tall short hair thick deep set blue nose with".split()  # one token each in the tiny vocabulary


def words(n: int, tail: str = "") -> str:
    """n tokens of vocabulary words, then `tail`."""
    return " ".join(WORDS[i % len(WORDS)] for i in range(n)) + (f" {tail}" if tail else "")


def encode(engine: Engine, prompt: str, negative: str = ""):
    pipe = engine.txt2img
    return encode_prompts(pipe.tokenizer, pipe.text_encoder, prompt, negative, engine.device)


def standard_encode(engine: Engine, prompt: str, negative: str = "") -> tuple[torch.Tensor, torch.Tensor]:
    """diffusers' own single-window (truncating) encoding."""
    return engine.txt2img.encode_prompt(prompt, engine.device, 1, True, negative)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a tall man",
        "Café naïve — “quoted” façade, 6'2\" tall; scar (left) @ brow!!!",
        "cafe\u0301 decomposed accents",
        "x &amp; y &lt;b&gt; entities stay as typed",
        "日本語の顔 😀 emoji and CJK",
        "tab\there\nnewline \u00a0 nbsp   runs of spaces",
        "don't WON'T it'll HE'S",
        "\x07bell\u200bzero-width\u00adsoft hyphen",
        "a<|endoftext|>b <|ENDOFTEXT|> <|startoftext|>",
        words(200),
    ],
)
def test_token_count_matches_clip_tokenizer(tiny_model_dir: Path, text: str) -> None:
    tokenizer = CLIPTokenizer.from_pretrained(tiny_model_dir / "tokenizer")
    ids = token_ids(tokenizer, text)
    bpe = ClipBpe(tiny_model_dir / "tokenizer")
    assert bpe.count(text) == len(ids)
    assert [bpe.vocab[t] for t in bpe.tokenize(text)] == ids


def test_words_helper_gives_one_token_per_word(engine: Engine) -> None:
    assert len(token_ids(engine.txt2img.tokenizer, words(150))) == 150


@pytest.mark.parametrize("n", [0, 5, 75])
def test_short_prompt_equals_the_standard_single_window_encoding(engine: Engine, n: int) -> None:
    prompt, negative = words(n), "photo, color"
    ours = encode(engine, prompt, negative)
    theirs, theirs_negative = standard_encode(engine, prompt, negative)
    assert ours.chunks == 1 and ours.token_count == n
    assert ours.prompt_embeds.shape == theirs.shape == (1, 77, 32)
    assert torch.equal(ours.prompt_embeds, theirs)
    assert torch.equal(ours.negative_prompt_embeds, theirs_negative)


def test_76_tokens_take_a_second_chunk(engine: Engine) -> None:
    encoded = encode(engine, words(76))
    assert (encoded.chunks, encoded.token_count) == (2, 76)
    assert encoded.prompt_embeds.shape == encoded.negative_prompt_embeds.shape == (1, 154, 32)


def test_words_past_token_77_change_the_conditioning(engine: Engine) -> None:
    a, b = words(80, "nose"), words(80, "blue")
    # Truncation would lose the difference: the standard encoding cannot tell them apart.
    assert torch.equal(standard_encode(engine, a)[0], standard_encode(engine, b)[0])
    ours_a, ours_b = encode(engine, a), encode(engine, b)
    assert ours_a.token_count == ours_b.token_count == 81
    assert torch.equal(ours_a.prompt_embeds[:, :77], ours_b.prompt_embeds[:, :77])
    assert not torch.equal(ours_a.prompt_embeds[:, 77:], ours_b.prompt_embeds[:, 77:])


def test_negative_is_padded_to_the_prompts_chunks_and_back(engine: Engine) -> None:
    empty_window = encode(engine, "").negative_prompt_embeds
    long_prompt = encode(engine, words(160), "blurry")
    assert long_prompt.chunks == 3
    assert long_prompt.negative_prompt_embeds.shape == (1, 231, 32)
    assert torch.equal(long_prompt.negative_prompt_embeds[:, 77:154], empty_window[0:1])
    long_negative = encode(engine, "a man", words(100))
    assert long_negative.chunks == 2
    assert long_negative.prompt_embeds.shape == long_negative.negative_prompt_embeds.shape == (1, 154, 32)
    assert torch.equal(long_negative.prompt_embeds[:, 77:], empty_window)


def test_long_prompts_reach_the_image_and_the_recipe(engine: Engine, make_spec) -> None:
    a = engine.generate(make_spec(prompt=words(90, "nose"), seeds=[4], steps=2))[0]
    b = engine.generate(make_spec(prompt=words(90, "blue"), seeds=[4], steps=2))[0]
    assert not np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert (a.recipe["token_count"], a.recipe["prompt_chunks"]) == (91, 2)
    assert a.recipe["mode"] == Mode.TXT2IMG.value
