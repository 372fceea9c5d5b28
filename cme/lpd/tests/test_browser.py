"""In the browser: a school uploads a lost CTF; an officer of another authority searches with a
misspelt name, opens the pupil's record and downloads the CTF for the new school; a manager reads
the activity. axe-core clean on every page on the way."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.lpd.models import EventKind, LpdEvent
from cme.lpd.tests.factories import lost_ctf, lost_pupil
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.transfers.ctf import read_ctf
from tests.browser.harness import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as(page: Page, live_server: Any, client_for: Any, user: Any) -> None:
    page.context.clear_cookies()
    cookie = client_for(user).cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_upload_search_open_and_download(
    page: Page,
    live_server: Any,
    make_member: Any,
    client_for: Any,
    establishment: Establishment,
    other_authority: Any,
    tmp_path: Path,
) -> None:
    base = live_server.url
    page.set_default_timeout(60_000)  # the shared machine is often busy
    school_user = make_member(Role.SCHOOL_USER)
    officer = make_member(Role.CME_OFFICER, of=other_authority)
    Establishment.objects.create(
        la_code=other_authority.la_code,
        number="3005",
        name="Harbour Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    lost = tmp_path / "lost.xml"
    lost.write_bytes(lost_ctf(establishment, [lost_pupil()]))
    wrong = tmp_path / "known.xml"
    wrong.write_bytes(lost_ctf(establishment, dest=("991", "3005")))

    sign_in_as(page, live_server, client_for, school_user)
    page.goto(f"{base}/lpd/")
    assert_accessible(page)
    page.get_by_role("button", name="Upload a lost CTF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a lost CTF")
    assert_accessible(page)
    page.get_by_label("Upload a lost CTF").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("known destination")
    assert_accessible(page)
    page.get_by_label("Upload a lost CTF").set_input_files(str(lost))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Lost CTF uploaded to the Lost Pupil Database")).to_be_visible()
    expect(page.get_by_role("cell", name="Oliwia Kowalczyk")).to_be_visible()
    assert_accessible(page)

    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/lpd/search/")
    assert_accessible(page)
    page.get_by_label("First name").fill("Olivia")
    page.get_by_label("Last name").fill("Kowalcyk")
    group = page.get_by_role("group", name="Date of birth")
    group.get_by_label("Day").fill("9")
    group.get_by_label("Month").fill("3")
    group.get_by_label("Year").fill("2014")
    page.get_by_label("Previous school").fill("Little Orchard")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"^1\. Lost CTF from"))).to_be_visible()
    assert page.url.removeprefix(base) == "/lpd/search/"  # nothing typed went in the URL
    assert_accessible(page)

    page.get_by_role("link", name="Open the record for candidate 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oliwia Kowalczyk")
    assert_accessible(page)
    page.get_by_label("School you are forwarding it to (optional)").fill("991/9999")
    page.get_by_role("button", name="Download the CTF").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("School you are forwarding it to (optional)").fill("991/3005")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the CTF").click()
    saved = tmp_path / "downloaded.xml"
    download_info.value.save_as(saved)
    ctf = read_ctf(saved)
    assert [p.forename for p in ctf.pupils] == ["Oliwia"]
    assert (ctf.header.dest_lea, ctf.header.dest_estab) == ("991", "3005")
    assert LpdEvent.objects.filter(kind=EventKind.DOWNLOAD, authority=other_authority).exists()

    sign_in_as(page, live_server, client_for, make_member(Role.CME_MANAGER, of=other_authority))
    page.goto(f"{base}/lpd/activity/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lost Pupil Database activity")
    assert_accessible(page)
