"""Journey 2: cases — list, search and filter, create and edit, witnesses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIST, Api, Server, assert_all_labelled, shot, sign_in, unique

pytestmark = pytest.mark.e2e


def test_cases_list_create_edit_and_witnesses(page: Any, server: Server, api: Api) -> None:
    tag = unique("E2E")
    # Two cases of another artist, one of them closed, for the filters.
    other = Api(server.base_url, ARTIST)
    other.post("/api/cases", {"reference": f"{tag}-OLD", "title": "Burglary, Mill Lane", "offence": "Burglary",
                              "occurred_on": "2024-06-01", "location": "Mill Lane"})
    closed = other.post("/api/cases", {"reference": f"{tag}-CLOSED", "title": "Assault, Station Road",
                                       "offence": "Assault", "occurred_on": "2025-01-15"})
    other.client.patch(f"/api/cases/{closed['id']}", json={"status": "closed"}, headers=other.headers)

    sign_in(page)
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()

    # Create a case.
    page.get_by_role("button", name="New case").click()
    page.get_by_role("button", name="Create case").click()
    expect(page.get_by_text("A case reference is required.")).to_be_visible()
    page.get_by_role("textbox", name="Reference", exact=True).fill(f"{tag}-NEW")
    page.get_by_label("Offence", exact=True).fill("Robbery")
    page.get_by_role("textbox", name="Title", exact=True).fill("Street robbery, Elm Road")
    page.get_by_label("Date of offence").fill("2025-03-02")
    page.get_by_label("Location", exact=True).fill("Elm Road, north end")
    page.get_by_label("Notes").fill("Victim saw the face under a street light for a few seconds.")
    assert_all_labelled(page)
    shot(page, "2-cases-01-new-case-form")
    page.get_by_role("button", name="Create case").click()
    expect(page.get_by_role("heading", name="Street robbery, Elm Road")).to_be_visible()
    case_url = page.url

    # Edit it.
    page.get_by_role("button", name="Edit case").click()
    expect(page.get_by_role("textbox", name="Reference", exact=True)).to_have_attribute("readonly", "")
    page.get_by_role("textbox", name="Title", exact=True).fill("Street robbery, Elm Road (knife)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Street robbery, Elm Road (knife)")).to_be_visible()

    # Witnesses.
    page.get_by_role("button", name="Add witness").click()
    page.get_by_label("Witness name").fill("Witness A")
    page.get_by_label("Contact", exact=True).fill("07700 900123")
    page.get_by_role("button", name="Add witness only").click()
    expect(page.get_by_role("article", name="Witness Witness A")).to_be_visible()
    page.get_by_role("button", name="Add witness").click()
    page.get_by_label("Witness name").fill("Witness B")
    page.get_by_role("button", name="Add witness only").click()
    expect(page.get_by_role("article", name="Witness Witness B")).to_be_visible()
    # A misspelt name is corrected in place.
    page.get_by_role("button", name="Edit witness Witness B").click()
    edit = page.get_by_role("form", name="Edit witness Witness B")
    edit.get_by_label("Name").fill("Witness Bea")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_role("article", name="Witness Witness Bea")).to_be_visible()
    assert_all_labelled(page)
    shot(page, "2-cases-02-case-with-witnesses", full_page=True)

    # The list: search, status, date range, artist.
    page.get_by_role("link", name="Cases", exact=True).first.click()
    search = page.get_by_label("Search cases")
    search.fill(tag)
    rows = page.locator("table.table-cases tbody tr")
    expect(rows).to_have_count(3)
    shot(page, "2-cases-03-search")
    page.get_by_label("Status", exact=True).select_option("closed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{tag}-CLOSED")
    page.get_by_label("Status", exact=True).select_option("")
    expect(rows).to_have_count(3)
    page.get_by_label("Date from").fill("2025-01-01")
    expect(rows).to_have_count(2)
    page.get_by_label("Date to").fill("2025-02-01")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{tag}-CLOSED")
    page.get_by_role("button", name="Clear filters").click()
    search.fill(tag)
    page.get_by_label("Assigned artist").select_option(ARTIST[0])
    expect(rows).to_have_count(2)
    page.get_by_label("Assigned artist").select_option("admin")
    expect(rows).to_have_count(1)
    assert_all_labelled(page)
    shot(page, "2-cases-04-filtered")

    # Filters live in the URL: a reload keeps them.
    page.reload()
    expect(page.get_by_label("Assigned artist")).to_have_value("admin")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(case_url)

    # Close and reopen.
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_role("button", name="Reopen case")).to_be_visible()
    page.get_by_role("button", name="Reopen case").click()
    expect(page.get_by_role("button", name="Close case")).to_be_visible()


def test_failed_save_keeps_the_form(page: Any, api: Api) -> None:
    tag = unique("DUP")
    api.post("/api/cases", {"reference": tag, "title": "First"})
    sign_in(page)
    page.get_by_role("button", name="New case").click()
    page.get_by_role("textbox", name="Reference", exact=True).fill(tag)
    page.get_by_role("textbox", name="Title", exact=True).fill("Same reference twice")
    page.get_by_label("Notes").fill("kept after the error")
    page.get_by_role("button", name="Create case").click()
    alert = page.get_by_role("alert").filter(has_text="The case was not saved")
    expect(alert).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("kept after the error")
    expect(page).to_have_url(re.compile(r"/cases"))
    shot(page, "2-cases-05-save-error-keeps-form")
