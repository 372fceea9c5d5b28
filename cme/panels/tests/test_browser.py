"""A CME officer runs a fair access panel in a real browser: schedules the meeting, puts a case on
the agenda, records who attended and the decision, and sees it on the case — axe-core clean."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.cases.tests.factories import open_case
from cme.panels.models import Decision
from cme.panels.tests.factories import name_school, put_on_agenda, schedule
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_runs_a_panel_meeting(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Any,
    establishment: Any,
) -> None:
    officer = make_member(Role.CME_OFFICER)
    case, second = open_case(authority, officer), open_case(authority, officer)
    today = timezone.localdate()
    # An older meeting whose decision's date has passed: it is on the overdue list.
    late = put_on_agenda(
        schedule(authority, officer, held_on=today - timedelta(days=30)),
        open_case(authority, officer),
        officer,
    )
    name_school(late, officer, admit_by=today - timedelta(days=9))
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url

    page.goto(f"{base}/panels/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fair access panels")
    assert_accessible(page)
    page.get_by_role("button", name="Schedule a panel meeting").click()
    assert_accessible(page)
    page.get_by_role("button", name="Schedule the meeting").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    fill_date(page, "Date of the meeting", today)
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Place or joining details").fill("Committee room 2, County Hall")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Panel meeting")
    assert_accessible(page)

    page.get_by_role("link", name="Add a case to the agenda").click()
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_label("Homeless or in temporary accommodation").check()
    page.get_by_label("What the panel needs to know").fill("Two schools say they are full.")
    assert_accessible(page)
    page.get_by_role("button", name="Add to the agenda").click()
    expect(
        page.get_by_role("table", name="Cases on the agenda, with the panel's decisions")
    ).to_contain_text(case.reference)

    page.get_by_role("link", name="Add an attendee").click()
    page.get_by_label("Name").fill("Sam Okafor")
    page.get_by_label("Organisation or school").fill("Meadow Lane Primary School")
    page.get_by_label("Role").fill("Headteacher")
    assert_accessible(page)
    page.get_by_role("button", name="Add the attendee").click()
    expect(page.get_by_role("table", name="Who attended")).to_contain_text("Sam Okafor")
    assert_accessible(page)

    page.get_by_role("link", name=f"Record the decision for case {case.reference}").click()
    page.get_by_label("School named", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()  # no school, no date
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("School named", exact=True).check()
    page.get_by_label("Which school?").select_option(label=str(establishment))
    fill_date(page, "Date by which to admit the child", today + timedelta(days=10))
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_role("table", name="Cases on the agenda, with the panel's decisions")
    ).to_contain_text(establishment.name)
    assert_accessible(page)
    assert Decision.objects.get(item__case=case).establishment == establishment

    page.get_by_role("link", name=case.reference).first.click()
    section = page.get_by_role("table", name="Fair access panels this case went to, newest first")
    expect(section).to_contain_text(establishment.name)
    expect(page.locator("body")).to_contain_text("Fair access panel on")
    assert_accessible(page)

    # From another case's page: put it on the same meeting's agenda.
    page.goto(f"{base}/cases/{second.pk}/")
    page.get_by_role("link", name="Put on a fair access panel's agenda").click()
    assert_accessible(page)
    page.get_by_role("group", name="Which meeting?").get_by_role("radio").first.check()
    page.get_by_label("Young carer").check()
    page.get_by_label("What the panel needs to know").fill("Cares for a parent; late most days.")
    page.get_by_role("button", name="Put on the agenda").click()
    expect(page.locator("#panels")).to_have_text("Fair access panels")
    expect(page.locator("body")).to_contain_text("Meeting to come")
    assert_accessible(page)

    # The overdue list names the late decision's case, with how many days it is overdue.
    page.goto(f"{base}/panels/")
    page.get_by_role("link", name="1 panel decision not met by its date").click()
    table = page.get_by_role("table", name="1 overdue decision")
    expect(table).to_contain_text(late.case.reference)
    expect(table.get_by_role("row").nth(1)).to_contain_text("9")
    assert_accessible(page)
