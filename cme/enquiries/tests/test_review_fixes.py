"""Review findings on enquiries (issue 7): a child restricted after the enquiry was written,
grants on the enquiry pages, the outbox's idea of "delivered", and odd input from a signed
remote deployment."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from cme.accounts.models import Authority, Role
from cme.cases.models import Case
from cme.enquiries import information, services, signing, transport
from cme.enquiries.models import (
    Direction,
    DirectoryEntry,
    Enquiry,
    OutboxMessage,
    ReceivedMessage,
    Status,
)
from cme.enquiries.tests.factories import LOCATIONS, entry, extra, full_case, grant, send
from cme.enquiries.tests.test_messages import envelope, post, remote  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

NO_NEW_PLACE = {"possible_new_address": "", "possible_new_school": ""}


def restrict(case: Case) -> None:
    child = case.child
    child.is_restricted = True
    child.restriction_reason = "Refuge"
    child.save()


def incoming_for(outgoing: Enquiry) -> Enquiry:
    return Enquiry.objects.get(uid=outgoing.uid, direction=Direction.INCOMING)


def assert_nothing_of_where(outgoing: Enquiry, case: Case) -> None:
    travelled = json.dumps(OutboxMessage.objects.get(enquiry=outgoing).body)
    for value in LOCATIONS.values():
        assert value not in travelled
    assert case.child.upn not in travelled
    details = incoming_for(outgoing).details
    assert details["restricted"] is True
    assert not set(information.WITHHELD_KEYS) & set(details)


# --- 1. Restricted after the draft, or while waiting for approval ------------------------------


def test_a_child_restricted_after_the_draft_goes_without_its_location(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    case = full_case(authority, officer)
    draft = services.enquiry_prepare(
        case=case,
        actor=officer,
        to=entry(other_authority),
        reason="Seen there",
        extra=extra(**NO_NEW_PLACE),
    )
    assert "previous_address" in draft.details  # written while the child was not restricted
    restrict(case)
    sent = services.enquiry_send(enquiry=draft, actor=officer)
    assert sent.status == Status.SENT
    assert_nothing_of_where(sent, case)
    sent.refresh_from_db()
    assert "previous_address" not in sent.details  # the saved copy too


def test_a_draft_with_a_possible_new_place_is_refused_once_the_child_is_restricted(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    case = full_case(authority, officer)
    draft = services.enquiry_prepare(
        case=case, actor=officer, to=entry(other_authority), reason="Seen there", extra=extra()
    )
    restrict(case)
    with pytest.raises(services.EnquiryRefused, match="restricted"):
        services.enquiry_send(enquiry=draft, actor=officer)
    assert not OutboxMessage.objects.exists()
    assert Enquiry.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_child_restricted_while_waiting_for_approval_goes_without_its_location(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    case = full_case(authority, officer)
    draft = services.enquiry_prepare(
        case=case,
        actor=officer,
        to=entry(other_authority),
        reason="Seen there",
        extra=extra(**NO_NEW_PLACE),
    )
    Enquiry.objects.filter(pk=draft.pk).update(status=Status.AWAITING_APPROVAL)
    restrict(case)
    sent = services.enquiry_approve(
        enquiry=draft, actor=people["manager"], approve=True, reason="Grandmother there"
    )
    assert sent.status == Status.SENT
    assert_nothing_of_where(sent, case)


def test_approval_does_not_send_once_the_case_is_closed(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    case = full_case(authority, officer)
    draft = services.enquiry_prepare(
        case=case, actor=officer, to=entry(other_authority), reason="Seen there", extra={}
    )
    Enquiry.objects.filter(pk=draft.pk).update(status=Status.AWAITING_APPROVAL)
    Case.objects.filter(pk=case.pk).update(stage="closed")
    with pytest.raises(services.EnquiryRefused, match="Reopen"):
        services.enquiry_approve(
            enquiry=draft, actor=people["manager"], approve=True, reason="Grandmother there"
        )
    assert not OutboxMessage.objects.exists()


# --- 2. The pages decide from the child as it is now and the user's grants ---------------------


def test_the_enquiry_page_hides_a_since_restricted_childs_places_from_users_without_a_grant(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    make_member: Any,
) -> None:
    officer, colleague = people["officer"], make_member(Role.CME_OFFICER)
    case = full_case(authority, officer)
    sent = send(case, officer, other_authority)
    restrict(case)
    url = reverse("enquiry_detail", args=[sent.pk])

    client = Client()
    client.force_login(colleague)
    page = client.get(url).content.decode()
    for value in (LOCATIONS["line1"], LOCATIONS["new_address"], LOCATIONS["school"]):
        assert value not in page
    assert case.child.upn not in page
    assert "Withheld: restricted record" in page

    grant(case.child, colleague)
    page = client.get(url).content.decode()
    assert LOCATIONS["line1"] in page and LOCATIONS["new_address"] in page


def test_the_receiving_side_hides_its_restricted_childs_answer_and_checks(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    make_member: Any,
) -> None:
    case = full_case(authority, people["officer"])
    sent = send(case, people["officer"], other_authority)
    their = people["their_officer"]
    received = incoming_for(sent)
    services.incoming_assess(enquiry=received, actor=their, risk="low", notes="Notes on Elm Row")
    services.check_record(
        enquiry=received, actor=their, kind="home_visit", made_on=date.today(), outcome="Seen Elm"
    )
    opened = services.incoming_open_case(enquiry=received, actor=their)
    restrict(opened)
    client = Client()
    client.force_login(make_member(Role.CME_OFFICER, of=other_authority))
    page = client.get(reverse("enquiry_detail", args=[received.pk])).content.decode()
    assert LOCATIONS["line1"] not in page and LOCATIONS["new_address"] not in page
    assert "Notes on Elm Row" not in page and "Seen Elm" not in page


def test_an_answer_message_is_hidden_from_users_without_a_grant(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    make_member: Any,
) -> None:
    case = full_case(authority, people["officer"])
    sent = send(case, people["officer"], other_authority)
    received = incoming_for(sent)
    their = people["their_officer"]
    services.incoming_assess(enquiry=received, actor=their, risk="low", notes="")
    services.incoming_answer(
        enquiry=received, actor=their, answer="found_on_roll", message="On roll at Elm Academy"
    )
    restrict(case)
    client = Client()
    client.force_login(make_member(Role.CME_OFFICER))
    page = client.get(reverse("enquiry_detail", args=[sent.pk])).content.decode()
    assert "Elm Academy" not in page


# --- 3. Only someone with a grant writes an enquiry for a restricted child ----------------------


@pytest.mark.parametrize("reason", ["Maybe they went to Exampleton", "Maybe they went to Leeds"])
def test_without_a_grant_the_form_says_nothing_about_the_childs_places(
    authority: Authority,
    other_authority: Authority,
    people: dict[str, Any],
    make_member: Any,
    reason: str,
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    with pytest.raises(services.EnquiryRefused, match="ask the case owner"):
        services.enquiry_prepare(
            case=case,
            actor=make_member(Role.CME_OFFICER),
            to=entry(other_authority),
            reason=reason,
            extra={},
        )


# --- 6. Free text about a restricted child -----------------------------------------------------


@pytest.mark.parametrize("text", ["Near 9 Orchard Close", "Ring 07700900123", "parent@example.com"])
def test_a_carers_address_or_contacts_in_the_reason_is_refused(
    authority: Authority, other_authority: Authority, people: dict[str, Any], text: str
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    with pytest.raises(services.EnquiryRefused, match="restricted"):
        services.enquiry_prepare(
            case=case, actor=people["officer"], to=entry(other_authority), reason=text, extra={}
        )


def test_an_answer_naming_a_place_for_a_restricted_child_is_refused(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"], restricted=True)
    sent = send(case, people["officer"], other_authority)
    received = incoming_for(sent)
    their = people["their_officer"]
    services.incoming_assess(enquiry=received, actor=their, risk="low", notes="")
    services.check_record(
        enquiry=received, actor=their, kind="home_visit", made_on=date.today(), outcome="Seen"
    )
    with pytest.raises(services.EnquiryRefused, match="by phone"):
        services.incoming_answer(
            enquiry=received,
            actor=their,
            answer="found_at_address",
            message="Living at 5 Elm Road, LS1 4AB",
        )
    answered = services.incoming_answer(
        enquiry=received, actor=their, answer="found_at_address", message="Seen, well"
    )
    assert answered.status == Status.ANSWERED


# --- 5. The outbox: no redirects; delivered only on the endpoint's own 202 ----------------------


class _Redirecting(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self) -> None:
        self.seen.append(f"POST {self.path}")
        self.send_response(302)
        self.send_header("Location", "/maintenance")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        body = b"Down for maintenance"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    _Redirecting.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_redirect_is_not_followed_and_not_delivered(redirecting_server: str) -> None:
    result = transport.http_post(redirecting_server + transport.ENDPOINT, b"{}", {})
    assert result.status == 302
    assert _Redirecting.seen == [f"POST {transport.ENDPOINT}"]
    assert not transport.is_delivered(result, str(uuid.uuid4()))


@pytest.mark.parametrize(
    ("result", "delivered"),
    [
        (transport.PostResult(200), False),  # a web root or a sign-in page
        (transport.PostResult(202, message_id="someone else's"), False),
        (transport.PostResult(202, message_id="THE-ID"), True),
        (transport.PostResult(409, "urn:cme:problem:duplicate"), True),
        (transport.PostResult(409, "about:blank"), False),
    ],
)
def test_only_the_endpoints_own_answer_counts_as_delivered(
    result: transport.PostResult, delivered: bool
) -> None:
    assert transport.is_delivered(result, "THE-ID") is delivered


def test_the_outbox_keeps_a_message_answered_by_a_plain_200(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811 - fixture
    people: dict[str, Any],
) -> None:
    case = full_case(authority, people["officer"])
    draft = services.enquiry_prepare(
        case=case, actor=people["officer"], to=remote["entry"], reason="Aunt there", extra={}
    )
    services.enquiry_send(enquiry=draft, actor=people["officer"])
    counts = transport.outbox_drain(post=lambda url, body, headers: transport.PostResult(200))
    assert counts == {"delivered": 0, "waiting": 1}


# --- 7 and 8. Odd input from a signed remote deployment ----------------------------------------


def signed(remote: dict[str, Any], message: dict[str, Any]) -> Any:  # noqa: F811
    raw = signing.encode(message)
    return post(raw, signing.sign(remote["private"], raw))


@pytest.mark.parametrize("card", [["x"], {"contacts": ["x"]}, {"contacts": "x"}, "x"])
def test_an_odd_sender_entry_is_not_a_500(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
    card: Any,
) -> None:
    entry(authority)
    assert signed(remote, envelope(authority, sender_entry=card)).status_code == 202


def test_an_unknown_kind_is_refused_before_it_is_stored(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
) -> None:
    entry(authority)
    response = signed(remote, envelope(authority, kind="x" * 40))
    assert response.status_code == 422


def test_a_remote_cannot_rename_itself(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
) -> None:
    entry(authority)
    card = {"name": authority.name, "contacts": []}
    assert signed(remote, envelope(authority, sender_entry=card)).status_code == 202
    assert DirectoryEntry.objects.get(la_code="993").name == "Farshire Council"


def test_the_same_enquiry_id_to_a_second_authority_is_refused_not_dropped(
    authority: Authority,
    other_authority: Authority,
    remote: dict[str, Any],  # noqa: F811
) -> None:
    entry(authority)
    entry(other_authority)
    first = envelope(authority)
    second = envelope(other_authority)
    second["body"]["enquiry"] = first["body"]["enquiry"]
    assert signed(remote, first).status_code == 202
    # Not a 202 for a message that was thrown away (the sender would think it arrived).
    assert signed(remote, second).status_code == 409
    assert Enquiry.objects.get(direction=Direction.INCOMING).authority == authority


def test_a_case_opens_from_odd_details(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
    make_member: Any,
) -> None:
    entry(authority)
    message = envelope(authority)
    message["body"]["details"] = {
        "forename": ["Sam"],
        "surname": "Perrin",
        "date_of_birth": "02/01/2015",
        "sex": ["M"],
        "ethnicity": "ZZZZ",
        "country_of_origin": 7,
        "other_names": [{"forename": "", "surname": ""}, {"forename": "Sammy", "kind": "nick"}],
        "carers": [{"name": "Pat", "relationship": "uncle-ish"}],
    }
    assert signed(remote, message).status_code == 202
    received = Enquiry.objects.get(direction=Direction.INCOMING)
    client = Client(raise_request_exception=False)
    client.force_login(make_member(Role.CME_OFFICER))
    response = client.post(reverse("enquiry_open_case", args=[received.pk]))
    assert response.status_code == 302
    child = Enquiry.objects.get(pk=received.pk).child
    assert child is not None
    assert child.surname == "Perrin" and child.forename == "Not known"
    assert child.date_of_birth is None and child.ethnicity == ""
    assert child.carers.get().relationship == "other"


def test_two_deliveries_of_one_message_at_once_give_409_not_500(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
) -> None:
    entry(authority)
    message = envelope(authority)
    ReceivedMessage.objects.create(message_id=message["message_id"], sender_code="993", kind="x")
    # The other delivery stored the id after this one looked (as on Postgres, at once).
    with mock.patch.object(QuerySet, "exists", return_value=False):
        response = signed(remote, message)
    assert response.status_code == 409


def test_a_hosted_authority_without_a_directory_entry_yet_still_receives(
    authority: Authority,
    remote: dict[str, Any],  # noqa: F811
) -> None:
    DirectoryEntry.objects.filter(authority=authority).delete()
    assert signed(remote, envelope(authority)).status_code == 202


def test_the_check_page_of_a_draft_shows_no_places_once_the_child_is_restricted(
    authority: Authority, other_authority: Authority, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    case = full_case(authority, officer)
    draft = services.enquiry_prepare(
        case=case,
        actor=officer,
        to=entry(other_authority),
        reason="Seen there",
        extra=extra(**NO_NEW_PLACE),
    )
    restrict(case)
    grant(case.child, officer)  # even with sight of the record: the page shows what will travel
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("enquiry_check", args=[draft.pk])).content.decode()
    assert LOCATIONS["line1"] not in page and LOCATIONS["school"] not in page
