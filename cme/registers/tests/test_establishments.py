"""Establishment pages: the national list with filters, and adding or changing those in the area."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from cme.accounts.models import Authority, Role, User
from cme.core.models import AuditAction, AuditEvent
from cme.registers.models import Establishment, EstablishmentKind, Phase

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
MakeMember = Callable[..., User]
CASE_TEAM = [Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER]
NO_VIEW = [Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR]


def last_seq() -> int:
    latest = AuditEvent.objects.order_by("-seq").first()
    return latest.seq if latest else 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def school_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Riverside Academy",
        "la_code": "990",
        "number": "4123",
        "urn": "1456789",
        "kind": EstablishmentKind.ACADEMY.value,
        "phase": Phase.SECONDARY.value,
        "is_open": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(make_member: MakeMember) -> User:
    return make_member(Role.ADMINISTRATOR)


@pytest.fixture
def outsider(make_member: MakeMember, other_authority: Authority) -> User:
    return make_member(Role.ADMINISTRATOR, of=other_authority)


@pytest.fixture
def elsewhere(other_authority: Authority) -> Establishment:
    return Establishment.objects.create(
        la_code=other_authority.la_code,
        number="5001",
        urn="191001",
        name="Otherborough High School",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
        is_open=False,
    )


# The list


def test_an_administrator_lists_establishments_and_may_change_only_their_own(
    admin: User, establishment: Establishment, elsewhere: Establishment, client_for: ClientFor
) -> None:
    response = client_for(admin).get(reverse("establishment_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Meadow Lane Primary School" in content
    assert "Otherborough High School" in content  # national reference data
    assert reverse("establishment_change", args=[establishment.pk]) in content
    assert reverse("establishment_change", args=[elsewhere.pk]) not in content
    assert reverse("establishment_add") in content


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"name": "meadow"}, "Meadow Lane", "Otherborough High"),
        ({"la_code": "991"}, "Otherborough High", "Meadow Lane"),
        ({"kind": "maintained"}, "Meadow Lane", "Otherborough High"),
        ({"phase": "secondary"}, "Otherborough High", "Meadow Lane"),
        ({"status": "closed"}, "Otherborough High", "Meadow Lane"),
        ({"status": "open"}, "Meadow Lane", "Otherborough High"),
    ],
)
def test_the_list_filters(
    admin: User,
    establishment: Establishment,
    elsewhere: Establishment,
    client_for: ClientFor,
    query: dict[str, str],
    shown: str,
    hidden: str,
) -> None:
    content = client_for(admin).get(reverse("establishment_list"), query).content.decode()
    assert shown in content
    assert hidden not in content


def test_an_invalid_filter_says_what_is_wrong(admin: User, client_for: ClientFor) -> None:
    response = client_for(admin).get(reverse("establishment_list"), {"la_code": "99"})
    assert response.status_code == 200
    assert "Enter a 3-digit LA code" in response.content.decode()


def test_the_list_is_paged_and_keeps_its_filters(
    admin: User, client_for: ClientFor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    Establishment.objects.bulk_create(
        Establishment(
            la_code="990",
            number=f"{3000 + n}",
            name=f"Ash Tree {n:03d}",
            kind=EstablishmentKind.MAINTAINED,
            phase=Phase.PRIMARY,
        )
        for n in range(120)
    )
    client = client_for(admin)
    client.get(reverse("establishment_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("establishment_list"), {"name": "ash tree", "page": "2"})
    content = response.content.decode()
    assert "Ash Tree 050" in content
    assert "Ash Tree 049" not in content
    assert "name=ash+tree&amp;page=3" in content


@pytest.mark.parametrize("role", CASE_TEAM)
def test_the_case_team_may_list_but_not_add_or_change(
    role: Role, make_member: MakeMember, establishment: Establishment, client_for: ClientFor
) -> None:
    client = client_for(make_member(role))
    assert client.get(reverse("establishment_list")).status_code == 200
    assert client.get(reverse("establishment_add")).status_code == 403
    assert client.post(reverse("establishment_add"), school_data()).status_code == 403
    url = reverse("establishment_change", args=[establishment.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, school_data(number="2001")).status_code == 403
    assert not Establishment.objects.filter(name="Riverside Academy").exists()


@pytest.mark.parametrize("role", NO_VIEW)
def test_other_roles_may_not_see_establishments(
    role: Role, make_member: MakeMember, establishment: Establishment, client_for: ClientFor
) -> None:
    client = client_for(make_member(role))
    assert client.get(reverse("establishment_list")).status_code == 403
    assert client.get(reverse("establishment_add")).status_code == 403
    assert client.get(reverse("establishment_change", args=[establishment.pk])).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(establishment: Establishment) -> None:
    for url in [
        reverse("establishment_list"),
        reverse("establishment_add"),
        reverse("establishment_change", args=[establishment.pk]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


# Adding and changing


def test_an_administrator_adds_an_establishment_in_their_area(
    admin: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    page = client.get(reverse("establishment_add"))
    assert page.status_code == 200
    assert 'value="990"' in page.content.decode()
    seq = last_seq()
    response = client.post(reverse("establishment_add"), school_data())
    assert response.status_code == 302
    created = Establishment.objects.get(urn="1456789")
    assert (created.la_code, created.number, created.is_open) == ("990", "4123", True)
    [event] = events_after(seq)
    assert event.action == AuditAction.CREATED
    assert event.authority_id == authority.pk
    assert event.payload["kind"] == "academy"
    assert "Riverside" not in str(event.payload)


def test_an_establishment_without_a_urn_yet_can_be_added(
    admin: User, establishment: Establishment, client_for: ClientFor
) -> None:
    Establishment.objects.filter(pk=establishment.pk).update(urn=None)
    response = client_for(admin).post(reverse("establishment_add"), school_data(urn=""))
    assert response.status_code == 302
    assert Establishment.objects.filter(urn__isnull=True).count() == 2


def test_an_administrator_closes_an_establishment(
    admin: User, establishment: Establishment, client_for: ClientFor
) -> None:
    client = client_for(admin)
    url = reverse("establishment_change", args=[establishment.pk])
    assert client.get(url).status_code == 200
    seq = last_seq()
    data = school_data(
        name=establishment.name,
        number="2001",
        urn="190001",
        kind="maintained",
        phase="primary",
    )
    del data["is_open"]
    response = client.post(url, data)
    assert response.status_code == 302
    establishment.refresh_from_db()
    assert not establishment.is_open
    [event] = events_after(seq)
    assert event.action == AuditAction.UPDATED
    assert event.payload["fields"] == ["is_open"]
    assert event.payload["is_open"] is False


def test_another_areas_establishment_is_seen_but_not_changed(
    outsider: User, establishment: Establishment, client_for: ClientFor
) -> None:
    """Establishments are national reference data: another authority may see it (403, not 404)."""
    client = client_for(outsider)
    url = reverse("establishment_change", args=[establishment.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, school_data(la_code="990", number="2001", name="Renamed"))
    assert response.status_code == 403
    establishment.refresh_from_db()
    assert establishment.name == "Meadow Lane Primary School"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"la_code": "99"}, "Enter a 3-digit LA code, like 990"),
        ({"la_code": "991"}, "Enter your authority&#x27;s LA code, 990"),
        ({"number": "123"}, "Enter a 4-digit establishment number, like 2001"),
        ({"number": "12345"}, "Enter a 4-digit establishment number, like 2001"),
        ({"urn": "12345"}, "Enter a URN of 6 or 7 digits, like 100001"),
        ({"urn": "190001"}, "Another establishment already has this URN"),
        ({"number": "2001"}, "Another establishment already has the number 990/2001"),
        ({"name": ""}, "Enter the establishment&#x27;s name"),
        ({"kind": ""}, "Choose the type of establishment"),
        ({"phase": "sixth"}, "Select a valid choice"),
    ],
)
def test_invalid_establishment_details_are_refused_and_kept(
    admin: User,
    establishment: Establishment,
    client_for: ClientFor,
    overrides: dict[str, str],
    message: str,
) -> None:
    client = client_for(admin)
    seq, before = last_seq(), Establishment.objects.count()
    response = client.post(reverse("establishment_add"), school_data(**overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert content.count(message) == 2  # once in the summary, once by the field
    data = school_data(**overrides)
    assert f'value="{data["number"]}"' in content
    assert Establishment.objects.count() == before
    assert events_after(seq) == []
