"""Administrator pages for partner agencies: listed, added and changed within one authority."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from cme.accounts.models import AgencyKind, Authority, PartnerAgency, Role, User
from cme.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
OTHER_ROLES = [role for role in Role if role != Role.ADMINISTRATOR]


def last_seq() -> int:
    latest = AuditEvent.objects.order_by("-seq").first()
    return latest.seq if latest else 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture
def admin(make_member: Callable[..., User]) -> User:
    return make_member(Role.ADMINISTRATOR)


@pytest.fixture
def outsider(make_member: Callable[..., User], other_authority: Authority) -> User:
    return make_member(Role.ADMINISTRATOR, of=other_authority)


def test_an_administrator_lists_their_authoritys_agencies(
    admin: User, agency: PartnerAgency, other_authority: Authority, client_for: ClientFor
) -> None:
    PartnerAgency.objects.create(
        authority=other_authority, name="Otherborough Housing", kind=AgencyKind.HOUSING
    )
    response = client_for(admin).get(reverse("agency_list"))
    assert response.status_code == 200
    assert b"Exampleshire Police" in response.content
    assert b"Otherborough Housing" not in response.content


def test_another_authoritys_list_leaves_these_agencies_out(
    outsider: User, agency: PartnerAgency, client_for: ClientFor
) -> None:
    response = client_for(outsider).get(reverse("agency_list"))
    assert response.status_code == 200
    assert b"Exampleshire Police" not in response.content


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_may_not_manage_agencies(
    role: Role, make_member: Callable[..., User], agency: PartnerAgency, client_for: ClientFor
) -> None:
    client = client_for(make_member(role))
    assert client.get(reverse("agency_list")).status_code == 403
    assert client.get(reverse("agency_add")).status_code == 403
    assert client.get(reverse("agency_change", args=[agency.pk])).status_code == 403
    response = client.post(
        reverse("agency_change", args=[agency.pk]), {"name": "Renamed", "kind": "police"}
    )
    assert response.status_code == 403
    agency.refresh_from_db()
    assert agency.name == "Exampleshire Police"


def test_anonymous_people_are_sent_to_sign_in(agency: PartnerAgency) -> None:
    for url in [
        reverse("agency_list"),
        reverse("agency_add"),
        reverse("agency_change", args=[agency.pk]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_an_administrator_adds_an_agency_to_their_authority(
    admin: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    assert client.get(reverse("agency_add")).status_code == 200
    seq = last_seq()
    response = client.post(
        reverse("agency_add"), {"name": "Exampleshire Health Visitors", "kind": "health"}
    )
    assert response.status_code == 302
    created = PartnerAgency.objects.get(name="Exampleshire Health Visitors")
    assert created.authority == authority
    assert created.is_active
    [event] = events_after(seq)
    assert event.action == AuditAction.CREATED
    assert event.authority_id == authority.pk
    assert event.payload == {"fields": ["name", "kind"], "kind": "health"}


def test_an_administrator_changes_and_deactivates_an_agency(
    admin: User, agency: PartnerAgency, client_for: ClientFor
) -> None:
    client = client_for(admin)
    url = reverse("agency_change", args=[agency.pk])
    assert client.get(url).status_code == 200
    seq = last_seq()
    response = client.post(url, {"name": "Exampleshire Police", "kind": "police"})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert not agency.is_active
    [event] = events_after(seq)
    assert event.action == AuditAction.UPDATED
    assert event.payload["fields"] == ["is_active"]
    assert "Police" not in str(event.payload)


def test_an_administrator_of_another_authority_gets_not_found(
    outsider: User, agency: PartnerAgency, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    url = reverse("agency_change", args=[agency.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"name": "Taken", "kind": "other", "is_active": "on"}).status_code == 404
    )
    agency.refresh_from_db()
    assert agency.name == "Exampleshire Police"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "police"}, "Enter the agency&#x27;s name"),
        ({"name": "Exampleshire Housing", "kind": ""}, "Choose the kind of agency"),
        ({"name": "exampleshire police", "kind": "police"}, "already has an agency with this name"),
    ],
)
def test_invalid_agency_details_are_refused_and_kept(
    admin: User,
    agency: PartnerAgency,
    client_for: ClientFor,
    data: dict[str, str],
    message: str,
) -> None:
    client = client_for(admin)
    seq, before = last_seq(), PartnerAgency.objects.count()
    response = client.post(reverse("agency_add"), data)
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert message in response.content.decode()
    if data["name"]:
        assert f'value="{data["name"]}"'.encode() in response.content
    assert PartnerAgency.objects.count() == before
    assert events_after(seq) == []


def test_an_agency_name_used_by_another_authority_is_allowed(
    outsider: User, agency: PartnerAgency, client_for: ClientFor
) -> None:
    response = client_for(outsider).post(
        reverse("agency_add"), {"name": "Exampleshire Police", "kind": "police"}
    )
    assert response.status_code == 302
    assert PartnerAgency.objects.filter(name="Exampleshire Police").count() == 2
