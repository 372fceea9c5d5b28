"""Messages between deployments: the outbox that sends them, and the checks on arrival.

Sending: `outbox_drain` claims each due message with a conditional update (two workers never
send the same one at once), signs it afresh with the sender's key, and POSTs it to the
recipient's `/api/v1/enquiry-messages` (never following a redirect). A 202 naming the message's
id, or a 409 saying the id was already received, means delivered; anything else (or no answer)
is retried later with exponential backoff.

Receiving: `message_verify` checks, in order, the sender (in the directory, with a key), the
signature over the exact bytes, freshness (the timestamp within FRESHNESS either way), and only
then hands over to `services.message_accept`, which refuses an id it has seen (a replay).
Every refusal is audited with a code, never with the message's content.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cme.core import audit
from cme.core.models import AuditAction
from cme.enquiries import signing
from cme.enquiries.models import Delivery, DirectoryEntry, Enquiry, OutboxMessage, SigningKey
from cme.enquiries.services import MessageRefused, envelope_for, message_accept

logger = logging.getLogger("cme.enquiries")

ENDPOINT = "/api/v1/enquiry-messages"
FRESHNESS = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MOST = timedelta(hours=1)
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class PostResult:
    status: int  # 0: no answer (refused connection, timeout)
    problem_type: str = ""
    message_id: str = ""  # the id the receiver says it accepted (from a 202's body)


Post = Callable[[str, bytes, dict[str, str]], PostResult]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not an answer: urllib would turn the POST into a GET without the body and
    count a maintenance or sign-in page's 200 as delivered. The 3xx comes back as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _json_field(raw: bytes, name: str) -> str:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return ""
    return str(data.get(name, "")) if isinstance(data, dict) else ""


def http_post(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https or loopback, from the directory
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return PostResult(
                response.status, message_id=_json_field(response.read(), "message_id")
            )
    except urllib.error.HTTPError as error:
        return PostResult(error.code, _json_field(error.read(), "type"))
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
        return PostResult(0)


def is_delivered(result: PostResult, message_id: str) -> bool:
    """Only the endpoint's own answers count: 202 naming this message, or 409 "already had it"."""
    if result.status == 202:
        return result.message_id == message_id
    return result.status == 409 and result.problem_type == DUPLICATE


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to an hour between tries."""
    wait: timedelta = BACKOFF_FIRST * (2 ** min(max(attempts - 1, 0), 20))
    return min(wait, BACKOFF_MOST)


def _claim(message: OutboxMessage, now: datetime) -> bool:
    """Take the message for this attempt: the next try is pushed back first, so a worker that
    dies mid-send leaves it to be retried, and a second worker skips it meanwhile."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message.pk,
            status=Delivery.PENDING,
            attempts=message.attempts,
        ).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + backoff(message.attempts + 1),
        )
    )


def signed_request(message: OutboxMessage) -> tuple[bytes, dict[str, str]]:
    body = signing.encode(envelope_for(message))  # makes the sender's key on first use
    key = SigningKey.objects.get(authority_id=message.sender_id)
    headers = {
        "Content-Type": "application/json",
        signing.SIGNATURE_HEADER: signing.sign(key.private_key, body),
    }
    return body, headers


def outbox_drain(*, post: Post = http_post, now: datetime | None = None) -> dict[str, int]:
    """Try every due message once. Returns counts of delivered and still-waiting messages."""
    now = now or timezone.now()
    counts = {"delivered": 0, "waiting": 0}
    due = OutboxMessage.objects.filter(
        status=Delivery.PENDING, next_attempt_at__lte=now
    ).select_related("recipient", "sender")
    for message in list(due[:500]):
        if not _claim(message, now):
            continue
        body, headers = signed_request(message)
        result = post(message.recipient.base_url.rstrip("/") + ENDPOINT, body, headers)
        delivered = is_delivered(result, str(message.message_id))
        with transaction.atomic():
            if delivered:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    status=Delivery.DELIVERED,
                    delivered_at=timezone.now(),
                    last_result=str(result.status),
                )
            else:
                OutboxMessage.objects.filter(pk=message.pk).update(
                    last_result=str(result.status or "no answer")
                )
            audit.record(
                action=AuditAction.EXPORTED,
                target=message.enquiry,
                authority_id=message.sender_id,
                payload={
                    "message": str(message.message_id),
                    "kind": message.kind,
                    "to": message.recipient.la_code,
                    "attempt": message.attempts + 1,
                    "result": result.status,
                    "delivered": delivered,
                },
            )
        counts["delivered" if delivered else "waiting"] += 1
        logger.info(
            "enquiry message %s attempt %s: %s",
            message.message_id,
            message.attempts + 1,
            result.status or "no answer",
        )
    return counts


DUPLICATE = "urn:cme:problem:duplicate"


def _refuse(code: str, detail: str, status: int, envelope: dict[str, Any] | None) -> MessageRefused:
    """Audit a refused message (sender, id and the reason code only) and return the refusal."""
    envelope = envelope or {}
    with transaction.atomic():
        audit.record(
            action=AuditAction.IMPORTED,
            target_type="enquiries.message",
            target_id=str(envelope.get("message_id", ""))[:64],
            payload={
                "refused": code,
                "sender": str(envelope.get("sender", ""))[:3],
                "kind": str(envelope.get("kind", ""))[:10],
            },
        )
    return MessageRefused(code, detail, status)


def message_verify(*, raw: bytes, signature: str, now: datetime | None = None) -> Enquiry:
    """Check a message from another deployment and apply it; raises MessageRefused."""
    now = now or timezone.now()
    try:
        envelope = json.loads(raw)
        if not isinstance(envelope, dict):
            raise ValueError("not an object")
        sender_code = str(envelope["sender"])
        created_at = datetime.fromisoformat(str(envelope["created_at"]))
        if any(name not in envelope for name in ("message_id", "kind", "recipient", "body")):
            raise KeyError("incomplete")
    except (ValueError, KeyError, TypeError):
        raise _refuse("malformed", "The message is not a CME enquiry message", 400, None) from None
    sender = DirectoryEntry.objects.filter(la_code=sender_code).first()
    if sender is None or sender.is_local or not sender.public_key:
        raise _refuse("unknown_sender", "The sender is not in this directory", 403, envelope)
    if not signature or not signing.verify(sender.public_key, raw, signature):
        raise _refuse(
            "bad_signature", "The signature does not match the sender's key", 401, envelope
        )
    if created_at.tzinfo is None or abs(now - created_at) > FRESHNESS:
        raise _refuse("expired", "The message is too old or from the future", 401, envelope)
    try:
        with transaction.atomic():
            enquiry = message_accept(envelope=envelope)
    except MessageRefused as refused:
        raise _refuse(refused.code, refused.detail, refused.status, envelope) from None
    except (KeyError, ValueError, TypeError):
        raise _refuse("malformed", "The message body is not complete", 422, envelope) from None
    audit.record(
        action=AuditAction.IMPORTED,
        target=enquiry,
        authority_id=enquiry.authority_id,
        payload={
            "message": str(envelope["message_id"]),
            "kind": str(envelope["kind"]),
            "sender": sender_code,
        },
    )
    return enquiry
