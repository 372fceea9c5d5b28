"""A CME manager reads the dashboard and the termly report in a real browser, axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Authority, Role
from cme.reports.tests.dashboard_world import dashboard_world
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_manager_reads_the_dashboard_and_the_termly_report(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Authority,
    other_authority: Authority,
) -> None:
    dashboard_world(authority, other_authority)
    manager = make_member(Role.CME_MANAGER)
    # The first render in a process loads templates and modules; on a busy machine that alone
    # can pass the browser's page timeout, so warm it up first.
    client_for(manager).get("/reports/")
    sign_in_as(page, live_server, client_for, manager)
    page.goto(f"{live_server.url}/reports/", timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Children missing education: dashboard"
    )
    expect(page.get_by_role("img", name="Children missing education now, by sex")).to_be_visible()
    expect(
        page.get_by_role("table", name="Children missing education now, by sex: table")
    ).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role(
            "button", name="Download CSV of children missing education now, by sex"
        ).click()
    assert download.value.suggested_filename.startswith("cme-by-sex-990-")

    page.get_by_role(
        "link", name="How we count this figure, children missing education now, by sex"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we count the dashboard figures")
    assert_accessible(page)

    page.goto(f"{live_server.url}/reports/termly/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("termly report")
    assert_accessible(page)
    page.get_by_role("link", name="Members’ version, small numbers hidden (printable)").click()
    expect(page.locator("main")).to_contain_text("fewer than 5")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download spreadsheet (XLSX, small numbers hidden)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
