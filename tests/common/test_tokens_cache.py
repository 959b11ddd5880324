"""The tokenizer's per-word cache is bounded (issue 12, item 9), and counts stay the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from common import tokens
from common.tiny_vocab import write_tiny_tokenizer


def test_cache_is_bounded_and_long_words_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tiny_tokenizer(tmp_path)
    monkeypatch.setattr(tokens, "BPE_CACHE_WORDS", 50)
    bpe = tokens.ClipBpe(tmp_path)
    text = " ".join(f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{chr(97 + i // 676)}" for i in range(2000))
    first = bpe.count(text)
    assert bpe.cache_size() == 50
    assert bpe.count(text) == first  # evicted words count the same when merged again
    fresh = tokens.ClipBpe(tmp_path)
    assert fresh.count("x" * (tokens.BPE_CACHE_WORD_CHARS + 1)) > 0
    assert fresh.cache_size() == 0
