"""The sketch artist's journey through the HTTP API, shared by the tests that run it
on each configuration (embedded default; Postgres + Redis + Celery workers)."""

from __future__ import annotations

import io
import time
from typing import Any, Protocol

from PIL import Image

from common.recipe import read_recipe, sha256_hex

# Small images and few steps keep the journey quick on two CPU cores.
FAST = {"width": 64, "height": 64, "steps": 4}
DESCRIPTION = {
    "text": "He was about forty, thin face, short dark hair going grey at the sides, a crooked nose "
            "and a small scar over his left eyebrow. I didn't see his ears.",
    "attributes": {"sex": "male", "age_range": "35-45", "face_shape": "thin", "hair": {"colour": "dark grey",
                   "length": "short"}, "nose": "crooked", "marks": "small scar over left eyebrow"},
}


class Client(Protocol):
    def get(self, url: str, **kwargs: Any) -> Any: ...
    def post(self, url: str, **kwargs: Any) -> Any: ...


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content and "json" in response.headers.get("content-type", "") else None


def open_case(client: Client, headers: dict[str, str], reference: str) -> dict[str, str]:
    """Case → witness → first description; returns their ids."""
    case = ok(client.post("/api/cases", headers=headers, json={
        "reference": reference, "title": "Robbery at the corner shop", "offence": "robbery",
        "occurred_on": "2026-11-20", "location": "High Street", "notes": "CCTV unavailable"}), 201)
    witness = ok(client.post(f"/api/cases/{case['id']}/witnesses", headers=headers,
                             json={"name": "Jane Witness", "contact": "07700 900123"}), 201)
    description = ok(client.post(f"/api/witnesses/{witness['id']}/descriptions", headers=headers,
                                 json=DESCRIPTION), 201)
    return {"case_id": case["id"], "witness_id": witness["id"], "description_id": description["id"]}


def wait_round(client: Client, headers: dict[str, str], session_id: str, index: int,
               timeout: float = 180) -> dict[str, Any]:
    """Polls the session until round `index` reaches a final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = ok(client.get(f"/api/sessions/{session_id}", headers=headers))
        round_ = session["rounds"][index - 1]
        if round_["status"] in ("succeeded", "failed", "cancelled"):
            assert round_["status"] == "succeeded", f"round {index}: {round_['status']} {round_['error']}"
            return session
        time.sleep(0.1)
    raise AssertionError(f"round {index} of session {session_id} did not finish in {timeout}s")


def fetch_png(client: Client, headers: dict[str, str], url: str) -> tuple[Image.Image, dict[str, Any], str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    recipe = read_recipe(response.content)
    assert recipe is not None, "PNG carries no recipe chunk"
    return Image.open(io.BytesIO(response.content)), recipe, sha256_hex(response.content)


def run_journey(client: Client, headers: dict[str, str], reference: str, rounds: int = 5,
                candidates: int = 4) -> dict[str, Any]:
    """First round from the description, then `rounds` refinements, then approval."""
    ids = open_case(client, headers, reference)
    session = ok(client.post("/api/sessions", headers=headers, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": candidates,
        **FAST}), 201)
    assert session["rounds"][0]["status"] in ("queued", "running", "succeeded")
    session = wait_round(client, headers, session["id"], 1)
    for index in range(2, rounds + 2):
        picked = session["rounds"][index - 2]["candidates"][index % candidates]
        session = ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=headers, json={
            "candidate_id": picked["id"], "rating": min(10, index + 2),
            "feedback": f"round {index}: make the nose a little wider"}), 201)
        session = wait_round(client, headers, session["id"], index)
    final = session["rounds"][-1]["candidates"][0]
    session = ok(client.post(f"/api/sessions/{session['id']}/approve", headers=headers,
                             json={"candidate_id": final["id"], "statement": "That is him, the nose is right",
                                    "confidence": 7}))
    return {**ids, "session": session}
