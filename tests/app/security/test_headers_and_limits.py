"""Security headers everywhere; 429 past the limits; 503 when the database is down."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD


def test_security_headers_on_api_and_errors(client: TestClient, artist: dict[str, str]) -> None:
    for response in (client.get("/api/cases", headers=artist), client.get("/api/cases"),
                     client.get("/api/health")):
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in headers  # plain HTTP here


def test_hsts_over_https(client: TestClient) -> None:
    https = TestClient(client.app, base_url="https://likeness.test")
    assert "max-age" in https.get("/api/health").headers["strict-transport-security"]


def test_login_rate_limit_is_429_with_retry_after(client: TestClient) -> None:
    answers = [client.post("/api/auth/token", data={"username": "nobody", "password": "wrong-password"}).status_code
               for _ in range(35)]
    assert answers[0] == 401 and answers[-1] == 429
    limited = client.post("/api/auth/token", data={"username": "artist", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


def test_database_down_is_503_not_500(client: TestClient, artist: dict[str, str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from app.db import get_engine

    monkeypatch.setattr(get_engine().pool, "_creator", lambda *a, **k: (_ for _ in ()).throw(
        __import__("sqlite3").OperationalError("unable to open database file")))
    get_engine().dispose()
    response = client.get("/api/cases", headers=artist)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "database is unavailable" in response.json()["detail"]


def test_unknown_api_path_is_a_json_404(client: TestClient, artist: dict[str, str]) -> None:
    for path in ("/api/nope", "/api/cases/x/nothing-here"):
        response = client.get(path, headers=artist)
        assert response.status_code in (404, 422) and response.headers["content-type"].startswith("application/json")
