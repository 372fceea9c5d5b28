"""The case pages: who may see and change them, what a restricted record withholds, and that
every view is audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.models import Case, Priority, Stage
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, Carer, RestrictionGrant
from cme.children.services import child_seal_break
from cme.core.models import AuditAction, AuditEvent
from cme.registers.models import Establishment

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "17 Quiet Refuge Lane"
SECRET_POSTCODE = "EX4 9QQ"
SECRET_CARER = "Morwenna Trelawney"
SECRET_PHONE = "07700 900461"


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def restricted_case(authority: Any, officer: Any, establishment: Establishment) -> Case:
    child = make_child(authority, is_restricted=True, restriction_reason="Refuge")
    Address.objects.create(
        child=child, line1=SECRET_ADDRESS, postcode=SECRET_POSTCODE, is_current=True
    )
    Carer.objects.create(
        child=child, full_name=SECRET_CARER, relationship="mother", phone=SECRET_PHONE
    )
    return open_case(authority, officer, child=child, last_placement=establishment)


def secrets_in(content: bytes, establishment: Establishment) -> list[str]:
    text = content.decode()
    values = [SECRET_ADDRESS, SECRET_POSTCODE, SECRET_CARER, SECRET_PHONE, establishment.name]
    return [v for v in values if v in text]


def test_a_restricted_childs_location_school_and_contacts_are_withheld(
    restricted_case: Case, officer: Any, client_for: Any, establishment: Establishment
) -> None:
    response = client_for(officer).get(f"/cases/{restricted_case.pk}/")
    assert response.status_code == 200
    assert secrets_in(response.content, establishment) == []
    assert "Withheld: restricted record" in response.content.decode()


def test_breaking_the_seal_needs_a_reason_and_is_audited_and_shown(
    restricted_case: Case, officer: Any, client_for: Any, establishment: Establishment
) -> None:
    client = client_for(officer)
    response = client.post(f"/cases/{restricted_case.pk}/restricted/", {"reason": "short"})
    assert response.status_code == 200 and "at least 10 characters" in response.content.decode()
    assert not RestrictionGrant.objects.exists()
    client.post(
        f"/cases/{restricted_case.pk}/restricted/", {"reason": "Home visit booked for tomorrow"}
    )
    grant = RestrictionGrant.objects.get()
    assert grant.user == officer
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_GRANTED, target_id=str(restricted_case.child_id)
    ).exists()
    page = client.get(f"/cases/{restricted_case.pk}/")
    assert set(secrets_in(page.content, establishment)) == {
        SECRET_ADDRESS,
        SECRET_POSTCODE,
        SECRET_CARER,
        SECRET_PHONE,
        establishment.name,
    }


def test_a_grant_is_personal_and_managers_can_see_and_remove_it(
    restricted_case: Case,
    officer: Any,
    make_member: Any,
    client_for: Any,
    establishment: Establishment,
) -> None:
    child_seal_break(
        child=restricted_case.child, actor=officer, reason="Home visit booked for tomorrow"
    )
    colleague = make_member(Role.CME_OFFICER)
    assert (
        secrets_in(
            client_for(colleague).get(f"/cases/{restricted_case.pk}/").content, establishment
        )
        == []
    )
    manager = client_for(make_member(Role.CME_MANAGER))
    listing = manager.get("/cases/restricted-access/")
    assert "Home visit booked for tomorrow" in listing.content.decode()
    grant = RestrictionGrant.objects.get()
    manager.post(f"/cases/restricted-access/{grant.pk}/remove/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert (
        secrets_in(client_for(officer).get(f"/cases/{restricted_case.pk}/").content, establishment)
        == []
    )


def test_editing_a_restricted_childs_details_asks_for_a_reason_first(
    restricted_case: Case, officer: Any, client_for: Any
) -> None:
    response = client_for(officer).get(f"/cases/{restricted_case.pk}/child/")
    assert response.status_code == 302 and response["Location"].endswith("/restricted/")


def test_every_view_of_a_case_is_audited(authority: Any, officer: Any, client_for: Any) -> None:
    case = open_case(authority, officer)
    client_for(officer).get(f"/cases/{case.pk}/")
    viewed = AuditEvent.objects.get(action=AuditAction.VIEWED)
    assert (viewed.actor_id, viewed.target_id) == (officer.pk, str(case.pk))
    assert viewed.payload == {"child": case.child_id, "restricted_details_shown": False}


@pytest.mark.parametrize("role", [Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_people_outside_the_case_team_cannot_see_cases(
    role: Role, authority: Any, officer: Any, make_member: Any, client_for: Any
) -> None:
    case = open_case(authority, officer)
    client = client_for(make_member(role))
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert client.get("/cases/open/").status_code == 403


def test_another_authoritys_officer_gets_not_found(
    authority: Any, officer: Any, make_member: Any, client_for: Any, other_authority: Any
) -> None:
    case = open_case(authority, officer)
    outsider = client_for(make_member(Role.CME_OFFICER, of=other_authority))
    assert outsider.get(f"/cases/{case.pk}/").status_code == 404
    assert outsider.get(f"/cases/{case.pk}/move/").status_code == 404


def test_a_caseworker_changes_only_the_cases_assigned_to_them(
    authority: Any, officer: Any, make_member: Any, client_for: Any
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    theirs = open_case(authority, officer, owner=caseworker)
    not_theirs = open_case(authority, officer)
    client = client_for(caseworker)
    assert client.get(f"/cases/{not_theirs.pk}/").status_code == 200
    assert client.get(f"/cases/{not_theirs.pk}/notes/add/").status_code == 403
    assert client.get(f"/cases/{theirs.pk}/notes/add/").status_code == 200


def test_opening_a_case_through_the_form(authority: Any, officer: Any, client_for: Any) -> None:
    client = client_for(officer)
    today = timezone.localdate()
    response = client.post(
        "/cases/open/",
        {
            "forename": "Tobias",
            "surname": "Fairweather",
            "date_of_birth_0": "4",
            "date_of_birth_1": "11",
            "date_of_birth_2": "2015",
            "sex": "M",
            "upn": "b801200005001",
            "stage": "received",
            "source": "police",
            "notified_on_0": str(today.day),
            "notified_on_1": str(today.month),
            "notified_on_2": str(today.year),
            "priority": Priority.HIGH,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.child.surname, case.child.upn, case.priority) == (
        "Fairweather",
        "B801200005001",
        Priority.HIGH,
    )


def test_a_bad_case_form_keeps_what_was_typed(officer: Any, client_for: Any) -> None:
    response = client_for(officer).post(
        "/cases/open/",
        {
            "forename": "Tobias",
            "surname": "",
            "upn": "A801200005001",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2015",
            "stage": "received",
            "sex": "M",
            "priority": Priority.LOW,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "Error: " in html.split("<title>")[1]
    assert 'value="Tobias"' in html and 'value="A801200005001"' in html and 'value="31"' in html
    assert "Enter the child&#x27;s last name" in html or "Enter the child's last name" in html
    assert "Date of birth must be a real date" in html
    assert "check letter" in html


def test_a_stale_edit_through_the_form_says_what_changed_and_keeps_the_newer_value(
    authority: Any, officer: Any, make_member: Any, client_for: Any
) -> None:
    case = open_case(authority, officer)
    form_page = client_for(officer).get(f"/cases/{case.pk}/edit/")
    assert f'name="version" value="{case.version}"' in form_page.content.decode()
    manager = client_for(make_member(Role.CME_MANAGER))
    manager.post(f"/cases/{case.pk}/move/", {"to": Stage.CHECKING, "version": case.version})
    response = client_for(officer).post(
        f"/cases/{case.pk}/edit/",
        {
            "version": case.version,
            "priority": Priority.LOW,
            "source": case.source,
            "notified_on_0": case.notified_on.day,
            "notified_on_1": case.notified_on.month,
            "notified_on_2": case.notified_on.year,
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    assert "stage" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.CHECKING and case.priority == Priority.MEDIUM


def test_a_refused_move_shows_the_reason(authority: Any, officer: Any, client_for: Any) -> None:
    case = open_case(authority, officer)
    response = client_for(officer).post(
        f"/cases/{case.pk}/move/", {"to": Stage.CLOSED, "version": case.version}
    )
    assert response.status_code == 200
    assert "Choose the outcome before closing the case" in response.content.decode()


def test_only_people_who_may_open_cases_see_the_button(make_member: Any, client_for: Any) -> None:
    button = 'href="/cases/open/"'
    assert button in client_for(make_member(Role.CME_OFFICER)).get("/cases/").content.decode()
    assert button not in client_for(make_member(Role.CASEWORKER)).get("/cases/").content.decode()


def test_family_details_are_added_from_the_case(
    authority: Any, officer: Any, client_for: Any
) -> None:
    case = open_case(authority, officer)
    client = client_for(officer)
    client.post(
        f"/cases/{case.pk}/child/siblings/add/",
        {
            "full_name": "Rosalind Pemberton",
            "date_of_birth_0": "2",
            "date_of_birth_1": "9",
            "date_of_birth_2": "2016",
        },
    )
    client.post(
        f"/cases/{case.pk}/child/carers/add/",
        {
            "full_name": "Hazel Pemberton",
            "relationship": "mother",
            "has_parental_responsibility": "on",
            "lives_with_child": "on",
        },
    )
    response = client.post(
        f"/cases/{case.pk}/child/addresses/add/",
        {"line1": "4 Mill Row", "postcode": "ex4 9qq", "is_current": "on"},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/cases/{case.pk}/child/addresses/add/", {"line1": "5 Mill Row", "postcode": "NOT A CODE"}
    )
    assert bad.status_code == 200 and "Enter a real UK postcode" in bad.content.decode()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Rosalind Pemberton" in page and "Hazel Pemberton" in page and "EX4 9QQ" in page
    child = case.child
    assert child.carers.get().has_parental_responsibility
    assert child.addresses.get().is_current


def test_every_page_of_a_restricted_case_withholds_school_provision_notes_and_documents(
    restricted_case: Case, officer: Any, client_for: Any, establishment: Establishment
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cme.cases import services
    from cme.cases.models import EnquiryKind, NoteKind
    from cme.children.models import Sibling

    case = restricted_case
    services.case_update(
        case=case,
        actor=officer,
        version=case.version,
        changes={
            "provision_recommended": "Place at Ashdown Secret School",
            "provision_accessed": "Ashdown Secret School",
        },
    )
    Sibling.objects.create(child=case.child, full_name="Caspian Trelawney")
    services.enquiry_record(
        case=case,
        actor=officer,
        kind=EnquiryKind.NEIGHBOURS,
        made_on=timezone.localdate(),
        outcome="Seen at Ashdown Secret School gates",
    )
    services.note_add(
        case=case,
        actor=officer,
        kind=NoteKind.FACT,
        text="Mother works at the Ashdown Secret School kitchen",
    )
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.7 Ashdown", content_type="application/pdf")
    document = services.attachment_add(case=case, actor=officer, upload=upload)
    client = client_for(officer)
    for path in ["", "edit/", "move/", "assessment/", "notes/add/"]:
        html = client.get(f"/cases/{case.pk}/{path}").content.decode()
        assert "Ashdown" not in html, path
        assert "Caspian" not in html, path
        assert secrets_in(html.encode(), establishment) == [], path
    download = client.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert download.status_code == 302 and download["Location"].endswith("/restricted/")
    # The withheld fields cannot be overwritten from the edit page either.
    client.post(
        f"/cases/{case.pk}/edit/",
        {
            "version": case.version,
            "priority": Priority.HIGH,
            "source": case.source,
            "notified_on_0": case.notified_on.day,
            "notified_on_1": case.notified_on.month,
            "notified_on_2": case.notified_on.year,
        },
    )
    case.refresh_from_db()
    assert case.priority == Priority.HIGH and case.provision_accessed == "Ashdown Secret School"
    assert case.last_placement == establishment


def test_a_grant_ends_by_itself_after_eight_hours(
    restricted_case: Case, officer: Any, client_for: Any, establishment: Establishment
) -> None:
    from datetime import timedelta

    grant = child_seal_break(
        child=restricted_case.child, actor=officer, reason="Home visit booked for tomorrow"
    )
    assert secrets_in(
        client_for(officer).get(f"/cases/{restricted_case.pk}/").content, establishment
    )
    RestrictionGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert (
        secrets_in(client_for(officer).get(f"/cases/{restricted_case.pk}/").content, establishment)
        == []
    )


def test_a_caseworker_breaks_the_seal_only_on_their_own_cases(
    restricted_case: Case, make_member: Any, client_for: Any
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    assert client_for(caseworker).get(f"/cases/{restricted_case.pk}/restricted/").status_code == 403


def test_search_text_never_goes_in_a_url(authority: Any, officer: Any, client_for: Any) -> None:
    found = open_case(authority, officer, child=make_child(authority, surname="Quillfeather"))
    open_case(authority, officer, child=make_child(authority, surname="Ashcombe"))
    client = client_for(officer)
    response = client.post("/cases/", {"q": "Quillfeather", "stage": "received", "sort": "surname"})
    assert response.status_code == 302
    location = response["Location"]
    assert "Quillfeather" not in location and "q=" not in location
    assert "search=" in location and "stage=received" in location
    page = client.get(location)
    html = page.content.decode()
    assert found.reference in html and "Ashcombe" not in html
    # Sorting, paging and export links carry the key, never the text.
    for href in re.findall(r'href="([^"]*)"', html):
        assert "Quillfeather" not in href
    export = client.get(page.context["export_csv"])
    assert found.reference in b"".join(export.streaming_content).decode()
    # Another person's session cannot use the key.
    stranger = client_for(officer)
    assert "Ashcombe" in stranger.get(location).content.decode()
