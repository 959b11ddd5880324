"""Journey 6: admin — users and roles, the model registry, the audit trail as a timeline with
thumbnails, chain verification, and the export link."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIST, Api, assert_all_labelled, shot, sign_in, unique

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


def test_artists_do_not_see_admin(page: Any) -> None:
    sign_in(page, ARTIST)
    expect(page.get_by_role("link", name="Cases", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    page.goto("/admin/audit")
    expect(page.get_by_text("Admins only")).to_be_visible()
    shot(page, "6-admin-04-artist-refused")
