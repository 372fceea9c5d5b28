"""A school updates its places and a CME officer reads the register, in a real browser with
axe-core clean on every page, with and without errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cme.accounts.models import Role
from cme.registers import services
from cme.registers.models import Establishment, EstablishmentKind, Phase, PlaceFigure
from cme.registers.services import ProgrammePlaces
from tests.browser.harness import assert_accessible
from tests.browser.test_case_journey import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_school_updates_its_places_and_the_officer_sees_the_totals(
    page: Page, live_server: Any, make_member: Any, client_for: Any, establishment: Establishment
) -> None:
    base = live_server.url
    provider = Establishment.objects.create(
        la_code="990",
        number="1101",
        name="Fresh Start Learning",
        kind=EstablishmentKind.ALTERNATIVE,
        phase=Phase.NOT_APPLICABLE,
    )
    services.place_figures_record(
        actor=None,
        establishment=provider,
        programmes=[ProgrammePlaces("Outdoor learning", 4)],
        as_of=timezone.localdate() - timedelta(days=45),
    )

    school_user = make_member(Role.SCHOOL_USER)
    sign_in_as(page, live_server, client_for, school_user)
    page.goto(f"{base}/establishments/places/my-school/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Places at Meadow Lane Primary School"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Update places").click()
    assert_accessible(page)

    # Nothing given: the error is explained.
    page.get_by_role("button", name="Save places").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    page.get_by_label("Reception places available").fill("2")
    page.get_by_label("Year 4 places available").fill("none")
    page.get_by_role("button", name="Save places").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a whole number")
    assert_accessible(page)
    page.get_by_label("Year 4 places available").fill("1")
    page.get_by_role("button", name="Save places").click()
    expect(page.get_by_role("table", name="3 places available now")).to_be_visible()
    assert_accessible(page)
    assert PlaceFigure.objects.filter(establishment=establishment).count() == 2

    officer = make_member(Role.CME_OFFICER)
    page.context.clear_cookies()
    sign_in_as(page, live_server, client_for, officer)
    page.goto(f"{base}/establishments/places/")
    totals = page.get_by_role("table", name="Places available on")
    expect(totals.get_by_role("row", name="Schools (statutory provision)")).to_contain_text("3")
    expect(totals.get_by_role("row", name="Alternative provision")).to_contain_text("4")
    expect(page.get_by_role("row", name="Fresh Start Learning")).to_contain_text("Stale")
    assert_accessible(page)

    page.get_by_label("Year group").select_option("R")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("row", name="Fresh Start Learning")).to_have_count(0)
    assert_accessible(page)

    # The officer confirms the provider's stale figure: it is fresh again.
    page.goto(f"{base}/establishments/{provider.pk}/places/")
    expect(page.get_by_text("Some figures are more than a month old.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Update places").click()
    assert_accessible(page)
    page.get_by_label("New programme name").fill("One-to-one tuition")
    page.get_by_role("button", name="Save places").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the places on the new programme"
    )
    assert_accessible(page)
    page.get_by_label("Places on the new programme").fill("2")
    page.get_by_role("button", name="Save places").click()
    expect(page.get_by_role("table", name="6 places available now")).to_be_visible()
    expect(page.get_by_text("Some figures are more than a month old.")).to_have_count(0)
    assert_accessible(page)
