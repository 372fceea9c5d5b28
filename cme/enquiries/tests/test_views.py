"""The pages: directory, sending from a case (with the check page), the queue and answering."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Role
from cme.cases.models import Stage
from cme.enquiries import services
from cme.enquiries.models import Direction, DirectoryContact, Enquiry, Status
from cme.enquiries.tests.factories import LOCATIONS, entry, full_case, send

pytestmark = pytest.mark.django_db


def test_the_directory_lists_every_authority_and_managers_keep_only_their_own(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    client_for: Any,
) -> None:
    page = client_for(people["officer"]).get(reverse("enquiry_directory"))
    assert page.status_code == 200
    assert authority.name in page.text and other_authority.name in page.text
    assert "Add a named contact" not in page.text

    manager = client_for(people["manager"])
    own, theirs = entry(authority), entry(other_authority)
    assert "Add a named contact" in manager.get(reverse("enquiry_directory")).text
    added = manager.post(
        reverse("enquiry_directory_contact_add", args=[own.pk]),
        {"name": "Priya Sharma", "job_title": "CME officer", "email": "p@ex.example", "phone": ""},
    )
    assert added.status_code == 302
    contact = DirectoryContact.objects.get()
    assert (
        "Priya Sharma" in client_for(people["their_officer"]).get(reverse("enquiry_directory")).text
    )
    # Another authority's managers cannot change this entry.
    assert (
        client_for(people["their_manager"])
        .get(reverse("enquiry_directory_contact_add", args=[own.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(people["their_manager"])
        .post(reverse("enquiry_directory_contact_remove", args=[contact.pk]))
        .status_code
        == 404
    )
    assert (
        manager.get(reverse("enquiry_directory_contact_add", args=[theirs.pk])).status_code == 404
    )
    assert (
        manager.post(reverse("enquiry_directory_contact_remove", args=[contact.pk])).status_code
        == 302
    )
    assert not DirectoryContact.objects.exists()


def test_an_officer_sends_from_the_case_after_checking_what_will_travel(
    authority: Authority, other_authority: Authority, people: dict[str, Any], client_for: Any
) -> None:
    case = full_case(authority, people["officer"])
    entry(other_authority)
    client = client_for(people["officer"])
    case_page = client.get(reverse("case_detail", args=[case.pk])).text
    assert "Make an enquiry to another authority" in case_page

    form = client.get(reverse("enquiry_new", args=[case.pk]))
    assert form.status_code == 200
    assert f"{other_authority.name} ({other_authority.la_code})</option>" in form.text
    assert f"{authority.name} ({authority.la_code})</option>" not in form.text  # not its own
    refused = client.post(reverse("enquiry_new", args=[case.pk]), {"reason": ""})
    assert "Choose the authority you believe the child is in" in refused.text
    made = client.post(
        reverse("enquiry_new", args=[case.pk]),
        {
            "to": entry(other_authority).pk,
            "reason": "Tenancy in their area",
            "possible_new_address": LOCATIONS["new_address"],
            "date_left_area_0": "2",
            "date_left_area_1": "10",
            "date_left_area_2": "2026",
        },
    )
    draft = Enquiry.objects.get(direction=Direction.OUTGOING)
    assert made.url == reverse("enquiry_check", args=[draft.pk])
    check = client.get(made.url).text
    for shown in (
        "Ruby Mae Castellano",
        "Marisa Castellano",
        LOCATIONS["new_address"],
        "2 October 2026",
    ):
        assert shown in check
    assert not Enquiry.objects.filter(direction=Direction.INCOMING).exists()  # not sent yet
    sent = client.post(made.url)
    assert sent.url == reverse("case_detail", args=[case.pk])
    assert Enquiry.objects.filter(direction=Direction.INCOMING).count() == 1
    case_page = client.get(reverse("case_detail", args=[case.pk])).text
    assert "Enquiries between authorities" in case_page
    assert f"Enquiry sent to {other_authority.name}" in case_page


def test_a_restricted_childs_form_offers_no_location_fields(
    authority: Authority, other_authority: Authority, people: dict[str, Any], client_for: Any
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    form = client_for(people["officer"]).get(reverse("enquiry_new", args=[case.pk])).text
    assert "possible_new_address" not in form and "possible_new_school" not in form
    assert "Restricted record" in form


def test_the_receiving_officer_assesses_checks_and_answers_from_the_queue(
    authority: Authority, other_authority: Authority, people: dict[str, Any], client_for: Any
) -> None:
    case = full_case(authority, people["officer"])
    outgoing = send(case, people["officer"], other_authority)
    incoming = Enquiry.objects.get(uid=outgoing.uid, direction=Direction.INCOMING)
    theirs = client_for(people["their_officer"])

    queue = theirs.get(reverse("enquiry_list")).text
    assert f"Enquiry {case.reference}" in queue
    detail = theirs.get(reverse("enquiry_detail", args=[incoming.pk])).text
    assert "Ruby Mae Castellano" in detail and "Not done yet" in detail
    # The enquiring authority's officer cannot see or work the receiving side's row.
    assert (
        client_for(people["officer"]).get(reverse("enquiry_detail", args=[incoming.pk])).status_code
        == 404
    )

    theirs.post(reverse("enquiry_assess", args=[incoming.pk]), {"risk": "medium", "notes": ""})
    today = timezone.localdate()
    theirs.post(
        reverse("enquiry_check_record", args=[incoming.pk, "home_visit"]),
        {
            "made_on_0": today.day,
            "made_on_1": today.month,
            "made_on_2": today.year,
            "outcome": "Seen",
        },
    )
    answered = theirs.post(
        reverse("enquiry_answer", args=[incoming.pk]),
        {"answer": "found_at_address", "message": "Living with aunt"},
    )
    assert answered.status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == Status.ANSWERED
    outgoing.refresh_from_db()
    assert outgoing.answer == "found_at_address"
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    mine = client_for(people["officer"]).get(reverse("enquiry_detail", args=[outgoing.pk])).text
    assert "Found at the address" in mine and "Living with aunt" in mine

    opened = theirs.post(reverse("enquiry_open_case", args=[incoming.pk]))
    incoming.refresh_from_db()
    assert opened.url == reverse("case_detail", args=[incoming.case_id])


def test_who_may_reach_the_enquiry_pages(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    make_member: Any,
    client_for: Any,
) -> None:
    case = full_case(authority, people["officer"])
    outgoing = send(case, people["officer"], other_authority)
    caseworker = client_for(make_member(Role.CASEWORKER))
    school = client_for(make_member(Role.SCHOOL_USER))
    assert caseworker.get(reverse("enquiry_directory")).status_code == 200
    assert caseworker.get(reverse("enquiry_list")).status_code == 403
    assert caseworker.get(reverse("enquiry_new", args=[case.pk])).status_code == 403
    assert school.get(reverse("enquiry_directory")).status_code == 403
    assert school.get(reverse("enquiry_detail", args=[outgoing.pk])).status_code == 403
    outsider = client_for(people["their_officer"])
    assert outsider.get(reverse("enquiry_new", args=[case.pk])).status_code == 404
    assert outsider.get(reverse("enquiry_detail", args=[outgoing.pk])).status_code == 404


def test_a_manager_approves_a_blanket_enquiry_on_its_page(
    authority: Authority, people: dict[str, Any], client_for: Any
) -> None:
    others = [Authority.objects.create(name=f"Near {n}", la_code=f"96{n}") for n in range(4)]
    case = full_case(authority, people["officer"])
    for neighbour in others[:3]:
        send(case, people["officer"], neighbour)
    fourth = send(case, people["officer"], others[3])
    officer = client_for(people["officer"])
    assert officer.get(reverse("enquiry_approve", args=[fourth.pk])).status_code == 403
    manager = client_for(people["manager"])
    assert "Waiting for a manager" in manager.get(reverse("enquiry_list")).text
    empty = manager.post(reverse("enquiry_approve", args=[fourth.pk]), {"decision": "approve"})
    assert "Give the reason for your decision" in empty.text
    manager.post(
        reverse("enquiry_approve", args=[fourth.pk]),
        {"decision": "approve", "reason": "Grandmother there"},
    )
    fourth.refresh_from_db()
    assert fourth.status == Status.SENT


def test_an_overdue_enquiry_is_escalated_by_the_command(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    from io import StringIO

    from django.core.management import call_command

    outgoing = send(full_case(authority, people["officer"]), people["officer"], other_authority)
    Enquiry.objects.filter(uid=outgoing.uid, direction=Direction.INCOMING).update(
        due_on=timezone.localdate().replace(year=2025)
    )
    out = StringIO()
    call_command("enquiries", "escalate", stdout=out)
    assert out.getvalue().startswith("1 enquiry(ies) escalated; 1 email(s) sent.")
    assert Enquiry.objects.get(uid=outgoing.uid, direction=Direction.INCOMING).escalated_at
    services.overdue_escalate()  # again: nothing new
