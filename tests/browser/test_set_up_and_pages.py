"""A new person sets up their second factor before anything else, and every page they and a
manager reach passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.core import audit
from cme.core.models import AuditAction
from tests.browser.harness import assert_accessible
from tests.browser.test_sign_in import current_code, sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_person_must_set_up_an_authenticator_app_first(
    page: Page, live_server: Any, make_member: Any
) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    base = live_server.url
    sign_in_with_password(page, base, user.email)

    expect(page).to_have_url(f"{base}/account/2fa/")
    expect(page.get_by_text("You need to set up a second way to prove it is you")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/establishments/")  # nothing else is reachable yet
    expect(page).to_have_url(f"{base}/account/2fa/")

    page.get_by_role("button", name="Set up an authenticator app").click()
    if "/reauthenticate/" in page.url:  # changing sign-in security asks for the password again
        assert_accessible(page)
        page.get_by_label("Password").fill("a-long-test-password")
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_alt_text("QR code to scan with your authenticator app")).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#authenticator-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Code from your authenticator app").fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert_accessible(page)  # recovery codes, or the overview

    page.goto(f"{base}/establishments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Establishments")
    assert_accessible(page)


def test_a_managers_pages_pass_axe(
    page: Page, live_server: Any, make_member: Any, client_for: Any, authority: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    audit.record(action=AuditAction.UPDATED, target=authority, authority=authority)
    cookie = client_for(manager).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    base = live_server.url
    for path, heading in [
        ("/", "Children missing education"),
        ("/audit/", "Audit trail"),
        ("/audit/?action=nonsense&date_from=32/13/2026", "Audit trail"),
        ("/establishments/", "Establishments"),
        ("/account/2fa/", "Sign-in security"),
        ("/accessibility/", "Accessibility statement for Children missing education"),
        ("/privacy/", "Privacy notice"),
        ("/no-such-page/", "Page not found"),
        ("/admin/users/", "You do not have permission to do this"),
    ]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)

    page.goto(f"{base}/audit/")
    page.get_by_role("button", name="Check the trail has not been altered").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The audit trail is intact")
    assert_accessible(page)


def test_signed_out_pages_pass_axe(page: Page, live_server: Any) -> None:
    for path in ["/account/login/", "/account/password/reset/", "/accessibility/", "/privacy/"]:
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page)
