"""Prompts of any length for CLIP's 77-token window, never silently truncated.

The token ids are cut into 75-token chunks; each chunk is wrapped in the start and
end markers, padded to 77 and encoded on its own, and the chunk embeddings are laid
end to end along the sequence axis (the UNet's cross-attention takes any length).
A prompt of 75 tokens or fewer gives exactly the pipeline's own single-window
encoding. The negative prompt is padded with empty chunks to the same length
(and the prompt to the negative's, if that is longer) so the two can be batched.

A style blend (seed 001's continuous style control, in CLIP's space) encodes the
prompt a second time with the other style's opening words and interpolates the two
encodings linearly, all three texts padded to one chunk count. The end points are
exact: weight 0 encodes only the prompt, weight 1 only the restyled one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from transformers import CLIPTextModel, CLIPTokenizer

from common.tokens import CHUNK_TOKENS, CLIP_WINDOW, chunks_needed


@dataclass(frozen=True)
class EncodedPrompts:
    prompt_embeds: torch.Tensor  # (1, 77 * chunks, hidden)
    negative_prompt_embeds: torch.Tensor  # same shape
    token_count: int
    negative_token_count: int
    chunks: int
    blend_token_count: int | None = None


def token_ids(tokenizer: CLIPTokenizer, text: str) -> list[int]:
    """All of the text's token ids, without markers and without truncation."""
    return tokenizer(text, add_special_tokens=False, truncation=False, verbose=False).input_ids


def chunk_windows(tokenizer: CLIPTokenizer, ids: list[int], chunks: int) -> torch.Tensor:
    """(chunks, 77) ids: each chunk as [BOS] + up to 75 ids + [EOS] + padding."""
    rows = []
    for k in range(chunks):
        row = [
            tokenizer.bos_token_id,
            *ids[k * CHUNK_TOKENS : (k + 1) * CHUNK_TOKENS],
            tokenizer.eos_token_id,
        ]
        rows.append(row + [tokenizer.pad_token_id] * (CLIP_WINDOW - len(row)))
    return torch.tensor(rows, dtype=torch.long)


def encode_windows(text_encoder: CLIPTextModel, windows: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Encodes each window and lays the results end to end: (1, 77 * windows, hidden)."""
    # No attention mask, as StableDiffusionPipeline.encode_prompt for SD 1.x encoders.
    with torch.no_grad():
        hidden = text_encoder(windows.to(device))[0]
    return hidden.reshape(1, -1, hidden.shape[-1])


def encode_prompts(
    tokenizer: CLIPTokenizer,
    text_encoder: CLIPTextModel,
    prompt: str,
    negative_prompt: str,
    device: torch.device,
) -> EncodedPrompts:
    """Prompt and negative prompt, chunked to the same length, in one encoder call."""
    ids, negative_ids = token_ids(tokenizer, prompt), token_ids(tokenizer, negative_prompt)
    chunks = max(chunks_needed(len(ids)), chunks_needed(len(negative_ids)))
    windows = torch.cat(
        [chunk_windows(tokenizer, ids, chunks), chunk_windows(tokenizer, negative_ids, chunks)]
    )
    hidden = encode_windows(text_encoder, windows, device)
    half = hidden.shape[1] // 2
    return EncodedPrompts(
        prompt_embeds=hidden[:, :half],
        negative_prompt_embeds=hidden[:, half:],
        token_count=len(ids),
        negative_token_count=len(negative_ids),
        chunks=chunks,
    )


def encode_blended_prompts(
    tokenizer: CLIPTokenizer,
    text_encoder: CLIPTextModel,
    prompt: str,
    blend_prompt: str,
    weight: float,
    negative_prompt: str,
    device: torch.device,
) -> EncodedPrompts:
    """(1 - weight) · encode(prompt) + weight · encode(blend_prompt), beside the negative prompt."""
    if weight <= 0:
        return encode_prompts(tokenizer, text_encoder, prompt, negative_prompt, device)
    ids, blend_ids = token_ids(tokenizer, prompt), token_ids(tokenizer, blend_prompt)
    if weight >= 1:
        other = encode_prompts(tokenizer, text_encoder, blend_prompt, negative_prompt, device)
        return replace(other, token_count=len(ids), blend_token_count=len(blend_ids))
    negative_ids = token_ids(tokenizer, negative_prompt)
    chunks = max(chunks_needed(len(ids)), chunks_needed(len(blend_ids)), chunks_needed(len(negative_ids)))
    windows = torch.cat([chunk_windows(tokenizer, i, chunks) for i in (ids, blend_ids, negative_ids)])
    hidden = encode_windows(text_encoder, windows, device)
    third = hidden.shape[1] // 3
    return EncodedPrompts(
        prompt_embeds=torch.lerp(hidden[:, :third], hidden[:, third : 2 * third], weight),
        negative_prompt_embeds=hidden[:, 2 * third :],
        token_count=len(ids),
        negative_token_count=len(negative_ids),
        chunks=chunks,
        blend_token_count=len(blend_ids),
    )
