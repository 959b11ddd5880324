"""Property-based fuzzing of every route from the OpenAPI schema: no input, however odd,
may produce a server error (5xx). Runs against the embedded default with a real
signed-in artist, so requests get past authentication to the validation and rules."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.conftest import Stack, bearer, make_user

# Streams and long waits have their own tests; sign-in is rate limited by design.
SKIPPED = ("/api/jobs/{job_id}/events", "/api/images/{image_id}/verify", "/api/auth/token", "/api/auth/login",
           "/api/auth/logout")


def _fuzz(operation: Any, auth: dict[str, str], failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=10, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        response = case.call(headers={**(case.headers or {}), **auth})
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

    run()


def test_no_input_is_a_server_error(sqlite_stack: Stack) -> None:
    from app.main import create_app
    from app.security.ratelimit import limiter

    make_user("fuzzer")
    app = create_app()
    auth = bearer(TestClient(app), "fuzzer")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        limiter.reset()
        _fuzz(operation, auth, failures)
        fuzzed += 1
    assert fuzzed >= 20, f"only {fuzzed} operations fuzzed"
    assert not failures, "\n".join(failures[:20])
