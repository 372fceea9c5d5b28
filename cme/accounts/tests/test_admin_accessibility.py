"""Every administration page, with and without errors, passes axe-core (WCAG 2.2 AA) in Chromium,
and breaks neither the Content Security Policy nor the browser console."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect

from cme.accounts.models import Role, User
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server: Any, client_for: Any, user: User) -> None:
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def check(page: Page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def submit_empty(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_the_administrator_pages_are_accessible(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Any,
    establishment: Any,
    agency: Any,
) -> None:
    admin = make_member(Role.ADMINISTRATOR)
    officer = make_member(Role.CME_OFFICER, with_totp=False)
    make_member(Role.SCHOOL_USER)
    sign_in(page, live_server, client_for, admin)
    base = live_server.url

    check(page, f"{base}/admin/authorities/", "Authorities")
    check(page, f"{base}/admin/authorities/{authority.pk}/change/", "Change Exampleshire Council")
    # An administrator may rename the authority; its LA code is the service operator's to change.
    expect(page.get_by_label("LA code")).to_be_disabled()
    page.get_by_label("Name").fill("")
    submit_empty(page)

    check(page, f"{base}/admin/agencies/", "Partner agencies")
    check(page, f"{base}/admin/agencies/add/", "Add a partner agency")
    submit_empty(page)
    check(page, f"{base}/admin/agencies/{agency.pk}/change/", "Change partner agency")

    check(page, f"{base}/admin/users/", "Users")
    check(page, f"{base}/admin/users/add/", "Add a user")
    submit_empty(page)
    check(page, f"{base}/admin/users/{officer.pk}/", officer.full_name)
    check(page, f"{base}/admin/users/{admin.pk}/", admin.full_name)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("your own account")
    assert_accessible(page)
    check(page, f"{base}/admin/users/{officer.pk}/roles/add/", "Add a role")
    submit_empty(page)

    check(page, f"{base}/establishments/?la_code=9", "Establishments")
    check(page, f"{base}/establishments/", "Establishments")
    check(page, f"{base}/establishments/add/", "Add an establishment")
    submit_empty(page)
    check(
        page,
        f"{base}/establishments/{establishment.pk}/change/",
        "Change Meadow Lane Primary School",
    )


def test_the_service_operator_pages_are_accessible(
    page: Page,
    live_server: Any,
    client_for: Any,
    authority: Any,
) -> None:
    operator = User.objects.create_user(
        "operator@service.example", "a-long-test-password", full_name="Operator", is_staff=True
    )
    TOTP.activate(operator, generate_totp_secret())
    sign_in(page, live_server, client_for, operator)
    check(page, f"{live_server.url}/admin/authorities/", "Authorities")
    check(page, f"{live_server.url}/admin/authorities/add/", "Add an authority")
    submit_empty(page)
