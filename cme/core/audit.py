"""The one way to write to the audit trail, and the check that it has not been altered.

`record()` must be called inside the transaction that makes the change, so the event and the change
commit or roll back together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from cme.core import request_context
from cme.core.models import AuditAction, AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
_HEAD_ID = 1


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_canonical(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _digest(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "authority_id": event.authority_id,
        "payload": event.payload,
        "request_id": event.request_id,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _locked_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=_HEAD_ID)
    return head


def record(
    *,
    action: AuditAction,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: object = "",
    authority: Any = None,
    authority_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `payload` holds field names and coded values, never free text about a child."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk
    if authority is not None:
        authority_id = authority.pk
    info = request_context.current()
    with transaction.atomic():
        # The head row is the lock: appends queue here, so sequence numbers and links never fork.
        head = _locked_head()
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=getattr(actor, "email", "") or "",
            action=action,
            target_type=target_type,
            target_id="" if target_id is None else str(target_id),
            authority_id=authority_id,
            payload=_canonical(dict(payload or {})),
            request_id=info.request_id,
            ip=info.ip,
            prev_hash=head.hash,
        )
        event.hash = _digest(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def _events_in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)


def head() -> tuple[int, str]:
    """The last event's number and hash. Kept somewhere the database's owner cannot write (a daily
    report, another system), it anchors the chain: see `verify(anchors=...)`."""
    found = AuditChainHead.objects.filter(pk=_HEAD_ID).first()
    return (found.seq, found.hash) if found else (0, GENESIS_HASH)


def verify(anchors: Iterable[tuple[int, str]] = ()) -> VerifyResult:
    """Walk the whole chain: every row must hash to itself, link to its predecessor, and end at the head.

    A chain rewritten from the start (by someone who can write every row and the head) is
    consistent with itself; `anchors` — heads recorded earlier, outside the database — catch it,
    because every event up to an anchor must still have the hash the anchor recorded.
    """
    problems: list[str] = []
    expected_anchor = dict(anchors)
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in _events_in_order():
        checked += 1
        anchored = expected_anchor.pop(event.seq, None)
        if anchored is not None and anchored != event.hash:
            problems.append(f"event {event.seq} is not the event recorded as the head then")
        if event.seq != expected_seq:
            problems.append(f"events {expected_seq} to {event.seq - 1} are missing")
        if event.prev_hash != expected_prev:
            problems.append(f"event {event.seq} does not follow the event before it")
        if _digest(event) != event.hash:
            problems.append(f"event {event.seq} has been changed since it was recorded")
        expected_prev, expected_seq = event.hash, event.seq + 1
    for seq in sorted(expected_anchor):
        problems.append(f"event {seq}, recorded as the head earlier, is no longer in the trail")
    head_seq, head_hash = head()
    if head_seq != expected_seq - 1 or head_hash != expected_prev:
        problems.append(
            f"the trail should end at event {head_seq} but ends at event {expected_seq - 1}"
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
