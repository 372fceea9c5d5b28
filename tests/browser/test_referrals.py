"""Referrals end to end in the browser: the public form without JavaScript, a partner's referral,
an officer's triage, and a manager's directory and truancy sweep — axe-core clean on every page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cme.accounts.models import Role
from cme.cases.models import Case
from cme.cases.tests.factories import make_child, open_case
from cme.intake.models import CMEContact, Referral, Route, Status, TriageOutcome, TruancySweep
from cme.intake.tests.factories import make_referral
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_form_works_without_javascript(
    browser: Browser, live_server: Any, authority: Any
) -> None:
    CMEContact.objects.create(
        authority=authority,
        name="Children Missing Education Team",
        phone="01632 960000",
        email="cme@exampleshire.example",
        hours="Monday to Friday, 9am to 5pm",
    )
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/tell-us/")
        page.get_by_role("link", name=authority.name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Tell us about a child who may be missing education"
        )
        expect(page.get_by_text("01632 960000")).to_be_visible()
        expect(page.get_by_label("Leave this blank")).to_be_hidden()

        page.get_by_role("button", name="Send").click()  # nothing filled in
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Tell us where the child lives"
        )
        assert page.title().startswith("Error: ")

        page.get_by_label("Child's first name").fill("Perpetua")
        page.get_by_label("Child's last name").fill("Honeysett")
        page.get_by_label("Age").fill("10")
        page.get_by_label("Where does the child live").fill("The blue house on Kiln Lane")
        page.get_by_label("Why do you think they are not in school").fill(
            "She is at home all day and says she has no school."
        )
        page.get_by_role("group", name="Do you think the child is in danger now?").get_by_label(
            "No", exact=True
        ).check()
        page.get_by_label("Your name").fill("Hubert Quill")
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
        referral = Referral.objects.get()
        expect(page.locator(".govuk-panel__body")).to_contain_text(referral.reference)
        content = page.content()
        for typed in ["Perpetua", "Honeysett", "Kiln Lane", "Hubert"]:
            assert typed not in content
        assert page.url == f"{live_server.url}/tell-us/{authority.la_code}/sent/"
        assert referral.route == Route.PUBLIC and referral.child_surname == "Honeysett"
    finally:
        context.close()


def test_the_public_pages_pass_axe(page: Page, live_server: Any, authority: Any) -> None:
    CMEContact.objects.create(
        authority=authority,
        name="CME team",
        phone="01632 960000",
        email="cme@exampleshire.example",
        hours="Weekdays",
    )
    base = f"{live_server.url}/tell-us/"
    page.goto(base)
    assert_accessible(page)
    page.goto(f"{base}{authority.la_code}/")
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Where does the child live").fill("Kiln Lane")
    page.get_by_label("Why do you think they are not in school").fill("At home all day")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    expect(page.get_by_text("call 999")).to_be_visible()
    assert_accessible(page)
    # An oversized report is refused with its own page.
    page.goto(f"{base}{authority.la_code}/")
    page.get_by_label("Where does the child live").fill("Kiln Lane")
    page.evaluate("document.getElementById('id_concern').removeAttribute('maxlength')")
    page.get_by_label("Why do you think they are not in school").fill("x" * 25_000)
    page.get_by_label("No", exact=True).check()
    with page.expect_response(lambda r: r.status == 413):
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report is too long")
    assert_accessible(page)


def test_a_partner_refers_a_child_and_sees_only_its_status(
    page: Page, live_server: Any, make_member: Any, client_for: Any
) -> None:
    partner = make_member(Role.PARTNER)
    sign_in_as(page, live_server, client_for, partner)
    page.goto(f"{live_server.url}/referrals/mine/")
    assert_accessible(page)
    page.get_by_role("button", name="Refer a child").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Child's first name").fill("Lysander")
    page.get_by_label("Child's last name").fill("Mottram")
    fill_date(page, "Date of birth", date(2012, 6, 1))
    page.get_by_label("Homeless or in temporary accommodation").check()
    page.get_by_label("Why do you think the child is missing education?").fill(
        "Family moved into a hostel in October; no school place since."
    )
    page.get_by_role("group", name="Do you think the child is in danger now?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Send the referral").click()

    referral = Referral.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(referral.reference)
    expect(page.locator("tbody")).to_contain_text("Received")
    assert "Mottram" not in page.content()
    assert_accessible(page)


def test_an_officer_works_the_triage_queue(
    page: Page, live_server: Any, make_member: Any, client_for: Any, authority: Any, agency: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    known = make_child(
        authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    case = open_case(authority, officer, child=known)
    about_known = make_referral(authority, route=Route.PARTNER, agency=agency)
    about_new = make_referral(authority, forename="Clementine", surname="Aske", date_of_birth=None)
    not_cme = make_referral(authority, forename="Rufus", surname="Penhale", date_of_birth=None)
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url

    page.goto(f"{base}/referrals/")
    assert_accessible(page)
    page.get_by_role("link", name=about_known.reference).click()
    expect(page.locator("#matches + p + .govuk-summary-card")).to_contain_text(
        "Last name and date of birth"
    )
    assert_accessible(page)
    page.get_by_role("button", name=f"Link to this case {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tobias Wetherall")
    expect(page.locator(".moj-timeline")).to_contain_text(f"Referral {about_known.reference}")

    page.goto(f"{base}/referrals/{about_new.pk}/")
    page.get_by_role("button", name="Open a case for a new child").click()
    assert_accessible(page)
    page.get_by_label("Legal last name").fill("")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Legal last name").fill("Aske")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clementine Aske")
    new_case = Case.objects.get(child__surname="Aske")
    assert new_case.notified_on == about_new.notified_on

    page.goto(f"{base}/referrals/{not_cme.pk}/")
    page.get_by_role("button", name="Close as not missing education").click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the referral").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("On a school roll").check()
    page.get_by_role("button", name="Close the referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    assert_accessible(page)
    page.goto(f"{base}/referrals/{not_cme.pk}/")
    expect(page.get_by_text("Closed: not missing education: on a school roll")).to_be_visible()
    assert_accessible(page)

    outcomes = dict(Referral.objects.values_list("pk", "outcome"))
    assert outcomes == {
        about_known.pk: TriageOutcome.LINKED_TO_CASE,
        about_new.pk: TriageOutcome.CASE_OPENED,
        not_cme.pk: TriageOutcome.NOT_CME,
    }
    assert Referral.objects.get(pk=not_cme.pk).status == Status.CLOSED


def test_a_manager_keeps_the_directory_and_records_a_sweep(
    page: Page, live_server: Any, make_member: Any, client_for: Any, agency: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    sign_in_as(page, live_server, client_for, manager)
    base = live_server.url

    page.goto(f"{base}/directory/")
    assert_accessible(page)
    page.get_by_role("button", name="Add a CME contact").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Name").fill("Jo Whitfield")
    page.get_by_label("Phone number").fill("01632 960001")
    page.get_by_label("Email address").fill("jo@exampleshire.example")
    page.get_by_label("When they can be reached").fill("Weekdays, 9am to 5pm")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Jo Whitfield")).to_be_visible()

    page.get_by_role("link", name=f"Add a contact at {agency.name}").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Sergeant Hollis")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a phone number or an email")
    assert_accessible(page)
    page.get_by_label("Phone number").fill("01632 960123")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Change Sergeant Hollis").click()
    assert_accessible(page)

    page.goto(f"{base}/sweeps/")
    assert_accessible(page)
    page.get_by_role("button", name="Record a truancy sweep").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save and add children").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    fill_date(page, "Date of the sweep", date(2025, 10, 14))
    page.get_by_label("Area", exact=True).fill("Exampleton town centre")
    page.get_by_label(agency.name).check()
    page.get_by_role("button", name="Save and add children").click()
    sweep = TruancySweep.objects.get()
    assert_accessible(page)
    page.get_by_role("button", name="Add a child met on this sweep").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("First name").fill("Kasimir")
    page.get_by_label("Last name").fill("Ellery")
    page.get_by_label("Why the child was not in school").fill("Said he was excluded")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("Kasimir Ellery")
    assert_accessible(page)
    assert Referral.objects.get().sweep == sweep
