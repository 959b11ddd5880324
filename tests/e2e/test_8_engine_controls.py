"""Journey 8: the next round's engine controls come from the model registry — the model, model 3's
CLIP LoRA adapter, UNet LoRA adapters with a weight each and a constant/ramp schedule, the style and
its blend — and what the artist sets is what the server is asked for, and then shown as in force."""

from __future__ import annotations

import re
import struct
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e


def register_adapter(api: Api, name: str, kind: str) -> str:
    """A stand-in adapter file: the registry checks the safetensors header, not the tensors."""
    header = b"{}"
    data = struct.pack("<Q", len(header)) + header
    r = api.client.post("/api/models/adapters", headers=api.headers, data={"name": name, "kind": kind, "config": "{}"},
                        files={"file": (f"{name}.safetensors", data, "application/octet-stream")})
    assert r.status_code == 201, f"register {name}: {r.status_code} {r.text}"
    return r.json()["id"]


def test_engine_controls_from_the_registry(page: Any, api: Api) -> None:
    tag = unique("e2e")
    pencil = register_adapter(api, f"Pencil LoRA {tag}", "unet-lora")
    register_adapter(api, f"Soft shading {tag}", "unet-lora")
    faces = register_adapter(api, f"Faces CLIP {tag}", "clip-lora")
    ids = api.case_with_description(unique("ENG"))
    session = api.start_session(ids, candidates=2)
    api.wait_round(session["id"], 1)

    sign_in(page, path=f"/sessions/{session['id']}")
    grid = page.get_by_role("listbox", name="Round 1 candidates").get_by_role("option")
    expect(grid).to_have_count(2)
    grid.first.click()
    page.get_by_role("radio", name="Rating 5 of 10").click()
    page.get_by_label("What should change?").fill("darker, heavier lines")
    expect(page.get_by_test_id("engine-in-force")).to_have_text("In force: Image-to-image · Pencil")

    # Model 3 needs its CLIP LoRA adapter.
    model = page.get_by_label("Model", exact=True)
    expect(model.locator("option")).to_have_text(
        ["Image-to-image", "CLIP fusion", "CLIP fusion + LoRA", "Evolve (arrays)"])
    model.select_option("clip-lora")
    clip = page.get_by_label("CLIP LoRA adapter")
    expect(page.get_by_text("Choose the CLIP LoRA adapter for CLIP fusion + LoRA.").first).to_be_visible()
    clip.select_option(label=f"Faces CLIP {tag}")
    expect(page.get_by_text("Choose the CLIP LoRA adapter for CLIP fusion + LoRA.")).to_have_count(0)

    # UNet LoRA adapters: tick one, set its weight, ramp it in.
    page.get_by_text("LoRA adapters", exact=True).click()
    page.get_by_label(f"Pencil LoRA {tag}").check()
    page.get_by_label(f"Weight of Pencil LoRA {tag}").fill("0.6")
    expect(page.get_by_label(f"Weight of Soft shading {tag}")).to_have_count(0)
    page.get_by_role("radio", name="Ramp").check()

    # Style, and how far to blend toward it.
    page.get_by_text("Style and strength").click()
    page.get_by_label("Sketch style").select_option("charcoal")
    page.get_by_label("Style blend (0–1)").fill("0.4")
    page.get_by_label("Steps", exact=True).fill("4")
    assert_all_labelled(page)
    page.get_by_role("button", name="Draw next round").scroll_into_view_if_needed()
    shot(page, "8-engine-01-controls")

    rounds_url = f"/api/sessions/{session['id']}/rounds"
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(rounds_url)) as sent:
        page.get_by_role("button", name="Draw next round").click()
    body = sent.value.post_data_json
    assert body["model"] == "clip-lora" and body["clip_adapter_id"] == faces, body
    assert body["adapters"] == [{"id": pencil, "weight": 0.6}], body
    assert body["adapter_schedule"] == "ramp" and body["style"] == "charcoal" and body["style_blend"] == 0.4, body

    tree = page.get_by_role("list", name="Round history")
    expect(tree.get_by_role("button", name=re.compile(r"^Round 2,"))).to_be_visible(timeout=20_000)
    settings = api.get(f"/api/sessions/{session['id']}")["rounds"][1]["settings"]
    assert settings["strategy"] == "clip-lora" and settings["clip_adapter"]["id"] == faces, settings
    assert [(a["id"], a["weight"]) for a in settings["adapters"]] == [(pencil, 0.6)], settings
    assert settings["adapter_schedule"] == "ramp" and settings["style_blend"] == {"style": "charcoal", "weight": 0.4}
    expect(page.get_by_test_id("engine-in-force")).to_have_text(
        f"In force: CLIP fusion + LoRA · CLIP LoRA Faces CLIP {tag} · Pencil → Charcoal 40% · "
        f"LoRA Pencil LoRA {tag} ×0.60 (ramp)")
    page.get_by_test_id("engine-in-force").scroll_into_view_if_needed()
    shot(page, "8-engine-02-in-force")
