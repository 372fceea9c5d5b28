"""In a browser, axe-core clean on every page: an officer uploads a CTF (first a refused one),
previews and imports it; then sends a CTF from the tracking case the import opened, and a
manager allows the export of a restricted child's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.cases.models import Case
from cme.children.models import Child
from cme.transfers.models import CtfExport, CtfExportGrant, CtfUpload
from cme.transfers.tests.factories import ctf_bytes, pupil
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_import_and_export(
    page: Page, live_server: Any, make_member: Any, client_for: Any, tmp_path: Path
) -> None:
    officer = make_member(Role.CME_OFFICER)
    sign_in_as(page, live_server, client_for, officer)
    base = live_server.url

    page.goto(f"{base}/ctf/")
    assert_accessible(page)
    page.get_by_role("button", name="Upload a CTF").click()
    assert_accessible(page)

    # A refused file: a clear error, nothing kept.
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Invoice/>")
    page.get_by_label("Upload a common transfer file (CTF)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("it is not a CTF")
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    good = tmp_path / "lost.xml"
    good.write_bytes(ctf_bytes([pupil(1), pupil(2)]))
    page.get_by_label("Upload a common transfer file (CTF)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^CTF-\d{6}$"))
    # Refused files are not kept: this is the only upload.
    assert heading.inner_text() == CtfUpload.objects.get().reference
    expect(page.locator("body")).to_contain_text("New child record, with a tracking case")
    assert_accessible(page)

    page.get_by_role("button", name="Import this file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 new")
    assert_accessible(page)
    assert Child.objects.count() == 2

    # Send a CTF from one of the tracking cases the import opened.
    case = Case.objects.order_by("pk").first()
    assert case is not None
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_role("link", name="Send a common transfer file").click()
    assert_accessible(page)
    page.get_by_role("button", name="Download the CTF").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Moved abroad (MMM/MMMM)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the CTF").click()
    saved = tmp_path / "sent.xml"
    download.value.save_as(saved)
    assert b"<LEA>MMM</LEA>" in saved.read_bytes()
    assert CtfExport.objects.get().destination == "abroad"


def test_a_manager_allows_a_restricted_export(
    page: Page, live_server: Any, make_member: Any, client_for: Any, authority: Any
) -> None:
    from cme.cases.tests.factories import make_child, open_case

    manager = make_member(Role.CME_MANAGER)
    child = make_child(authority, is_restricted=True, restriction_reason="Refuge")
    case = open_case(authority, manager, child)
    sign_in_as(page, live_server, client_for, manager)
    page.goto(f"{live_server.url}/cases/{case.pk}/ctf/")
    expect(page.locator("body")).to_contain_text("This child's record is restricted")
    assert_accessible(page)
    page.get_by_role("link", name="Allow one export").click()
    assert_accessible(page)
    page.get_by_role("button", name="Allow one export").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why must this CTF be sent?").fill("The receiving authority asked for it")
    page.get_by_role("button", name="Allow one export").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("One CTF export allowed")
    assert_accessible(page)
    assert CtfExportGrant.objects.get().granted_by == manager
