"""Journey 7: a witness link — the artist makes a time-limited link, the witness opens it on another
device (the token leaves the address bar at once), sees only the faces, picks, rates and says what to
change; the artist's screen shows the next round; the link works once; revoking ends the witness view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, Server, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e

ENDED = "This link has expired or was already used — ask the officer for a new one."
QUESTION = "Which face is closest to the person you saw?"


class Devices:
    """Other browsers (a witness's tablet, a third device), each with its own cookies."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.browser, self.server = browser, server
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def open(self, url: str, viewport: dict[str, int]) -> Any:
        ctx = self.browser.new_context(base_url=self.server.base_url, viewport=viewport, has_touch=True)
        ctx.set_default_timeout(15_000)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.goto(url)
        return page


@pytest.fixture
def devices(browser: Any, server: Server) -> Iterator[Devices]:
    d = Devices(browser, server)
    yield d
    for ctx in d.contexts:
        ctx.close()
    assert not d.errors, f"uncaught errors on a witness device: {d.errors}"


def test_witness_link_on_another_device(page: Any, api: Api, devices: Devices) -> None:
    ids = api.case_with_description(unique("LNK"), title="Robbery at the kiosk")
    session = api.start_session(ids, candidates=4)
    api.wait_round(session["id"], 1)

    # The artist makes a link for 15 minutes.
    sign_in(page, path=f"/sessions/{session['id']}")
    expect(page.get_by_role("listbox", name="Round 1 candidates").get_by_role("option")).to_have_count(4)
    page.get_by_role("button", name="Witness link…").click()
    dialog = page.get_by_role("dialog", name="Witness link for another device")
    dialog.get_by_label("Link valid for").select_option("15")
    dialog.get_by_role("button", name="Create link").click()
    address = dialog.get_by_label("Witness link", exact=True)
    expect(address).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/w#[A-Za-z0-9_-]{20,}$"))
    url = address.input_value()
    expect(dialog.get_by_test_id("witness-link-expiry")).to_contain_text(re.compile(r"in 1[45] min"))
    expect(dialog.get_by_role("button", name="Copy link")).to_be_enabled()
    expect(dialog.get_by_role("button", name="Revoke link")).to_be_enabled()
    assert_all_labelled(page)
    shot(page, "7-link-01-created")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(re.compile(r"^Witness link · until"))).to_be_visible()

    # The witness's tablet opens it: the token leaves the address bar before anything else.
    tablet = devices.open(url, {"width": 1180, "height": 820})
    expect(tablet.get_by_role("heading", name=QUESTION)).to_be_visible()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/w", tablet.url), tablet.url
    assert tablet.evaluate("location.hash") == ""
    faces = tablet.get_by_role("listbox", name="Faces").get_by_role("option")
    expect(faces).to_have_count(4)
    for i in range(4):
        expect(tablet.get_by_role("img", name=f"Face {i + 1}")).to_have_js_property("complete", True)
        assert tablet.get_by_role("img", name=f"Face {i + 1}").evaluate("img => img.naturalWidth") > 0
    body = tablet.locator("body")
    for secret in (ids["reference"], "Robbery at the kiosk", "Elm Road", "Witness A", "Sign out", "Cases"):
        expect(body).not_to_contain_text(secret)
    # The link's pick takes a face, a rating and words; it offers no region.
    expect(tablet.get_by_role("group", name="Region to change")).to_have_count(0)
    shot(tablet, "7-link-02-witness-faces")

    faces.nth(2).click()
    expect(tablet.get_by_text("You chose face 3.")).to_be_visible()
    tablet.get_by_role("button", name="Show me new faces").click()
    expect(tablet.get_by_role("alert")).to_contain_text("Choose how close it is")
    tablet.get_by_role("radio", name="Rating 8 of 10").click()
    tablet.get_by_label("What should be different?").fill("His eyes were further apart.")
    assert_all_labelled(tablet)
    shot(tablet, "7-link-03-choice")
    tablet.get_by_role("button", name="Show me new faces").click()
    drawing = tablet.get_by_role("heading", name="Drawing new faces…")
    new_faces = tablet.get_by_role("heading", name=QUESTION)
    expect(drawing).to_be_visible()
    shot(tablet, "7-link-04-drawing")

    # The artist's screen follows: round 2, refined from the witness's pick, with their words.
    tree = page.get_by_role("list", name="Round history")
    round2 = tree.get_by_role("button", name=re.compile(r"^Round 2,"))
    expect(round2).to_be_visible(timeout=20_000)
    expect(page.locator(".toast")).to_contain_text("Round 2 queued from the witness’s pick R1·3, rated 8/10.")
    expect(round2).to_have_accessible_name(re.compile("refined from R1·3"))
    expect(page.locator(".round-feedback")).to_contain_text("His eyes were further apart.")
    shot(page, "7-link-05-artist-sees-round-2")

    # New faces on the tablet; a reload keeps the view (the cookie, not the spent token).
    expect(drawing).to_be_hidden(timeout=180_000)
    expect(new_faces).to_be_visible()
    expect(tablet.get_by_text("Tap a face to choose it.")).to_be_visible()
    tablet.reload()
    expect(new_faces).to_be_visible()
    expect(faces).to_have_count(4)
    shot(tablet, "7-link-06-after-reload")

    s = api.get(f"/api/sessions/{session['id']}")
    picked = sorted(s["rounds"][0]["candidates"], key=lambda c: c["index"])[2]
    assert s["rounds"][1]["parent_candidate_id"] == picked["id"]
    assert s["rounds"][1]["rating"] == 8
    assert s["rounds"][1]["feedback"] == "His eyes were further apart."
    shown = {e["entity_id"] for e in api.get("/api/audit", params={"case_id": ids["case_id"]})
             if e["action"] == "candidate.shown"}
    assert {c["id"] for c in s["rounds"][0]["candidates"]} <= shown

    # The same link on a third device: used up.
    third = devices.open(url, {"width": 800, "height": 900})
    expect(third.get_by_role("heading", name=ENDED)).to_be_visible()
    assert "#" not in third.url
    expect(third.get_by_role("img")).to_have_count(0)
    shot(third, "7-link-07-link-already-used")

    # The artist revokes the link: the tablet's view ends at its next look.
    page.get_by_role("button", name="Witness link…").click()
    dialog.get_by_role("button", name="Revoke link").click()
    expect(dialog.get_by_text("Revoked", exact=True)).to_be_visible()
    shot(page, "7-link-08-revoked")
    page.keyboard.press("Escape")
    expect(tablet.get_by_role("heading", name=ENDED)).to_be_visible(timeout=15_000)
    expect(tablet.get_by_role("img")).to_have_count(0)
    shot(tablet, "7-link-09-tablet-after-revoke")
