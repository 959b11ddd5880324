"""A session switches model, adapters, style and mask between rounds through the API,
and every image's recipe names what drew it (jobs run in-process by the worker glue)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from app.db import session_factory
from app.registry.service import register_adapter
from app.users.actor import system_actor
from tests.app.conftest import run_queued, start
from tests.journey import fetch_png, ok


def _register_unet_lora(tiny_model_dir: Path, tmp_path: Path) -> str:
    from tests.worker.engine.lora_files import unet_lora_file

    data = unet_lora_file(tiny_model_dir, seed=5, workdir=tmp_path / "lora")
    with session_factory()() as db:
        adapter = register_adapter(db, system_actor("test"), name="department-pencil", kind="unet-lora", data=data,
                                   config={"rank": 4, "alpha": 4})
        return str(adapter.id)


def _mask_png(size: int) -> bytes:
    mask = Image.new("L", (size, size), 0)
    mask.paste(255, (size // 4, size // 4, size // 2, size // 2))
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return buffer.getvalue()


def _round(client: TestClient, headers: dict[str, str], session: dict, parent: dict, **choices: object) -> dict:
    ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=headers,
                   json={"candidate_id": parent["id"], "rating": 5, "feedback": "older", **choices}), 201)
    assert run_queued() == 1
    latest = ok(client.get(f"/api/sessions/{session['id']}", headers=headers))["rounds"][-1]
    assert latest["status"] == "succeeded", latest["error"]
    return latest


def test_model_adapters_style_and_mask_switch_between_rounds(client: TestClient, artist: dict[str, str],
                                                             tiny_model_dir: Path, tmp_path: Path) -> None:
    adapter_id = _register_unet_lora(tiny_model_dir, tmp_path)
    session = start(client, artist, candidates=1)
    run_queued()
    first = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]

    # Round 2: Model 2 with a department adapter ramped in, and a charcoal blend.
    second = _round(client, artist, session, first, model="clip-fusion", fusion_weight=0.6, style="charcoal",
                    style_blend=0.5, adapters=[{"id": adapter_id, "weight": 0.8}], adapter_schedule="ramp")
    _, recipe, _ = fetch_png(client, artist, second["candidates"][0]["image_url"])
    spec = recipe["spec"]
    assert (spec["strategy"], spec["fusion_weight"], spec["adapter_schedule"]) == ("clip-fusion", 0.6, "ramp")
    assert spec["adapters"][0]["id"] == adapter_id and spec["adapters"][0]["weight"] == 0.8
    assert spec["style_blend"] == {"style": "charcoal", "weight": 0.5}

    # Round 3: back to Model 1, only under a painted mask; model and adapters were sticky until changed.
    case_id = session["case_id"]
    mask = ok(client.post(f"/api/cases/{case_id}/uploads", headers=artist, data={"kind": "mask"},
                          files={"file": ("mask.png", _mask_png(64), "image/png")}), 201)
    parent = second["candidates"][0]
    third = _round(client, artist, session, parent, model="img2img", adapters=[], mask_upload_id=mask["id"])
    # The round says what it refined: the painted mask (by its hash), no named region; round 2 refined the whole face.
    assert (third["region"], third["mask_sha256"]) == (None, mask["sha256"])
    assert (second["region"], second["mask_sha256"]) == (None, None)
    assert (third["model"], third["mode"], third["status"]) == ("img2img", "img2img", "succeeded")
    parent_image, _, _ = fetch_png(client, artist, parent["image_url"])
    image, recipe, _ = fetch_png(client, artist, third["candidates"][0]["image_url"])
    assert recipe["spec"]["strategy"] == "img2img" and recipe["spec"]["mask_sha256"] == mask["sha256"]
    assert recipe["spec"]["adapters"] == []
    outside = np.asarray(Image.open(io.BytesIO(_mask_png(64))).convert("L")) == 0
    # Far from the feathered edge, every pixel outside the mask is the parent's.
    far = outside.copy()
    far[8:40, 8:40] = False
    assert np.array_equal(np.asarray(image)[far], np.asarray(parent_image)[far])
    assert not np.array_equal(np.asarray(image), np.asarray(parent_image))


def test_region_on_a_faceless_pick_is_422(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, candidates=1)
    run_queued()
    first = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    answer = client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                         json={"candidate_id": first["id"], "rating": 4, "feedback": "x", "region": "nose"})
    assert answer.status_code == 422 and "no face found" in answer.json()["detail"]
    assert len(ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"]) == 1


def test_a_pick_whose_check_found_a_face_is_not_looked_at_again(client: TestClient, artist: dict[str, str]) -> None:
    """Once the badge is set it decides: the request runs no detector (a second of dlib under the
    write lock). The tiny model draws noise, so a detector run here would answer 422."""
    from app.sessions.models import Candidate

    session = start(client, artist, candidates=1)
    run_queued()
    first = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    with session_factory()() as db:
        candidate = db.get(Candidate, uuid.UUID(first["id"]))
        assert candidate is not None and candidate.face_found is False
        candidate.face_found = True
        db.commit()
    ok(client.post(f"/api/sessions/{session['id']}/rounds", headers=artist,
                   json={"candidate_id": first["id"], "rating": 4, "feedback": "x", "region": "nose"}), 201)


def test_switching_style_rewrites_the_prompts_opening(client: TestClient, artist: dict[str, str]) -> None:
    session = start(client, artist, candidates=1, style="ink")
    run_queued()
    first_round = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]
    assert first_round["prompt"].startswith("forensic ink drawing")
    second = _round(client, artist, session, first_round["candidates"][0], style="charcoal")
    assert second["prompt"].startswith("forensic charcoal drawing")
    assert not second["prompt"].endswith("older")  # built afresh from the working description, nothing appended
    assert "ink" not in second["prompt"].split(",")[0]
