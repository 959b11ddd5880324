"""Training runs through the API and the `train` queue's task (run in-process, as run_queued
does for generation): progress, the adapter in the registry, cancel, failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.db import session_factory
from app.training.models import TrainingRun
from tests.conftest import bearer
from tests.training_data import good_dataset, zip_folder


def upload(client: TestClient, headers: dict[str, str], tmp_path: Path) -> None:
    data = zip_folder(good_dataset(tmp_path / "d", count=10))
    answer = client.post("/api/datasets", headers=headers, data={"name": "shapes"},
                         files={"file": ("shapes.zip", data, "application/zip")})
    assert answer.status_code == 201, answer.text


def start(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/api/training", headers=headers, json={"dataset": "shapes", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def run_queued() -> None:
    from worker.training.tasks import run_training

    with session_factory()() as db:
        queued = list(db.scalars(sa.select(TrainingRun.id).where(TrainingRun.status == "queued")))
    for run_id in queued:
        run_training(run_id)


def test_an_admin_trains_an_adapter_through_the_api(client: TestClient, tmp_path: Path) -> None:
    admin, artist = bearer(client, "boss"), bearer(client, "artist")
    upload(client, admin, tmp_path)
    assert client.post("/api/training", headers=artist, json={"kind": "clip-lora", "dataset": "shapes"}).status_code \
        == 403
    run = start(client, admin, kind="clip-lora", name="shapes-clip",
                config={"rank": 2, "epochs": 2, "batch_size": 4, "layers": "self"})
    assert run["status"] == "queued" and run["adapter_id"] is None
    run_queued()
    done = client.get(f"/api/training/{run['id']}", headers=admin).json()
    assert done["status"] == "succeeded", done
    assert done["step"] == done["total_steps"] == 4 and done["loss"] is not None
    registry = client.get("/api/models", headers=admin).json()["adapters"]
    adapter = next(a for a in registry if a["id"] == done["adapter_id"])
    assert adapter["name"] == "shapes-clip" and adapter["kind"] == "clip-lora"
    assert adapter["config"]["layers"] == "self" and adapter["metrics"]["dataset"]["name"] == "shapes"
    assert [r["id"] for r in client.get("/api/training", headers=admin).json()] == [run["id"]]


def test_settings_are_checked_by_name_and_by_the_worker(client: TestClient, tmp_path: Path) -> None:
    admin = bearer(client, "boss")
    upload(client, admin, tmp_path)
    unknown = client.post("/api/training", headers=admin,
                          json={"kind": "unet-lora", "dataset": "shapes", "config": {"layers": "self"}})
    assert unknown.status_code == 422 and "unknown setting(s) for unet-lora: layers" in unknown.json()["detail"]
    missing = client.post("/api/training", headers=admin, json={"kind": "unet-lora", "dataset": "nope"})
    assert missing.status_code == 404
    bad = start(client, admin, kind="unet-lora", config={"targets": ["conv1"]})
    run_queued()
    failed = client.get(f"/api/training/{bad['id']}", headers=admin).json()
    assert failed["status"] == "failed" and "unknown LoRA target" in failed["error"]


def test_cancel_a_queued_run_and_a_running_one(client: TestClient, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    admin = bearer(client, "boss")
    upload(client, admin, tmp_path)
    queued = start(client, admin, kind="unet-lora", config={"resolution": 64, "epochs": 1})
    cancelled = client.post(f"/api/training/{queued['id']}/cancel", headers=admin).json()
    assert cancelled["status"] == "cancelled"
    running = start(client, admin, kind="unet-lora", config={"resolution": 64, "epochs": 3, "rank": 2})
    from app.training import service as training

    original = training.report_progress

    def cancel_after_first_step(db: Any, run_id: Any, worker: str, step: int, total: int, loss: float) -> bool:
        if step == 1:  # the admin presses cancel while step 1 runs
            client.post(f"/api/training/{running['id']}/cancel", headers=admin)
        return original(db, run_id, worker, step, total, loss)

    monkeypatch.setattr(training, "report_progress", cancel_after_first_step)
    run_queued()
    stopped = client.get(f"/api/training/{running['id']}", headers=admin).json()
    assert stopped["status"] == "cancelled" and stopped["step"] == 1 and stopped["total_steps"] == 6
    assert stopped["adapter_id"] is None and "cancelled after step 1" in stopped["error"]
