"""The public page: anyone may tell us about a child, sees the named contacts, and gets back a
reference only. Rate-limited, size-limited and guarded by a honeypot."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import Client

from cme.core.models import AuditAction, AuditEvent
from cme.intake.models import CMEContact, Referral, Route, Status
from cme.intake.public_views import MAX_BODY_BYTES
from cme.intake.services import new_reference
from cme.intake.throttle import PUBLIC_LIMIT

pytestmark = pytest.mark.django_db

CHILD_NAME = "Ottoline Braithwaite"


def report(**overrides: str) -> dict[str, str]:
    data = {
        "forename": "Ottoline",
        "surname": "Braithwaite",
        "age": "11",
        "where_seen": "The flats above the launderette on Mill Road",
        "postcode": "ex1 2ab",
        "concern": "She is at home every weekday and says she has no school place.",
        "in_danger": "no",
        "referrer_name": "Gwendolyn Pike",
        "referrer_phone": "07700 900123",
        "referrer_email": "",
        "referrer_relationship": "neighbour",
        "website": "",
    }
    data.update(overrides)
    return data


def url(authority: Any, part: str = "") -> str:
    return f"/tell-us/{authority.la_code}/{part}"


def test_anyone_sees_the_form_and_the_named_contacts_without_signing_in(authority: Any) -> None:
    CMEContact.objects.create(
        authority=authority,
        name="Jo Whitfield, CME officer",
        phone="01632 960001",
        email="cme@exampleshire.example",
        hours="Monday to Friday, 9am to 5pm",
    )
    response = Client().get(url(authority))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tell us about a child who may be missing education" in page
    for shown in ["Jo Whitfield, CME officer", "01632 960001", "cme@exampleshire.example", "9am"]:
        assert shown in page
    assert "call 999" in page


def test_the_index_lists_each_authoritys_page(authority: Any, other_authority: Any) -> None:
    page = Client().get("/tell-us/").content.decode()
    assert url(authority) in page and url(other_authority) in page


def test_an_unknown_authority_is_not_found(db: None) -> None:
    assert Client().get("/tell-us/999/").status_code == 404


def test_a_report_is_stored_and_answered_with_a_reference_only(authority: Any) -> None:
    client = Client()
    response = client.post(url(authority), report())
    assert response.status_code == 302
    assert response["Location"] == url(authority, "sent/")  # no id, no reference, no name
    referral = Referral.objects.get()
    assert referral.route == Route.PUBLIC and referral.status == Status.RECEIVED
    assert referral.child_forename == "Ottoline" and referral.postcode == "EX1 2AB"
    assert referral.referrer_agency is None and referral.referred_by is None
    assert re.fullmatch(r"CME-[2346789ABCDEFGHJKMNPQRTUVWXYZ]{8}", referral.reference)

    sent = client.get(response["Location"]).content.decode()
    assert referral.reference in sent
    for typed in ["Ottoline", "Braithwaite", "Mill Road", "Gwendolyn", "07700"]:
        assert typed not in sent
    # The reference is shown once: a refresh does not show it again, or send the report again.
    again = client.get(response["Location"]).content.decode()
    assert referral.reference not in again
    assert Referral.objects.count() == 1


def test_references_are_random_and_easy_to_read_out() -> None:
    references = [new_reference() for _ in range(2000)]
    assert len(set(references)) == len(references)
    assert not any(set(r[4:]) & set("01ILOS5") for r in references)
    # Not a counter: consecutive references share no common stem.
    assert len({r[:6] for r in references[:50]}) > 10


def test_the_report_is_audited_without_an_actor_or_personal_data(authority: Any) -> None:
    Client().post(url(authority), report())
    referral = Referral.objects.get()
    event = AuditEvent.objects.get(target_type="intake.referral", action=AuditAction.CREATED)
    assert event.actor_id is None and event.authority_id == authority.pk
    assert event.target_id == str(referral.pk)
    assert event.payload["route"] == "public"
    assert CHILD_NAME.split()[1] not in str(event.payload)


def test_logs_carry_no_personal_data(authority: Any, caplog: Any) -> None:
    with caplog.at_level(logging.DEBUG):
        Client().post(url(authority), report())
    assert "Braithwaite" not in caplog.text and "Mill Road" not in caplog.text


def test_saying_the_child_is_in_danger_repeats_the_999_advice(authority: Any) -> None:
    client = Client()
    client.post(url(authority), report(in_danger="yes"))
    sent = client.get(url(authority, "sent/")).content.decode()
    assert "call 999" in sent
    assert Referral.objects.get().in_danger


def test_a_report_without_where_or_why_is_refused_and_keeps_what_was_typed(
    authority: Any,
) -> None:
    response = Client().post(url(authority), report(where_seen="", concern="", postcode="nope"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Tell us where the child lives or where you have seen them" in page
    assert "Tell us why you are worried about the child" in page
    assert "Enter a real UK postcode" in page
    assert 'value="Ottoline"' in page and 'value="07700 900123"' in page
    assert not Referral.objects.exists()


def test_a_filled_honeypot_looks_sent_but_stores_nothing(authority: Any) -> None:
    client = Client()
    response = client.post(url(authority), report(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == url(authority, "sent/")
    sent = client.get(response["Location"]).content.decode()
    assert re.search(r"CME-[0-9A-Z]{8}", sent)  # looks the same as a real one
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(target_type="intake.referral").exists()


def test_the_sixth_report_in_ten_minutes_from_one_address_is_refused(authority: Any) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(PUBLIC_LIMIT):
        assert client.post(url(authority), report()).status_code == 302
    response = client.post(url(authority), report(forename="Sixth"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "several reports in the last few minutes" in page
    assert 'value="Sixth"' in page  # what was typed is kept
    assert Referral.objects.count() == PUBLIC_LIMIT
    # Someone else, at another address, is not held up.
    assert Client(REMOTE_ADDR="198.51.100.8").post(url(authority), report()).status_code == 302


def test_an_oversized_body_is_refused_before_it_is_read(authority: Any) -> None:
    big = report(concern="x" * (MAX_BODY_BYTES + 1))
    response = Client().post(url(authority), big)
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_long_concern_is_refused_by_the_field_limit(authority: Any) -> None:
    response = Client().post(url(authority), report(concern="y" * 2001))
    assert response.status_code == 200
    assert "2000 characters or fewer" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_public_form_needs_the_csrf_token(authority: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(authority), report()).status_code == 403
    assert not Referral.objects.exists()


def test_the_public_page_has_a_hidden_leave_blank_field_out_of_the_tab_order(
    authority: Any,
) -> None:
    page = Client().get(url(authority)).content.decode()
    assert re.search(r'<div hidden aria-hidden="true">\s*<label[^>]*>Leave this blank', page)
    assert 'name="website"' in page and 'tabindex="-1"' in page
