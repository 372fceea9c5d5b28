"""A CME officer takes a found child from "needs assessed" to "in provision" in a real browser:
needs assessment, a refused place, an admission, the first attendance check — axe-core clean on
every page on the way, and no JavaScript needed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.provision.models import AttendanceCheck
from cme.provision.tests.factories import case_assessing_needs
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_needs_assessed_to_in_provision(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Any,
    establishment: Any,
) -> None:
    officer = make_member(Role.CME_OFFICER)
    case = case_assessing_needs(authority, officer)
    today = timezone.localdate()
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Needs and provision")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record the needs assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs assessment")
    assert_accessible(page)
    page.get_by_role("button", name="Save the needs assessment").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the child became disengaged from education"
    )
    assert_accessible(page)
    page.get_by_label("Why the child became disengaged from education").fill(
        "Anxious after a fall-out with friends; missed most of last term"
    )
    page.get_by_label("What the child would like").fill("To go back to a mainstream school")
    page.get_by_role("group", name="Special educational needs").get_by_label("SEN support").check()
    page.get_by_role("group", name="Has a Common Assessment been made?").get_by_label(
        "Yes", exact=True
    ).check()
    fill_date(page, "Date of the Common Assessment", today)
    page.get_by_role(
        "group", name="Has the child been referred for a specialist assessment?"
    ).get_by_label("No", exact=True).check()
    page.get_by_label("Lead professional", exact=True).fill("Sam Okafor")
    page.get_by_label("Provision recommended", exact=True).select_option("mainstream")
    page.get_by_role("button", name="Save the needs assessment").click()
    expect(page.get_by_text("The case is now at “Securing provision”")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record an attempt to secure a place").click()
    assert_accessible(page)
    page.get_by_label("School or provider", exact=True).select_option(label=str(establishment))
    page.get_by_role("group", name="Outcome").get_by_label("Refused").check()
    page.get_by_role("button", name="Record the attempt").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say who refused the place")
    assert_accessible(page)
    page.get_by_role("group", name="If refused, who refused").get_by_label(
        "The school or provider"
    ).check()
    page.get_by_label("Reason", exact=True).fill("Year group full")
    page.get_by_role("button", name="Record the attempt").click()
    expect(page.get_by_text("1 attempt did not secure a place.")).to_be_visible()

    page.get_by_role("link", name="Record an attempt to secure a place").click()
    page.get_by_label("Provider's name, if not listed").fill("Riverside Learning Centre")
    page.get_by_role("group", name="Outcome").get_by_label("Admitted").check()
    fill_date(page, "Start date", today)
    page.get_by_role("button", name="Record the attempt").click()
    expect(
        page.get_by_text("The case is now “In provision (monitoring attendance)”")
    ).to_be_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.stage == Stage.IN_PROVISION
    assert case.moved_into_provision_on == today
    assert case.provision_accessed == "Riverside Learning Centre"

    first = AttendanceCheck.objects.filter(case=case).order_by("due_on").first()
    assert first is not None
    page.get_by_role("link", name=f"Record the check due {first.due_on:%-d %B %Y}").click()
    assert_accessible(page)
    page.get_by_label("Attendance percentage").fill("0")
    page.get_by_role("button", name="Save the check").click()
    expect(
        page.get_by_text("The child has stopped attending their provision: find out why and act")
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/provision/register-audits/add/")
    assert_accessible(page)
    page.get_by_label("Provider's name, if not listed").fill("Riverside Learning Centre")
    fill_date(page, "Date of the audit", today)
    page.get_by_label("Pupils checked", exact=True).fill("12")
    page.get_by_label("Discrepancies found").fill("1")
    page.get_by_role("button", name="Record the audit").click()
    expect(page.get_by_role("cell", name="Riverside Learning Centre")).to_be_visible()
    assert_accessible(page)
