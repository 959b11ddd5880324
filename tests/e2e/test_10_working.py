"""Journey 10: the working description. The witness's words stay verbatim (evidence); the artist
accepts suggested edits one by one, strikes a clause, and the next round's prompt is built from the
working description, never from the appended feedback. The history keeps "witness said" apart
from "artist's interpretation"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FAST, Api, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e

WORDS = "He was about forty, thin face, I didn't see his eyes, maybe a scar on his chin."
FEEDBACK = "nose wider, and he was older"


def seed(api: Api) -> dict[str, Any]:
    case = api.post("/api/cases", {"reference": unique("WRK"), "title": "Bag snatch, Mill Lane"})
    witness = api.post(f"/api/cases/{case['id']}/witnesses", {"name": "Witness W"})
    desc = api.post(f"/api/witnesses/{witness['id']}/descriptions", {
        "text": WORDS, "attributes": {"sex": "male", "age_range": "35-45", "nose": "crooked"}})
    return {"case_id": case["id"], "witness_id": witness["id"], "description_id": desc["id"]}


def test_interview_shows_clause_kinds(page: Any, api: Api) -> None:
    case = api.post("/api/cases", {"reference": unique("WRI"), "title": "Bag snatch, Mill Lane"})
    witness = api.post(f"/api/cases/{case['id']}/witnesses", {"name": "Witness V"})
    sign_in(page, path=f"/cases/{case['id']}/witnesses/{witness['id']}")
    page.get_by_label("Witness’s description (verbatim)").fill(WORDS)
    clauses = page.get_by_test_id("preview-clauses")
    # "I didn't see his eyes" is read as not seen (never drawn), "maybe a scar" as unsure: in words, not colour alone.
    expect(clauses.locator("li[data-kind=unknown]")).to_contain_text("Not seen")
    expect(clauses.locator("li[data-kind=unknown]")).to_contain_text("didn't see his eyes")
    expect(clauses.locator("li[data-kind=uncertain]")).to_contain_text("scar")
    expect(page.get_by_test_id("built-prompt")).not_to_contain_text("eyes")
    shot(page, "10-working-01-interview-clauses")


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["laptop", "phone"])
def test_feedback_suggestions_working_description_next_round(page: Any, api: Api, viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    tag = f"{viewport[0]}x{viewport[1]}"
    ids = seed(api)
    session = api.post("/api/sessions", {"witness_id": ids["witness_id"], "description_id": ids["description_id"],
                                         "candidates": 2, "rounds": 5, **FAST})
    api.wait_round(session["id"], 1)
    sign_in(page, path=f"/sessions/{session['id']}")
    grid = page.get_by_role("listbox", name="Round 1 candidates").get_by_role("option")
    expect(grid).to_have_count(2, timeout=60_000)
    grid.first.click()

    working = page.get_by_test_id("working-description")
    clauses = working.get_by_test_id("working-clause")
    expect(clauses.filter(has_text="didn't see his eyes")).to_contain_text("Not seen")
    expect(clauses.filter(has_text="scar")).to_contain_text("Unsure")

    page.get_by_role("radio", name="Rating 6 of 10").click()
    feedback = page.get_by_label("What should change?")
    feedback.fill(FEEDBACK)
    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions.filter(has_text="wide crooked")).to_be_visible()
    expect(suggestions.filter(has_text="40-50")).to_be_visible()
    # Nothing is preselected: the artist decides each edit.
    expect(page.get_by_role("button", name="Accepted")).to_have_count(0)
    shot(page, f"10-working-02-suggestions-{tag}")
    for s in suggestions.all():
        s.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("button", name="Accepted")).to_have_count(suggestions.count())

    # Strike "thin face"; promote nothing; the changes show before the round is drawn.
    working.get_by_role("button", name="Strike “thin face”").click()
    expect(clauses.filter(has_text="thin face")).to_have_count(0)
    changes = page.get_by_test_id("working-changes")
    expect(changes).to_contain_text("Nose: crooked → wide crooked")
    expect(changes).to_contain_text("Struck “thin face”")
    expect(feedback).to_have_value(FEEDBACK)  # the witness's words, untouched
    working.get_by_text("Prompt for the next round").click()
    next_prompt = page.get_by_test_id("next-prompt")
    expect(next_prompt).to_contain_text("wide crooked nose")
    expect(next_prompt).not_to_contain_text("thin face")
    assert_all_labelled(page)
    shot(page, f"10-working-03-edited-{tag}")
    draw = page.get_by_role("button", name="Draw next round")
    draw.scroll_into_view_if_needed()
    shot(page, f"10-working-04-draw-button-{tag}")
    draw.click()

    round2 = page.get_by_role("listbox", name="Round 2 candidates").get_by_role("option")
    expect(round2).to_have_count(2, timeout=180_000)
    summary = page.get_by_text("Prompt and settings of round 2")
    summary.click()
    prompt = page.locator("details.round-prompt[open] .prompt-box")
    expect(prompt).to_contain_text("wide crooked nose")
    expect(prompt).to_contain_text("40-50")
    expect(prompt).not_to_contain_text("thin face")
    expect(prompt).not_to_contain_text("nose wider")
    expect(prompt).not_to_contain_text("older")
    expect(prompt).not_to_contain_text("see his eyes")

    words = page.get_by_test_id("round-words-2")
    expect(words).to_contain_text("Witness said")
    expect(words.locator("blockquote")).to_have_text(FEEDBACK)
    expect(words).to_contain_text("Artist's interpretation")
    expect(words).to_contain_text("Accepted: Nose: wide crooked")
    expect(words).to_contain_text("Struck “thin face”")
    shot(page, f"10-working-05-round-2-{tag}", full_page=True)

    stored = api.get(f"/api/sessions/{session['id']}")["rounds"][1]
    assert stored["feedback"] == FEEDBACK
    assert {e["field"] for e in stored["accepted_edits"]} == {"nose", "age_range"}
    assert [c["text"] for c in stored["working_diff"]["removed"]] == ["thin face"]
