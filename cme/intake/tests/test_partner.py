"""Partner agencies refer children with richer details, and then see only the status of their own
referrals: received, being looked at, closed. Never a case's details."""

from __future__ import annotations

from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases import services as case_services
from cme.cases.models import Outcome, Source, Stage
from cme.children.models import ChildVulnerability, VulnerableGroup
from cme.core.models import AuditAction, AuditEvent
from cme.intake import services
from cme.intake.models import Referral, Route, Status
from cme.intake.tests.factories import details

pytestmark = pytest.mark.django_db


def referral_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "forename": "Ignatius",
        "surname": "Fairbrother",
        "other_names": "Iggy",
        "date_of_birth_0": "4",
        "date_of_birth_1": "11",
        "date_of_birth_2": "2012",
        "sex": "M",
        "upn": "B801200005001",
        "address": "Flat 3, 12 Canal Street",
        "postcode": "EX2 4QT",
        "carers": "Rosalind Fairbrother (mother)",
        "languages": "English, Polish",
        "school": "Meadow Lane Primary School",
        "last_seen_on_0": "1",
        "last_seen_on_1": "9",
        "last_seen_on_2": "2025",
        "vulnerable_groups": ["homeless", "young_carer"],
        "concern": "Family placed in temporary accommodation; no school place since September.",
        "in_danger": "no",
        "agency_reference": "POL/2025/0413",
    }
    data.update(overrides)
    return data


@pytest.fixture
def partner(make_member: Any) -> Any:
    return make_member(Role.PARTNER)


def test_a_partner_refers_a_child_with_their_agency_recorded(
    partner: Any, client_for: Any, agency: Any
) -> None:
    client = client_for(partner)
    assert client.get("/referrals/new/").status_code == 200
    response = client.post("/referrals/new/", referral_form())
    assert response.status_code == 302 and response["Location"] == "/referrals/mine/"
    referral = Referral.objects.get()
    assert referral.route == Route.PARTNER
    assert referral.referrer_agency == agency and referral.referred_by == partner
    assert referral.child_upn == "B801200005001" and referral.agency_reference == "POL/2025/0413"
    assert referral.vulnerable_groups == ["homeless", "young_carer"]
    assert referral.child_date_of_birth is not None and referral.last_seen_on is not None
    event = AuditEvent.objects.get(target_type="intake.referral", action=AuditAction.CREATED)
    assert event.actor_id == partner.pk and event.payload["agency"] == agency.pk
    assert "Fairbrother" not in str(event.payload)


def test_a_partner_referral_needs_the_childs_name_and_the_concern(
    partner: Any, client_for: Any
) -> None:
    response = client_for(partner).post(
        "/referrals/new/", referral_form(forename="", concern="", upn="A801200005001")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert "Enter the child&#x27;s first name" in page
    assert "check letter" in page
    assert 'value="Fairbrother"' in page
    assert not Referral.objects.exists()


def test_a_partner_sees_only_the_status_of_their_referrals_never_the_case(
    partner: Any, client_for: Any, make_member: Any, agency: Any, authority: Any
) -> None:
    client = client_for(partner)
    client.post("/referrals/new/", referral_form())
    referral = Referral.objects.get()
    page = client.get("/referrals/mine/").content.decode()
    assert referral.reference in page and "Received" in page
    assert "Fairbrother" not in page  # not even what they typed

    officer = make_member(Role.CME_OFFICER)
    case = services.referral_open_case(
        referral=referral,
        actor=officer,
        new_child=case_services.NewChild(forename="Ignatius", surname="Fairbrother"),
    )
    page = client.get("/referrals/mine/").content.decode()
    assert "Being looked at" in page
    for hidden in [case.reference, "Fairbrother", "New case opened", officer.full_name]:
        assert hidden not in page
    assert f"/cases/{case.pk}/" not in page

    case_services.case_transition(
        case=case, to=Stage.CLOSED, actor=officer, version=case.version, outcome=Outcome.NOT_CME
    )
    page = client.get("/referrals/mine/").content.decode()
    assert ">Closed<" in page and Outcome.NOT_CME.label not in page


def test_another_partner_in_the_same_authority_does_not_see_it(
    partner: Any, client_for: Any, make_member: Any
) -> None:
    client_for(partner).post("/referrals/new/", referral_form())
    reference = Referral.objects.get().reference
    colleague = make_member(Role.PARTNER)  # same authority, same agency, another person
    page = client_for(colleague).get("/referrals/mine/").content.decode()
    assert reference not in page and "not referred any children yet" in page
    # And partners cannot reach the triage pages at all.
    referral = Referral.objects.get()
    assert client_for(colleague).get(f"/referrals/{referral.pk}/").status_code == 403
    assert client_for(partner).get(f"/referrals/{referral.pk}/").status_code == 403
    assert client_for(partner).get("/referrals/").status_code == 403


def test_only_partners_refer_through_the_partner_form(make_member: Any, client_for: Any) -> None:
    for role in [Role.CME_OFFICER, Role.SCHOOL_USER, Role.AUDITOR]:
        assert client_for(make_member(role)).get("/referrals/new/").status_code == 403


def test_the_partner_list_takes_a_fixed_number_of_queries(
    partner: Any, agency: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        services.referral_submit_partner(
            actor=partner, agency=agency, child=details(forename=f"Child{n}")
        )
    client = client_for(partner)
    client.get("/referrals/mine/")
    with django_assert_max_num_queries(12):
        assert client.get("/referrals/mine/").status_code == 200


def test_opening_a_case_from_a_partner_referral_maps_the_source_and_copies_details(
    partner: Any, agency: Any, make_member: Any
) -> None:
    referral = services.referral_submit_partner(
        actor=partner,
        agency=agency,
        child=details(
            address="Flat 3, 12 Canal Street",
            postcode="EX2 4QT",
            vulnerable_groups=(VulnerableGroup.HOMELESS,),
        ),
    )
    case = services.referral_open_case(
        referral=referral,
        actor=make_member(Role.CME_OFFICER),
        new_child=case_services.NewChild(forename="Tobias", surname="Wetherall"),
    )
    assert case.source == Source.POLICE
    assert case.child.addresses.get().postcode == "EX2 4QT"
    assert ChildVulnerability.objects.filter(child=case.child, group="homeless").exists()
    referral.refresh_from_db()
    assert referral.status == Status.BEING_LOOKED_AT and referral.case == case
