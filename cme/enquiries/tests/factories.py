"""Builders for enquiry tests: a child with every detail an enquiry carries, and a third
authority for the blanket rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from cme.accounts.models import Authority
from cme.cases.models import Case
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import (
    Address,
    Carer,
    Child,
    ChildVulnerability,
    OtherName,
    RestrictionGrant,
    Sibling,
)
from cme.enquiries import services
from cme.enquiries.models import DirectoryEntry, Enquiry

# Every location value a full child carries: none may travel for a restricted child.
LOCATIONS = {
    "line1": "14 Quarry Bank Road",
    "town": "Exampleton",
    "postcode": "EX4 7QT",
    "school": "Brookfield Primary School",
    "new_address": "Flat 3, 88 Tannery Lane",
    "new_school": "Lowmoor Academy",
    "carer_phone": "07700900123",
    "carer_email": "parent@example.com",
    "carer_address": "9 Orchard Close",
}


def full_case(authority: Authority, actor: Any, *, restricted: bool = False) -> Case:
    child = make_child(
        authority,
        forename="Ruby",
        middle_names="Mae",
        surname="Castellano",
        preferred_forename="Rubes",
        ethnicity="WIRT",
        country_of_origin="Portugal",
        upn="B801200005001",
        child_protection_plan=True,
        is_restricted=restricted,
        restriction_reason="Refuge" if restricted else "",
    )
    OtherName.objects.create(child=child, kind="alias", forename="Ruby", surname="Castle")
    Address.objects.create(
        child=child,
        line1=LOCATIONS["line1"],
        town=LOCATIONS["town"],
        postcode=LOCATIONS["postcode"],
        is_current=True,
    )
    Carer.objects.create(
        child=child,
        full_name="Marisa Castellano",
        relationship="mother",
        has_parental_responsibility=True,
        lives_with_child=True,
        phone=LOCATIONS["carer_phone"],
        email=LOCATIONS["carer_email"],
        address=LOCATIONS["carer_address"],
    )
    Sibling.objects.create(child=child, full_name="Leo Castellano", date_of_birth=date(2016, 2, 1))
    ChildVulnerability.objects.create(child=child, group="refugee_family")
    if restricted:
        # The officer working the case has broken the seal: only they may write an enquiry.
        grant(child, actor)
    return open_case(
        authority,
        actor,
        child=child,
        last_placement_other=LOCATIONS["school"],
        last_attended_on=date(2026, 9, 30),
    )


def grant(child: Child, user: Any) -> RestrictionGrant:
    return RestrictionGrant.objects.create(
        child=child, user=user, granted_by=user, reason="Working the case"
    )


def entry(authority: Authority) -> DirectoryEntry:
    return services.directory_entry_for(authority)


def extra(**fields: str) -> dict[str, str]:
    return {
        "possible_new_address": LOCATIONS["new_address"],
        "possible_new_school": LOCATIONS["new_school"],
        "date_left_area": "2026-10-02",
        "reason_for_leaving": "Family said they were moving to be near relatives",
        "attendance_interventions": "Attendance panel in September",
        **fields,
    }


def send(case: Case, actor: Any, to: Authority, **fields: str) -> Enquiry:
    draft = services.enquiry_prepare(
        case=case,
        actor=actor,
        to=entry(to),
        reason="The mother's new tenancy is in their area",
        extra=extra(**fields) if not case.child.is_restricted else {},
    )
    return services.enquiry_send(enquiry=draft, actor=actor)


def enquiries_world(authority: Authority, colleague: Any, case: Case) -> dict[str, Any]:
    """For the access matrix: the authority's entry and a contact, a draft, one waiting for
    approval and one received. Neighbours use codes 981–984 (991 is the matrix's outsider)."""
    from cme.cases.tests.factories import make_child
    from cme.enquiries.models import DirectoryContact, MessageKind

    neighbours = [
        Authority.objects.create(name=f"Neighbour {n}", la_code=f"98{n}") for n in range(1, 5)
    ]
    own = entry(authority)
    contact = DirectoryContact.objects.create(entry=own, name="Named officer", email="n@ex.example")
    draft = services.enquiry_prepare(
        case=case, actor=colleague, to=entry(neighbours[0]), reason="Seen there", extra={}
    )
    asked = open_case(authority, colleague, child=make_child(authority, surname="Asked"))
    for neighbour in neighbours[:3]:
        send(asked, colleague, neighbour)
    waiting = send(asked, colleague, neighbours[3])
    received = services.message_accept(
        envelope={
            "message_id": "00000000-0000-4000-8000-000000000001",
            "kind": MessageKind.ENQUIRY,
            "sender": neighbours[0].la_code,
            "recipient": authority.la_code,
            "body": {
                "enquiry": "00000000-0000-4000-8000-000000000002",
                "reference": "981-000001",
                "reason": "Aunt lives in your area",
                "details": {"forename": "Sam", "surname": "Perrin", "sex": "M"},
                "indicators": {},
            },
        }
    )
    return {
        "directory_entry": own,
        "directory_contact": contact,
        "enquiry_draft": draft,
        "enquiry_waiting": waiting,
        "enquiry_received": received,
    }
