"""Both sides of an enquiry in the browser, axe-core clean on every page: the enquiring officer
sends from the case after checking what will travel; the receiving officer assesses, records a
check and answers; the enquiring case shows the answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Authority, Role
from cme.enquiries.tests.factories import full_case
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    page.context.clear_cookies()
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_an_enquiry_sent_answered_and_seen_on_both_sides(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Authority,
    other_authority: Authority,
) -> None:
    officer = make_member(Role.CME_OFFICER)
    theirs = make_member(Role.CME_OFFICER, of=other_authority)
    case = full_case(authority, officer)
    base = live_server.url

    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/enquiries/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of authorities")
    assert_accessible(page)

    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("link", name="Make an enquiry to another authority").click()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Which authority do you believe the child is in?").select_option(
        label=f"{other_authority.name} ({other_authority.la_code})"
    )
    page.get_by_label("Why do you believe the child is in that authority's area?").fill(
        "The mother's new tenancy is in your area"
    )
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the enquiry before sending it")
    expect(page.get_by_text("Marisa Castellano (mother, parental responsibility")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the enquiry").click()
    expect(page.get_by_text(f"Enquiry sent to {other_authority.name}").first).to_be_visible()
    assert_accessible(page)

    sign_in_as(page, live_server, client_for, theirs)
    page.goto(f"{base}/enquiries/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Enquiry {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Enquiry from {authority.name}")
    assert_accessible(page)
    page.get_by_role("link", name="Complete the vulnerability assessment").click()
    assert_accessible(page)
    page.get_by_label("Medium").check()
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_role("link", name="Record home visit").click()
    assert_accessible(page)
    today = timezone.localdate()
    group = page.get_by_role("group", name="Date of the check")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_label("What the check found").fill("Child seen at home with mother")
    page.get_by_role("button", name="Save the check").click()
    page.get_by_role("link", name="Answer the enquiry").click()
    assert_accessible(page)
    page.get_by_label("Found at the address").check()
    page.get_by_label("Message to the enquiring authority (optional)").fill("Living with aunt")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text(f"Answer sent to {authority.name}")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/enquiries/?show=answered")
    assert_accessible(page)

    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/cases/{case.pk}/")
    expect(
        page.get_by_text("Closed: Moved to another local authority and handed over")
    ).to_be_visible()
    expect(
        page.get_by_text(f"{other_authority.name} answered the enquiry: Found at the address")
    ).to_be_visible()
    page.goto(f"{base}/enquiries/?show=sent")
    assert_accessible(page)
