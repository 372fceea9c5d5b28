"""CME managers keep the named CME contacts (shown on the public page), partner agencies'
contacts, and truancy sweeps with the children met on them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import AgencyKind, PartnerAgency, Role
from cme.core.models import AuditAction, AuditEvent
from cme.intake import services
from cme.intake.models import AgencyContact, CMEContact, Referral, Route, TruancySweep
from cme.intake.tests.factories import details

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_member: Any) -> Any:
    return make_member(Role.CME_MANAGER)


CONTACT = {
    "name": "Jo Whitfield",
    "phone": "01632 960001",
    "email": "jo.whitfield@exampleshire.example",
    "hours": "Monday to Friday, 9am to 5pm",
    "order": "1",
}


def test_a_manager_adds_a_cme_contact_who_then_appears_on_the_public_page(
    manager: Any, client_for: Any, authority: Any
) -> None:
    client = client_for(manager)
    assert client.get("/directory/cme-contacts/add/").status_code == 200
    response = client.post("/directory/cme-contacts/add/", CONTACT)
    assert response.status_code == 302
    contact = CMEContact.objects.get()
    assert contact.authority == authority
    assert "Jo Whitfield" in Client().get(f"/tell-us/{authority.la_code}/").content.decode()
    event = AuditEvent.objects.get(target_type="intake.cmecontact")
    assert event.action == AuditAction.CREATED and event.actor_id == manager.pk


def test_a_cme_contact_needs_each_detail_and_keeps_what_was_typed(
    manager: Any, client_for: Any
) -> None:
    response = client_for(manager).post(
        "/directory/cme-contacts/add/", {**CONTACT, "phone": "", "email": "not-an-email"}
    )
    page = response.content.decode()
    assert "Enter a phone number" in page and "right format" in page
    assert 'value="Jo Whitfield"' in page
    assert not CMEContact.objects.exists()


def test_a_manager_changes_and_removes_a_cme_contact(
    manager: Any, client_for: Any, authority: Any
) -> None:
    contact = CMEContact.objects.create(authority=authority, **{**CONTACT, "order": 1})
    client = client_for(manager)
    response = client.post(
        f"/directory/cme-contacts/{contact.pk}/", {**CONTACT, "hours": "Weekdays"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.hours == "Weekdays"
    event = AuditEvent.objects.filter(target_type="intake.cmecontact").order_by("-seq").first()
    assert event is not None and event.payload == {"fields": ["hours"]}
    assert client.post(f"/directory/cme-contacts/{contact.pk}/remove/").status_code == 302
    assert not CMEContact.objects.exists()


def test_officers_read_the_directory_but_only_managers_change_it(
    make_member: Any, client_for: Any, authority: Any, agency: Any
) -> None:
    contact = CMEContact.objects.create(authority=authority, **{**CONTACT, "order": 1})
    AgencyContact.objects.create(agency=agency, name="Sergeant Hollis", phone="01632 960123")
    officer = client_for(make_member(Role.CME_OFFICER))
    page = officer.get("/directory/").content.decode()
    assert "Jo Whitfield" in page and "Sergeant Hollis" in page and agency.name in page
    assert "/directory/cme-contacts/add/" not in page
    assert officer.get("/directory/cme-contacts/add/").status_code == 403
    assert officer.post(f"/directory/cme-contacts/{contact.pk}/remove/").status_code == 403
    assert client_for(make_member(Role.PARTNER)).get("/directory/").status_code == 403


def test_a_manager_keeps_a_partner_agencys_contacts(
    manager: Any, client_for: Any, agency: Any
) -> None:
    client = client_for(manager)
    response = client.post(
        f"/directory/agencies/{agency.pk}/contacts/add/",
        {"name": "Dr Anand", "role": "Named GP for safeguarding", "phone": "", "email": ""},
    )
    assert "Enter a phone number or an email address" in response.content.decode()
    client.post(
        f"/directory/agencies/{agency.pk}/contacts/add/",
        {"name": "Dr Anand", "role": "Named GP", "phone": "01632 960777", "email": ""},
    )
    contact = AgencyContact.objects.get()
    assert contact.agency == agency
    client.post(
        f"/directory/agency-contacts/{contact.pk}/",
        {"name": "Dr Anand", "role": "Named GP", "phone": "", "email": "anand@nhs.example"},
    )
    contact.refresh_from_db()
    assert contact.email == "anand@nhs.example"
    client.post(f"/directory/agency-contacts/{contact.pk}/remove/")
    assert not AgencyContact.objects.exists()


def test_another_authoritys_contacts_and_agencies_are_not_found(
    make_member: Any, client_for: Any, other_authority: Any
) -> None:
    theirs = PartnerAgency.objects.create(
        authority=other_authority, name="Their Police", kind=AgencyKind.POLICE
    )
    their_contact = AgencyContact.objects.create(agency=theirs, name="PC Other", phone="1")
    their_cme = CMEContact.objects.create(authority=other_authority, **{**CONTACT, "order": 1})
    client = client_for(make_member(Role.CME_MANAGER))
    assert client.get(f"/directory/agencies/{theirs.pk}/contacts/add/").status_code == 404
    assert client.get(f"/directory/agency-contacts/{their_contact.pk}/").status_code == 404
    assert client.get(f"/directory/cme-contacts/{their_cme.pk}/").status_code == 404
    page = client.get("/directory/").content.decode()
    assert "Their Police" not in page and "PC Other" not in page


def test_the_directory_takes_a_fixed_number_of_queries(
    manager: Any,
    client_for: Any,
    authority: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(15):
        agency = PartnerAgency.objects.create(
            authority=authority, name=f"Agency {n}", kind=AgencyKind.HEALTH
        )
        for m in range(3):
            AgencyContact.objects.create(agency=agency, name=f"Person {n}-{m}", phone="1")
    client = client_for(manager)
    client.get("/directory/")
    with django_assert_max_num_queries(12):
        assert client.get("/directory/").status_code == 200


# --- Truancy sweeps -----------------------------------------------------------------------------


def test_a_manager_records_a_sweep_and_the_children_met_become_referrals(
    manager: Any, client_for: Any, authority: Any, agency: Any
) -> None:
    client = client_for(manager)
    response = client.post(
        "/sweeps/add/",
        {
            "held_on_0": "14",
            "held_on_1": "10",
            "held_on_2": "2025",
            "area": "Exampleton town centre",
            "partners": [str(agency.pk)],
            "notes": "With two police officers, 10am to 2pm",
        },
    )
    sweep = TruancySweep.objects.get()
    assert response["Location"] == f"/sweeps/{sweep.pk}/"
    assert list(sweep.partners.all()) == [agency] and sweep.held_on == date(2025, 10, 14)
    child = {
        "forename": "Kasimir",
        "surname": "Ellery",
        "age": "14",
        "sex": "M",
        "address": "22 Brook Street",
        "postcode": "",
        "school": "Exampleton Academy",
        "concern": "Said he had been excluded and had no new school",
        "in_danger": "no",
    }
    response = client.post(f"/sweeps/{sweep.pk}/children/add/", {**child, "add_another": "1"})
    assert response["Location"] == f"/sweeps/{sweep.pk}/children/add/"
    referral = Referral.objects.get()
    assert referral.route == Route.TRUANCY_SWEEP and referral.sweep == sweep
    assert referral.notified_on == date(2025, 10, 14)
    page = client.get(f"/sweeps/{sweep.pk}/").content.decode()
    assert referral.reference in page and "Kasimir Ellery" in page
    assert "1</td>" in client.get("/sweeps/").content.decode()


def test_a_case_opened_from_a_sweep_is_dated_the_day_of_the_sweep(
    manager: Any, authority: Any, agency: Any
) -> None:
    sweep = services.sweep_create(
        actor=manager, authority=authority, held_on=date(2025, 10, 14), area="Park", partners=[]
    )
    referral = services.sweep_child_add(sweep=sweep, actor=manager, child=details())
    from cme.cases.services import NewChild

    case = services.referral_open_case(
        referral=referral, actor=manager, new_child=NewChild(forename="T", surname="W")
    )
    assert case.notified_on == date(2025, 10, 14) and case.source == "other"


def test_officers_see_sweeps_but_only_managers_record_them(
    make_member: Any, client_for: Any, authority: Any, manager: Any
) -> None:
    sweep = services.sweep_create(
        actor=manager, authority=authority, held_on=date(2025, 10, 14), area="Park", partners=[]
    )
    officer = client_for(make_member(Role.CME_OFFICER))
    assert officer.get("/sweeps/").status_code == 200
    assert officer.get(f"/sweeps/{sweep.pk}/").status_code == 200
    assert officer.get("/sweeps/add/").status_code == 403
    assert officer.get(f"/sweeps/{sweep.pk}/children/add/").status_code == 403


def test_a_sweep_cannot_name_another_authoritys_partners(
    manager: Any, client_for: Any, other_authority: Any
) -> None:
    theirs = PartnerAgency.objects.create(
        authority=other_authority, name="Their Police", kind=AgencyKind.POLICE
    )
    response = client_for(manager).post(
        "/sweeps/add/",
        {
            "held_on_0": "1",
            "held_on_1": "10",
            "held_on_2": "2025",
            "area": "X",
            "partners": [theirs.pk],
        },
    )
    assert response.status_code == 200 and "<title>Error: " in response.content.decode()
    assert not TruancySweep.objects.exists()
