"""Helpers for the disclosure-export tests: a small case with two rounds, run in-process."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.journey import FAST, ok, open_case


def run_queued() -> int:
    """Runs every queued job through the real worker glue (as tests/app/sessions/test_rules.py)."""
    from app.db import session_factory
    from app.jobs.models import Job
    from worker.tasks import run_job

    with session_factory()() as db:
        queued = list(db.scalars(sa.select(Job.id).where(Job.status == "queued")))
    for job_id in queued:
        run_job(job_id)
    return len(queued)


def interviewed_case(client: TestClient, headers: dict[str, str], reference: str) -> dict[str, Any]:
    """Case → description → round 1 (2 candidates) → one shown, one picked with feedback →
    round 2 → approved. Returns the session as the API shows it."""
    ids = open_case(client, headers, reference)
    session = ok(client.post("/api/sessions", headers=headers, json={
        "witness_id": ids["witness_id"], "description_id": ids["description_id"], "candidates": 2, "seed": 7,
        **FAST}), 201)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=headers))
    picked = session["rounds"][0]["candidates"][1]
    for candidate in session["rounds"][0]["candidates"]:
        ok(client.post(f"/api/sessions/{session['id']}/candidates/{candidate['id']}/shown", headers=headers), 204)
    ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=headers,
                   json={"candidate_id": picked["id"], "rating": 6, "feedback": "the nose was wider <really>"}), 201)
    run_queued()
    session = ok(client.get(f"/api/sessions/{session['id']}", headers=headers))
    final = session["rounds"][1]["candidates"][0]
    return ok(client.post(f"/api/sessions/{session['id']}/approve", headers=headers,
                          json={"candidate_id": final["id"], "statement": "That is him, the nose is right",
                                    "confidence": 7}))


def export(client: TestClient, headers: dict[str, str], case_id: str, purpose: str = "disclosure") -> bytes:
    response = client.get(f"/api/cases/{case_id}/export", headers=headers, params={"purpose": purpose})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def members(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def with_one_byte_changed(package: bytes, member: str, offset: int = 40) -> bytes:
    """The package rewritten as a well-formed archive (fresh CRCs, canonical headers) in
    which one byte of one member differs: only the manifest's hashes can catch it."""
    from app.exports.archive import canonical_bytes

    files = members(package)
    data = bytearray(files[member])
    data[offset] ^= 0x01
    files[member] = bytes(data)
    return canonical_bytes(list(files.items()))
