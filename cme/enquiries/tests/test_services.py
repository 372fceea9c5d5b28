"""Sending, receiving and answering enquiries between two authorities on one deployment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Case, CaseEvent, EnquiryKind, Stage, Task
from cme.cases.models import Enquiry as ChecklistRow
from cme.cases.tests.factories import open_case
from cme.core.models import AuditEvent
from cme.enquiries import information, services
from cme.enquiries.models import (
    Answer,
    CheckKind,
    Delivery,
    Direction,
    Enquiry,
    OutboxMessage,
    Risk,
    Status,
)
from cme.enquiries.tests.factories import LOCATIONS, entry, extra, full_case, send

pytestmark = pytest.mark.django_db


def incoming_for(outgoing: Enquiry) -> Enquiry:
    return Enquiry.objects.get(uid=outgoing.uid, direction=Direction.INCOMING)


def test_an_enquiry_to_a_hosted_authority_lands_in_its_queue_with_the_basic_information(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    sent = send(case, people["officer"], other_authority)

    assert sent.status == Status.SENT
    received = incoming_for(sent)
    assert received.authority == other_authority
    assert received.counterpart.la_code == authority.la_code
    assert received.status == Status.RECEIVED
    assert received.their_reference == case.reference
    # §3.3.3.1, every item.
    d = received.details
    assert (d["forename"], d["middle_names"], d["surname"]) == ("Ruby", "Mae", "Castellano")
    assert d["other_names"] == [{"forename": "Ruby", "surname": "Castle", "kind": "alias"}]
    assert d["date_of_birth"] == str(case.child.date_of_birth)
    assert d["sex"] == "F" and d["ethnicity"] == "WIRT"
    assert d["carers"][0]["name"] == "Marisa Castellano"
    assert d["carers"][0]["parental_responsibility"] is True
    assert d["siblings"] == [{"name": "Leo Castellano", "date_of_birth": "2016-02-01"}]
    assert LOCATIONS["line1"] in d["previous_address"]
    assert d["previous_school"] == LOCATIONS["school"]
    assert d["last_attended_on"] == "2026-09-30"
    assert d["possible_new_address"] == LOCATIONS["new_address"]
    assert d["possible_new_school"] == LOCATIONS["new_school"]
    assert d["date_left_area"] == "2026-10-02"
    assert d["country_of_origin"] == "Portugal"
    # §3.3.3.3
    i = received.indicators
    assert i["child_protection_plan"] is True and i["asylum_seeker"] is True
    assert i["reason_for_leaving"].startswith("Family said")
    assert i["attendance_interventions"] == "Attendance panel in September"
    assert received.reason == "The mother's new tenancy is in their area"
    # A child-protection plan starts it at high priority, answer due in 5 working days.
    assert received.priority == "2_high"
    assert received.due_on == services.working_days_after(timezone.localdate(), 5)
    # Carers' contact details never travel, restricted or not.
    body = str(OutboxMessage.objects.get(enquiry=sent).body)
    for secret in ("carer_phone", "carer_email", "carer_address"):
        assert LOCATIONS[secret] not in body
    assert OutboxMessage.objects.get(enquiry=sent).status == Delivery.DELIVERED
    assert CaseEvent.objects.filter(case=case, summary__startswith="Enquiry sent to").exists()


def test_a_restricted_childs_location_never_leaves_in_any_field(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    sent = send(case, people["officer"], other_authority)

    travelled = str(OutboxMessage.objects.get(enquiry=sent).body) + str(incoming_for(sent).details)
    for value in LOCATIONS.values():
        assert value not in travelled
    # The UPN names the LA and school that issued it: it stays behind too.
    assert case.child.upn not in travelled
    for key in information.WITHHELD_KEYS:
        assert key not in incoming_for(sent).details
    assert incoming_for(sent).details["restricted"] is True
    # The rest of the basic information still goes.
    assert incoming_for(sent).details["surname"] == "Castellano"


@pytest.mark.parametrize(
    "field",
    ["possible_new_address", "possible_new_school"],
)
def test_a_restricted_childs_possible_new_location_is_refused_not_dropped(
    authority: Authority, other_authority: Authority, people: dict[str, Any], field: str
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    with pytest.raises(services.EnquiryRefused, match="restricted"):
        services.enquiry_prepare(
            case=case,
            actor=people["officer"],
            to=entry(other_authority),
            reason="Seen nearby",
            extra={field: "Somewhere"},
        )


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("reason", "Seen at EX4 7QT last week"),
        ("reason", "Living near 14 Quarry Bank Road still"),
        ("reason_for_leaving", "Left Brookfield Primary School suddenly"),
        ("attendance_interventions", "Panel held at OL8 2AB"),
    ],
)
def test_free_text_naming_a_restricted_childs_place_is_refused(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    field: str,
    text: str,
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    reason = text if field == "reason" else "Relatives there"
    fields = {} if field == "reason" else {field: text}
    with pytest.raises(services.EnquiryRefused, match="restricted"):
        services.enquiry_prepare(
            case=case,
            actor=people["officer"],
            to=entry(other_authority),
            reason=reason,
            extra=fields,
        )
    assert not OutboxMessage.objects.exists()


def test_one_enquiry_goes_to_one_authority_and_not_twice_while_unanswered(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    send(case, people["officer"], other_authority)
    with pytest.raises(services.EnquiryRefused, match="already has an enquiry"):
        send(case, people["officer"], other_authority)
    with pytest.raises(services.EnquiryRefused, match="your own"):
        send(case, people["officer"], authority)


def test_a_fourth_authority_within_30_days_needs_a_managers_approval_with_a_reason(
    authority: Authority, people: dict[str, Any]
) -> None:
    others = [
        Authority.objects.create(name=f"Neighbour {n}", la_code=f"97{n}") for n in range(1, 6)
    ]
    case = full_case(authority, people["officer"])
    for neighbour in others[:3]:
        assert send(case, people["officer"], neighbour).status == Status.SENT
    fourth = send(case, people["officer"], others[3])
    assert fourth.status == Status.AWAITING_APPROVAL
    assert not Enquiry.objects.filter(uid=fourth.uid, direction=Direction.INCOMING).exists()

    with pytest.raises(services.EnquiryRefused, match="manager"):
        services.enquiry_approve(
            enquiry=fourth, actor=people["officer"], approve=True, reason="Please"
        )
    with pytest.raises(services.EnquiryRefused, match="reason"):
        services.enquiry_approve(enquiry=fourth, actor=people["manager"], approve=True, reason="")
    approved = services.enquiry_approve(
        enquiry=fourth, actor=people["manager"], approve=True, reason="Grandmother lives there"
    )
    assert approved.status == Status.SENT
    assert Enquiry.objects.filter(uid=fourth.uid, direction=Direction.INCOMING).exists()

    # Enquiries older than 30 days no longer count.
    Enquiry.objects.filter(direction=Direction.OUTGOING).update(
        sent_at=timezone.now() - timedelta(days=31)
    )
    assert send(case, people["officer"], others[4]).status == Status.SENT


def test_a_manager_may_refuse_a_blanket_enquiry(
    authority: Authority, people: dict[str, Any]
) -> None:
    others = [Authority.objects.create(name=f"N {n}", la_code=f"98{n}") for n in range(4)]
    case = full_case(authority, people["officer"])
    for neighbour in others[:3]:
        send(case, people["officer"], neighbour)
    fourth = send(case, people["officer"], others[3])
    refused = services.enquiry_approve(
        enquiry=fourth, actor=people["manager"], approve=False, reason="Local checks first"
    )
    assert refused.status == Status.NOT_APPROVED
    assert OutboxMessage.objects.filter(enquiry=fourth).count() == 0


def test_the_receiving_authority_assesses_before_any_home_visit_and_the_level_sets_priority(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    sent = send(full_case(authority, people["officer"]), people["officer"], other_authority)
    received = incoming_for(sent)
    theirs = people["their_officer"]
    with pytest.raises(services.EnquiryRefused, match="before any home visit"):
        services.check_record(
            enquiry=received,
            actor=theirs,
            kind=CheckKind.HOME_VISIT,
            made_on=timezone.localdate(),
            outcome="Nobody in",
        )
    services.incoming_assess(enquiry=received, actor=theirs, risk=Risk.HIGH, notes="Go with SW")
    received.refresh_from_db()
    assert received.status == Status.ASSESSED
    assert received.priority == "1_urgent"
    assert received.due_on == services.working_days_after(
        timezone.localtime(received.received_at).date(), 2
    )
    services.check_record(
        enquiry=received,
        actor=theirs,
        kind=CheckKind.HOME_VISIT,
        made_on=timezone.localdate(),
        outcome="Family in, child seen",
    )


def test_an_answer_needs_the_checks_it_rests_on(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    sent = send(full_case(authority, people["officer"]), people["officer"], other_authority)
    received = incoming_for(sent)
    theirs = people["their_officer"]
    with pytest.raises(services.EnquiryRefused, match="Assess"):
        services.incoming_answer(
            enquiry=received, actor=theirs, answer=Answer.NOT_KNOWN, message=""
        )
    services.incoming_assess(enquiry=received, actor=theirs, risk=Risk.LOW, notes="")
    with pytest.raises(services.EnquiryRefused, match="independent schools"):
        services.incoming_answer(
            enquiry=received, actor=theirs, answer=Answer.NOT_KNOWN, message=""
        )
    with pytest.raises(services.EnquiryRefused, match="home visit"):
        services.incoming_answer(
            enquiry=received, actor=theirs, answer=Answer.VISITED_NO_TRACE, message=""
        )


def test_found_in_the_other_area_hands_the_case_over(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    sent = send(case, people["officer"], other_authority)
    received = incoming_for(sent)
    theirs = people["their_officer"]
    services.incoming_assess(enquiry=received, actor=theirs, risk=Risk.MEDIUM, notes="")
    services.incoming_answer(
        enquiry=received, actor=theirs, answer=Answer.FOUND_ON_ROLL, message="On roll at Lowmoor"
    )

    sent.refresh_from_db()
    assert sent.status == Status.ANSWERED
    assert sent.answer == Answer.FOUND_ON_ROLL
    assert sent.answer_message == "On roll at Lowmoor"
    assert sent.answered_by == theirs.full_name
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.outcome == "moved_la"
    row = ChecklistRow.objects.get(case=case, kind=EnquiryKind.NEW_LA)
    assert "Found on a school roll" in row.outcome
    assert CaseEvent.objects.filter(
        case=case, summary=f"{other_authority.name} answered the enquiry: Found on a school roll"
    ).exists()


def test_not_known_leaves_the_case_open_with_a_task_to_decide_the_next_enquiry(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    received = incoming_for(send(case, people["officer"], other_authority))
    theirs = people["their_officer"]
    services.incoming_assess(enquiry=received, actor=theirs, risk=Risk.LOW, notes="")
    for kind in (CheckKind.LOCAL_SCHOOLS, CheckKind.INDEPENDENT_SCHOOLS, CheckKind.LA_DATABASES):
        services.check_record(
            enquiry=received, actor=theirs, kind=kind, made_on=timezone.localdate(), outcome="No"
        )
    services.incoming_answer(enquiry=received, actor=theirs, answer=Answer.NOT_KNOWN, message="")
    case.refresh_from_db()
    assert case.stage != Stage.CLOSED
    assert Task.objects.filter(case=case, title__contains="not known to us").exists()


def test_found_but_required_actions_open_gives_a_task_instead_of_closing(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    Task.objects.create(case=case, kind="police_referral", title="Refer", due_on=date.today())
    received = incoming_for(send(case, people["officer"], other_authority))
    theirs = people["their_officer"]
    services.incoming_assess(enquiry=received, actor=theirs, risk=Risk.LOW, notes="")
    services.incoming_answer(
        enquiry=received, actor=theirs, answer=Answer.FOUND_ON_ROLL, message=""
    )
    case.refresh_from_db()
    assert case.stage != Stage.CLOSED
    assert Task.objects.filter(case=case, title__contains="close the case as moved").exists()


def test_the_receiving_side_may_open_a_case_from_the_enquiry(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    received = incoming_for(
        send(
            full_case(authority, people["officer"], restricted=True),
            people["officer"],
            other_authority,
        )
    )
    case = services.incoming_open_case(enquiry=received, actor=people["their_officer"])
    assert case.authority == other_authority
    assert case.source == "another_la"
    assert (case.child.forename, case.child.surname) == ("Ruby", "Castellano")
    assert case.child.is_restricted  # restricted there, restricted here
    assert case.child.other_names.count() == 1 and case.child.carers.count() == 1
    assert CaseEvent.objects.filter(case=case, summary__contains="from an enquiry").exists()
    services.incoming_assess(
        enquiry=received, actor=people["their_officer"], risk=Risk.LOW, notes=""
    )
    assert CaseEvent.objects.filter(case=case, summary__contains="vulnerability assessed").exists()


def test_overdue_enquiries_escalate_to_the_manager_once(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    received = incoming_for(
        send(full_case(authority, people["officer"]), people["officer"], other_authority)
    )
    assert received.due_on is not None
    later = received.due_on + timedelta(days=1)
    assert services.overdue_escalate(today=received.due_on) == []
    escalated = services.overdue_escalate(today=later)
    assert [e.pk for e in escalated] == [received.pk]
    assert services.overdue_escalate(today=later) == []
    assert services.escalations_notify(enquiries=escalated) == 1
    assert mail.outbox[0].to == [people["their_manager"].email]
    assert "Ruby" not in mail.outbox[0].body and "Castellano" not in mail.outbox[0].body


def test_every_change_is_audited_without_the_childs_details(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    send(full_case(authority, people["officer"]), people["officer"], other_authority)
    trail = list(AuditEvent.objects.filter(target_type="enquiries.enquiry"))
    assert {e.authority_id for e in trail} == {authority.pk, other_authority.pk}
    assert "Castellano" not in str([e.payload for e in AuditEvent.objects.all()])


def test_a_caseworker_case_without_a_child_detail_still_sends(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case: Case = open_case(authority, people["officer"])
    sent = services.enquiry_send(
        enquiry=services.enquiry_prepare(
            case=case,
            actor=people["officer"],
            to=entry(other_authority),
            reason="Told by school",
            extra=extra(),
        ),
        actor=people["officer"],
    )
    assert incoming_for(sent).details["previous_address"] == ""


def test_a_draft_is_not_sent_once_its_case_is_closed(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    from cme.cases import services as case_services

    case = full_case(authority, people["officer"])
    draft = services.enquiry_prepare(
        case=case, actor=people["officer"], to=entry(other_authority), reason="Seen", extra={}
    )
    case_services.case_transition(
        case=case, to="closed", actor=people["officer"], version=case.version, outcome="died"
    )
    with pytest.raises(services.EnquiryRefused, match="Reopen"):
        services.enquiry_send(enquiry=draft, actor=people["officer"])
    assert not OutboxMessage.objects.exists()
