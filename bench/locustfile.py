"""Load on the main read and write routes, for `likeness loadtest` (locust, loopback only).

Each simulated artist signs in once, opens a case with a witness and a description,
then mixes reads (case list, case, session) with writes (new witness, new
description version) and an occasional new session (generation is rate limited
per user, so those stay rare, as they are for a person).
"""

from __future__ import annotations

import os
import random
import uuid

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LIKENESS_LOAD_PASSWORD", "load test passphrase")


class Artist(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        username = os.environ.get("LIKENESS_LOAD_USER", "load")
        token = self.client.post("/api/auth/token", data={"username": username, "password": PASSWORD}).json()
        self.client.headers["Authorization"] = f"Bearer {token['access_token']}"
        case = self.client.post("/api/cases", json={"reference": f"LOAD-{uuid.uuid4().hex[:10]}",
                                                    "title": "load"}, name="POST /api/cases").json()
        self.case_id = case["id"]
        witness = self.client.post(f"/api/cases/{self.case_id}/witnesses", json={"name": "w"},
                                   name="POST /api/cases/{id}/witnesses").json()
        self.witness_id = witness["id"]
        self.description_id = self._describe()
        self.session_id = self._start_session()

    def _describe(self) -> str:
        return self.client.post(f"/api/witnesses/{self.witness_id}/descriptions",
                                json={"text": "thin face, dark hair", "attributes": {"sex": "male"}},
                                name="POST /api/witnesses/{id}/descriptions").json()["id"]

    def _start_session(self) -> str:
        return self.client.post("/api/sessions", json={
            "witness_id": self.witness_id, "description_id": self.description_id, "candidates": 1,
            "width": 64, "height": 64, "steps": 2}, name="POST /api/sessions").json()["id"]

    @task(6)
    def list_cases(self) -> None:
        self.client.get("/api/cases", name="GET /api/cases")

    @task(4)
    def open_case(self) -> None:
        self.client.get(f"/api/cases/{self.case_id}", name="GET /api/cases/{id}")

    @task(8)
    def open_session(self) -> None:
        self.client.get(f"/api/sessions/{self.session_id}", name="GET /api/sessions/{id}")

    @task(2)
    def new_description_version(self) -> None:
        self._describe()

    @task(1)
    def preview_prompt(self) -> None:
        self.client.post("/api/prompts/preview", json={"text": "older, wider nose " * random.randint(1, 20)},
                         name="POST /api/prompts/preview")
