"""Prompts of any length for CLIP's 77-token window, never silently truncated.

The token ids are cut into 75-token chunks; each chunk is wrapped in the start and
end markers, padded to 77 and encoded on its own, and the chunk embeddings are laid
end to end along the sequence axis (the UNet's cross-attention takes any length).
A prompt of 75 tokens or fewer gives exactly the pipeline's own single-window
encoding. The negative prompt is padded with empty chunks to the same length
(and the prompt to the negative's, if that is longer) so the two can be batched.
"""

from __future__ import annotations

from dataclasses import dataclass

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
