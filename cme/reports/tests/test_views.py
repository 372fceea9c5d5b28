"""The DfE return page: who may use it, the preview, the download and its audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Authority, Role
from cme.core.models import AuditAction, AuditEvent
from cme.reports import dfe_return
from cme.reports.tests.factories import census_world

pytestmark = pytest.mark.django_db

URL = "/reports/dfe-return/"
CENSUS_FORM = {"census_date_0": "2", "census_date_1": "10", "census_date_2": "2025"}


@pytest.fixture
def manager_client(make_member: Any, client_for: Any) -> Any:
    return client_for(make_member(Role.CME_MANAGER))


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CME_MANAGER])
def test_only_cme_managers_may_see_the_page(make_member: Any, client_for: Any, role: Role) -> None:
    client = client_for(make_member(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {**CENSUS_FORM, "action": "download"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: Any) -> None:
    assert client.get(URL).status_code == 302


def test_the_page_offers_the_next_census_date(manager_client: Any) -> None:
    response = manager_client.get(URL)
    assert response.status_code == 200
    expected = dfe_return.next_census_date(timezone.localdate())
    assert response.context["form"].initial["census_date"] == expected
    assert response.context["census_date"] == expected
    assert b"Download CSV" in response.content


def test_the_preview_shows_the_figures_of_the_managers_own_authority_only(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    census_world(authority, other_authority)
    response = manager_client.post(URL, {**CENSUS_FORM, "action": "preview"})
    assert response.status_code == 200
    at_census, previous_year = response.context["tables"]
    assert at_census["rows"][0] == ("Total", "All children", 5)
    assert previous_year["rows"][0] == ("Total", "All children", 6)
    assert "Children missing education on the census date" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_the_download_is_the_csv_and_is_audited_with_the_census_date(
    manager_client: Any, authority: Authority, other_authority: Authority
) -> None:
    census_world(authority, other_authority)
    response = manager_client.post(URL, {**CENSUS_FORM, "action": "download"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="dfe-cme-return-990-2025-10-02.csv"'
    )
    expected = dfe_return.csv_text(dfe_return.return_rows(authority, date(2025, 10, 2)))
    assert response.content.decode() == expected
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor_id is not None
    assert event.authority_id == authority.pk
    assert event.payload["census_date"] == "2025-10-02"


def test_a_wrong_date_is_explained_and_nothing_is_downloaded(manager_client: Any) -> None:
    response = manager_client.post(
        URL,
        {
            "census_date_0": "31",
            "census_date_1": "2",
            "census_date_2": "2025",
            "action": "download",
        },
    )
    assert response.status_code == 200
    assert "Census date must be a real date" in response.content.decode()
    assert response.context["tables"] == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
