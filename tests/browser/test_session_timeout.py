"""The idle-session warning: it appears before the session ends, and "Stay signed in" keeps it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    """Carry a signed-in test client's session cookie into the browser."""
    client = client_for(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_the_warning_appears_and_stay_signed_in_keeps_the_session(
    page: Page, live_server: Any, make_member: Any, client_for: Any, settings: Any
) -> None:
    # 30 minutes idle with a 2-minute warning in production; here 6 seconds with a 4-second warning.
    settings.CME_SESSION_IDLE_SECONDS = 6
    settings.CME_SESSION_WARNING_SECONDS = 4
    settings.SESSION_COOKIE_AGE = 6
    signed_in_page(page, live_server, client_for, make_member(Role.CME_OFFICER))
    page.goto(f"{live_server.url}/")

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=5_000)
    expect(dialog).to_contain_text("You’re about to be signed out")
    assert_accessible(page)
    with page.expect_response(lambda r: "/session/keep-alive/" in r.url) as keep_alive:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert keep_alive.value.status == 204
    expect(dialog).to_be_hidden()

    # The keep-alive renewed the session on the server: a page 4 seconds later is still signed in,
    # although more than the original 6 seconds have passed since the page first loaded.
    page.wait_for_timeout(4_000)
    page.goto(f"{live_server.url}/accessibility/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_ignored_warning_signs_the_person_out(
    page: Page, live_server: Any, make_member: Any, client_for: Any, settings: Any
) -> None:
    settings.CME_SESSION_IDLE_SECONDS = 4
    settings.CME_SESSION_WARNING_SECONDS = 3
    settings.SESSION_COOKIE_AGE = 4
    signed_in_page(page, live_server, client_for, make_member(Role.CME_OFFICER))
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible(
        timeout=8_000
    )
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/account/login/?next=/")
