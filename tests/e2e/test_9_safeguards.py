"""Journey 9: the forensic safeguards on the artist's screen, on a 1280×800 laptop (and a 390×844 phone):
the exposure count, the "witness is looking" switch, the cap's warning and its 409 lifted by a reason; the
focus view; the region and painted-mask overlays on the pick and the mask named in the round header and
history; the composite notice; the witness link's QR code; the approved composite on the case page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Api, Server, assert_all_labelled, run_server, shot, sign_in, unique

pytestmark = pytest.mark.e2e

CAP = 5  # four faces shown → 80% of the cap (the warning); four more would pass it (409)
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's own app, with a small exposure cap."""
    with run_server(tmp_path_factory, {"LIKENESS_EXPOSURE_CAP": str(CAP)}) as srv:
        yield srv


@pytest.fixture
def laptop(browser: Any, server: Server) -> Iterator[Any]:
    ctx = browser.new_context(base_url=server.base_url, viewport=LAPTOP)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def grid(page: Any, round_: int) -> Any:
    return page.get_by_role("listbox", name=f"Round {round_} candidates").get_by_role("option")


def session_with_round(api: Api, prefix: str) -> tuple[dict[str, str], dict[str, Any]]:
    ids = api.case_with_description(unique(prefix))
    session = api.start_session(ids)
    return ids, api.wait_round(session["id"], 1)


def test_exposure_warning_switch_and_cap_reason(laptop: Any, api: Api) -> None:
    page = laptop
    _ids, session = session_with_round(api, "CAP")
    sign_in(page, path=f"/sessions/{session['id']}")
    expect(grid(page, 1)).to_have_count(4, timeout=60_000)
    bar = page.get_by_test_id("exposure-bar")
    expect(bar).to_contain_text(f"Faces shown to this witness: 0 of {CAP}")
    expect(bar.get_by_role("status")).to_have_count(0)
    for o in grid(page, 1).all():
        expect(o).to_contain_text("Composite — not a photograph")

    # The witness turns to the screen: the faces on it are recorded as shown, by the server.
    page.get_by_role("switch", name="Witness is looking at this screen").check()
    expect(bar).to_contain_text(f"Faces shown to this witness: 4 of {CAP}", timeout=20_000)
    expect(bar.get_by_role("status")).to_contain_text("Exposure warning: the witness has been shown 4 of 5 faces")
    assert api.get(f"/api/sessions/{session['id']}")["exposures"] == 4

    # On a laptop, pick, rating, feedback, "Draw next round" and "Approve" fit without scrolling.
    grid(page, 1).first.click()
    expect(page.get_by_text("Picked R1·1")).to_be_in_viewport()
    shot(page, "9-safeguards-00-picked-1280x800")
    for control in (
        grid(page, 1).first,
        page.get_by_role("radiogroup", name="Likeness of the pick (0–10)"),
        page.get_by_label("What should change?"),
        page.get_by_role("button", name="Draw next round"),
        page.get_by_role("button", name="Approve as final composite…"),
    ):
        expect(control).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") == 0

    # A round past the cap is refused; the reason field is there, and a reason lifts the cap.
    page.get_by_role("radio", name="Rating 5 of 10").click()
    page.get_by_label("What should change?").fill("a rounder face")
    page.get_by_role("button", name="Draw next round").click()
    refused = page.get_by_role("alert").filter(has_text="The next round was not started")
    expect(refused).to_contain_text(re.compile(r"exposure cap: the witness has been shown 4 faces .* cap of 5"))
    reason = page.get_by_label("Reason to show the witness more faces (past the cap)")
    expect(reason).to_be_visible()
    shot(page, "9-safeguards-01-cap-refused-1280x800")
    reason.fill("The witness asked to keep going; the likeness is still improving.")
    # The banner goes once its cause is fixed.
    expect(refused).to_have_count(0)
    page.get_by_role("button", name="Draw next round").click()
    tree = page.get_by_role("list", name="Round history")
    expect(tree.get_by_role("button", name=re.compile(r"^Round 2,"))).to_be_visible(timeout=60_000)
    after = api.wait_round(session["id"], 2)
    assert after["rounds"][1]["exposure_reason"] == "The witness asked to keep going; the likeness is still improving."
    expect(page.get_by_text("Past the exposure cap because:")).to_be_visible(timeout=20_000)
    assert_all_labelled(page)
    shot(page, "9-safeguards-02-past-cap-with-reason-1280x800")


def test_focus_view_mask_overlay_and_approved_composite(laptop: Any, api: Api, browser: Any, server: Server) -> None:
    page = laptop
    ids, session = session_with_round(api, "FOC")
    sign_in(page, path=f"/sessions/{session['id']}")
    expect(grid(page, 1)).to_have_count(4, timeout=60_000)

    # Focus view: one candidate at least 480 px tall, the others as thumbnails.
    page.get_by_role("radio", name="Focus").click()
    focus = page.get_by_test_id("focus-view")
    big = focus.get_by_role("img", name="Candidate 1 of round 1, large")
    expect(big).to_be_visible()
    assert big.bounding_box()["height"] >= 480
    expect(big).to_be_in_viewport(ratio=1)
    thumbs = page.get_by_role("list", name="Round 1 thumbnails").get_by_role("button")
    expect(thumbs).to_have_count(4)
    thumbs.nth(2).click()
    expect(focus.get_by_role("img", name="Candidate 3 of round 1, large")).to_be_visible()
    expect(focus).to_contain_text("Composite — not a photograph")
    download = focus.get_by_role("link", name=re.compile("Download Candidate 3 of round 1"))
    assert re.fullmatch(r"/api/images/[0-9a-f-]+/download", download.get_attribute("href") or "")
    focus.get_by_role("button", name="Pick R1·3").click()
    expect(page.get_by_text("Picked R1·3")).to_be_visible()
    shot(page, "9-safeguards-03-focus-view-1280x800")

    # A region previewed over the pick before drawing.
    overlay = page.get_by_test_id("mask-overlay")
    expect(overlay).to_have_count(0)
    page.get_by_role("group", name="Region to change").get_by_role("button", name="Nose").click()
    expect(overlay).to_have_accessible_name("Overlay on the pick: region: nose")
    expect(page.locator(".picked .region-box")).to_have_count(1)
    shot(page, "9-safeguards-04-region-overlay-1280x800")

    # A painted mask previewed over the pick, then named in the round header and the history.
    page.get_by_role("button", name="Paint a mask…").click()
    painter = page.get_by_role("dialog", name=re.compile("Paint the area to change"))
    canvas = painter.get_by_role("img", name=re.compile("Mask canvas"))
    expect(painter.get_by_role("img", name="Picked candidate to paint over")).to_have_js_property("complete", True)
    box = canvas.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.3 + 0.04 * i), box["y"] + box["height"] * 0.55, steps=2)
    page.mouse.up()
    painter.get_by_role("button", name="Use this mask").click()
    expect(overlay).to_have_accessible_name("Overlay on the pick: painted mask")
    painted = page.locator(".picked canvas.mask-overlay").evaluate(
        "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }")
    assert painted > 0, "the painted mask is not drawn over the pick"
    shot(page, "9-safeguards-05-mask-overlay-1280x800")
    page.get_by_role("radio", name="Rating 6 of 10").click()
    page.get_by_label("What should change?").fill("nose narrower")
    page.get_by_role("button", name="Draw next round").click()
    tree = page.get_by_role("list", name="Round history")
    round2 = tree.get_by_role("button", name=re.compile(r"^Round 2,"))
    expect(round2).to_be_visible(timeout=60_000)
    expect(round2).to_contain_text("painted mask")
    expect(page.get_by_test_id("round-mask")).to_have_text("painted mask")
    api.wait_round(session["id"], 2)

    # The witness link as a QR code.
    page.get_by_role("button", name="Witness link…").click()
    dialog = page.get_by_role("dialog", name=re.compile("Witness link"))
    dialog.get_by_role("button", name=re.compile("Create")).click()
    expect(dialog.get_by_role("img", name="Witness link as a QR code")).to_be_visible()
    shot(page, "9-safeguards-06-witness-link-qr-1280x800")
    page.keyboard.press("Escape")

    # The phone: the same screen stacks; the notice stays beside each face.
    phone = browser.new_context(base_url=server.base_url, viewport=PHONE)
    try:
        mobile = phone.new_page()
        sign_in(mobile, path=f"/sessions/{session['id']}")
        expect(mobile.get_by_test_id("exposure-bar")).to_be_visible()
        expect(grid(mobile, 2).first).to_contain_text("Composite — not a photograph", timeout=30_000)
        shot(mobile, "9-safeguards-07-session-390x844")
        shot(mobile, "9-safeguards-08-session-390x844-full", full_page=True)
    finally:
        phone.close()

    # Approved: the composite shows on the case page, with the witness's words; the export asks its purpose.
    final = sorted(session["rounds"][0]["candidates"], key=lambda c: c["index"])[2]
    api.post(f"/api/sessions/{session['id']}/approve", {"candidate_id": final["id"], "statement": "Very like him",
                                                        "confidence": 7})
    page.goto(f"/cases/{ids['case_id']}")
    approved = page.get_by_test_id("approved-composite")
    expect(approved).to_contain_text("Approved composite R1·3")
    expect(approved).to_contain_text("Composite — not a photograph")
    expect(approved).to_contain_text("Very like him")
    expect(approved.get_by_role("img", name="Approved composite R1·3")).to_have_js_property("complete", True)
    expect(page.get_by_role("button", name="Export (ZIP)")).to_be_disabled()
    page.get_by_label("Export purpose").select_option("internal-review")
    link = page.get_by_role("link", name="Export (ZIP)")
    assert link.get_attribute("href") == f"/api/cases/{ids['case_id']}/export?purpose=internal-review"
    assert page.request.get(link.get_attribute("href")).status == 200
    assert_all_labelled(page)
    shot(page, "9-safeguards-09-case-approved-composite-1280x800", full_page=True)
