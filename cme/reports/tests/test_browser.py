"""A CME manager previews and downloads the DfE return in a real browser, axe-core clean."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Authority, Role
from cme.reports.tests.factories import census_world
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import fill_date, sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_manager_previews_and_downloads_the_return(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    authority: Authority,
    other_authority: Authority,
) -> None:
    census_world(authority, other_authority)
    sign_in_as(page, live_server, client_for, make_member(Role.CME_MANAGER))
    page.goto(f"{live_server.url}/reports/dfe-return/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "DfE children missing education return"
    )
    assert_accessible(page)

    # A date that does not exist: the error is explained.
    fill_date(page, "Census date", date(2025, 10, 2))
    page.get_by_role("group", name="Census date").get_by_label("Day").fill("32")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    fill_date(page, "Census date", date(2025, 10, 2))
    page.get_by_role("button", name="Show figures").click()
    table = page.get_by_role("table", name="Children missing education on the census date")
    expect(table.get_by_role("row").nth(1)).to_contain_text("All children")
    expect(table.get_by_role("row").nth(1)).to_contain_text("5")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "dfe-cme-return-990-2025-10-02.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("measure,breakdown,value,count\ncme_at_census,total,,5\n")
