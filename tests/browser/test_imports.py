"""A CME officer imports a school's roll: a file with a bad row, then a good one, previewed and
confirmed — with axe-core clean on every import page, its errors, progress and outcomes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.registers.models import ImportBatch, ImportStatus, RollEntry
from cme.registers.tests.test_imports import pupil, roll_csv
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def upload(page: Page, content: str) -> None:
    page.get_by_label("Pupils on roll at one school").check()
    page.get_by_label("School (for a pupils-on-roll file)").select_option(
        label="Meadow Lane Primary School (990/2001)"
    )
    page.get_by_label("Upload a CSV file").set_input_files(
        {"name": "roll.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Upload and check").click()


def test_import_a_roll_with_axe_on_every_page(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    establishment: Any,
    settings: Any,
) -> None:
    settings.CME_IMPORTS_RUN = "sync"
    officer = make_member(Role.CME_OFFICER)
    sign_in_as(page, live_server, client_for, officer)

    page.goto(f"{live_server.url}/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    assert_accessible(page)

    page.get_by_role("button", name="Upload a file").click()
    assert_accessible(page)
    page.get_by_role("button", name="Upload and check").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    # Wrong columns: refused at once, with what the first row must be.
    upload(page, roll_csv([pupil(1)]).replace(",sex,", ",gender_identity,", 1))
    expect(page.locator(".govuk-error-summary")).to_contain_text("missing the column sex")
    assert_accessible(page)

    upload(page, roll_csv([pupil(1), pupil(2, dob="31/02/2015"), pupil(3)]))
    expect(page.get_by_role("heading", level=1)).to_have_text("The file has problems")
    expect(page.get_by_role("table")).to_contain_text("‘31/02/2015’ is not a real date")
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    assert_accessible(page)
    assert not RollEntry.objects.exists()

    page.get_by_role("button", name="Upload a corrected file").click()
    upload(page, roll_csv([pupil(1), pupil(2), pupil(3)]))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the changes before you import them"
    )
    expect(page.get_by_role("table")).to_contain_text(pupil(2)["upn"])
    assert_accessible(page)

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    assert RollEntry.objects.count() == 3
    assert_accessible(page)

    page.get_by_role("link", name="Back to imports").click()
    expect(page.get_by_role("table")).to_contain_text("Applied")
    assert_accessible(page)


def test_progress_failed_and_cancelled_pages_pass_axe(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    establishment: Any,
    settings: Any,
) -> None:
    settings.CME_IMPORTS_RUN = "worker"  # nothing runs the check: the page shows it waiting
    officer = make_member(Role.CME_OFFICER)
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{live_server.url}/imports/upload/")
    upload(page, roll_csv([pupil(1)]))

    expect(page.get_by_role("heading", level=1)).to_have_text("Checking the file")
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING)
    page.get_by_role("button", name="Refresh this page").click()
    expect(page.get_by_text("Checked 0 of 1 rows")).to_be_visible()
    assert_accessible(page)

    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED, failure="The import stopped because of an error."
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The import failed")
    assert_accessible(page)

    settings.CME_IMPORTS_RUN = "sync"
    page.goto(f"{live_server.url}/imports/upload/")
    upload(page, roll_csv([pupil(4)]))
    page.get_by_role("button", name="Cancel this import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("cancelled")
    assert_accessible(page)
    page.get_by_role("link", name=f"Import {ImportBatch.objects.latest('pk').pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import cancelled")
    assert_accessible(page)
