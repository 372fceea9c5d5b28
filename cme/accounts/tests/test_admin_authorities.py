"""Administrator pages for authorities: who may list, add and change them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from cme.accounts.models import Authority, Role, User
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
def operator(db: None) -> User:
    user = User.objects.create_user(
        "operator@service.example",
        "a-long-test-password",
        full_name="Service Operator",
        is_staff=True,
    )
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def admin(make_member: Callable[..., User]) -> User:
    return make_member(Role.ADMINISTRATOR)


def test_an_administrator_lists_only_their_own_authority(
    admin: User, other_authority: Authority, client_for: ClientFor
) -> None:
    response = client_for(admin).get(reverse("authority_list"))
    assert response.status_code == 200
    assert b"Exampleshire Council" in response.content
    assert b"Otherborough Council" not in response.content


def test_the_service_operator_lists_every_authority(
    operator: User, authority: Authority, other_authority: Authority, client_for: ClientFor
) -> None:
    response = client_for(operator).get(reverse("authority_list"))
    assert response.status_code == 200
    assert b"Exampleshire Council" in response.content
    assert b"Otherborough Council" in response.content
    assert reverse("authority_add").encode() in response.content


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_may_not_see_authorities(
    role: Role, make_member: Callable[..., User], authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(make_member(role))
    assert client.get(reverse("authority_list")).status_code == 403
    assert client.get(reverse("authority_change", args=[authority.pk])).status_code == 403
    assert client.get(reverse("authority_add")).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(authority: Authority) -> None:
    for url in [
        reverse("authority_list"),
        reverse("authority_add"),
        reverse("authority_change", args=[authority.pk]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_service_operator_adds_an_authority(operator: User, client_for: ClientFor) -> None:
    client = client_for(operator)
    seq = last_seq()
    response = client.post(reverse("authority_add"), {"name": "Newtown Council", "la_code": "123"})
    assert response.status_code == 302
    created = Authority.objects.get(la_code="123")
    assert created.name == "Newtown Council"
    [event] = events_after(seq)
    assert event.action == AuditAction.CREATED
    assert event.target_type == "accounts.authority"
    assert event.authority_id == created.pk
    assert "Newtown" not in json.dumps(event.payload)


def test_an_administrator_may_not_add_an_authority(admin: User, client_for: ClientFor) -> None:
    response = client_for(admin).post(
        reverse("authority_add"), {"name": "Newtown Council", "la_code": "123"}
    )
    assert response.status_code == 403
    assert not Authority.objects.filter(la_code="123").exists()


def test_an_administrator_changes_their_own_authority(
    admin: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    url = reverse("authority_change", args=[authority.pk])
    assert client.get(url).status_code == 200
    seq = last_seq()
    response = client.post(url, {"name": "Exampleshire County Council", "la_code": "990"})
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.name == "Exampleshire County Council"
    [event] = events_after(seq)
    assert event.action == AuditAction.UPDATED
    assert event.payload["fields"] == ["name"]
    assert "Exampleshire" not in json.dumps(event.payload)
    follow = client.get(response["Location"])
    assert b"Exampleshire County Council saved" in follow.content


def test_an_administrator_of_another_authority_gets_not_found(
    make_member: Callable[..., User],
    authority: Authority,
    other_authority: Authority,
    client_for: ClientFor,
) -> None:
    outsider = make_member(Role.ADMINISTRATOR, of=other_authority)
    url = reverse("authority_change", args=[authority.pk])
    client = client_for(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken over", "la_code": "990"}).status_code == 404
    authority.refresh_from_db()
    assert authority.name == "Exampleshire Council"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Newtown Council", "la_code": "12"}, "Enter a 3-digit LA code, like 990"),
        ({"name": "Newtown Council", "la_code": "1234"}, "Enter a 3-digit LA code, like 990"),
        ({"name": "Newtown Council", "la_code": "991"}, "An authority with this LA code already"),
        ({"name": "Otherborough Council", "la_code": "123"}, "An authority with this name already"),
        ({"name": "", "la_code": "123"}, "Enter the authority"),
    ],
)
def test_invalid_authority_details_are_refused_and_kept(
    operator: User,
    other_authority: Authority,
    client_for: ClientFor,
    data: dict[str, str],
    message: str,
) -> None:
    client = client_for(operator)
    seq, before = last_seq(), Authority.objects.count()
    response = client.post(reverse("authority_add"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message.replace("'", "&#x27;") in content
    assert f'value="{data["la_code"]}"' in content
    assert Authority.objects.count() == before
    assert events_after(seq) == []


def test_an_administrator_cannot_change_their_la_code(
    make_member: Any, client_for: Any, authority: Any
) -> None:
    admin = make_member(Role.ADMINISTRATOR)
    response = client_for(admin).post(
        f"/admin/authorities/{authority.pk}/change/", {"name": "Renamed Council", "la_code": "992"}
    )
    authority.refresh_from_db()
    assert response.status_code == 302
    assert (authority.name, authority.la_code) == ("Renamed Council", "990")
