"""A CME officer finds a child, then reviews a proposed match and accepts it, closing the tracking
case — with axe-core clean on every page on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.cases.models import Case, Outcome, Stage
from cme.matching import indexing
from cme.matching.models import MatchProposal, ProposalStatus
from cme.matching.reconcile import reconcile
from cme.matching.tests.factories import child_with_case, on_roll, school
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_find_a_child_then_accept_a_proposed_match(
    page: Page, live_server: Any, make_member: Any, client_for: Any, authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    _child, case = child_with_case(authority, officer, stage=Stage.TRACKING)
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside, forename="Amelia", surname="Pemberton")
    indexing.index_roll(hillside)
    reconcile(authority)
    proposal = MatchProposal.objects.get()
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url

    page.goto(f"{base}/matching/find/")
    assert_accessible(page)
    page.get_by_role("button", name="Search").click()  # nothing entered
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("First name").fill("Amelia")
    page.get_by_label("Last name").fill("Pemberton")
    group = page.get_by_role("group", name="Date of birth")
    group.get_by_label("Day").fill("17")
    group.get_by_label("Month").fill("5")
    group.get_by_label("Year").fill("2014")
    page.get_by_role("button", name="Search").click()
    expect(
        page.get_by_role("heading", name=re.compile("On roll at Hillside Academy"))
    ).to_be_visible()
    assert page.url.removeprefix(base) == "/matching/find/"  # nothing typed went in the URL
    assert_accessible(page)

    page.get_by_role("link", name="Matches").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matches to review")
    assert_accessible(page)
    page.get_by_role("link", name=f"Match {proposal.pk}").click()
    expect(page.get_by_text("On roll at Hillside Academy").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Reject: not the same child").click()  # no reason
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_role("button", name="Accept: same child").click()
    expect(page.get_by_text("Match accepted")).to_be_visible()
    assert_accessible(page)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    closed = Case.objects.get(pk=case.pk)
    assert closed.stage == Stage.CLOSED and closed.outcome == Outcome.REGISTERED
