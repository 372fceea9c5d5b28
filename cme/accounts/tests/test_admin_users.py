"""Administrator pages for users and their memberships (roles) in one authority."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from cme.accounts.models import AgencyKind, Authority, Membership, PartnerAgency, Role, User
from cme.core.models import AuditAction, AuditEvent
from cme.registers.models import Establishment, EstablishmentKind, Phase

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
MakeMember = Callable[..., User]
OTHER_ROLES = [role for role in Role if role != Role.ADMINISTRATOR]


def last_seq() -> int:
    latest = AuditEvent.objects.order_by("-seq").first()
    return latest.seq if latest else 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def assert_no_personal_data(event: AuditEvent, person: User) -> None:
    payload = json.dumps(event.payload).lower()
    assert person.email.lower() not in payload
    assert person.full_name.lower() not in payload


@pytest.fixture
def admin(make_member: MakeMember) -> User:
    return make_member(Role.ADMINISTRATOR)


@pytest.fixture
def officer(make_member: MakeMember) -> User:
    return make_member(Role.CME_OFFICER, with_totp=False)


@pytest.fixture
def outsider(make_member: MakeMember, other_authority: Authority) -> User:
    return make_member(Role.ADMINISTRATOR, of=other_authority)


def officer_membership(officer: User) -> Membership:
    return officer.memberships.get()


def new_user_data(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Priya Shah",
        "email": "Priya.Shah@990.example.gov.uk",
        "role": Role.CME_OFFICER.value,
        "establishment": "",
        "agency": "",
    }
    data.update(overrides)
    return data


# The list


def test_an_administrator_lists_the_users_of_their_authority_with_roles_and_second_factor(
    admin: User, officer: User, outsider: User, client_for: ClientFor
) -> None:
    response = client_for(admin).get(reverse("user_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert officer.email in content
    assert admin.email in content
    assert outsider.email not in content
    assert "CME officer" in content
    assert "Not set up" in content  # the officer has no second factor yet


def test_the_user_list_costs_the_same_queries_however_many_users(
    admin: User,
    make_member: MakeMember,
    client_for: ClientFor,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(admin)
    make_member(Role.CASEWORKER)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("user_list")).status_code == 200
    for role in [Role.CME_OFFICER, Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR] * 3:
        make_member(role)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("user_list"))
    assert response.content.decode().count('href="/admin/users/') >= 14


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_may_not_manage_users(
    role: Role, make_member: MakeMember, officer: User, client_for: ClientFor
) -> None:
    client = client_for(make_member(role))
    membership = officer_membership(officer)
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("user_add")).status_code == 403
    assert client.get(reverse("user_detail", args=[officer.pk])).status_code == 403
    assert client.get(reverse("membership_add", args=[officer.pk])).status_code == 403
    assert client.post(reverse("user_add"), new_user_data()).status_code == 403
    deactivate = reverse("membership_deactivate", args=[officer.pk, membership.pk])
    assert client.post(deactivate).status_code == 403
    assert client.post(reverse("user_deactivate", args=[officer.pk])).status_code == 403
    membership.refresh_from_db()
    officer.refresh_from_db()
    assert membership.is_active and officer.is_active
    assert not User.objects.filter(email="priya.shah@990.example.gov.uk").exists()


def test_anonymous_people_are_sent_to_sign_in(officer: User) -> None:
    for url in [
        reverse("user_list"),
        reverse("user_add"),
        reverse("user_detail", args=[officer.pk]),
        reverse("membership_add", args=[officer.pk]),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_an_administrator_of_another_authority_gets_not_found_for_these_users(
    outsider: User, officer: User, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    membership = officer_membership(officer)
    assert client.get(reverse("user_detail", args=[officer.pk])).status_code == 404
    assert client.get(reverse("membership_add", args=[officer.pk])).status_code == 404
    deactivate = reverse("membership_deactivate", args=[officer.pk, membership.pk])
    assert client.post(deactivate).status_code == 404
    assert client.post(reverse("user_deactivate", args=[officer.pk])).status_code == 404
    membership.refresh_from_db()
    officer.refresh_from_db()
    assert membership.is_active and officer.is_active


def test_a_membership_of_another_authority_is_not_found_through_a_visible_user(
    admin: User, officer: User, outsider: User, client_for: ClientFor
) -> None:
    elsewhere = outsider.memberships.get()
    url = reverse("membership_deactivate", args=[officer.pk, elsewhere.pk])
    assert client_for(admin).post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.is_active


# Adding a user


def test_an_administrator_adds_a_user_without_a_password(
    admin: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    assert client.get(reverse("user_add")).status_code == 200
    seq = last_seq()
    response = client.post(reverse("user_add"), new_user_data())
    assert response.status_code == 302
    person = User.objects.get(email="priya.shah@990.example.gov.uk")
    assert response["Location"] == reverse("user_detail", args=[person.pk])
    assert "@" not in response["Location"]
    assert not person.has_usable_password()
    membership = person.memberships.get()
    assert (membership.authority, membership.role) == (authority, Role.CME_OFFICER)
    [event] = events_after(seq)
    assert event.action == AuditAction.CREATED
    assert event.authority_id == authority.pk
    assert event.payload["role"] == Role.CME_OFFICER
    assert_no_personal_data(event, person)
    page = client.get(response["Location"]).content.decode()
    assert "They have not set a password yet" in page
    assert reverse("account_reset_password") in page


def test_a_school_user_is_tied_to_a_school_in_the_authoritys_area(
    admin: User, establishment: Establishment, client_for: ClientFor
) -> None:
    response = client_for(admin).post(
        reverse("user_add"),
        new_user_data(role=Role.SCHOOL_USER.value, establishment=str(establishment.pk)),
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="priya.shah@990.example.gov.uk")
    assert membership.establishment == establishment


def test_a_partner_user_is_tied_to_one_of_the_authoritys_agencies(
    admin: User, agency: PartnerAgency, client_for: ClientFor
) -> None:
    response = client_for(admin).post(
        reverse("user_add"), new_user_data(role=Role.PARTNER.value, agency=str(agency.pk))
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="priya.shah@990.example.gov.uk")
    assert membership.agency == agency


def test_schools_and_agencies_of_another_area_are_not_offered(
    admin: User, other_authority: Authority, client_for: ClientFor
) -> None:
    elsewhere = Establishment.objects.create(
        la_code="991",
        number="4001",
        name="Far Away Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    their_agency = PartnerAgency.objects.create(
        authority=other_authority, name="Otherborough Police", kind=AgencyKind.POLICE
    )
    client = client_for(admin)
    page = client.get(reverse("user_add")).content.decode()
    assert "Meadow Lane Primary School" in page
    assert "Far Away Academy" not in page
    assert "Otherborough Police" not in page
    response = client.post(
        reverse("user_add"),
        new_user_data(role=Role.SCHOOL_USER.value, establishment=str(elsewhere.pk)),
    )
    assert "Choose a school from the list" in response.content.decode()
    response = client.post(
        reverse("user_add"), new_user_data(role=Role.PARTNER.value, agency=str(their_agency.pk))
    )
    assert "Choose a partner agency from the list" in response.content.decode()
    assert not User.objects.filter(email="priya.shah@990.example.gov.uk").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"full_name": ""}, "Enter their full name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"role": ""}, "Choose a role"),
        ({"role": Role.SCHOOL_USER.value}, "Choose the school this school user works at"),
        ({"role": Role.PARTNER.value}, "Choose the agency this partner agency user works for"),
        ({"email": "ADMINISTRATOR-TAKEN"}, "An account with this email address already exists"),
    ],
)
def test_invalid_user_details_are_refused_and_kept(
    admin: User, client_for: ClientFor, overrides: dict[str, str], message: str
) -> None:
    if overrides.get("email") == "ADMINISTRATOR-TAKEN":
        overrides = {"email": admin.email.upper()}
    client = client_for(admin)
    seq, before = last_seq(), User.objects.count()
    response = client.post(reverse("user_add"), new_user_data(**overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    if overrides.get("full_name", "x"):
        assert 'value="Priya Shah"' in content
    assert User.objects.count() == before
    assert events_after(seq) == []


def test_a_school_is_refused_for_a_role_that_is_not_a_school_user(
    admin: User, establishment: Establishment, client_for: ClientFor
) -> None:
    response = client_for(admin).post(
        reverse("user_add"), new_user_data(establishment=str(establishment.pk))
    )
    assert response.status_code == 200
    assert "Choose a school only for a school user" in response.content.decode()


# The user's page and their memberships


def test_the_user_page_shows_only_memberships_in_this_authority(
    admin: User,
    officer: User,
    other_authority: Authority,
    client_for: ClientFor,
) -> None:
    Membership.objects.create(user=officer, authority=other_authority, role=Role.AUDITOR)
    response = client_for(admin).get(reverse("user_detail", args=[officer.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-summary-list" in content
    assert "CME officer" in content
    assert "Auditor" not in content
    assert "Not set up yet" in content


def test_an_administrator_adds_a_role(
    admin: User, officer: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    url = reverse("membership_add", args=[officer.pk])
    assert client.get(url).status_code == 200
    seq = last_seq()
    response = client.post(url, {"role": Role.CME_MANAGER.value})
    assert response.status_code == 302
    added = officer.memberships.get(role=Role.CME_MANAGER)
    assert added.authority == authority and added.is_active
    [event] = events_after(seq)
    assert event.action == AuditAction.PERMISSION_GRANTED
    assert event.payload["role"] == Role.CME_MANAGER
    assert event.authority_id == authority.pk
    assert_no_personal_data(event, officer)


def test_a_role_they_already_hold_is_refused(
    admin: User, officer: User, client_for: ClientFor
) -> None:
    client = client_for(admin)
    seq = last_seq()
    response = client.post(
        reverse("membership_add", args=[officer.pk]), {"role": Role.CME_OFFICER.value}
    )
    assert response.status_code == 200
    assert "They already have this role" in response.content.decode()
    assert officer.memberships.count() == 1
    assert events_after(seq) == []


def test_an_administrator_deactivates_and_reactivates_a_role(
    admin: User, officer: User, client_for: ClientFor
) -> None:
    client = client_for(admin)
    membership = officer_membership(officer)
    seq = last_seq()
    response = client.post(reverse("membership_deactivate", args=[officer.pk, membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    [revoked] = events_after(seq)
    assert revoked.action == AuditAction.PERMISSION_REVOKED
    assert revoked.payload["role"] == Role.CME_OFFICER
    assert_no_personal_data(revoked, officer)

    seq = last_seq()
    response = client.post(reverse("membership_reactivate", args=[officer.pk, membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active
    [granted] = events_after(seq)
    assert granted.action == AuditAction.PERMISSION_GRANTED


def test_roles_and_accounts_change_only_by_post(
    admin: User, officer: User, client_for: ClientFor
) -> None:
    client = client_for(admin)
    membership = officer_membership(officer)
    assert (
        client.get(reverse("membership_deactivate", args=[officer.pk, membership.pk])).status_code
        == 405
    )
    assert client.get(reverse("user_deactivate", args=[officer.pk])).status_code == 405


def test_an_administrator_cannot_remove_their_own_administrator_role(
    admin: User, client_for: ClientFor
) -> None:
    client = client_for(admin)
    membership = admin.memberships.get()
    seq = last_seq()
    response = client.post(reverse("membership_deactivate", args=[admin.pk, membership.pk]))
    assert response.status_code == 200
    assert "You cannot remove your own administrator role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active
    assert events_after(seq) == []


def test_an_administrator_deactivates_and_reactivates_an_account(
    admin: User, officer: User, authority: Authority, client_for: ClientFor
) -> None:
    client = client_for(admin)
    seq = last_seq()
    response = client.post(reverse("user_deactivate", args=[officer.pk]))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    [revoked] = events_after(seq)
    assert revoked.action == AuditAction.PERMISSION_REVOKED
    assert revoked.target_id == str(officer.pk)
    assert revoked.authority_id == authority.pk
    assert_no_personal_data(revoked, officer)
    assert "Deactivated" in client.get(reverse("user_list")).content.decode()

    seq = last_seq()
    response = client.post(reverse("user_reactivate", args=[officer.pk]))
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active
    [granted] = events_after(seq)
    assert granted.action == AuditAction.PERMISSION_GRANTED


def test_a_deactivated_account_is_signed_out(
    admin: User, make_member: MakeMember, client_for: ClientFor
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    their_client = client_for(caseworker)
    assert their_client.get(reverse("home")).status_code == 200
    client_for(admin).post(reverse("user_deactivate", args=[caseworker.pk]))
    response = their_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_administrator_cannot_deactivate_themselves(admin: User, client_for: ClientFor) -> None:
    client = client_for(admin)
    seq = last_seq()
    response = client.post(reverse("user_deactivate", args=[admin.pk]))
    assert response.status_code == 200
    assert "You cannot deactivate or reactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert events_after(seq) == []


def test_an_account_with_access_elsewhere_is_not_deactivated_from_here(
    admin: User, officer: User, other_authority: Authority, client_for: ClientFor
) -> None:
    Membership.objects.create(user=officer, authority=other_authority, role=Role.AUDITOR)
    response = client_for(admin).post(reverse("user_deactivate", args=[officer.pk]))
    assert response.status_code == 200
    assert "also has access through another authority" in response.content.decode()
    officer.refresh_from_db()
    assert officer.is_active
