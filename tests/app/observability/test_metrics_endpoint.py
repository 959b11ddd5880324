"""GET /metrics: refused without access; with it, Prometheus text naming every series."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.observability.metrics import progress_stream
from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import ok

SERIES = ("likeness_http_request_duration_seconds", "likeness_progress_streams_open", "likeness_queue_depth",
          "likeness_jobs", "likeness_round_duration_seconds", "likeness_workers", "likeness_worker_model",
          "likeness_worker_gpu_memory_bytes")


def scrape(client: TestClient, headers: dict[str, str]) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    families: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            families.setdefault(sample.name, []).append((sample.labels, sample.value))
    return families


def test_metrics_refused_without_access(client: TestClient, artist: dict[str, str]) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    refused = client.get("/metrics", headers=artist)
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert "likeness_" not in refused.text


def test_metrics_expose_the_named_series(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist)
    ok(client.get(f"/api/sessions/{session['id']}", headers=artist))
    admin = bearer(client, "boss")
    before = scrape(client, admin)
    assert ({"queue": "generate"}, 1.0) in before["likeness_queue_depth"]
    assert ({"kind": "generate", "state": "queued"}, 1.0) in before["likeness_jobs"]
    assert run_queued() == 1
    with progress_stream():
        families = scrape(client, admin)
    names = {n.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum") for n in families}
    for series in SERIES[:-2]:
        assert series in names, f"{series} missing"
    assert ({"queue": "generate"}, 0.0) in families["likeness_queue_depth"]
    assert ({"kind": "generate", "state": "succeeded"}, 1.0) in families["likeness_jobs"]
    assert families["likeness_round_duration_seconds_count"] == [({}, 1.0)]
    assert families["likeness_progress_streams_open"] == [({}, 1.0)]
    routes = {labels["route"] for labels, _ in families["likeness_http_request_duration_seconds_count"]}
    assert "/api/sessions/{session_id}" in routes, routes
    assert not any(session["id"] in r for r in routes), "raw paths are not labels"
    assert scrape(client, admin)["likeness_progress_streams_open"] == [({}, 0.0)]


def test_workers_their_models_and_gpu_memory_come_from_heartbeats(client: TestClient) -> None:
    from app.db import session_factory, utcnow
    from app.jobs.models import WorkerHeartbeat

    with session_factory()() as db:
        db.add(WorkerHeartbeat(name="gpu-host:7", last_seen=utcnow(), model={
            "name": "stable-diffusion-v1-5", "device": "cuda:0", "random_weights": False,
            "gpu_memory": {"allocated": 3_000_000_000, "total": 150_000_000_000}}))
        db.add(WorkerHeartbeat(name="cpu-host:9", last_seen=utcnow(), model={
            "name": "tiny-random-sd", "device": "cpu", "random_weights": True}))
        db.commit()
    families = scrape(client, bearer(client, "boss"))
    assert families["likeness_workers"] == [({}, 2.0)]
    models = {labels["worker"]: labels for labels, _ in families["likeness_worker_model"]}
    assert models["gpu-host:7"]["model"] == "stable-diffusion-v1-5" and models["cpu-host:9"]["random_weights"] == "true"
    assert sorted(families["likeness_worker_gpu_memory_bytes"], key=lambda s: s[0]["kind"]) == [
        ({"worker": "gpu-host:7", "kind": "allocated"}, 3e9), ({"worker": "gpu-host:7", "kind": "total"}, 1.5e11)]
