"""The triage queue: a CME officer sees each referral with the children and cases it may be about,
then links it, opens a case, or closes it as not missing education."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.models import Case, CaseEvent, Source
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, FormerUPN, OtherName
from cme.children.restriction import RESTRICTED_LABEL
from cme.children.services import child_seal_break
from cme.core.models import AuditAction, AuditEvent
from cme.intake import services
from cme.intake.models import NotCMEReason, Referral, Route, Status, TriageOutcome
from cme.intake.selectors import possible_matches
from cme.intake.tests.factories import make_referral

pytestmark = pytest.mark.django_db

UPN = "B801200005001"


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def test_the_queue_lists_untriaged_referrals_oldest_first(
    authority: Any, officer: Any, client_for: Any, agency: Any
) -> None:
    now = timezone.now()
    newer = make_referral(authority, route=Route.PARTNER, agency=agency)
    older = make_referral(authority, route=Route.ANOTHER_LA)
    Referral.objects.filter(pk=older.pk).update(received_at=now - timedelta(days=3))
    done = make_referral(authority)
    services.referral_close_not_cme(referral=done, actor=officer, reason=NotCMEReason.ON_ROLL)
    page = client_for(officer).get("/referrals/").content.decode()
    queue = page.split("Recently dealt with")[0]
    assert queue.index(older.reference) < queue.index(newer.reference)
    assert done.reference not in queue
    assert agency.name in queue and "Another local authority" in queue


def test_the_queue_takes_a_fixed_number_of_queries(
    authority: Any,
    officer: Any,
    client_for: Any,
    agency: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(60):
        make_referral(authority, route=Route.PARTNER, agency=agency, forename=f"C{n}")
    for referral in Referral.objects.all()[:10]:
        services.referral_link_child(referral=referral, child=make_child(authority), actor=officer)
    client = client_for(officer)
    client.get("/referrals/")
    with django_assert_max_num_queries(14):
        response = client.get("/referrals/")
    assert response.status_code == 200
    assert "50 referrals to check" in response.content.decode()


def test_opening_a_referral_marks_it_being_looked_at_and_is_audited(
    authority: Any, officer: Any, client_for: Any
) -> None:
    referral = make_referral(authority)
    assert client_for(officer).get(f"/referrals/{referral.pk}/").status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.BEING_LOOKED_AT
    viewed = AuditEvent.objects.get(action=AuditAction.VIEWED, target_type="intake.referral")
    assert viewed.actor_id == officer.pk


def test_another_authoritys_referral_is_not_found(
    authority: Any, other_authority: Any, make_member: Any, client_for: Any
) -> None:
    referral = make_referral(authority)
    outsider = client_for(make_member(Role.CME_OFFICER, of=other_authority))
    assert outsider.get(f"/referrals/{referral.pk}/").status_code == 404
    assert (
        outsider.post(f"/referrals/{referral.pk}/close/", {"reason": "on_roll"}).status_code == 404
    )
    assert referral.reference not in outsider.get("/referrals/").content.decode()


def test_caseworkers_and_others_may_not_triage(
    authority: Any, make_member: Any, client_for: Any
) -> None:
    referral = make_referral(authority)
    for role in [Role.CASEWORKER, Role.AUDITOR, Role.ADMINISTRATOR, Role.SCHOOL_USER]:
        client = client_for(make_member(role))
        assert client.get("/referrals/").status_code == 403
        assert client.get(f"/referrals/{referral.pk}/").status_code == 403


# --- Possible matches ---------------------------------------------------------------------------


def test_a_child_is_found_by_upn_first(authority: Any, officer: Any) -> None:
    by_upn = make_child(authority, forename="Quentin", surname="Ashdown", upn=UPN)
    by_name = make_child(
        authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    referral = make_referral(authority, upn=UPN)
    matches = possible_matches(referral, officer)
    assert [m.child for m in matches] == [by_upn, by_name]
    assert matches[0].reasons == ["UPN"]
    assert matches[1].reasons == ["Last name and date of birth"]


def test_a_former_upn_and_an_other_name_are_matched(authority: Any, officer: Any) -> None:
    moved = make_child(authority, forename="Anya", surname="Kowalczyk", upn="")
    FormerUPN.objects.create(child=moved, upn=UPN)
    renamed = make_child(
        authority, forename="Tobias", surname="Smith", date_of_birth=date(2013, 9, 2)
    )
    OtherName.objects.create(child=renamed, kind="former", forename="Tobias", surname="WETHERALL")
    matches = possible_matches(make_referral(authority, upn=UPN), officer)
    assert {m.child for m in matches} == {moved, renamed}


def test_name_and_date_of_birth_and_postcode_are_matched_within_the_authority_only(
    authority: Any, other_authority: Any, officer: Any
) -> None:
    same = make_child(
        authority, forename="tobias", surname="wetherall", date_of_birth=date(2013, 9, 2)
    )
    initial = make_child(authority, forename="Theo", surname="Wetherall", date_of_birth=None)
    first_name = make_child(
        authority, forename="Tobias", surname="Jones", date_of_birth=date(2013, 9, 2)
    )
    at_address = make_child(authority, forename="Maisie", surname="Orr")
    Address.objects.create(
        child=at_address, line1="4 Pond Lane", postcode="EX3 9ZZ", is_current=True
    )
    make_child(authority, forename="Ursula", surname="Wetherall")  # another initial: not matched
    make_child(
        other_authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    matches = possible_matches(make_referral(authority, postcode="EX3 9ZZ"), officer)
    found = {m.child: m.reasons for m in matches}
    assert found == {
        same: ["Last name and date of birth"],
        first_name: ["Date of birth and first name"],
        initial: ["Last name and first initial"],
        at_address: ["Postcode of current address"],
    }
    assert matches[0].child == same


def test_a_restricted_child_appears_only_as_the_label(
    authority: Any, officer: Any, client_for: Any, make_member: Any
) -> None:
    hidden = make_child(
        authority,
        forename="Tobias",
        surname="Wetherall",
        date_of_birth=date(2013, 9, 2),
        upn=UPN,
        is_restricted=True,
        restriction_reason="Refuge",
    )
    Address.objects.create(
        child=hidden, line1="1 Safe House Row", postcode="EX9 9XX", is_current=True
    )
    owner = make_member(Role.CME_OFFICER)
    case = open_case(authority, owner, child=hidden, owner=owner)
    referral = make_referral(authority, upn=UPN)
    page = client_for(officer).get(f"/referrals/{referral.pk}/").content.decode()
    matches_part = page.split('id="matches"')[1]
    assert RESTRICTED_LABEL in matches_part
    assert UPN not in matches_part and "2 September 2013" not in matches_part
    assert "Safe House" not in page
    assert owner.full_name in matches_part and case.reference in matches_part
    assert f"/referrals/{referral.pk}/link-child/" not in page

    # Nor is a restricted child found by where they live.
    by_postcode = make_referral(authority, forename="", surname="", postcode="EX9 9XX")
    assert possible_matches(by_postcode, officer) == []

    # With a grant, the officer sees who it is.
    child_seal_break(child=hidden, actor=officer, reason="Checking a referral about this child")
    page = client_for(officer).get(f"/referrals/{referral.pk}/").content.decode()
    assert "Tobias Wetherall" in page.split('id="matches"')[1]


# --- Actions ------------------------------------------------------------------------------------


def test_link_to_an_existing_case_notes_it_on_the_case_timeline(
    authority: Any, officer: Any, client_for: Any, agency: Any
) -> None:
    child = make_child(
        authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    case = open_case(authority, officer, child=child)
    referral = make_referral(authority, route=Route.PARTNER, agency=agency)
    client = client_for(officer)
    assert (
        f"/referrals/{referral.pk}/link-case/{case.pk}/"
        in client.get(f"/referrals/{referral.pk}/").content.decode()
    )
    response = client.post(f"/referrals/{referral.pk}/link-case/{case.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    referral.refresh_from_db()
    assert referral.outcome == TriageOutcome.LINKED_TO_CASE
    assert referral.case == case and referral.child == child
    assert referral.status == Status.BEING_LOOKED_AT
    assert referral.triaged_by == officer and referral.triaged_at is not None
    assert referral.route == Route.PARTNER and referral.referrer_agency == agency  # kept
    event = CaseEvent.objects.get(case=case, summary__startswith="Referral")
    assert event.summary == f"Referral {referral.reference} received from {agency.name}"


def test_link_to_a_known_child_opens_nothing(authority: Any, officer: Any, client_for: Any) -> None:
    child = make_child(
        authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    referral = make_referral(authority)
    response = client_for(officer).post(f"/referrals/{referral.pk}/link-child/{child.pk}/")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == TriageOutcome.LINKED_TO_CHILD and referral.child == child
    assert referral.status == Status.CLOSED and referral.case is None
    assert not Case.objects.exists()


def test_open_a_new_case_for_a_new_child_dated_when_we_were_told(
    authority: Any, officer: Any, client_for: Any
) -> None:
    referral = make_referral(authority, forename="Tobias", surname="Wetherall")
    told = timezone.now() - timedelta(days=6)
    Referral.objects.filter(pk=referral.pk).update(received_at=told)
    client = client_for(officer)
    page = client.get(f"/referrals/{referral.pk}/open-case/").content.decode()
    assert 'value="Tobias"' in page and 'value="Wetherall"' in page  # prefilled
    response = client.post(
        f"/referrals/{referral.pk}/open-case/",
        {
            "forename": "Tobias",
            "surname": "Wetherall",
            "date_of_birth_0": "2",
            "date_of_birth_1": "9",
            "date_of_birth_2": "2013",
            "sex": "M",
            "upn": "",
            "source": Source.PUBLIC,
            "priority": "3_medium",
            "owner": "",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.notified_on == timezone.localdate(told)
    assert case.source == Source.PUBLIC and case.child.surname == "Wetherall"
    referral.refresh_from_db()
    assert referral.outcome == TriageOutcome.CASE_OPENED and referral.case == case
    assert CaseEvent.objects.filter(
        case=case, summary=f"Referral {referral.reference} received from a member of the public"
    ).exists()


def test_open_a_new_case_for_a_known_child(authority: Any, officer: Any, client_for: Any) -> None:
    child = make_child(
        authority, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    referral = make_referral(authority)
    client = client_for(officer)
    page = client.get(f"/referrals/{referral.pk}/open-case/?child={child.pk}").content.decode()
    assert 'name="forename"' not in page and "Tobias Wetherall" in page
    response = client.post(
        f"/referrals/{referral.pk}/open-case/?child={child.pk}",
        {"source": Source.PARENT, "priority": "2_high", "owner": str(officer.pk)},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.child == child and case.owner == officer and case.priority == "2_high"


def test_a_child_of_another_authority_cannot_be_used(
    authority: Any, other_authority: Any, officer: Any, client_for: Any
) -> None:
    stranger = make_child(other_authority)
    referral = make_referral(authority)
    client = client_for(officer)
    assert client.get(f"/referrals/{referral.pk}/open-case/?child={stranger.pk}").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/link-child/{stranger.pk}/").status_code == 404
    other_case = open_case(other_authority, officer, child=stranger)
    assert client.post(f"/referrals/{referral.pk}/link-case/{other_case.pk}/").status_code == 404
    referral.refresh_from_db()
    assert not referral.is_triaged


def test_close_as_not_cme_needs_a_reason_and_keeps_the_route(
    authority: Any, officer: Any, client_for: Any, agency: Any
) -> None:
    referral = make_referral(authority, route=Route.PARTNER, agency=agency)
    client = client_for(officer)
    response = client.post(f"/referrals/{referral.pk}/close/", {"reason": "", "note": ""})
    assert "Choose why this child is not missing education" in response.content.decode()
    response = client.post(f"/referrals/{referral.pk}/close/", {"reason": "other", "note": " "})
    assert "Say why this child is not missing education" in response.content.decode()
    response = client.post(
        f"/referrals/{referral.pk}/close/",
        {"reason": NotCMEReason.NOT_RESIDENT, "note": "Family lives in Otherborough"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.outcome == TriageOutcome.NOT_CME
    assert referral.not_cme_reason == NotCMEReason.NOT_RESIDENT
    assert referral.referrer_agency == agency and referral.route == Route.PARTNER
    event = AuditEvent.objects.filter(target_type="intake.referral").order_by("-seq").first()
    assert event is not None
    assert event.payload["reason"] == "not_resident" and event.payload["note_given"] is True
    assert "Otherborough" not in str(event.payload)


@pytest.mark.parametrize("reason", list(NotCMEReason))
def test_each_not_cme_reason_closes_the_referral(
    reason: NotCMEReason, authority: Any, officer: Any
) -> None:
    referral = services.referral_close_not_cme(
        referral=make_referral(authority), actor=officer, reason=reason, note="Checked"
    )
    assert referral.not_cme_reason == reason and referral.status == Status.CLOSED


def test_a_referral_is_dealt_with_once(authority: Any, officer: Any, make_member: Any) -> None:
    referral = make_referral(authority)
    stale_copy = Referral.objects.get(pk=referral.pk)
    services.referral_close_not_cme(referral=referral, actor=officer, reason=NotCMEReason.DUPLICATE)
    with pytest.raises(services.ReferralRefused, match="already dealt with"):
        services.referral_link_child(
            referral=stale_copy, child=make_child(authority), actor=make_member(Role.CME_MANAGER)
        )
    referral.refresh_from_db()
    assert referral.outcome == TriageOutcome.NOT_CME and referral.child is None


def test_the_action_pages_of_a_dealt_with_referral_go_back_to_it(
    authority: Any, officer: Any, client_for: Any
) -> None:
    referral = make_referral(authority)
    services.referral_close_not_cme(referral=referral, actor=officer, reason=NotCMEReason.ON_ROLL)
    client = client_for(officer)
    for part in ["open-case/", "close/"]:
        response = client.get(f"/referrals/{referral.pk}/{part}")
        assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "On a school roll".lower() in page.lower() and "Possible matches" not in page


def test_the_referral_page_takes_a_fixed_number_of_queries_however_many_matches(
    authority: Any, officer: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        child = make_child(
            authority, forename=f"T{n}", surname="Wetherall", date_of_birth=date(2013, 9, 2)
        )
        open_case(authority, officer, child=child)
    referral = make_referral(authority)
    client = client_for(officer)
    client.get(f"/referrals/{referral.pk}/")
    with django_assert_max_num_queries(24):
        response = client.get(f"/referrals/{referral.pk}/")
    assert response.content.decode().count("Link to this case") == 25  # MATCH_LIMIT
