"""A CME manager makes a self-evaluation in a real browser, and every page is axe-core clean."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.reports.models import AssessmentStatus, Rating, SelfEvaluation
from cme.reports.selfeval.services import AnswerInput, selfevaluation_save, selfevaluation_start
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_rates_completes_and_prints_an_assessment(
    page: Page, live_server: Any, make_member: Any, client_for: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    earlier = selfevaluation_start(actor=manager, today=date(2025, 3, 1))
    selfevaluation_save(
        assessment=earlier,
        actor=manager,
        version=earlier.version,
        assessed_on=date(2025, 3, 1),
        answers={n: AnswerInput(Rating.WORKING_TOWARDS, "A plan is agreed") for n in range(1, 23)},
        complete=True,
    )
    sign_in_as(page, live_server, client_for, manager)
    base = live_server.url

    page.goto(f"{base}/reports/self-evaluation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-evaluation")
    assert_accessible(page)
    page.get_by_role("button", name="Start a new assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft assessment")
    assert_accessible(page)

    # The draft starts from the last assessment's ratings; question 8 moves up.
    page.get_by_role("group", name="Rating for question 8", exact=True).get_by_label(
        "Embedded"
    ).check()
    page.get_by_label("Evidence notes for question 8").fill("Monthly figures to the board")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")

    page.get_by_role("button", name="Save and mark complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment of " + _today(page))
    draft = SelfEvaluation.objects.exclude(pk=earlier.pk).get()
    assert draft.status == AssessmentStatus.COMPLETE
    assert draft.answers.get(question=8).rating == Rating.EMBEDDED
    assert_accessible(page)

    page.get_by_role("link", name="Ratings over time for question 8").click()
    table = page.get_by_role("table", name="Rating in each assessment, oldest first")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Working towards")
    expect(table.get_by_role("row").nth(2)).to_contain_text("Embedded")
    assert_accessible(page)

    page.goto(f"{base}/reports/self-evaluation/{draft.pk}/print/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("self-evaluation")
    assert_accessible(page)


def test_completing_with_a_question_unrated_is_explained(
    page: Page, live_server: Any, make_member: Any, client_for: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    draft = selfevaluation_start(actor=manager)
    sign_in_as(page, live_server, client_for, manager)
    page.goto(f"{live_server.url}/reports/self-evaluation/{draft.pk}/edit/")
    page.get_by_role("group", name="Rating for question 1", exact=True).get_by_label(
        "Achieved"
    ).check()
    page.get_by_role("button", name="Save and mark complete").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose a rating for question 2 before you mark")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role(
        "link",
        name="Choose a rating for question 22 before you mark the assessment complete",
        exact=True,
    ).click()
    expect(
        page.get_by_role("group", name="Rating for question 22").get_by_label("No")
    ).to_be_focused()


def _today(page: Page) -> str:
    from django.utils import timezone

    today = timezone.localdate()
    return f"{today.day} {today:%B %Y}"
