"""A CME officer opens a case, completes the vulnerability assessment, does the required actions
and closes the case — with axe-core clean on every page on the way."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.cases.models import Case, Stage
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def fill_date(page: Page, legend: str, when: Any) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def test_open_assess_and_close_a_case(
    page: Page, live_server: Any, make_member: Any, client_for: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url

    page.goto(f"{base}/cases/open/")
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("First name").fill("Ellis")
    page.get_by_label("Last name").fill("Marchbank")
    fill_date(
        page, "Date of birth", timezone.localdate().replace(year=timezone.localdate().year - 12)
    )
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Who told us").select_option("police")
    fill_date(page, "Date notified", timezone.localdate())
    page.get_by_role("button", name="Open the case").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ellis Marchbank")
    case = Case.objects.get()
    assert_accessible(page)

    page.get_by_role("link", name="Complete the vulnerability assessment").click()
    assert_accessible(page)
    for group in page.get_by_role("group").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Has the child been seen with older people").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("Refer to the police (possible crime, §2.3)")).to_be_visible()
    expect(page.get_by_text("Urgent", exact=True)).to_be_visible()
    assert_accessible(page)

    # Closing is refused while required actions are open, with the reason shown.
    page.get_by_role("link", name="Move the case").click()
    assert_accessible(page)
    page.get_by_label("Closed").check()
    page.get_by_label("Outcome, if closing").select_option("found_on_roll")
    page.get_by_role("button", name="Move the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Complete the 2 required actions")
    assert_accessible(page)

    page.goto(f"{base}/cases/{case.pk}/")
    for _ in range(2):
        page.get_by_role("button", name="Mark as done").first.click()
    page.get_by_role("link", name="Move the case").click()
    page.get_by_label("Closed").check()
    page.get_by_label("Outcome, if closing").select_option("found_on_roll")
    page.get_by_role("button", name="Move the case").click()

    expect(page.locator(".govuk-summary-list").first).to_contain_text("Found on a school roll")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    expect(page.locator(".moj-timeline")).to_contain_text("Closed: Found on a school roll")
    assert_accessible(page)


def test_case_pages_pass_axe_with_and_without_errors(
    page: Page, live_server: Any, make_member: Any, client_for: Any, authority: Any
) -> None:
    from cme.cases.tests.factories import open_case

    officer = make_member(Role.CME_OFFICER)
    case = open_case(authority, officer, owner=officer)
    sign_in_as(page, live_server, client_for, officer)
    base = f"{live_server.url}/cases/{case.pk}"
    for path, button in [
        ("/edit/", "Save"),
        ("/enquiries/home_visit/", "Save"),
        ("/tasks/add/", "Add the task"),
        ("/notes/add/", "Add the note"),
        ("/documents/add/", "Upload"),
        ("/child/", "Save"),
        ("/child/addresses/add/", "Save"),
        ("/child/carers/add/", "Save"),
        ("/child/names/add/", "Save"),
    ]:
        page.goto(base + path)
        assert_accessible(page)
        if path == "/child/":
            page.get_by_label("Legal last name").fill("")
        if path == "/edit/":
            page.get_by_role("group", name="Date notified").get_by_label("Day").fill("45")
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert page.title().startswith("Error: ")
        assert_accessible(page)
