"""CLIP's byte-level BPE, torch-free, so the API can count prompt tokens.

The count must match what the engine's `CLIPTokenizer` produces for the same
vocabulary files (a test holds the two together). CLIP sees 77 tokens at a time,
two of which are the start and end markers: 75 words' worth per chunk.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path

import regex

CLIP_WINDOW = 77
# The per-word cache is bounded: a long preview of made-up words must not grow the API's memory.
BPE_CACHE_WORDS = 20_000
BPE_CACHE_WORD_CHARS = 64
CHUNK_TOKENS = CLIP_WINDOW - 2
START, END = "<|startoftext|>", "<|endoftext|>"

_WHITESPACE = regex.compile(r"\s+")
# CLIPTokenizer takes the markers out whole (case-sensitive) before normalising the rest.
_SPECIAL = regex.compile(r"(<\|startoftext\|>|<\|endoftext\|>)")
# The markers were taken out above; in what is left, their text splits like any other.
_PATTERN = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)


@functools.cache
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes), strict=True))


def _clean(text: str) -> str:
    # The normaliser transformers (5.x) gives CLIPTokenizer: NFC, whitespace runs to
    # one space, lower-case. No HTML unescaping, no dropping of control characters.
    text = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", text).lower()


class ClipBpe:
    """Reads a CLIP tokenizer folder (vocab.json + merges.txt) and splits text."""

    def __init__(self, tokenizer_dir: Path) -> None:
        self.vocab: dict[str, int] = json.loads((tokenizer_dir / "vocab.json").read_text("utf-8"))
        lines = (tokenizer_dir / "merges.txt").read_text("utf-8").strip().split("\n")[1:]
        self.ranks = {tuple(line.split()): i for i, line in enumerate(lines)}
        self.byte_map = bytes_to_unicode()
        self._cached = functools.lru_cache(maxsize=BPE_CACHE_WORDS)(self._merge)

    def cache_size(self) -> int:
        return self._cached.cache_info().currsize

    def _bpe(self, word: str) -> list[str]:
        # Long words are rare and would make each entry large: merged afresh, never kept.
        return self._merge(word) if len(word) > BPE_CACHE_WORD_CHARS else self._cached(word)

    def _merge(self, word: str) -> list[str]:
        parts = [*word[:-1], word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(parts[i], parts[i + 1]) for i in range(len(parts) - 1)]
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged: list[str] = []
            i = 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        for part in _SPECIAL.split(text):
            if part in (START, END):
                tokens.append(part)
                continue
            for piece in _PATTERN.findall(_clean(part)):
                word = "".join(self.byte_map[b] for b in piece.encode("utf-8"))
                tokens.extend(self._bpe(word))
        return tokens

    def count(self, text: str) -> int:
        """Tokens in the text, without the start and end markers."""
        return len(self.tokenize(text))


def chunks_needed(token_count: int) -> int:
    """How many 77-token windows the engine encodes for this many tokens."""
    return max(1, -(-token_count // CHUNK_TOKENS))
