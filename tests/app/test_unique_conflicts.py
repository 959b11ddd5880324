"""app/db.py's flush_unique: a name or reference already taken answers 409 naming it, and nothing is stored."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.cases.models import Case
from app.db import session_factory
from tests.conftest import bearer


def count(model: type) -> int:
    with session_factory()() as db:
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_taken_case_reference_is_a_409_that_stores_nothing(client: TestClient) -> None:
    artist = bearer(client, "artist")
    body = {"reference": "CR-2026-001", "title": "Robbery"}
    assert client.post("/api/cases", headers=artist, json=body).status_code == 201
    again = client.post("/api/cases", headers=artist, json={**body, "title": "Another"})
    assert again.status_code == 409
    assert again.json()["detail"] == "reference: a case with reference 'CR-2026-001' already exists"
    assert count(Case) == 1

