"""Journey 9: evolving arrays (model evolve). The room's witness screen at 1280x800 shows 3x3 faces
without scrolling; a witness link on a phone (390x844) picks rated faces, says "none of these" once,
moves a scale, and three generations are bred; then the artist approves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FAST, Api, Server, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e

QUESTION = re.compile(r"^Which faces look most like the person you saw\?")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, server: Server) -> Iterator[tuple[Any, list[str]]]:
    ctx = browser.new_context(base_url=server.base_url, viewport=PHONE, has_touch=True, is_mobile=True)
    ctx.set_default_timeout(15_000)
    errors: list[str] = []
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, errors
    ctx.close()
    assert not errors, f"uncaught errors on the phone: {errors}"


def _faces(page: Any) -> Any:
    return page.get_by_role("listbox", name="Faces").get_by_role("option")


def _wait_for_array(page: Any, count: int = 9) -> None:
    expect(page.get_by_role("heading", name=QUESTION)).to_be_visible(timeout=420_000)
    expect(_faces(page)).to_have_count(count)
    for i in range(count):
        expect(page.get_by_role("img", name=f"Face {i + 1}", exact=True)).to_have_js_property("complete", True)


def _pick(page: Any, face: int, rating: int) -> None:
    _faces(page).nth(face - 1).click()
    group = page.get_by_role("radiogroup", name=f"Face {face}: how close?")
    group.get_by_role("radio", name=f"Rating {rating} of 10").click()


def test_evolve_three_generations_on_a_phone_then_approve(page: Any, api: Api, phone: tuple[Any, list[str]]) -> None:
    ids = api.case_with_description(unique("EVO"))
    session = api.post("/api/sessions", {"witness_id": ids["witness_id"], "description_id": ids["description_id"],
                                         "model": "evolve", "candidates": 9, "rounds": 5, **FAST})
    api.wait_round(session["id"], 1, timeout=420)

    # The room's screen at a laptop's size: the whole 3x3 array without scrolling.
    page.set_viewport_size(LAPTOP)
    sign_in(page, path=f"/witness/{session['id']}")
    _wait_for_array(page)
    last = _faces(page).nth(8).bounding_box()
    assert last, "the ninth face is on screen"
    assert last["y"] + last["height"] <= LAPTOP["height"] and last["x"] + last["width"] <= LAPTOP["width"], last
    assert page.evaluate("document.scrollingElement.scrollTop") == 0
    first = _faces(page).nth(0).bounding_box()
    assert first and first["width"] >= 180, first  # large enough to judge a face
    # Keys: 2 picks face 2, arrows + space pick face 5; the phase is offered in the room.
    page.keyboard.press("2")
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")
    expect(_faces(page).nth(1)).to_have_attribute("aria-selected", "true")
    expect(_faces(page).nth(4)).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("group", name="Which features change")).to_be_visible()
    assert_all_labelled(page)
    shot(page, "9-evolve-01-room-1280x800")
    page.keyboard.press("2")  # unpick again: the witness on the phone chooses
    page.keyboard.press(" ")

    # The witness's phone opens a link.
    link = api.post(f"/api/sessions/{session['id']}/witness-link", {"minutes": 30})
    tablet, _ = phone
    tablet.goto(link["url"])
    _wait_for_array(tablet)
    expect(tablet.get_by_role("group", name="Which features change")).to_have_count(0)
    assert tablet.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = [_faces(tablet).nth(i).bounding_box() for i in range(3)]
    assert len({round(b["y"]) for b in boxes}) == 1 and boxes[0]["width"] >= 100, boxes  # 3 columns
    shot(tablet, "9-evolve-02-phone-array")

    # Generation 2: three picks, each rated; a fourth can't be added; a scale moved.
    tablet.get_by_role("button", name="Show me new faces").click()
    expect(tablet.get_by_role("alert")).to_contain_text("Tap up to three faces")
    _pick(tablet, 3, 8)
    _pick(tablet, 1, 5)
    _faces(tablet).nth(6).click()
    tablet.get_by_role("button", name="Show me new faces").click()
    expect(tablet.get_by_role("alert")).to_contain_text("Choose how close face 7 is")
    tablet.get_by_role("radiogroup", name="Face 7: how close?").get_by_role("radio", name="Rating 3 of 10").click()
    _faces(tablet).nth(8).click(force=True)  # a fourth: marked unavailable, the tap changes nothing
    expect(_faces(tablet).nth(8)).to_have_attribute("aria-selected", "false")
    age = tablet.get_by_label(re.compile("^Age"))
    age.focus()
    for _ in range(5):
        age.press("ArrowRight")
    expect(age).to_have_value("0.5")
    assert_all_labelled(tablet)
    shot(tablet, "9-evolve-03-phone-picks", full_page=True)
    tablet.get_by_role("button", name="Show me new faces").click()
    expect(tablet.get_by_role("heading", name="Drawing new faces…")).to_be_visible()
    api.wait_round(session["id"], 2, timeout=420)
    _wait_for_array(tablet)

    # Generation 3: none of these.
    tablet.get_by_role("button", name="None of these").click()
    expect(tablet.get_by_text("None of these faces.")).to_be_visible()
    tablet.get_by_role("button", name="Show me new faces").click()
    api.wait_round(session["id"], 3, timeout=420)
    _wait_for_array(tablet)

    # Generation 4: two picks.
    _pick(tablet, 2, 9)
    _pick(tablet, 5, 6)
    tablet.get_by_role("button", name="Show me new faces").click()
    s = api.wait_round(session["id"], 4, timeout=420)
    _wait_for_array(tablet)
    shot(tablet, "9-evolve-04-phone-generation-4")

    rounds = s["rounds"]
    assert [r["model"] for r in rounds] == ["evolve"] * 4 and all(r["status"] == "succeeded" for r in rounds)
    gen1 = sorted(rounds[0]["candidates"], key=lambda c: c["index"])
    assert [(p["candidate_id"], p["rating"]) for p in rounds[1]["evolve_choice"]["picks"]] == \
        [(gen1[2]["id"], 8), (gen1[0]["id"], 5), (gen1[6]["id"], 3)]
    assert rounds[1]["settings"]["sliders"] == {"age": 0.5, "weight": 0, "masculinity": 0, "distinctiveness": 0}
    assert rounds[2]["evolve_choice"]["reject_all"] is True
    gen3 = sorted(rounds[2]["candidates"], key=lambda c: c["index"])
    assert [p["candidate_id"] for p in rounds[3]["evolve_choice"]["picks"]] == [gen3[1]["id"], gen3[4]["id"]]
    generation = [max(c["generation"] or 0 for c in r["candidates"]) for r in rounds]
    assert generation[3] > generation[1] > generation[0], generation
    assert all(c["parents"] for c in rounds[3]["candidates"]), "every bred face names its parents"

    # The artist's screen shows the lineage; the artist approves a face of the last generation.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/sessions/{session['id']}")
    lineage = page.get_by_role("region", name="Evolution")
    expect(lineage).to_contain_text("None of these")
    expect(lineage).to_contain_text("Picked #2 (9/10), #5 (6/10)")
    shot(page, "9-evolve-05-artist-lineage")

    # The artist's evolve panel: two faces of the last array, rated, blended half-way.
    panel = page.get_by_role("form", name="Evolve")
    breed = panel.get_by_role("listbox", name="Faces to breed").get_by_role("option")
    expect(breed).to_have_count(9)
    breed.nth(0).click()
    breed.nth(3).click()
    panel.get_by_role("radiogroup", name="Face #1: likeness (0–10)").get_by_role("radio", name="Rating 7 of 10").click()
    panel.get_by_role("radiogroup", name="Face #4: likeness (0–10)").get_by_role("radio", name="Rating 4 of 10").click()
    panel.get_by_label("Next array").select_option("blend")
    expect(panel.get_by_label(re.compile("^Blend weight: 0.50"))).to_be_visible()
    assert_all_labelled(page)
    shot(page, "9-evolve-06-artist-blend")
    panel.get_by_role("button", name="Draw next array").click()
    s = api.wait_round(session["id"], 5, timeout=420)
    gen4 = sorted(rounds[3]["candidates"], key=lambda c: c["index"])
    assert s["rounds"][4]["evolve_choice"]["blend"] == {"a": gen4[0]["id"], "b": gen4[3]["id"], "weight": 0.5}
    assert s["rounds"][4]["settings"]["evolve"]["phase"] == "internal"
    final = sorted(rounds[3]["candidates"], key=lambda c: c["index"])[0]
    # Approved through the API here (the dialog's statement and confidence are the session journey's, test_4).
    api.post(f"/api/sessions/{session['id']}/approve", {"candidate_id": final["id"], "confidence": 7,
                                                          "statement": "The second one, that is him."})
    expect(tablet.get_by_role("heading", name="This session has ended")).to_be_visible(timeout=15_000)
    expect(tablet.get_by_role("img")).to_have_count(0)
    shot(tablet, "9-evolve-07-phone-thanks")
    shown = {e["entity_id"] for e in api.get("/api/audit", params={"case_id": ids["case_id"]})
             if e["action"] == "candidate.shown"}
    assert {c["id"] for r in rounds for c in r["candidates"]} <= shown
