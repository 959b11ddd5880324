"""POST /api/prompts/preview: clauses with their kinds, a working description as input,
a rate limit, and a bounded tokenizer cache however long the text (issue 12, item 9)."""

from __future__ import annotations

import itertools
import string

import pytest
from fastapi.testclient import TestClient

from app.security.ratelimit import LONG_PREVIEW, LONG_PREVIEW_CHARS, PREVIEW
from tests.conftest import bearer
from tests.journey import ok


def test_preview_answers_clauses_and_their_kinds(client: TestClient, artist: dict[str, str]) -> None:
    answer = ok(client.post("/api/prompts/preview", headers=artist, json={
        "text": "um, short dark hair, no beard, maybe a scar, I didn't see his eyes",
        "attributes": {"nose": "crooked"}}))
    assert answer["clauses"] == [{"text": "short dark hair", "kind": "draw"}, {"text": "no beard", "kind": "absent"},
                                 {"text": "maybe a scar", "kind": "uncertain"},
                                 {"text": "I didn't see his eyes", "kind": "unknown"}]
    assert "crooked nose" in answer["prompt"] and "short dark hair" in answer["prompt"]
    assert "clean-shaven" in answer["prompt"] and "scar" not in answer["prompt"] and "eyes" not in answer["prompt"]
    assert "um" not in answer["prompt"].split() and answer["token_count"] > 10 and answer["window"] == 77


def test_preview_of_a_working_description(client: TestClient, artist: dict[str, str]) -> None:
    working = {"attributes": {"age_range": "40-50"}, "clauses": [
        {"text": "wasn't wearing glasses", "kind": "absent"},
        {"text": "maybe a scar", "kind": "uncertain", "promoted": True}]}
    answer = ok(client.post("/api/prompts/preview", headers=artist, json={"text": "ignored", "working": working}))
    assert "40-50" in answer["prompt"] and "maybe a scar" in answer["prompt"] and "ignored" not in answer["prompt"]
    assert answer["negative_prompt"].endswith(", glasses")
    assert [c["kind"] for c in answer["clauses"]] == ["absent", "uncertain"]
    bad = client.post("/api/prompts/preview", headers=artist, json={"working": {"clauses": [{"text": ""}]}})
    assert bad.status_code == 422 and "text" in bad.text


def test_preview_is_rate_limited(client: TestClient, artist: dict[str, str]) -> None:
    for _ in range(PREVIEW.requests):
        ok(client.post("/api/prompts/preview", headers=artist, json={"text": "nose"}))
    limited = client.post("/api/prompts/preview", headers=artist, json={"text": "nose"})
    assert limited.status_code == 429 and "prompt previews" in limited.json()["detail"]
    assert ok(client.post("/api/prompts/preview", headers=bearer(client, "other"), json={"text": "nose"}))


def test_long_previews_have_a_tighter_limit(client: TestClient, artist: dict[str, str]) -> None:
    long_text = "a thin face with a crooked nose. " * (LONG_PREVIEW_CHARS // 30)
    assert len(long_text) > LONG_PREVIEW_CHARS
    for _ in range(LONG_PREVIEW.requests):
        ok(client.post("/api/prompts/preview", headers=artist, json={"text": long_text}))
    limited = client.post("/api/prompts/preview", headers=artist, json={"text": long_text})
    assert limited.status_code == 429 and "long texts" in limited.json()["detail"]
    assert ok(client.post("/api/prompts/preview", headers=artist, json={"text": "nose"}))  # short ones still pass


def test_a_megabyte_preview_stays_within_the_cache_bound(client: TestClient, artist: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from common import tokens
    from common.prompt import _tokenizer

    monkeypatch.setattr(tokens, "BPE_CACHE_WORDS", 500)
    _tokenizer.cache_clear()
    words = ("".join(w) for w in itertools.product(string.ascii_lowercase, repeat=4))
    # Sentences of made-up words, each naming a feature so each is its own clause.
    sentences = (" ".join(["nose", *itertools.islice(words, 300)]) + ". " for _ in itertools.count())
    text = "".join(itertools.islice(sentences, 700))[:1_000_000]
    assert len(text) == 1_000_000
    answer = ok(client.post("/api/prompts/preview", headers=artist, json={"text": text}))
    assert answer["token_count"] > 500
    assert _tokenizer().cache_size() == 500  # full, and no fuller
    _tokenizer.cache_clear()
