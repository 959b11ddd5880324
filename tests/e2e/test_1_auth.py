"""Journey 1: sign in and out; an expired session keeps the work and returns to the same place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ADMIN, assert_all_labelled, shot, sign_in

pytestmark = pytest.mark.e2e


def test_sign_in_expiry_and_sign_out(page: Any, context: Any) -> None:
    # A deep link while signed out goes to sign-in, then back to where it pointed.
    page.goto("/cases?status=open")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_test_id("demo-banner")).to_contain_text(
        "Demo model: random weights — images are noise, not sketches")
    assert_all_labelled(page)
    shot(page, "1-auth-01-sign-in")

    page.get_by_label("Username").fill(ADMIN[0])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    shot(page, "1-auth-02-wrong-password")

    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/cases\?status=open$"))
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()

    # Work in progress: a half-typed new case.
    page.get_by_role("button", name="New case").click()
    page.get_by_role("textbox", name="Reference", exact=True).fill("CR-EXPIRY-1")
    page.get_by_role("textbox", name="Title", exact=True).fill("Typed before the session expired")
    page.get_by_label("Notes").fill("These words must survive a re-login.")

    # The session ends on the server side (cookie gone), then the artist saves.
    context.clear_cookies()
    page.get_by_role("button", name="Create case").click()
    dialog = page.get_by_role("dialog", name="Session expired")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Username")).to_have_value(ADMIN[0])
    assert_all_labelled(page)
    shot(page, "1-auth-03-session-expired")

    dialog.get_by_label("Password").fill(ADMIN[1])
    dialog.get_by_role("button", name="Sign in and continue").click()
    expect(dialog).to_be_hidden()
    # Same place, same words.
    expect(page).to_have_url(re.compile(r"/cases\?status=open$"))
    expect(page.get_by_role("textbox", name="Reference", exact=True)).to_have_value("CR-EXPIRY-1")
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value("Typed before the session expired")
    expect(page.get_by_label("Notes")).to_have_value("These words must survive a re-login.")
    shot(page, "1-auth-04-back-with-work-kept")

    # A reload keeps the draft too (sessionStorage).
    page.reload()
    page.get_by_role("button", name="New case").click()
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value("Typed before the session expired")
    page.get_by_role("button", name="Create case").click()
    expect(page.get_by_role("heading", name="Typed before the session expired")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/cases")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    shot(page, "1-auth-05-signed-out")


def test_session_expiry_via_full_reload_returns_to_same_place(page: Any, context: Any) -> None:
    sign_in(page)
    page.goto("/admin/models")
    expect(page.get_by_role("heading", name="Base model")).to_be_visible()
    context.clear_cookies()
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2Fmodels"))
    page.get_by_label("Username").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/models$"))
