"""Holistic scales: age, weight, masculinity and distinctiveness as directions in the text conditioning.

Each of age, weight and masculinity is the mean difference of the encodings of contrastive prompt
pairs ("an old man" - "a young man", ...), laid over every 77-token chunk of the prompt's encoding
and added with the slider's value (-1..1) times GAIN. Distinctiveness is a caricature: it moves the
encoding away from (positive) or toward (negative) the encoding of an average face, in proportion to
how far it already is. Same tokenizer, same encoder, same texts: the directions are deterministic, so
a recipe that names the slider values redraws the image.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import CLIPTextModel, CLIPTokenizer

from common.evolution import SCALES
from worker.engine.prompts import chunk_windows, encode_windows, token_ids

PAIRS: dict[str, list[tuple[str, str]]] = {
    "age": [("an old man", "a young man"), ("an old woman", "a young woman"),
            ("an elderly face with wrinkles", "a youthful face with smooth skin")],
    "weight": [("a fat man with a round full face", "a thin man with a gaunt narrow face"),
               ("an overweight woman with chubby cheeks", "a slim woman with hollow cheeks")],
    "masculinity": [("a masculine man with a strong square jaw", "a feminine woman with soft delicate features"),
                    ("a rugged male face", "a gentle female face")],
}
POPULATION_PROMPT = "the face of an average person"
GAIN = 1.0


def _encode(tokenizer: CLIPTokenizer, encoder: CLIPTextModel, texts: list[str], device: torch.device) -> torch.Tensor:
    """(len(texts), 77, hidden): each text in one window."""
    windows = torch.cat([chunk_windows(tokenizer, token_ids(tokenizer, t), 1) for t in texts])
    hidden = encode_windows(encoder, windows, device)  # (1, 77 * n, hidden)
    return hidden.reshape(len(texts), 77, -1)


def direction(tokenizer: CLIPTokenizer, encoder: CLIPTextModel, scale: str, device: torch.device) -> torch.Tensor:
    """(1, 77, hidden): mean of (positive - negative) over the scale's pairs."""
    pairs = PAIRS[scale]
    encoded = _encode(tokenizer, encoder, [t for pair in pairs for t in pair], device)
    return (encoded[0::2] - encoded[1::2]).mean(dim=0, keepdim=True)


def apply_sliders(embeds: torch.Tensor, sliders: dict[str, float], tokenizer: CLIPTokenizer,
                  encoder: CLIPTextModel, device: torch.device,
                  cache: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
    """embeds (batch, 77 * chunks, hidden) moved along each scale, in SCALES order (distinctiveness last).

    `cache` keeps the encoded directions between calls of one job (an array along a scale)."""
    cache = {} if cache is None else cache
    chunks = embeds.shape[1] // 77
    out = embeds
    for name in SCALES:
        value = float(sliders.get(name, 0.0))
        if value == 0.0:
            continue
        if name not in cache:
            cache[name] = (_encode(tokenizer, encoder, [POPULATION_PROMPT], device) if name == "distinctiveness"
                           else direction(tokenizer, encoder, name, device))
        vector = cache[name].repeat(1, chunks, 1).to(out.dtype)
        step = out - vector if name == "distinctiveness" else vector  # distinctiveness: away from the average face
        out = out + GAIN * value * step
    return out


def scales_entry(sliders: dict[str, float]) -> dict[str, Any]:
    """What the recipe says about the scales that moved this image."""
    used = [name for name in SCALES if sliders.get(name, 0.0) != 0.0]
    return {"values": {name: sliders[name] for name in used}, "gain": GAIN,
            "pairs": {name: [list(p) for p in PAIRS[name]] for name in used if name in PAIRS},
            "population_prompt": POPULATION_PROMPT if "distinctiveness" in used else None}
