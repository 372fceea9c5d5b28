"""Administrators create and revoke their authority's API tokens; the secret is shown once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import AgencyKind, PartnerAgency, Role
from cme.api import services
from cme.api.models import ApiToken
from cme.api.services import TokenRefused
from cme.api.tests.conftest import ApiClient
from cme.core.models import AuditAction, AuditEvent
from cme.registers.models import Establishment, EstablishmentKind, Phase

pytestmark = pytest.mark.django_db

ADD = "/admin/api-tokens/add/"
LIST = "/admin/api-tokens/"


def test_an_administrator_creates_a_school_token_and_sees_the_secret_once(
    admin: Any, client_for: Any, establishment: Any
) -> None:
    client = client_for(admin)
    response = client.post(
        ADD, {"name": "School MIS", "organisation": f"establishment:{establishment.pk}"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(f"cme_{token.prefix}_")
    assert secret in response.content.decode()
    assert (token.establishment, token.agency, token.created_by) == (establishment, None, admin)
    # Only its digest is kept, and it is never shown again.
    assert secret not in str(ApiToken.objects.values().get())
    assert secret not in client.get(LIST).content.decode()
    assert ApiClient(secret).get("/api/v1/referrals/CME-ZZZZZZZZ").status_code == 403


def test_sending_the_same_form_again_does_not_make_a_second_token(
    admin: Any, client_for: Any, establishment: Any
) -> None:
    client = client_for(admin)
    once = client.get(ADD).context["form"]["once"].value()
    data = {"name": "School MIS", "organisation": f"establishment:{establishment.pk}", "once": once}
    assert client.post(ADD, data).status_code == 200

    again = client.post(ADD, data, follow=True)  # the browser's refresh of the secret's page

    assert ApiToken.objects.count() == 1
    assert "had already been sent" in again.content.decode()
    fresh = client.get(ADD).context["form"]["once"].value()
    assert fresh != once
    client.post(ADD, {**data, "once": fresh})
    assert ApiToken.objects.count() == 2


def test_creating_a_token_is_audited_without_the_secret(
    admin: Any, client_for: Any, agency: Any
) -> None:
    response = client_for(admin).post(
        ADD, {"name": "Police system", "organisation": f"agency:{agency.pk}"}
    )

    token = ApiToken.objects.get()
    event = AuditEvent.objects.get(target_type="api.apitoken", action=AuditAction.CREATED)
    assert event.payload == {"prefix": token.prefix, "organisation_type": "agency"}
    assert event.actor_id == admin.pk
    assert response.context["secret"] not in str(event.__dict__)


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(
    admin: Any, client_for: Any
) -> None:
    response = client_for(admin).post(ADD, {"name": "Kept", "organisation": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation": ["Choose the school, partner agency or system the token is for"]
    }
    assert 'value="Kept"' in response.content.decode()
    assert response.content.decode().count("<title>Error: ") == 1
    assert not ApiToken.objects.exists()


def test_only_the_authoritys_own_schools_and_agencies_are_offered(
    admin: Any, client_for: Any, other_authority: Any
) -> None:
    far_school = Establishment.objects.create(
        la_code=other_authority.la_code,
        number="4001",
        name="Far Away Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    far_agency = PartnerAgency.objects.create(
        authority=other_authority, name="Otherborough Police", kind=AgencyKind.POLICE
    )
    client = client_for(admin)
    page = client.get(ADD).content.decode()
    assert "Meadow Lane Primary School" in page and "Exampleshire Police" in page
    assert "Far Away Academy" not in page and "Otherborough Police" not in page

    for choice in (f"establishment:{far_school.pk}", f"agency:{far_agency.pk}"):
        response = client.post(ADD, {"name": "Sneaky", "organisation": choice})
        assert "organisation" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_service_refuses_an_organisation_of_another_authority(
    admin: Any, authority: Any, other_authority: Any
) -> None:
    far_agency = PartnerAgency.objects.create(
        authority=other_authority, name="Otherborough Police", kind=AgencyKind.POLICE
    )
    with pytest.raises(TokenRefused):
        services.api_token_create(actor=admin, authority=authority, name="x", agency=far_agency)


def test_the_list_shows_prefixes_and_costs_the_same_however_many_tokens(
    admin: Any,
    client_for: Any,
    authority: Any,
    establishment: Any,
    agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(admin)
    client.get(LIST)  # warm the session
    for n in range(12):
        organisation = {"establishment": establishment} if n % 2 else {"agency": agency}
        services.api_token_create(actor=admin, authority=authority, name=f"T{n}", **organisation)

    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    for token in ApiToken.objects.all():
        assert f"cme_{token.prefix}_" in page


def test_revoking_a_token_stops_it_and_is_audited(
    admin: Any, client_for: Any, partner_token: Any
) -> None:
    token = partner_token.token
    client = client_for(admin)
    url = f"/admin/api-tokens/{token.pk}/revoke/"

    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302

    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_REVOKED)
    assert event.payload == {"prefix": token.prefix, "organisation_type": "agency"}
    assert ApiClient(partner_token.secret).get("/api/v1/referrals/CME-ZZZZZZZZ").status_code == 401
    client.post(url)  # again: nothing more happens
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_REVOKED).count() == 1


def test_another_authoritys_administrator_cannot_find_the_token(
    make_member: Any, client_for: Any, other_authority: Any, partner_token: Any
) -> None:
    outsider = make_member(Role.ADMINISTRATOR, of=other_authority)
    url = f"/admin/api-tokens/{partner_token.token.pk}/revoke/"
    assert client_for(outsider).post(url).status_code == 404
    assert partner_token.secret not in client_for(outsider).get(LIST).content.decode()
    partner_token.token.refresh_from_db()
    assert partner_token.token.revoked_at is None


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_administrators_manage_tokens(
    role: Role, make_member: Any, client_for: Any, partner_token: Any
) -> None:
    client = client_for(make_member(role))
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.post(f"/admin/api-tokens/{partner_token.token.pk}/revoke/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    assert Client().get(LIST).status_code == 302


def test_an_administrator_creates_a_token_for_the_authoritys_own_system(
    admin: Any, client_for: Any, establishment: Any
) -> None:
    client = client_for(admin)
    authority = admin.membership.authority
    assert f"{authority.name}&#x27;s own system" in client.get(ADD).content.decode()

    response = client.post(ADD, {"name": "Case management system", "organisation": "authority:"})

    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.establishment, token.agency) == (None, None)
    assert token.organisation_kind.value == "authority"
    assert token.organisation_name == str(authority)
    # The authority's system is neither a school nor an agency: their endpoints refuse it.
    secret = response.context["secret"]
    assert ApiClient(secret).get("/api/v1/referrals/CME-ZZZZZZZZ").status_code == 403


def test_a_token_is_never_for_two_organisations_at_once(
    admin: Any, establishment: Any, agency: Any
) -> None:
    authority = admin.membership.authority
    for choice in (
        {"establishment": establishment, "for_authority": True},
        {"agency": agency, "for_authority": True},
        {"establishment": establishment, "agency": agency},
        {},
    ):
        with pytest.raises(TokenRefused, match="Choose one school"):
            services.api_token_create(actor=admin, authority=authority, name="x", **choice)
    assert not ApiToken.objects.exists()


def test_only_the_authoritys_own_system_passes_the_authority_token_check(
    rf: Any, authority_token: Any, school_token: Any, partner_token: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from cme.api.auth import authority_token as check

    request = rf.post("/api/v1/")
    request.auth = authority_token.token
    assert check(request) == authority_token.token
    for other in (school_token, partner_token):
        request.auth = other.token
        with pytest.raises(PermissionDenied):
            check(request)
