"""A person signs in with a password and an authenticator code, uses the service and signs out."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a-long-test-password"


def current_code(secret: str = SECRET) -> str:
    code: str = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return code


def person_with_totp(make_member: Any, role: Role = Role.CME_MANAGER) -> Any:
    user = make_member(role, with_totp=False)
    TOTP.activate(user, SECRET)
    return user


def sign_in_with_password(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_with_a_totp_code_then_sign_out(
    page: Page, live_server: Any, make_member: Any
) -> None:
    user = person_with_totp(make_member)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/account/login/?next=/")
    assert_accessible(page)

    sign_in_with_password(page, live_server.url, user.email)
    code_box = page.locator("input[name=code]")
    expect(code_box).to_be_visible()
    assert_accessible(page)
    code_box.fill(current_code())
    page.locator("form button[type=submit]").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Children missing education")
    expect(page.get_by_text("CME manager, Exampleshire Council")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Audit trail")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    page.goto(f"{live_server.url}/audit/")
    expect(page).to_have_url(f"{live_server.url}/account/login/?next=/audit/")


def test_a_wrong_code_is_refused_with_an_error(
    page: Page, live_server: Any, make_member: Any
) -> None:
    user = person_with_totp(make_member)
    sign_in_with_password(page, live_server.url, user.email)
    wrong = f"{(int(current_code()) + 1) % 1_000_000:06d}"
    page.locator("input[name=code]").fill(wrong)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title("Error: " + page.title().removeprefix("Error: "))
    assert_accessible(page)
    # Still half-way through signing in: the service itself stays out of reach.
    page.goto(f"{live_server.url}/audit/")
    assert "/account/" in page.url
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def test_a_wrong_password_keeps_the_email_typed(
    page: Page, live_server: Any, make_member: Any
) -> None:
    user = person_with_totp(make_member)
    sign_in_with_password(page, live_server.url, user.email, "not-the-password")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("Email address")).to_have_value(user.email)
    assert_accessible(page)


def test_sign_in_works_without_javascript(browser: Any, live_server: Any, make_member: Any) -> None:
    user = person_with_totp(make_member)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_with_password(page, live_server.url, user.email)
    page.locator("input[name=code]").fill(current_code())
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children missing education")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    context.close()
