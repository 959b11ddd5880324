"""The case output says whether an admin allowed face-recognition exports, why, by whom and when:
the case page offers that export purpose only then."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.journey import ok, open_case

OFF = {"enabled": False, "reason": None, "by": None, "at": None}


def _outputs(client: TestClient, headers: dict[str, str], case_id: str) -> list[dict[str, Any]]:
    """The case as each route gives it: detail, list and the answer to a change."""
    listed = next(c for c in ok(client.get("/api/cases", headers=headers)) if c["id"] == case_id)
    patched = ok(client.patch(f"/api/cases/{case_id}", headers=headers, json={"notes": "checked"}))
    return [ok(client.get(f"/api/cases/{case_id}", headers=headers)), listed, patched]


def test_face_recognition_is_off_until_an_admin_allows_it(client: TestClient, artist: dict[str, str]) -> None:
    case_id = open_case(client, artist, f"FR-{uuid.uuid4().hex[:8]}")["case_id"]
    assert [c["face_recognition"] for c in _outputs(client, artist, case_id)] == [OFF] * 3

    url = f"/api/cases/{case_id}/face-recognition"
    assert client.post(url, headers=artist, json={"reason": "mine"}).status_code == 403
    assert client.post(url, headers=bearer(client, "boss"), json={"reason": "   "}).status_code == 422
    assert [c["face_recognition"] for c in _outputs(client, artist, case_id)] == [OFF] * 3

    enabled = ok(client.post(url, headers=bearer(client, "boss"), json={"reason": " Court order 12/2026 "}))
    expected = {"enabled": True, "reason": "Court order 12/2026", "by": "boss", "at": enabled["enabled_at"]}
    assert [c["face_recognition"] for c in _outputs(client, artist, case_id)] == [expected] * 3
