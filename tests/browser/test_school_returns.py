"""A school user sends deletion and new pupil returns by form and CSV; a CME officer reads them and
keeps the EHE register — with axe-core clean on every page, with and without errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.returns.models import DeletionReturn, EHERegistration, NewPupilReturn
from cme.returns.tests.factories import new_pupil_row
from cme.returns.uploads import LAYOUTS
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit_and_expect_errors(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_a_school_sends_returns_and_an_officer_reads_them(
    page: Page, live_server: Any, make_member: Any, client_for: Any, tmp_path: Path
) -> None:
    school_user = make_member(Role.SCHOOL_USER)
    sign_in_as(page, live_server, client_for, school_user)
    base = live_server.url
    today = timezone.localdate()

    page.goto(f"{base}/returns/")
    assert_accessible(page)

    # A deletion return by form: first with nothing filled in.
    page.get_by_role("button", name="Send a deletion return").click()
    assert_accessible(page)
    submit_and_expect_errors(page, "Send the return")
    page.get_by_label("Pupil's legal first name").fill("Ellis")
    page.get_by_label("Pupil's legal last name").fill("Marchbank")
    fill_date(page, "Date of birth", today.replace(year=today.year - 11))
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Address line 1").fill("3 Quarry Road")
    page.get_by_label("Postcode").fill("EX1 4AB")
    page.get_by_label("Parent or carer's full name", exact=True).fill("Dana Marchbank")
    page.get_by_label("Has stopped attending and no longer lives within").check()
    fill_date(page, "Date the pupil's name was removed", today)
    fill_date(page, "Date of last attendance", today)
    page.get_by_role("button", name="Send the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ellis Marchbank")
    assert_accessible(page)
    deletion = DeletionReturn.objects.get()
    assert deletion.case is not None

    # A new pupil return by form.
    page.goto(f"{base}/returns/new-pupil/new/")
    assert_accessible(page)
    submit_and_expect_errors(page, "Send the return")
    page.get_by_label("Pupil's legal first name").fill("Priya")
    page.get_by_label("Pupil's legal last name").fill("Okafor")
    fill_date(page, "Date of birth", today.replace(year=today.year - 9))
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Address line 1").fill("8 Ferry Lane")
    fill_date(page, "Admission date", today)
    page.get_by_role("button", name="Send the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Okafor")
    assert_accessible(page)

    # A CSV upload with a bad row: nothing saved, the row listed.
    page.goto(f"{base}/returns/upload/")
    assert_accessible(page)
    names = [c.name for c in LAYOUTS["new_pupil"].columns]
    bad = tmp_path / "returns.csv"
    good_row = new_pupil_row()
    bad_row = new_pupil_row(upn="", forename="Noah", postcode="nonsense")
    bad.write_text(
        ",".join(names)
        + "\n"
        + "\n".join(",".join(str(row[n]) for n in names) for row in (good_row, bad_row))
        + "\n"
    )
    page.get_by_label("New pupil returns").check()
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and send").click()
    expect(page.locator("#problems")).to_contain_text("Enter a real UK postcode")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    assert NewPupilReturn.objects.count() == 1  # only the one sent by form

    # The officer's side.
    officer = make_member(Role.CME_OFFICER)
    page.context.clear_cookies()
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/returns/all/")
    expect(page.get_by_role("table")).to_contain_text("Ellis Marchbank")
    assert_accessible(page)
    page.get_by_role("link", name=f"DR-{deletion.pk:06d}").click()
    expect(page.get_by_role("link", name=deletion.case.reference)).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/returns/new-pupil/{NewPupilReturn.objects.get().pk}/")
    assert_accessible(page)


def test_an_officer_keeps_the_ehe_register(
    page: Page, live_server: Any, make_member: Any, client_for: Any
) -> None:
    officer = make_member(Role.CME_MANAGER)
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url
    today = timezone.localdate()

    page.goto(f"{base}/ehe/")
    assert_accessible(page)
    page.get_by_role("button", name="Add a child to the register").click()
    assert_accessible(page)
    submit_and_expect_errors(page, "Add to the register")
    page.get_by_label("Pupil's legal first name").fill("Rowan")
    page.get_by_label("Pupil's legal last name").fill("Ashby")
    fill_date(page, "Date of birth", today.replace(year=today.year - 10))
    page.get_by_label("Not known", exact=True).check()
    page.get_by_label("Address line 1").fill("1 Chapel Street")
    fill_date(page, "Date home education started", today)
    page.get_by_label("Parent told the authority").check()
    page.get_by_role("button", name="Add to the register").click()
    expect(page.get_by_role("table")).to_contain_text("Rowan Ashby")
    assert_accessible(page)

    page.get_by_role("link", name="End").click()
    assert_accessible(page)
    submit_and_expect_errors(page, "End the registration")
    fill_date(page, "Date home education ended", today)
    page.get_by_label("Registered at a school").check()
    page.get_by_role("button", name="End the registration").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("ended")
    assert EHERegistration.objects.get().status == "ended"
