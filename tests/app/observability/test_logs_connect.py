"""One round followed across processes: the API's request id is on the worker's log lines
for that job; LIKENESS_LOG_FORMAT=json writes JSON; no witness personal data in any log."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, Stack, make_user, wait_for
from tests.journey import DESCRIPTION, FAST, ok
from tests.processes import api_process

pytestmark = pytest.mark.integration
WITNESS_NAME = "Zebediah Quillfeather-Marchbanks"
CONTACT = "07700 900777 zq@example.org"
FEEDBACK = "his eyebrows were like Quillfeather's ravens"


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def round_two(client: httpx.Client, headers: dict[str, str], request_id: str) -> dict[str, Any]:
    case = ok(client.post("/api/cases", headers=headers, json={"reference": "LOG-1", "title": "Log trail"}), 201)
    witness = ok(client.post(f"/api/cases/{case['id']}/witnesses", headers=headers,
                             json={"name": WITNESS_NAME, "contact": CONTACT}), 201)
    description = ok(client.post(f"/api/witnesses/{witness['id']}/descriptions", headers=headers,
                                 json={**DESCRIPTION, "text": f"{DESCRIPTION['text']} Quillfeather said so."}), 201)
    session = ok(client.post("/api/sessions", headers=headers, json={
        "witness_id": witness["id"], "description_id": description["id"], "candidates": 2, **FAST}), 201)

    def round_done(index: int) -> dict[str, Any] | None:
        current = ok(client.get(f"/api/sessions/{session['id']}", headers=headers))
        return current if current["rounds"][index]["status"] == "succeeded" else None

    first = wait_for(lambda: round_done(0), 180, "round 1", interval=0.3)
    picked = first["rounds"][0]["candidates"][0]["id"]  # type: ignore[index]
    response = client.post(f"/api/sessions/{session['id']}/rounds", json={
        "candidate_id": picked, "rating": 6, "feedback": FEEDBACK}, headers={**headers, "X-Request-ID": request_id})
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == request_id
    return wait_for(lambda: round_done(1), 180, "round 2", interval=0.3)  # type: ignore[return-value]


def test_a_request_id_follows_a_round_into_the_worker_log(postgres_stack: Stack) -> None:
    make_user("artist")
    env = {"LIKENESS_LOG_FORMAT": "json", "LIKENESS_METRICS_ALLOW": "127.0.0.1"}
    postgres_stack.env.update(env)
    postgres_stack.start_worker()
    request_id = f"trace-{secrets.token_hex(8)}"
    api_log = postgres_stack.data_dir / "api.log"
    with api_process(postgres_stack, api_log) as client:
        token = ok(client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD}))
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        generated = client.get("/api/health").headers["x-request-id"]
        assert len(generated) >= 16, "an id is made up when none is sent"
        round_two(client, headers, request_id)
        scraped = client.get("/metrics")  # 127.0.0.1 is in LIKENESS_METRICS_ALLOW: no token needed
        assert scraped.status_code == 200 and "likeness_workers 1.0" in scraped.text
    time.sleep(1)  # the worker's "ended" line
    worker_log = "\n".join(p.read_text(errors="replace") for p in postgres_stack.data_dir.glob("worker-*.log"))
    api_text = api_log.read_text()
    worker_lines = [e for e in json_lines(worker_log) if e.get("request_id") == request_id]
    assert any("started" in e["message"] for e in worker_lines), worker_log[-3000:]
    assert any(e.get("request_id") == request_id for e in json_lines(api_text))
    api_lines = [line for line in api_text.splitlines() if line.strip()]
    assert api_lines and all(line.startswith("{") for line in api_lines), "one JSON object per line"
    for secret in (WITNESS_NAME, "Quillfeather", CONTACT, "900777", FEEDBACK, "ravens", "crooked nose"):
        assert secret not in worker_log and secret not in api_text, f"{secret!r} reached a log"
