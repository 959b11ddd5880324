"""Every numeric field of the session and round bodies, sent out of range (NaN, ±inf, huge,
negative), is a JSON 422 naming the field, with the security headers; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.sessions.schemas import RoundCreate, SessionCreate
from tests.app.conftest import run_queued, start
from tests.journey import ok

# JSON text, not Python values: NaN and Infinity are what a client can send, not what httpx encodes.
OUT_OF_RANGE = ("NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1" + "0" * 40, "-3", "5")
# Where a value sits in a body, as a path ("adapters.0.weight") and how to place it.
SESSION_FIELDS = ["steps", "guidance", "strength", "width", "height", "seed", "fusion_weight", "style_blend",
                  "style_blend.weight", "adapters.0.weight", "candidates", "rounds", "cache_interval"]
ROUND_FIELDS = [f for f in SESSION_FIELDS if f != "rounds"] + [
    "rating", "picks.0.rating", "blend.weight", "working.clauses.0.round", "accepted_suggestions.0.candidate_index",
    "accepted_suggestions.0.clause.round"]
IN_RANGE = {"-3": {"adapters.0.weight"},
            "5": {"steps", "guidance", "candidates", "rounds", "rating", "seed", "cache_interval", "picks.0.rating",
                  "working.clauses.0.round", "accepted_suggestions.0.candidate_index",
                  "accepted_suggestions.0.clause.round"}}
ANY_ID = "00000000-0000-0000-0000-000000000001"
# Where a nested value goes (the marker stands for it).
NESTED: dict[str, tuple[str, Any]] = {
    "style_blend.weight": ("style_blend", {"style": "ink", "weight": "__VALUE__"}),
    "adapters.0.weight": ("adapters", [{"id": ANY_ID, "weight": "__VALUE__"}]),
    "picks.0.rating": ("picks", [{"candidate_id": ANY_ID, "rating": "__VALUE__"}]),
    "blend.weight": ("blend", {"a": ANY_ID, "b": ANY_ID, "weight": "__VALUE__"}),
    "working.clauses.0.round": ("working", {"clauses": [{"text": "a scar", "kind": "draw", "round": "__VALUE__"}]}),
    "accepted_suggestions.0.candidate_index": ("accepted_suggestions", [{"kind": "pick",
                                                                         "candidate_index": "__VALUE__"}]),
    "accepted_suggestions.0.clause.round": ("accepted_suggestions", [
        {"kind": "add", "clause": {"text": "a scar", "kind": "draw", "round": "__VALUE__"}}]),
}


def _numeric_paths(schema: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> set[str]:
    """Every integer or number in a JSON schema, as dotted paths (list items as `0`)."""
    if "$ref" in schema:
        return _numeric_paths(defs[schema["$ref"].rsplit("/", 1)[1]], defs, prefix)
    found: set[str] = set()
    if schema.get("type") in ("integer", "number"):
        found.add(prefix.rstrip("."))
    for option in schema.get("anyOf", []):
        found |= _numeric_paths(option, defs, prefix)
    if "items" in schema:
        found |= _numeric_paths(schema["items"], defs, prefix + "0.")
    for name, sub in schema.get("properties", {}).items():
        found |= _numeric_paths(sub, defs, prefix + name + ".")
    return found


@pytest.mark.parametrize(("model", "fields"), [(SessionCreate, SESSION_FIELDS), (RoundCreate, ROUND_FIELDS)])
def test_the_lists_cover_every_numeric_field(model: Any, fields: list[str]) -> None:
    schema = model.model_json_schema()
    assert _numeric_paths(schema, schema.get("$defs", {})) == set(fields)


def _body(base: dict[str, Any], path: str, raw: str) -> str:
    """The body as JSON text with `raw` placed at `path`."""
    import json

    marker = "__VALUE__"
    body = dict(base)
    if path in NESTED:
        key, value = NESTED[path]
        body[key] = value
    else:
        body[path] = marker
    return json.dumps(body).replace(f'"{marker}"', raw)


def _assert_refused(client: TestClient, url: str, headers: dict[str, str], base: dict[str, Any],
                    fields: list[str]) -> None:
    failures = []
    for field in fields:
        for raw in OUT_OF_RANGE:
            if field in IN_RANGE.get(raw, ()):
                continue
            answer = client.post(url, headers={**headers, "content-type": "application/json"},
                                 content=_body(base, field, raw))
            well_formed = (answer.status_code == 422 and answer.headers["content-type"] == "application/json"
                           and answer.headers.get("x-content-type-options") == "nosniff"
                           and field.split(".")[0] in answer.json()["detail"])
            if not well_formed:
                failures.append(f"{field}={raw}: {answer.status_code} {answer.text[:120]}")
    assert not failures, "\n".join(failures)


def test_session_body_out_of_range_is_422(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    base = {"witness_id": session["witness_id"], "description_id": session["description_id"]}
    _assert_refused(client, "/api/sessions", artist, base, SESSION_FIELDS)


def test_round_body_out_of_range_is_422_and_nothing_queued(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    _assert_refused(client, f"/api/sessions/{session['id']}/rounds", artist,
                    {"candidate_id": candidate["id"], "feedback": "wider"}, ROUND_FIELDS)
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1


def test_style_blend_of_five_is_422_with_headers(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    run_queued()
    candidate = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    answer = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                         json={"candidate_id": candidate["id"], "style_blend": 5, "style": "ink"})
    assert answer.status_code == 422 and "style_blend" in answer.json()["detail"]
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
