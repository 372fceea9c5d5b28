"""The CTF clock in a real browser: a school sees its overdue file and records it as sent; a CME
officer reads every school's overdue files — axe-core clean on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.returns import services
from cme.returns.models import DeletionReturn
from cme.returns.tests.factories import deletion
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_school_records_an_overdue_file_and_the_officer_list_empties(
    page: Page, live_server: Any, make_member: Any, client_for: Any, establishment: Any
) -> None:
    base, today = live_server.url, timezone.localdate()
    school_user = make_member(Role.SCHOOL_USER)
    # No term dates here: the clock runs three calendar weeks.
    removed = today - timedelta(days=30)
    ret = services.deletion_return_submit(
        actor=school_user,
        establishment=establishment,
        details=deletion(deleted_on=removed.isoformat(), last_attended_on=removed.isoformat()),
    )
    officer = make_member(Role.CME_OFFICER)
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/returns/ctf-overdue/")
    expect(page.get_by_role("row", name=ret.reference)).to_contain_text("weekdays")
    assert_accessible(page)
    page.get_by_role("link", name="School", exact=True).click()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in_as(page, live_server, client_for, school_user)
    page.goto(f"{base}/returns/")
    expect(page.get_by_role("table", name="Common transfer files overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=ret.reference).first.click()
    expect(page.get_by_text("Overdue", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record the file as sent").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    fill_date(page, "Date the file was sent", today)
    page.get_by_label("To the Lost Pupil Database").check()
    page.get_by_role("button", name="Record the file as sent").click()
    expect(
        page.locator(".govuk-notification-banner, .govuk-panel, [role=alert]").first
    ).to_be_visible()
    assert_accessible(page)
    ret.refresh_from_db()
    assert ret.ctf_sent_on == today and ret.ctf_sent_via == "lost"
    page.goto(f"{base}/returns/")
    expect(page.get_by_role("table", name="Common transfer files overdue")).to_have_count(0)

    page.context.clear_cookies()
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/returns/ctf-overdue/")
    expect(page.get_by_text("No common transfer files are overdue.")).to_be_visible()
    assert_accessible(page)
    assert DeletionReturn.objects.filter(ctf_sent_on__isnull=True).count() == 0
