"""Journey 5: the witness screen — large faces, nothing about the case, pick, rate, say what to change."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e


def test_witness_picks_rates_and_asks_for_changes(page: Any, api: Api) -> None:
    ids = api.case_with_description(unique("WIT"), title="Robbery at the corner shop")
    session = api.post("/api/sessions", {"witness_id": ids["witness_id"], "description_id": ids["description_id"],
                                         "candidates": 4, "rounds": 5, "width": 256, "height": 256, "steps": 15})
    api.wait_round(session["id"], 1)
    # Another witness of the same case, with a session of their own: never shown here.
    other = api.post(f"/api/cases/{ids['case_id']}/witnesses", {"name": "Witness B"})
    other_desc = api.post(f"/api/witnesses/{other['id']}/descriptions", {"text": "a woman in her twenties",
                                                                          "attributes": {}})
    other_session = api.post("/api/sessions", {"witness_id": other["id"], "description_id": other_desc["id"],
                                               "candidates": 2, "width": 64, "height": 64, "steps": 4})
    other_round = api.wait_round(other_session["id"], 1)["rounds"][0]

    sign_in(page, path=f"/witness/{session['id']}")
    expect(page.get_by_role("heading", name="Which face is closest to the person you saw?")).to_be_visible()
    faces = page.get_by_role("listbox", name="Faces").get_by_role("option")
    expect(faces).to_have_count(4)
    for i in range(4):
        expect(page.get_by_role("img", name=f"Face {i + 1}")).to_have_js_property("complete", True)
    # Distraction-free: no case data, no navigation, nobody else's faces.
    body = page.locator("body")
    for secret in (ids["reference"], "Robbery at the corner shop", "Elm Road", "Witness A", "Witness B", "Sign out"):
        expect(body).not_to_contain_text(secret)
    for c in other_round["candidates"]:
        expect(page.locator(f'img[src="{c["image_url"]}"]')).to_have_count(0)
    # Large: each face at least a quarter of the screen's height.
    box = faces.first.bounding_box()
    assert box and box["height"] > 900 / 4, box
    shot(page, "5-witness-01-faces")

    # Every face on screen is recorded as shown to the witness.
    deadline = time.monotonic() + 10
    while True:
        shown = [e for e in api.get("/api/audit", params={"case_id": ids["case_id"]})
                 if e["action"] == "candidate.shown"]
        if len(shown) >= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    first_ids = {c["id"] for c in api.get(f"/api/sessions/{session['id']}")["rounds"][0]["candidates"]}
    assert {e["entity_id"] for e in shown} == first_ids

    # Pick by keyboard (→ → Enter), then by touch; rate; say what to change.
    page.locator("body").press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You chose face 3.")).to_be_visible()
    faces.nth(1).click()
    expect(page.get_by_text("You chose face 2.")).to_be_visible()
    expect(faces.nth(1)).to_have_attribute("aria-selected", "true")
    page.get_by_role("button", name="Show me new faces").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose how close it is")
    page.get_by_role("radio", name="Rating 6 of 10").click()
    page.get_by_label("What should be different?").fill("The nose was wider and the hair shorter.")
    page.get_by_role("group", name="Region to change").get_by_role("button", name="Nose").click()
    assert_all_labelled(page)
    shot(page, "5-witness-02-choice")
    page.get_by_role("button", name="Show me new faces").click()

    drawing = page.get_by_role("heading", name="Drawing new faces…")
    refused = page.locator(".witness-error")
    expect(drawing.or_(refused)).to_be_visible(timeout=10_000)
    if refused.is_visible():
        # The region could not be used on this (noise) image: the words stay, the whole face is refined.
        shot(page, "5-witness-02b-region-refused")
        expect(page.get_by_label("What should be different?")).to_have_value("The nose was wider and the hair shorter.")
        page.get_by_role("group", name="Region to change").get_by_role("button", name="Whole face").click()
        page.get_by_role("button", name="Show me new faces").click()
    expect(drawing).to_be_visible(timeout=10_000)
    shot(page, "5-witness-03-drawing")
    expect(drawing).to_be_hidden(timeout=180_000)
    expect(page.get_by_role("heading", name="Which face is closest to the person you saw?")).to_be_visible()
    expect(page.get_by_text("Tap a face to choose it.")).to_be_visible()
    expect(page.get_by_label("What should be different?")).to_have_value("")
    shot(page, "5-witness-04-new-faces")

    s = api.get(f"/api/sessions/{session['id']}")
    assert len(s["rounds"]) == 2
    picked = sorted(s["rounds"][0]["candidates"], key=lambda c: c["index"])[1]
    assert s["rounds"][1]["parent_candidate_id"] == picked["id"]
    assert s["rounds"][1]["rating"] == 6
    assert s["rounds"][1]["feedback"] == "The nose was wider and the hair shorter."
    new_src = {c["image_url"] for c in s["rounds"][1]["candidates"]}
    for img in page.get_by_role("listbox", name="Faces").get_by_role("img").all():
        assert img.get_attribute("src") in new_src

    # When the artist approves the composite, the witness screen says thank you.
    api.post(f"/api/sessions/{session['id']}/approve", {"candidate_id": picked["id"], "statement": "That is him",
                                                       "confidence": 7})
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("img")).to_have_count(0)
    shot(page, "5-witness-05-thank-you")
    assert re.search(r"/witness/", page.url)
