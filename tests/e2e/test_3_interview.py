"""Journey 3: the interview — verbatim first description, attributes, live prompt and token meter,
the lock on the first description, later versions with a diff, and starting a session."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e

FIRST_WORDS = ("He was about forty, tall and thin, with a narrow face and short grey hair. "
               "He had a crooked nose and a small scar through his left eyebrow.")


def test_interview_first_description_versions_and_session(page: Any, api: Api) -> None:
    ref = unique("INT")
    case = api.post("/api/cases", {"reference": ref, "title": "Robbery at the corner shop"})
    witness = api.post(f"/api/cases/{case['id']}/witnesses", {"name": "Jane Witness"})

    sign_in(page, path=f"/cases/{case['id']}")
    page.get_by_role("link", name="Start interview").click()
    expect(page).to_have_url(re.compile(f"/cases/{case['id']}/witnesses/{witness['id']}$"))
    expect(page.get_by_role("heading", name="Jane Witness")).to_be_visible()

    verbatim = page.get_by_label("Witness’s description (verbatim)")
    expect(verbatim).to_be_focused()
    verbatim.fill("Tall, thin, grey hair.")

    # Attributes, with "not seen" / "unsure" on every field.
    page.get_by_label("Sex", exact=True).fill("male")
    page.get_by_label("Age range", exact=True).fill("35-45")
    page.get_by_label("Hair colour", exact=True).fill("grey")
    page.get_by_label("Hair length", exact=True).fill("short")
    page.get_by_role("button", name="Eyes: not seen").click()
    page.get_by_role("button", name="Glasses: unsure").click()
    expect(page.get_by_role("button", name="Eyes: not seen")).to_have_attribute("aria-pressed", "true")
    for field in ("Sex", "Nose", "Mouth", "Jaw", "Headwear", "Other"):
        expect(page.get_by_role("button", name=f"{field}: not seen")).to_be_visible()
        expect(page.get_by_role("button", name=f"{field}: unsure")).to_be_visible()

    # The built prompt, live, with the token meter.
    prompt = page.get_by_test_id("built-prompt")
    expect(prompt).to_contain_text("Tall, thin, grey hair.")
    meter = page.get_by_role("meter", name="Prompt tokens")
    expect(meter).to_have_attribute("aria-valuemax", "75")
    expect(page.get_by_test_id("token-meter")).to_contain_text("77-token")
    expect(page.get_by_test_id("token-meter")).not_to_contain_text("chunks")
    assert_all_labelled(page)
    shot(page, "3-interview-01-first-description")

    # The full account goes past the 77-token window: allowed, shown as chunks.
    verbatim.fill(FIRST_WORDS)
    expect(prompt).to_contain_text("crooked nose")
    expect(meter).to_have_attribute("aria-valuemax", "150")
    expect(page.get_by_test_id("token-meter")).to_contain_text("chunks")
    expect(page.get_by_test_id("token-meter")).to_contain_text("nothing is cut off")
    shot(page, "3-interview-02-past-77-tokens")

    page.get_by_role("button", name="Save and lock first description").click()
    first = page.get_by_label("First description, verbatim")
    expect(first).to_have_text(FIRST_WORDS)
    expect(page.get_by_text("Locked", exact=True)).to_be_visible()
    # Locked: no editable field holds the first description any more.
    expect(page.get_by_label("Witness’s description (verbatim)")).to_have_count(0)
    shot(page, "3-interview-03-locked", full_page=True)

    # A later change is a new version, with a diff against the previous one.
    page.get_by_role("button", name="Record a change (new version)").click()
    text = page.get_by_label("Description text")
    expect(text).to_have_value(FIRST_WORDS)
    text.fill(FIRST_WORDS.replace("short grey hair", "short dark hair going grey at the sides"))
    page.get_by_role("button", name="Eyes: not seen").click()  # un-mark
    page.get_by_label("Eyes", exact=True).fill("deep-set, pale blue")
    page.get_by_role("button", name="Save new version").click()
    history = page.get_by_role("region", name="Version history")
    expect(history).to_be_visible()
    expect(history.locator("ins").first).to_contain_text("dark")
    expect(history.locator("del").first).to_be_visible()
    expect(history.get_by_role("rowheader", name="Eyes")).to_be_visible()
    expect(first).to_have_text(FIRST_WORDS)  # the first description never changes
    assert_all_labelled(page)
    shot(page, "3-interview-04-version-diff", full_page=True)

    # Start a composite session from the newest version, from a hand sketch turned into pencil.
    reference = page.get_by_label("Reference sketch or photo (optional)")
    sketchify = page.get_by_label("Turn photo into pencil sketch")
    expect(sketchify).to_be_disabled()
    reference.set_input_files({"name": "hand-sketch.png", "mimeType": "image/png", "buffer": _png()})
    expect(page.get_by_role("img", name="Chosen reference")).to_have_js_property("complete", True)
    sketchify.check()
    page.get_by_text("Advanced").click()
    page.get_by_label("Steps").fill("4")
    page.get_by_label("Image size").select_option("64")
    expect(page.get_by_label("Description version")).to_contain_text("v2")
    assert_all_labelled(page)
    shot(page, "3-interview-05-start-with-reference")
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name=re.compile("Composite — Jane Witness"))).to_be_visible()

    descriptions = api.get(f"/api/witnesses/{witness['id']}")["descriptions"]
    assert [d["version"] for d in descriptions] == [1, 2]
    assert descriptions[0]["text"] == FIRST_WORDS
    assert descriptions[1]["supersedes_id"] == descriptions[0]["id"]
    assert descriptions[0]["attributes"]["eyes"] == "not_seen"
    assert descriptions[0]["attributes"]["glasses"] == "unsure"
    # The first round starts from the uploaded reference, sketchified.
    session_id = page.url.rsplit("/", 1)[1]
    settings = api.get(f"/api/sessions/{session_id}")["rounds"][0]["settings"]
    assert settings["reference_sha256"] and settings["sketchify_reference"] is True, settings
    uploads = [e for e in api.get("/api/audit", params={"case_id": case["id"]}) if "upload" in e["action"]]
    assert uploads, "the reference upload is on the audit trail"


def _png() -> bytes:
    """A small grey 'hand sketch': a PNG made here, so the test needs no files."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 10, 76, 86), outline="black", width=3)
    draw.line((40, 40, 44, 40), fill="black", width=3)
    draw.line((54, 40, 58, 40), fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
