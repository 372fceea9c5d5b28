"""An administrator creates a school's API token, copies it, and revokes it — axe-core clean on
every page on the way, with no JavaScript needed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.api.models import ApiToken
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_copy_and_revoke_a_token(
    page: Page, live_server: Any, make_member: Any, client_for: Any, establishment: Any
) -> None:
    admin = make_member(Role.ADMINISTRATOR)
    cookie = client_for(admin).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/admin/api-tokens/")
    assert_accessible(page)
    page.get_by_role("button", name="Create a token").click()
    assert_accessible(page)

    page.get_by_role("button", name="Create token").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Name").fill("School MIS")
    page.get_by_label("Who will use it").select_option(label=str(establishment))
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("API token created")
    token = ApiToken.objects.get()
    secret = page.get_by_label("Token “School MIS”").input_value()
    assert secret.startswith(f"cme_{token.prefix}_")
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/api-tokens/")
    expect(page.get_by_text(f"cme_{token.prefix}_")).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("link", name="Revoke token School MIS").click()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator(".govuk-tag", has_text="Revoked")).to_be_visible()
    assert_accessible(page)
    token.refresh_from_db()
    assert token.revoked_at is not None
