"""Signed messages from another deployment: what the receiving endpoint accepts and refuses,
and the outbox that retries until the receiver has a message."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cme.accounts.models import Authority
from cme.core.models import AuditEvent
from cme.enquiries import services, signing, transport
from cme.enquiries.models import Delivery, Direction, Enquiry, OutboxMessage, Status
from cme.enquiries.tests.factories import full_case, send

pytestmark = pytest.mark.django_db
URL = "/api/v1/enquiry-messages"


@pytest.fixture
def remote(db: None) -> dict[str, Any]:
    """Authority 993 on another deployment: its entry here, and (in the test) its private key."""
    private, public = signing.key_pair()
    entry = services.directory_remote_save(
        actor=None,
        la_code="993",
        name="Farshire Council",
        base_url="https://cme.farshire.example",
        public_key=public,
    )
    return {"entry": entry, "private": private}


def envelope(receiver: Authority, **changes: Any) -> dict[str, Any]:
    message = {
        "message_id": str(uuid.uuid4()),
        "kind": "enquiry",
        "sender": "993",
        "recipient": receiver.la_code,
        "created_at": timezone.now().isoformat(),
        "sender_entry": {
            "name": "Farshire Council",
            "contacts": [
                {
                    "name": "Jo Bloggs",
                    "job_title": "CME officer",
                    "email": "jo@far.example",
                    "phone": "",
                }
            ],
        },
        "body": {
            "enquiry": str(uuid.uuid4()),
            "reference": "993-000042",
            "reason": "Aunt lives in your area",
            "details": {
                "forename": "Sam",
                "surname": "Perrin",
                "date_of_birth": "2015-01-02",
                "sex": "M",
            },
            "indicators": {"looked_after": False},
            "enquirer": {"name": "Jo Bloggs", "email": "jo@far.example"},
        },
    }
    message.update(changes)
    return message


def post(raw: bytes, signature: str | None) -> Any:
    headers = {signing.SIGNATURE_HEADER: signature} if signature is not None else {}
    return Client().post(URL, raw, content_type="application/json", headers=headers)


def refusals() -> list[str]:
    return [
        e.payload["refused"]
        for e in AuditEvent.objects.filter(target_type="enquiries.message").order_by("seq")
    ]


def test_a_signed_message_is_accepted_once_and_a_replay_is_refused_and_audited(
    other_authority: Authority, remote: dict[str, Any]
) -> None:
    services.directory_entry_for(other_authority)
    raw = signing.encode(envelope(other_authority))
    signature = signing.sign(remote["private"], raw)

    accepted = post(raw, signature)
    assert accepted.status_code == 202, accepted.content
    received = Enquiry.objects.get(direction=Direction.INCOMING)
    assert received.authority == other_authority and received.status == Status.RECEIVED
    # The sender's entry here follows what it signs: its named contact is now listed.
    assert [c.name for c in remote["entry"].contacts.all()] == ["Jo Bloggs"]

    replay = post(raw, signature)
    assert replay.status_code == 409
    assert replay["Content-Type"] == "application/problem+json"
    assert replay.json()["type"] == "urn:cme:problem:duplicate"
    assert Enquiry.objects.filter(direction=Direction.INCOMING).count() == 1
    assert refusals() == ["replayed"]


@pytest.mark.parametrize(
    ("spoil", "status", "code"),
    [
        ("tampered", 401, "bad_signature"),
        ("wrong_key", 401, "bad_signature"),
        ("unsigned", 401, "bad_signature"),
        ("expired", 401, "expired"),
        ("future", 401, "expired"),
        ("unknown_sender", 403, "unknown_sender"),
        ("unknown_recipient", 404, "unknown_recipient"),
        ("not_json", 400, "malformed"),
        ("bad_details", 422, "malformed"),
        ("bad_carers", 422, "malformed"),
        ("response_to_nothing", 404, "no_such_enquiry"),
    ],
)
def test_a_bad_message_is_refused_with_a_problem_and_audited(
    other_authority: Authority, remote: dict[str, Any], spoil: str, status: int, code: str
) -> None:
    services.directory_entry_for(other_authority)
    message = envelope(other_authority)
    key = remote["private"]
    if spoil == "expired":
        message["created_at"] = (timezone.now() - timedelta(minutes=6)).isoformat()
    if spoil == "future":
        message["created_at"] = (timezone.now() + timedelta(minutes=6)).isoformat()
    if spoil == "unknown_sender":
        message["sender"] = "994"
    if spoil == "unknown_recipient":
        message["recipient"] = "995"
    if spoil == "bad_details":
        message["body"]["details"] = ["not", "an", "object"]
    if spoil == "bad_carers":
        message["body"]["details"]["carers"] = "Mum"
    if spoil == "response_to_nothing":
        message["kind"] = "response"
        message["body"] = {"enquiry": str(uuid.uuid4()), "answer": "maybe"}
    if spoil == "wrong_key":
        key, _ = signing.key_pair()
    raw = signing.encode(message)
    signature: str | None = signing.sign(key, raw)
    if spoil == "tampered":
        raw = raw.replace(b"Aunt lives", b"Uncle lives")
    if spoil == "unsigned":
        signature = None
    if spoil == "not_json":
        raw = b"not json at all"
        signature = signing.sign(key, raw)

    response = post(raw, signature)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert not Enquiry.objects.exists()
    assert refusals() == [code]


def test_a_response_is_only_accepted_from_the_authority_asked(
    authority: Authority, other_authority: Authority, remote: dict[str, Any], people: dict[str, Any]
) -> None:
    sent = send(full_case(authority, people["officer"]), people["officer"], other_authority)
    raw = signing.encode(
        envelope(
            authority,
            kind="response",
            body={
                "enquiry": str(sent.uid),
                "answer": "found_on_roll",
                "message": "",
                "answered_by": "X",
            },
        )
    )
    response = post(raw, signing.sign(remote["private"], raw))
    assert response.status_code == 404
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert refusals() == ["no_such_enquiry"]


def test_the_endpoint_is_in_the_openapi_spec(db: None) -> None:
    spec = Client().get("/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/enquiry-messages"]["post"]
    assert operation["operationId"] == "enquiry_message_receive"
    assert "security" not in operation or operation["security"] in ([], [{}])
    assert operation["parameters"][0]["name"] == signing.SIGNATURE_HEADER
    assert "application/problem+json" in operation["responses"]["409"]["content"]
    assert (
        "message_id"
        in operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    )


class FlakyReceiver:
    """Down for the first `down` tries, then answers like the real endpoint would."""

    def __init__(self, down: int, then: int = 202, problem_type: str = "") -> None:
        self.down, self.then, self.problem_type = down, then, problem_type
        self.seen: list[dict[str, Any]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> transport.PostResult:
        self.seen.append({"url": url, "envelope": json.loads(body), "headers": headers})
        if len(self.seen) <= self.down:
            return transport.PostResult(0)
        # The real endpoint's 202 names the message it accepted.
        accepted = self.seen[-1]["envelope"]["message_id"] if self.then == 202 else ""
        return transport.PostResult(self.then, self.problem_type, accepted)


def test_the_outbox_retries_with_backoff_until_delivered_and_then_stops(
    authority: Authority, remote: dict[str, Any], people: dict[str, Any]
) -> None:
    far = Authority(name="Farshire Council", la_code="993")  # not hosted: a stand-in to send to
    case = full_case(authority, people["officer"])
    draft = services.enquiry_prepare(
        case=case, actor=people["officer"], to=remote["entry"], reason="Aunt there", extra={}
    )
    services.enquiry_send(enquiry=draft, actor=people["officer"])
    message = OutboxMessage.objects.get()
    assert message.status == Delivery.PENDING and far.la_code == "993"

    receiver = FlakyReceiver(down=2)
    now = timezone.now()
    assert transport.outbox_drain(post=receiver, now=now) == {"delivered": 0, "waiting": 1}
    assert transport.outbox_drain(post=receiver, now=now) == {
        "delivered": 0,
        "waiting": 0,
    }  # not due
    message.refresh_from_db()
    assert message.attempts == 1 and message.next_attempt_at == now + timedelta(seconds=30)
    later = now + timedelta(seconds=31)
    transport.outbox_drain(post=receiver, now=later)
    message.refresh_from_db()
    assert message.next_attempt_at == later + timedelta(minutes=1)
    assert transport.outbox_drain(post=receiver, now=later + timedelta(minutes=2)) == {
        "delivered": 1,
        "waiting": 0,
    }
    assert transport.outbox_drain(post=receiver, now=later + timedelta(hours=2)) == {
        "delivered": 0,
        "waiting": 0,
    }
    message.refresh_from_db()
    assert message.status == Delivery.DELIVERED and message.attempts == 3
    # Every try: the same idempotency key, signed afresh, to the directory's address.
    ids = {s["envelope"]["message_id"] for s in receiver.seen}
    assert ids == {str(message.message_id)}
    assert len({s["envelope"]["created_at"] for s in receiver.seen}) == 3
    assert receiver.seen[0]["url"] == "https://cme.farshire.example/api/v1/enquiry-messages"
    public = services.directory_entry_for(authority).public_key
    for attempt in receiver.seen:
        raw = signing.encode(attempt["envelope"])
        assert signing.verify(public, raw, attempt["headers"][signing.SIGNATURE_HEADER])


def test_a_duplicate_answer_from_the_receiver_counts_as_delivered(
    authority: Authority, remote: dict[str, Any], people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    draft = services.enquiry_prepare(
        case=case, actor=people["officer"], to=remote["entry"], reason="Aunt there", extra={}
    )
    services.enquiry_send(enquiry=draft, actor=people["officer"])
    receiver = FlakyReceiver(down=0, then=409, problem_type="urn:cme:problem:duplicate")
    assert transport.outbox_drain(post=receiver)["delivered"] == 1


def test_a_refusal_other_than_duplicate_is_retried(
    authority: Authority, remote: dict[str, Any], people: dict[str, Any]
) -> None:
    case = full_case(authority, people["officer"])
    draft = services.enquiry_prepare(
        case=case, actor=people["officer"], to=remote["entry"], reason="Aunt there", extra={}
    )
    services.enquiry_send(enquiry=draft, actor=people["officer"])
    receiver = FlakyReceiver(down=0, then=401)
    assert transport.outbox_drain(post=receiver)["waiting"] == 1
    assert OutboxMessage.objects.get().last_result == "401"


@pytest.mark.parametrize(
    ("base_url", "key_ok", "problem"),
    [
        ("http://cme.farshire.example", True, "https://"),
        ("ftp://127.0.0.1", True, "https://"),
        ("https://cme.farshire.example", False, "32 bytes"),
    ],
)
def test_a_remote_entry_needs_https_and_a_real_key(
    db: None, base_url: str, key_ok: bool, problem: str
) -> None:
    key = signing.key_pair()[1] if key_ok else "not-a-key"
    with pytest.raises(services.EnquiryRefused, match=problem):
        services.directory_remote_save(
            actor=None, la_code="996", name="Far", base_url=base_url, public_key=key
        )


def test_a_hosted_authority_cannot_be_made_remote(authority: Authority) -> None:
    with pytest.raises(services.EnquiryRefused, match="hosted here"):
        services.directory_remote_save(
            actor=None,
            la_code=authority.la_code,
            name="Spoof",
            base_url="https://spoof.example",
            public_key=signing.key_pair()[1],
        )
