"""Journey 6: admin — users and roles, the model registry, the audit trail as a timeline with
thumbnails, chain verification, and the export link; on the case page, releasing a reference upload
that matches another witness's face, and allowing face-recognition search exports."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIST, FAST, Api, Server, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e


def test_admin_users_models_audit_export(page: Any, api: Api) -> None:
    ids = api.case_with_description(unique("ADM"), title="Audit review case")
    session = api.start_session(ids, candidates=2)
    done = api.wait_round(session["id"], 1)
    cand = done["rounds"][0]["candidates"][0]
    api.post(f"/api/sessions/{session['id']}/candidates/{cand['id']}/shown", status=204)

    sign_in(page)
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("navigation", name="Admin sections")).to_be_visible()

    # Users and roles.
    users = page.get_by_role("table")
    expect(users).to_contain_text("admin")
    expect(users).to_contain_text("artist")
    name = unique("officer").lower()
    page.get_by_label("New username").fill(name)
    page.get_by_label("Initial password").fill("short")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("Use at least 8 characters.")).to_be_visible()
    page.get_by_label("Initial password").fill("a long enough passphrase")
    page.get_by_label("Role", exact=True).select_option("artist")
    page.get_by_role("button", name="Create user").click()
    expect(users.get_by_role("row").filter(has_text=name)).to_contain_text("artist")
    expect(page.get_by_label("New username")).to_have_value("")
    # Five wrong passwords lock the account for 10 minutes; the row says until when, and Unlock lifts it.
    with httpx.Client(base_url=str(api.client.base_url)) as stranger:
        for _ in range(5):
            stranger.post("/api/auth/login", json={"username": name, "password": "not the passphrase"})
    page.reload()
    locked = users.get_by_role("row").filter(has_text=name)
    expect(locked).to_contain_text(re.compile(r"locked until \d"))
    shot(page, "6-admin-01-users-locked")
    page.get_by_role("button", name=f"Unlock {name}").click()
    expect(locked).not_to_contain_text("locked")
    assert not next(u for u in api.get("/api/users") if u["username"] == name)["locked"]
    # Promote, then deactivate: each change is saved at once and shown in the row.
    row = users.get_by_role("row").filter(has_text=name)
    page.get_by_label(f"Role of {name}").select_option("admin")
    expect(page.get_by_label(f"Role of {name}")).to_have_value("admin")
    page.get_by_role("button", name=f"Deactivate {name}").click()
    expect(page.get_by_role("button", name=f"Reactivate {name}")).to_be_visible()
    expect(row).to_contain_text("Inactive")
    assert_all_labelled(page)
    shot(page, "6-admin-01-users")
    listed = {u["username"]: u for u in api.get("/api/users")}
    assert listed[name]["role"] == "admin" and listed[name]["active"] is False

    # The model registry (health for now).
    page.get_by_role("link", name="Models").click()
    expect(page.get_by_role("heading", name="Base model")).to_be_visible()
    expect(page.get_by_text("tiny-random-sd").first).to_be_visible()
    expect(page.get_by_text("random weights (demo)")).to_be_visible()
    services = page.get_by_role("region", name="Services")
    expect(services.get_by_role("row", name=re.compile("Workers"))).to_contain_text("OK")
    expect(page.get_by_test_id("queue-row")).to_contain_text(re.compile(r"\d+ waiting of \d+ allowed"))
    assert_all_labelled(page)
    shot(page, "6-admin-02-models")

    # Audit: chain status, the case's timeline with thumbnails, export.
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")
    page.get_by_label("Case", exact=True).select_option(label=f"{ids['reference']} — Audit review case")
    timeline = page.get_by_role("list", name="Audit timeline")
    expect(timeline).to_contain_text("Case create")
    expect(timeline).to_contain_text("Description create")
    expect(timeline).to_contain_text("Session create")
    expect(timeline).to_contain_text("Candidate shown")
    thumbs = timeline.get_by_role("img", name=re.compile("Image for candidate"))
    expect(thumbs.first).to_be_visible()
    expect(thumbs.first).to_have_js_property("complete", True)
    assert thumbs.first.evaluate("img => img.naturalWidth") > 0
    page.get_by_label("Filter events").fill("shown")
    expect(timeline.locator("li.timeline-item").filter(has_text="Candidate shown")).to_have_count(1)
    expect(timeline).not_to_contain_text("Case create")
    page.get_by_label("Filter events").fill("")
    assert_all_labelled(page)
    shot(page, "6-admin-03-audit-timeline", full_page=True)

    # Server-side filters: an action family, a user, today's dates; kept in the URL.
    page.get_by_label("Action", exact=True).fill("candidate.*")
    page.get_by_label("User", exact=True).fill("admin")
    today = page.evaluate("() => new Date().toLocaleDateString('en-CA')")
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(today)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"action=candidate\.\*"))
    items = timeline.locator("li.timeline-item")
    expect(items.filter(has_text="Candidate shown")).to_have_count(1)
    expect(timeline).not_to_contain_text("Case create")
    expect(timeline).not_to_contain_text("Session create")
    page.get_by_label("Action", exact=True).fill("candidate*")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("alert").filter(has_text="may only end in")).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(page).not_to_have_url(re.compile("action="))

    # Paging: three events a page, newest first; "Older events" follows the server's cursor to the end.
    page.goto(f"/admin/audit?case={ids['case_id']}&limit=3")
    expect(items).to_have_count(3)
    newest = [int(e["id"]) for e in api.get("/api/audit", params={"case_id": ids["case_id"], "limit": 1000})]
    older = page.get_by_role("button", name="Older events")
    pages = 1
    while older.count():
        older.click()
        pages += 1
        expect(items).to_have_count(min(3 * pages, len(newest)))
    assert pages >= 3, f"{len(newest)} events should take several pages of 3"
    expect(page.get_by_test_id("audit-count")).to_contain_text("that is everything")
    shown_times = items.locator("time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert shown_times == sorted(shown_times, reverse=True), "newest first"

    # The export needs a purpose: until one is chosen it is a disabled button, not a link.
    expect(page.get_by_role("button", name=f"Export {ids['reference']} (ZIP)")).to_be_disabled()
    page.get_by_label("Export purpose").select_option("disclosure")
    export = page.get_by_role("link", name=f"Export {ids['reference']} (ZIP)")
    href = export.get_attribute("href")
    assert href == f"/api/cases/{ids['case_id']}/export?purpose=disclosure"
    response = page.request.get(href)
    assert response.status == 200, f"GET {href}: {response.status} {response.text()[:300]}"
    assert zipfile.is_zipfile(io.BytesIO(response.body())), response.headers.get("content-type")

    page.get_by_role("button", name="Verify again").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")
    expect(page.get_by_test_id("chain-status")).to_contain_text(re.compile(r"\d+ events"))

    # The audit page on a laptop and on a phone.
    page.goto(f"/admin/audit?case={ids['case_id']}&limit=6")
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        expect(items).to_have_count(6)
        expect(page.get_by_label("Case", exact=True)).to_have_value(ids["case_id"])
        wide = page.evaluate(_WIDER_THAN_SCREEN)
        assert not wide, f"the audit page runs off a {width}px screen: {wide}"
        shot(page, f"6-admin-05-audit-{width}x{height}")
        shot(page, f"6-admin-05-audit-{width}x{height}-full", full_page=True)


# Elements of the page (below the shared top bar) that reach past the right edge of the window.
_WIDER_THAN_SCREEN = """
() => [...document.querySelectorAll('.page *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ${el.getBoundingClientRect().right | 0}`)
  .slice(0, 8)
"""


LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _matching_upload(server: Server) -> tuple[dict[str, str], str, str]:
    """An artist's case with two witnesses; witness A's composite uploaded as a reference (for witness B).
    Returns the ids, witness B's id and the upload's id."""
    artist = Api(server.base_url, ARTIST)
    ids = artist.case_with_description(unique("REL"), title="Reference release case")
    session = artist.wait_round(artist.start_session(ids, candidates=1)["id"], 1)
    composite = artist.client.get(session["rounds"][0]["candidates"][0]["image_url"]).content
    upload = artist.post(f"/api/cases/{ids['case_id']}/uploads", data={"kind": "reference"},
                         files={"file": ("witness-a.png", composite, "image/png")})
    other = artist.post(f"/api/cases/{ids['case_id']}/witnesses", {"name": "Witness B"})
    desc = artist.post(f"/api/witnesses/{other['id']}/descriptions", {"text": "Tall, a beard.", "attributes": {}})
    start = {"witness_id": other["id"], "description_id": desc["id"], "candidates": 1,
             "reference_upload_id": upload["id"], **FAST}
    refused = artist.post("/api/sessions", start, status=409)
    assert "matches candidate R1·1" in refused["detail"]
    artist.client.close()
    return ids, other["id"], upload["id"]


def test_admin_releases_an_upload_and_allows_face_recognition(browser: Any, server: Server) -> None:
    ids, _witness_b, upload_id = _matching_upload(server)
    ctx = browser.new_context(base_url=server.base_url, viewport=LAPTOP)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The artist sees the match and that an admin must act; face-recognition is off and not offered.
    sign_in(page, ARTIST, path=f"/cases/{ids['case_id']}")
    uploads = page.get_by_role("region", name="Reference uploads")
    item = uploads.get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("upload-match")).to_contain_text("Matches R1·1 drawn for witness Witness A (this case")
    expect(item).to_contain_text("An admin must release this upload before it can be used for any witness other than "
                                 "Witness A.")
    expect(item.get_by_role("img", name=re.compile("Reference upload of"))).to_have_js_property("complete", True)
    expect(item.get_by_role("button")).to_have_count(0)
    panel = page.get_by_test_id("face-recognition")
    expect(panel).to_contain_text("Not allowed")
    expect(panel.get_by_role("button")).to_have_count(0)
    option = page.get_by_label("Export purpose").locator("option[value=face-recognition]")
    expect(option).to_be_disabled()
    expect(option).to_have_text("Face-recognition search (an admin has not allowed it for this case)")
    assert_all_labelled(page)
    uploads.evaluate("el => el.scrollIntoView()")
    shot(page, "6-admin-06-case-uploads-artist-1280x800")
    page.set_viewport_size(PHONE)
    uploads.evaluate("el => el.scrollIntoView()")
    shot(page, "6-admin-06-case-uploads-artist-390x844")
    page.set_viewport_size(LAPTOP)
    page.get_by_role("button", name="Sign out").click()

    # The admin releases it through the dialog: a reason is required.
    sign_in(page, path=f"/cases/{ids['case_id']}")
    item.get_by_role("button", name=re.compile("^Release the upload of")).click()
    dialog = page.get_by_role("dialog", name="Release this upload?")
    dialog.get_by_role("button", name="Release upload").click()
    expect(dialog.get_by_text("Write the reason")).to_be_visible()
    reason = "Witness B was shown this sketch at the scene by the officer; recorded in the statement."
    dialog.get_by_label(re.compile("^Reason")).fill(reason)
    assert_all_labelled(page)
    shot(page, "6-admin-07-release-dialog-1280x800")
    page.set_viewport_size(PHONE)
    shot(page, "6-admin-07-release-dialog-390x844")
    page.set_viewport_size(LAPTOP)
    dialog.get_by_role("button", name="Release upload").click()
    expect(dialog).to_have_count(0)
    released = item.get_by_test_id("upload-released")
    expect(released).to_contain_text(re.compile(r"^Released by admin on .+: " + re.escape(reason)))
    expect(item).to_contain_text("Released")
    listed = Api(server.base_url).get(f"/api/cases/{ids['case_id']}/uploads")
    assert [(u["id"], u["released"]["reason"], u["released"]["by"]) for u in listed] == [(upload_id, reason, "admin")]

    # Face-recognition search: allowed with a reason, then offered as an export purpose.
    panel.get_by_role("button", name="Allow face-recognition search…").click()
    dialog = page.get_by_role("dialog", name=re.compile("Allow face-recognition search for"))
    dialog.get_by_label(re.compile("^Reason")).fill("Court order 41/2026")
    shot(page, "6-admin-08-face-recognition-dialog-1280x800")
    dialog.get_by_role("button", name="Allow face-recognition search").click()
    expect(panel.get_by_test_id("face-recognition-state")).to_contain_text(
        re.compile(r"^Allowed by admin on .+: Court order 41/2026"))
    expect(option).to_be_enabled()
    page.get_by_label("Export purpose").select_option("face-recognition")
    link = page.get_by_role("link", name="Export (ZIP)")
    assert link.get_attribute("href") == f"/api/cases/{ids['case_id']}/export?purpose=face-recognition"
    assert page.request.get(link.get_attribute("href")).status == 200
    assert_all_labelled(page)
    uploads.evaluate("el => el.scrollIntoView()")
    shot(page, "6-admin-09-case-released-allowed-1280x800")
    shot(page, "6-admin-09-case-released-allowed-1280x800-full", full_page=True)
    page.set_viewport_size(PHONE)
    wide = page.evaluate(_WIDER_THAN_SCREEN)
    assert not wide, f"the case page runs off a 390px screen: {wide}"
    uploads.evaluate("el => el.scrollIntoView()")
    shot(page, "6-admin-09-case-released-allowed-390x844")
    shot(page, "6-admin-09-case-released-allowed-390x844-full", full_page=True)
    ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def test_artists_do_not_see_admin(page: Any) -> None:
    sign_in(page, ARTIST)
    expect(page.get_by_role("link", name="Cases", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    page.goto("/admin/audit")
    expect(page.get_by_text("Admins only")).to_be_visible()
    shot(page, "6-admin-04-artist-refused")
