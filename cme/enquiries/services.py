"""Every change to enquiries and the directory. Each service is atomic and audits itself.

An enquiry goes from the enquiring case to ONE authority (§3.3.2.2). Both sides change their own
row only; what crosses between them is a message (see `transport`), delivered at once when the
other authority is hosted here and through the outbox when it is not.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.cases import services as case_services
from cme.cases.models import Case, EnquiryKind, EventKind, Outcome, Priority, Source, Stage
from cme.children import services as child_services
from cme.children.models import Child, Ethnicity, NameKind, Relationship, Sex
from cme.children.restriction import can_see_details
from cme.core import audit
from cme.core.calendar import bank_holidays_england
from cme.core.models import AuditAction
from cme.enquiries import information, signing
from cme.enquiries.models import (
    ANSWER_DAYS,
    FOUND,
    OPEN_INCOMING,
    RISK_DAYS,
    RISK_PRIORITY,
    Answer,
    Check,
    CheckKind,
    Delivery,
    Direction,
    DirectoryContact,
    DirectoryEntry,
    Enquiry,
    MessageKind,
    OutboxMessage,
    ReceivedMessage,
    Risk,
    SigningKey,
    Status,
)
from cme.enquiries.rules import is_own_entry

BLANKET_DAYS = 30
BLANKET_LIMIT = 3  # authorities about one child within BLANKET_DAYS before approval is needed


class EnquiryRefused(Exception):
    """A change the rules do not allow; the message says why, for the person who asked."""


def _now() -> Any:
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def working_days_after(start: date, n: int) -> date:
    """`n` working days (not weekends or England's bank holidays) after `start`."""
    day, counted = start, 0
    holidays = bank_holidays_england(start.year) | bank_holidays_england(start.year + 1)
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            counted += 1
    return day


def _record(
    enquiry: Enquiry,
    actor: Any,
    action: AuditAction,
    summary: str,
    *,
    target: Any,
    payload: Mapping[str, Any],
) -> None:
    """One audit event about the enquiry; with a `summary`, and once the enquiry has a case, that
    event also puts a line on the case's timeline (`case_event_record`)."""
    if summary and enquiry.case is not None:
        case_services.case_event_record(
            case=enquiry.case,
            actor=actor,
            kind=EventKind.LA_ENQUIRY,
            summary=summary,
            action=action,
            payload=payload,
            target=target,
        )
        return
    audit.record(
        action=action,
        actor=actor,
        target=target,
        authority_id=enquiry.authority_id,
        payload=payload,
    )


def _audit(
    enquiry: Enquiry, actor: Any, action: AuditAction, *, summary: str = "", **payload: Any
) -> None:
    _record(
        enquiry,
        actor,
        action,
        summary,
        target=enquiry,
        payload={"direction": enquiry.direction, "status": enquiry.status, **payload},
    )


# --- Directory ----------------------------------------------------------------------------------


@transaction.atomic
def directory_entry_for(authority: Authority) -> DirectoryEntry:
    """The hosted authority's own entry and key pair, made the first time they are needed."""
    key = SigningKey.objects.filter(authority=authority).first()
    if key is None:
        private, public = signing.key_pair()
        key = SigningKey.objects.create(authority=authority, private_key=private, public_key=public)
        audit.record(action=AuditAction.CREATED, target=key, authority_id=authority.pk, payload={})
    entry = DirectoryEntry.objects.filter(authority=authority).first()
    if entry is None:
        entry, _ = DirectoryEntry.objects.update_or_create(
            la_code=authority.la_code,
            defaults={"authority": authority, "name": authority.name, "base_url": ""},
        )
    changes = {}
    if entry.public_key != key.public_key:
        changes["public_key"] = key.public_key
    if entry.name != authority.name or entry.la_code != authority.la_code:
        changes |= {"name": authority.name, "la_code": authority.la_code}
    if changes:
        DirectoryEntry.objects.filter(pk=entry.pk).update(**changes, updated_at=_now())
        entry.refresh_from_db()
    return entry


def directory_sync() -> None:
    """Every hosted authority has its entry: run before the directory is shown or used."""
    missing = Authority.objects.filter(directory_entry__isnull=True)
    for authority in missing:
        directory_entry_for(authority)


@transaction.atomic
def directory_remote_save(
    *, actor: Any, la_code: str, name: str, base_url: str, public_key: str
) -> DirectoryEntry:
    """Add or change an authority on another deployment (the service operator's job)."""
    if not signing.is_public_key(public_key):
        raise EnquiryRefused("The public key must be 32 bytes in base64")
    parts = urlsplit(base_url)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        # Children's details travel in the body: only over TLS (plain HTTP on loopback for tests).
        raise EnquiryRefused("The address must start https://")
    if Authority.objects.filter(la_code=la_code).exists():
        raise EnquiryRefused("That authority is hosted here: its entry is kept by its managers")
    entry, created = DirectoryEntry.objects.update_or_create(
        la_code=la_code,
        defaults={
            "name": name,
            "base_url": base_url.rstrip("/"),
            "public_key": public_key,
            "updated_at": _now(),
        },
    )
    audit.record(
        action=AuditAction.CREATED if created else AuditAction.UPDATED,
        actor=actor,
        target=entry,
        payload={"la_code": la_code, "remote": True},
    )
    return entry


def _own_entry(entry: DirectoryEntry, actor: Any) -> None:
    if not is_own_entry(actor, entry):
        raise EnquiryRefused("An authority keeps its own entry in the directory")


@transaction.atomic
def directory_contact_save(
    *,
    actor: Any,
    entry: DirectoryEntry,
    contact: DirectoryContact | None,
    fields: Mapping[str, Any],
) -> DirectoryContact:
    _own_entry(entry, actor)
    adding = contact is None
    contact = contact or DirectoryContact(entry=entry)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    DirectoryEntry.objects.filter(pk=entry.pk).update(updated_at=_now())
    audit.record(
        action=AuditAction.CREATED if adding else AuditAction.UPDATED,
        actor=actor,
        target=contact,
        authority_id=entry.authority_id,
        payload={"fields": sorted(fields)},
    )
    return contact


@transaction.atomic
def directory_contact_remove(*, actor: Any, contact: DirectoryContact) -> None:
    _own_entry(contact.entry, actor)
    audit.record(
        action=AuditAction.DELETED,
        actor=actor,
        target=contact,
        authority_id=contact.entry.authority_id,
    )
    DirectoryEntry.objects.filter(pk=contact.entry_id).update(updated_at=_now())
    contact.delete()


def _entry_card(entry: DirectoryEntry) -> dict[str, Any]:
    """What a message says about its sender, so the receiver's directory stays current."""
    return {
        "name": entry.name,
        "contacts": [
            {"name": c.name, "job_title": c.job_title, "email": c.email, "phone": c.phone}
            for c in entry.contacts.all()
        ],
    }


def _refresh_remote_entry(entry: DirectoryEntry, card: Mapping[str, Any]) -> None:
    """A remote authority keeps its entry current by what it signs: replace its contacts."""
    if entry.is_local or not isinstance(card, Mapping):
        return
    contacts = card.get("contacts", [])
    if not isinstance(contacts, list):
        return
    entry.contacts.all().delete()
    DirectoryContact.objects.bulk_create(
        DirectoryContact(
            entry=entry,
            name=str(c.get("name", ""))[:120],
            job_title=str(c.get("job_title", ""))[:120],
            email=str(c.get("email", ""))[:254],
            phone=str(c.get("phone", ""))[:30],
        )
        for c in [c for c in contacts if isinstance(c, dict)][:20]
    )
    # The name stays the one the operator entered: a remote cannot call itself another council.
    DirectoryEntry.objects.filter(pk=entry.pk).update(updated_at=_now())


# --- Sending ------------------------------------------------------------------------------------


def _check_travelling_text(case: Case, texts: Mapping[str, str]) -> None:
    if not case.child.is_restricted:
        return
    places = information.location_words(case)
    for label, text in texts.items():
        if text and information.names_a_place(text, places):
            raise EnquiryRefused(
                f"{label}: this child's record is restricted. Take out any address, postcode "
                "or school; give them by phone to the named officer if they must know."
            )


def _clean_extra(case: Case, extra: Mapping[str, Any]) -> dict[str, str]:
    cleaned = {k: str(extra.get(k) or "").strip() for k in information.EXTRA_KEYS}
    if case.child.is_restricted:
        # The form does not offer them; refuse rather than drop, so nobody thinks they went.
        for key in ("possible_new_address", "possible_new_school"):
            if cleaned[key]:
                raise EnquiryRefused(
                    "This child's record is restricted: a possible address or school is not sent"
                )
    return cleaned


def _screen_outgoing(case: Case, reason: str, extra: Mapping[str, Any]) -> dict[str, str]:
    """What may travel about this case's child as it is now: run when the draft is written and
    again when it goes (the child may have been restricted in between)."""
    cleaned = _clean_extra(case, extra)
    _check_travelling_text(
        case,
        {
            "Why you believe the child is there": reason,
            "Reason for leaving": cleaned["reason_for_leaving"],
            "Interventions for poor attendance": cleaned["attendance_interventions"],
        },
    )
    return cleaned


@transaction.atomic
def enquiry_prepare(
    *,
    case: Case,
    actor: Any,
    to: DirectoryEntry,
    reason: str,
    extra: Mapping[str, Any],
    draft: Enquiry | None = None,
) -> Enquiry:
    """Write (or rewrite) the draft the officer checks before it goes: to one authority."""
    if not case.is_open:
        raise EnquiryRefused("Reopen the case before making an enquiry")
    if to.authority_id == case.authority_id:
        raise EnquiryRefused("Choose another authority: this is your own")
    if not reason.strip():
        raise EnquiryRefused("Say why you believe the child is in that authority's area")
    if case.child.is_restricted and not can_see_details(actor, case.child):
        # Only someone allowed to know where the child is may write what travels: otherwise the
        # place check would tell them whether a guessed town or school is the child's.
        raise EnquiryRefused(
            "This child's record is restricted: ask the case owner or a manager for access "
            "before making an enquiry"
        )
    cleaned = _screen_outgoing(case, reason, extra)
    if draft is not None and draft.status != Status.DRAFT:
        raise EnquiryRefused("This enquiry has already been sent")
    enquiry = draft or Enquiry(
        direction=Direction.OUTGOING,
        authority_id=case.authority_id,
        case=case,
        child=case.child,
        status=Status.DRAFT,
        prepared_by=actor,
    )
    enquiry.counterpart = to
    enquiry.reason = reason.strip()
    enquiry.extra = cleaned
    enquiry.details = information.basic_information(case, cleaned)
    enquiry.indicators = information.vulnerability_indicators(case, cleaned)
    enquiry.their_reference = ""
    enquiry.save()
    _audit(
        enquiry, actor, AuditAction.CREATED if draft is None else AuditAction.UPDATED, to=to.la_code
    )
    return enquiry


def authorities_asked(child: Child, *, since: Any, excluding: Enquiry | None = None) -> set[int]:
    """The directory entries enquired of about this child since `since` (sent or approved)."""
    asked = Enquiry.objects.filter(
        child=child,
        direction=Direction.OUTGOING,
        status__in=[Status.SENT, Status.ANSWERED],
        sent_at__gte=since,
    )
    if excluding is not None:
        asked = asked.exclude(pk=excluding.pk)
    return set(asked.values_list("counterpart_id", flat=True))


def needs_approval(enquiry: Enquiry) -> bool:
    """§3.3.2.2: a fourth authority about the same child within 30 days is a blanket enquiry
    unless a manager approves it with a reason."""
    assert enquiry.child is not None
    asked = authorities_asked(
        enquiry.child, since=_now() - timedelta(days=BLANKET_DAYS), excluding=enquiry
    )
    return enquiry.counterpart_id not in asked and len(asked) >= BLANKET_LIMIT


@transaction.atomic
def enquiry_send(*, enquiry: Enquiry, actor: Any) -> Enquiry:
    """Send a checked draft, or put it to a manager when it would be a blanket enquiry."""
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if locked.status != Status.DRAFT or not locked.is_outgoing:
        raise EnquiryRefused("This enquiry has already been sent")
    case = locked.case
    assert case is not None
    if not case.is_open:
        raise EnquiryRefused("Reopen the case before making an enquiry")
    # One send about this child at a time: two officers sending the 3rd and 4th authorities at
    # once must not both see two asked and both skip the blanket rule.
    if locked.child_id is not None:
        Child.objects.select_for_update().filter(pk=locked.child_id).first()
    open_already = Enquiry.objects.filter(
        child=locked.child,
        direction=Direction.OUTGOING,
        counterpart=locked.counterpart,
        status__in=[Status.SENT, Status.AWAITING_APPROVAL],
    ).exists()
    if open_already:
        raise EnquiryRefused(
            f"{locked.counterpart.name} already has an enquiry about this child waiting for an "
            "answer"
        )
    locked.enquirer = {"name": actor.full_name, "email": actor.email}
    if needs_approval(locked):
        locked.status = Status.AWAITING_APPROVAL
        locked.save(update_fields=["status", "enquirer"])
        _audit(
            locked,
            actor,
            AuditAction.UPDATED,
            summary=f"Enquiry to {locked.counterpart.name} waiting for a manager's approval "
            "(more than three authorities in 30 days)",
            to=locked.counterpart.la_code,
            blanket=True,
        )
        return locked
    return _dispatch_enquiry(locked, actor)


@transaction.atomic
def enquiry_approve(*, enquiry: Enquiry, actor: Any, approve: bool, reason: str) -> Enquiry:
    """A manager approves (with a reason) or refuses an enquiry the blanket rule stopped."""
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if locked.status != Status.AWAITING_APPROVAL:
        raise EnquiryRefused("This enquiry is not waiting for approval")
    if not reason.strip():
        raise EnquiryRefused("Give the reason for your decision")
    if not actor.has_perm("enquiries.approve_enquiry", locked):
        raise EnquiryRefused("Only a CME manager may approve this enquiry")
    locked.approval_reason = reason.strip()
    locked.approved_by = actor
    locked.approved_at = _now()
    if not approve:
        locked.status = Status.NOT_APPROVED
        locked.save()
        _audit(
            locked,
            actor,
            AuditAction.UPDATED,
            summary=f"Enquiry to {locked.counterpart.name} not approved",
            approved=False,
        )
        return locked
    locked.save()
    _audit(locked, actor, AuditAction.PERMISSION_GRANTED, approved=True)
    return _dispatch_enquiry(locked, actor)


def _dispatch_enquiry(enquiry: Enquiry, actor: Any) -> Enquiry:
    case = enquiry.case
    assert case is not None
    # Built again from the child as it is now: a draft written (or approval asked for) before the
    # child was restricted must not carry its location, nor say "restricted: false".
    case = Case.objects.select_related("child", "last_placement").get(pk=case.pk)
    if not case.is_open:
        raise EnquiryRefused("Reopen the case before making an enquiry")
    cleaned = _screen_outgoing(case, enquiry.reason, enquiry.extra)
    enquiry.extra = cleaned
    enquiry.details = information.basic_information(case, cleaned)
    enquiry.indicators = information.vulnerability_indicators(case, cleaned)
    enquiry.status = Status.SENT
    enquiry.sent_at = _now()
    enquiry.save()
    _audit(
        enquiry,
        actor,
        AuditAction.UPDATED,
        summary=f"Enquiry sent to {enquiry.counterpart.name}",
        to=enquiry.counterpart.la_code,
        sent=True,
    )
    body = {
        "enquiry": str(enquiry.uid),
        "reference": case.reference,
        "reason": enquiry.reason,
        "details": enquiry.details,
        "indicators": enquiry.indicators,
        "enquirer": enquiry.enquirer,
    }
    _queue(enquiry, MessageKind.ENQUIRY, body)
    return enquiry


def _queue(enquiry: Enquiry, kind: MessageKind, body: dict[str, Any]) -> OutboxMessage:
    """Put the message in the outbox; a hosted recipient gets it now, in this transaction."""
    message = OutboxMessage.objects.create(
        kind=kind,
        enquiry=enquiry,
        sender_id=enquiry.authority_id,
        recipient=enquiry.counterpart,
        body=body,
    )
    if enquiry.counterpart.is_local:
        message_accept(envelope=envelope_for(message))
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=Delivery.DELIVERED, delivered_at=_now(), attempts=1, last_result="local"
        )
    return message


def envelope_for(message: OutboxMessage) -> dict[str, Any]:
    """The message as it travels. `created_at` is the moment of this attempt: a retry is signed
    afresh, so a message that waited in the outbox is still fresh when it arrives."""
    sender_entry = directory_entry_for(message.sender)
    return {
        "message_id": str(message.message_id),
        "kind": message.kind,
        "sender": sender_entry.la_code,
        "recipient": message.recipient.la_code,
        "created_at": _now().isoformat(),
        "sender_entry": _entry_card(sender_entry),
        "body": message.body,
    }


# --- Receiving ----------------------------------------------------------------------------------


class MessageRefused(Exception):
    """A message this deployment will not accept; `code` is what the audit trail records."""

    def __init__(self, code: str, detail: str, status: int = 422) -> None:
        super().__init__(detail)
        self.code, self.detail, self.status = code, detail, status


@transaction.atomic
def message_accept(*, envelope: Mapping[str, Any]) -> Enquiry:
    """Apply a message that has passed its checks (or came from an authority hosted here).

    Each message id is accepted once: the unique row in ReceivedMessage is the guard, written
    in the same transaction as the change it allows.
    """
    message_id = uuid.UUID(str(envelope["message_id"]))
    if ReceivedMessage.objects.filter(message_id=message_id).exists():
        raise MessageRefused("replayed", "This message has already been received", 409)
    sender = DirectoryEntry.objects.filter(la_code=envelope["sender"]).first()
    recipient = _hosted_entry(str(envelope["recipient"]))
    if sender is None:
        raise MessageRefused("unknown_sender", "The sender is not in this directory", 403)
    if recipient is None or recipient.authority is None:
        raise MessageRefused("unknown_recipient", "The recipient is not hosted here", 404)
    kind = envelope["kind"]
    if not isinstance(kind, str) or kind not in MessageKind.values:
        raise MessageRefused("unknown_kind", "Unknown kind of message")
    try:
        with transaction.atomic():
            ReceivedMessage.objects.create(
                message_id=message_id, sender_code=sender.la_code, kind=kind
            )
    except IntegrityError:
        # The same message delivered twice at once: the other delivery has it.
        raise MessageRefused("replayed", "This message has already been received", 409) from None
    _refresh_remote_entry(sender, envelope.get("sender_entry") or {})
    body = envelope["body"]
    if kind == MessageKind.ENQUIRY:
        return _receive_enquiry(sender, recipient.authority, body)
    return _receive_response(sender, recipient.authority, body)  # the only other kind


def _hosted_entry(la_code: str) -> DirectoryEntry | None:
    found = DirectoryEntry.objects.filter(la_code=la_code, authority__isnull=False)
    recipient = found.select_related("authority").first()
    if recipient is None and Authority.objects.filter(la_code=la_code).exists():
        directory_sync()  # hosted, but its entry not made yet: make it now
        recipient = found.select_related("authority").first()
    return recipient


def _receive_enquiry(
    sender: DirectoryEntry, authority: Authority, body: Mapping[str, Any]
) -> Enquiry:
    uid = uuid.UUID(str(body["enquiry"]))
    existing = Enquiry.objects.filter(uid=uid, direction=Direction.INCOMING).first()
    if existing is not None:
        if existing.authority_id == authority.pk and existing.counterpart_id == sender.pk:
            return existing  # the same enquiry again: nothing to change
        # An id already used between two other authorities: refused, not silently dropped.
        raise MessageRefused("conflict", "An enquiry with this id was already received", 409)
    details, indicators = body.get("details") or {}, body.get("indicators") or {}
    if not isinstance(details, dict) or not isinstance(indicators, dict):
        raise MessageRefused("malformed", "The enquiry's details must be objects")
    for key in ("other_names", "carers", "siblings"):
        items = details.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MessageRefused("malformed", f"The enquiry's {key} must be a list of objects")
    today = _today()
    high = information.high_concern(indicators)
    enquiry = Enquiry.objects.create(
        uid=uid,
        direction=Direction.INCOMING,
        authority=authority,
        counterpart=sender,
        status=Status.RECEIVED,
        reason=str(body.get("reason", "")),
        details=details,
        indicators=indicators,
        enquirer=body.get("enquirer") or {},
        their_reference=str(body.get("reference", ""))[:40],
        received_at=_now(),
        priority=Priority.HIGH if high else Priority.MEDIUM,
        due_on=working_days_after(today, RISK_DAYS[Risk.MEDIUM] if high else ANSWER_DAYS),
    )
    _audit(enquiry, None, AuditAction.CREATED, sender=sender.la_code)
    return enquiry


def _receive_response(
    sender: DirectoryEntry, authority: Authority, body: Mapping[str, Any]
) -> Enquiry:
    uid = uuid.UUID(str(body["enquiry"]))
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .filter(uid=uid, direction=Direction.OUTGOING, authority=authority)
        .select_related("case", "counterpart", "prepared_by")
        .first()
    )
    if enquiry is None or enquiry.counterpart_id != sender.pk:
        # Only the authority asked may answer.
        raise MessageRefused("no_such_enquiry", "No enquiry to the sender has that id", 404)
    if enquiry.status == Status.ANSWERED:
        return enquiry
    answer = Answer(str(body["answer"]))
    enquiry.status = Status.ANSWERED
    enquiry.answer = answer
    enquiry.answer_message = str(body.get("message", ""))
    enquiry.answered_by = str(body.get("answered_by", ""))[:150]
    enquiry.answered_at = _now()
    if body.get("reference"):
        enquiry.their_reference = str(body["reference"])[:40]
    enquiry.save()
    _audit(
        enquiry,
        None,
        AuditAction.UPDATED,
        summary=f"{enquiry.counterpart.name} answered the enquiry: {answer.label}",
        answer=answer,
    )
    _apply_answer_to_case(enquiry)
    return enquiry


def _apply_answer_to_case(enquiry: Enquiry) -> None:
    """The answer updates the enquiring case: the reasonable-enquiries checklist row for "the
    local authority the child may have moved to", and when the child is found there, the case is
    handed over (closed as moved to another authority) if the case's rules allow it."""
    if enquiry.case_id is None:
        return
    case = Case.objects.select_related("child").get(pk=enquiry.case_id)
    answer = Answer(enquiry.answer)
    name = enquiry.counterpart.name
    officer = enquiry.prepared_by
    if officer is not None and case.is_open:
        case_services.enquiry_record(
            case=case,
            actor=officer,
            kind=EnquiryKind.NEW_LA,
            made_on=timezone.localtime(enquiry.sent_at).date() if enquiry.sent_at else _today(),
            outcome=f"{name}: {answer.label}"[:200],
        )
    if answer not in FOUND or not case.is_open:
        if case.is_open:
            case_services.task_add(
                case=case,
                actor=None,
                title=f"{name} answered: {answer.label.lower()}. Decide the next enquiry.",
                due_on=working_days_after(_today(), 2),
                assigned_to=case.owner,
            )
        return
    try:
        case_services.case_transition(
            case=case,
            to=Stage.CLOSED,
            actor=None,
            version=case.version,
            outcome=Outcome.MOVED_LA,
        )
    except case_services.CaseRefused as refused:
        case_services.task_add(
            case=case,
            actor=None,
            title=f"{name} found the child: close the case as moved ({refused})"[:200],
            due_on=_today(),
            assigned_to=case.owner,
        )


# --- Working an incoming enquiry ---------------------------------------------------------------


def _incoming(enquiry: Enquiry, *statuses: Status) -> Enquiry:
    locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if locked.is_outgoing:
        raise EnquiryRefused("Only the authority asked works an enquiry")
    if statuses and locked.status not in statuses:
        raise EnquiryRefused("This enquiry has already been answered")
    return locked


@transaction.atomic
def incoming_assess(*, enquiry: Enquiry, actor: Any, risk: str, notes: str) -> Enquiry:
    """§3.3.4.1: assess vulnerability from what was sent, before any home visit; the level
    sets the priority and the date the answer is due."""
    locked = _incoming(enquiry, *OPEN_INCOMING)
    level = Risk(risk)
    locked.risk = level
    locked.assessment_notes = notes.strip()
    locked.assessed_by = actor
    locked.assessed_at = _now()
    locked.priority = RISK_PRIORITY[level]
    received = timezone.localtime(locked.received_at).date() if locked.received_at else _today()
    locked.due_on = working_days_after(received, RISK_DAYS[level])
    locked.status = Status.ASSESSED
    locked.save()
    _audit(
        locked,
        actor,
        AuditAction.UPDATED,
        summary=f"Enquiry from {locked.counterpart.name}: vulnerability assessed",
        risk=level,
        priority=locked.priority,
    )
    return locked


@transaction.atomic
def check_record(*, enquiry: Enquiry, actor: Any, kind: str, made_on: date, outcome: str) -> Check:
    locked = _incoming(enquiry, *OPEN_INCOMING)
    check_kind = CheckKind(kind)
    if check_kind == CheckKind.HOME_VISIT and locked.assessed_at is None:
        raise EnquiryRefused("Assess the child's vulnerability before any home visit")
    if made_on > _today():
        raise EnquiryRefused("The date of the check must be today or in the past")
    if not outcome.strip():
        raise EnquiryRefused("Say what the check found")
    check, _ = Check.objects.update_or_create(
        enquiry=locked,
        kind=check_kind,
        defaults={"made_on": made_on, "outcome": outcome.strip(), "officer": actor},
    )
    _record(
        locked,
        actor,
        AuditAction.UPDATED,
        f"Enquiry check recorded: {check_kind.label}",
        target=check,
        payload={"enquiry": locked.pk, "kind": check_kind},
    )
    return check


# Checks an answer needs first: a home visit for what only a visit can say; schools and the
# authority's databases for "not known" (§3.3.4.2).
ANSWER_NEEDS: dict[Answer, tuple[CheckKind, ...]] = {
    Answer.FOUND_ON_ROLL: (),
    Answer.FOUND_AT_ADDRESS: (CheckKind.HOME_VISIT,),
    Answer.VISITED_NO_TRACE: (CheckKind.HOME_VISIT,),
    Answer.NOT_KNOWN: (
        CheckKind.LOCAL_SCHOOLS,
        CheckKind.INDEPENDENT_SCHOOLS,
        CheckKind.LA_DATABASES,
    ),
}


@transaction.atomic
def incoming_answer(*, enquiry: Enquiry, actor: Any, answer: str, message: str) -> Enquiry:
    """Answer the enquiring authority (it always gets an answer, §3.3.4.2)."""
    locked = _incoming(enquiry, *OPEN_INCOMING)
    if locked.assessed_at is None:
        raise EnquiryRefused("Assess the child's vulnerability before answering")
    chosen = Answer(answer)
    done = set(locked.checks.values_list("kind", flat=True))
    missing = [k.label.lower() for k in ANSWER_NEEDS[chosen] if k not in done]
    if missing:
        raise EnquiryRefused(
            f"Record these checks before answering “{chosen.label}”: " + ", ".join(missing)
        )
    restricted = bool(locked.details.get("restricted")) or bool(
        locked.child is not None and locked.child.is_restricted
    )
    if restricted:
        places = information.location_words(locked.case) if locked.case is not None else []
        if information.names_a_place(message, places):
            raise EnquiryRefused(
                "Message: this child's record is restricted. Take out any address, postcode or "
                "school; give them by phone to the enquiring officer."
            )
    locked.status = Status.ANSWERED
    locked.answer = chosen
    locked.answer_message = message.strip()
    locked.answered_at = _now()
    locked.answered_by = actor.full_name
    locked.save()
    _audit(
        locked,
        actor,
        AuditAction.UPDATED,
        summary=f"Enquiry from {locked.counterpart.name} answered: {chosen.label}",
        answer=chosen,
    )
    _queue(
        locked,
        MessageKind.RESPONSE,
        {
            "enquiry": str(locked.uid),
            "answer": chosen.value,
            "message": locked.answer_message,
            "answered_by": actor.full_name,
            "reference": locked.case.reference if locked.case else "",
        },
    )
    return locked


# What another deployment sent is read defensively: a wrong type or an unknown code is left out
# rather than failing the page.
def _text(d: Mapping[str, Any], key: str, most: int) -> str:
    value = d.get(key, "")
    return value[:most] if isinstance(value, str) else ""


def _choice(d: Mapping[str, Any], key: str, allowed: list[Any], default: str) -> str:
    value = d.get(key)
    return value if isinstance(value, str) and value in allowed else default


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _objects(d: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = d.get(key, [])
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


@transaction.atomic
def incoming_open_case(*, enquiry: Enquiry, actor: Any) -> Case:
    """Open a case here for the child asked about, from what the enquiry says."""
    locked = _incoming(enquiry)
    if locked.case_id is not None:
        raise EnquiryRefused("A case is already open for this enquiry")
    d = locked.details
    case = case_services.case_open(
        actor=actor,
        authority=locked.authority,
        new_child=case_services.NewChild(
            forename=_text(d, "forename", 100) or "Not known",
            surname=_text(d, "surname", 100) or "Not known",
            middle_names=_text(d, "middle_names", 150),
            date_of_birth=_iso_date(d.get("date_of_birth")),
            sex=_choice(d, "sex", Sex.values, Sex.UNKNOWN),
        ),
        source=Source.ANOTHER_LA,
        notified_on=timezone.localtime(locked.received_at).date()
        if locked.received_at
        else _today(),
        owner=actor,
        priority=locked.priority,
    )
    child = case.child
    changes: dict[str, Any] = {
        "ethnicity": _choice(d, "ethnicity", Ethnicity.values, ""),
        "country_of_origin": _text(d, "country_of_origin", 60),
    }
    if d.get("restricted"):
        # Restricted there, restricted here: the same people are at risk.
        changes |= {
            "is_restricted": True,
            "restriction_reason": f"Restricted by {locked.counterpart.name}",
        }
    child_services.child_update(child=child, actor=actor, changes=changes)
    for name in _objects(d, "other_names"):
        forename, surname = _text(name, "forename", 100), _text(name, "surname", 100)
        if not (forename.strip() or surname.strip()):
            continue
        child_services.child_other_name_add(
            child=child,
            actor=actor,
            kind=_choice(name, "kind", NameKind.values, NameKind.ALIAS),
            forename=forename,
            surname=surname,
        )
    for carer in _objects(d, "carers"):
        child_services.child_carer_add(
            child=child,
            actor=actor,
            full_name=_text(carer, "name", 150),
            relationship=_choice(carer, "relationship", Relationship.values, "other"),
            has_parental_responsibility=bool(carer.get("parental_responsibility")),
            lives_with_child=bool(carer.get("lives_with_child")),
        )
    locked.case = case
    locked.child = child
    locked.save(update_fields=["case", "child"])
    _audit(
        locked,
        actor,
        AuditAction.UPDATED,
        summary=f"Case opened from an enquiry by {locked.counterpart.name}",
        case=case.pk,
    )
    return case


# --- Clocks -------------------------------------------------------------------------------------


@transaction.atomic
def overdue_escalate(*, today: date | None = None) -> list[Enquiry]:
    """Flag every unanswered incoming enquiry past its due date to the authority's managers.

    Idempotent: an enquiry is escalated once. Returns those this run escalated."""
    today = today or _today()
    due = Enquiry.objects.select_for_update().filter(
        direction=Direction.INCOMING,
        status__in=OPEN_INCOMING,
        due_on__lt=today,
        escalated_at__isnull=True,
    )
    escalated = list(due)
    for enquiry in escalated:
        enquiry.escalated_at = _now()
        enquiry.save(update_fields=["escalated_at"])
        _audit(
            enquiry,
            None,
            AuditAction.UPDATED,
            summary="Enquiry answer overdue: escalated to the CME manager",
            escalated=True,
        )
    return escalated


def escalations_notify(*, enquiries: list[Enquiry]) -> int:
    """Tell each authority's managers how many enquiries became overdue. No child, no case."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    per_authority: dict[int, int] = {}
    for enquiry in enquiries:
        per_authority[enquiry.authority_id] = per_authority.get(enquiry.authority_id, 0) + 1
    sent = 0
    for authority_id, count in per_authority.items():
        managers = User.objects.filter(
            is_active=True,
            memberships__authority_id=authority_id,
            memberships__role=Role.CME_MANAGER,
            memberships__is_active=True,
        ).exclude(email="")
        plural = "ies" if count != 1 else "y"
        for manager in managers:
            send_mail(
                subject=f"CME: {count} enquir{plural} from other authorities overdue",
                message=(
                    f"{count} enquir{plural} from other authorities passed the date its answer "
                    f"was due.\n\nSign in to see them: {settings.CME_BASE_URL}"
                    f"{reverse('enquiry_list')}\n\n"
                    "This email does not contain any details about children."
                ),
                from_email=None,
                recipient_list=[manager.email],
            )
            sent += 1
    return sent
