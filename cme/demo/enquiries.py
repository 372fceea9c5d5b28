"""Fictional enquiries between the demo's three neighbouring authorities (990, 991, 992), in
every state: a draft, one waiting for a manager's approval, one not approved, sent and waiting,
received and assessed with checks, answered (found, and not known), and one overdue and
escalated.

Like the rest of the demo this is fixture loading: plain inserts, no audit events. Thirdshire
(992) and the named officers are added if missing; enquiries only while the three authorities
have none.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role, User
from cme.cases.models import Case, CaseEvent, EventKind, Outcome, Priority, Stage
from cme.demo.catalogue import DEMO_PASSWORD
from cme.demo.terms import demo_terms
from cme.enquiries import information, signing
from cme.enquiries.models import (
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

THIRDSHIRE = ("Thirdshire Council", "992")
# Named CME contacts and the users who hold them, per authority.
PEOPLE = {
    "990": [("Priya Sharma", "officer@exampleshire.example", Role.CME_OFFICER, "01632 960001")],
    "991": [
        ("Sunita Patel", "officer@otherborough.example", Role.CME_OFFICER, "01632 960101"),
        ("Gareth Rowe", "manager@otherborough.example", Role.CME_MANAGER, "01632 960102"),
    ],
    "992": [
        ("Tomasz Nowak", "officer@thirdshire.example", Role.CME_OFFICER, "01632 960201"),
        ("Helen Achebe", "manager@thirdshire.example", Role.CME_MANAGER, "01632 960202"),
    ],
}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


def _people(authorities: dict[str, Authority]) -> dict[str, User]:
    found: dict[str, User] = {}
    password = ""
    for code, people in PEOPLE.items():
        for name, email, role, _ in people:
            user = User.objects.filter(email=email).first()
            if user is None:
                password = password or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    email=email, full_name=name, is_demo=True, password=password
                )
            if user.is_demo:
                Membership.objects.get_or_create(user=user, authority=authorities[code], role=role)
            found[email] = user
    return found


def _entries(authorities: dict[str, Authority]) -> dict[str, DirectoryEntry]:
    entries: dict[str, DirectoryEntry] = {}
    for code, authority in authorities.items():
        if not SigningKey.objects.filter(authority=authority).exists():
            private, public = signing.key_pair()
            SigningKey.objects.create(authority=authority, private_key=private, public_key=public)
        key = SigningKey.objects.get(authority=authority)
        entry, _ = DirectoryEntry.objects.update_or_create(
            la_code=code,
            defaults={"authority": authority, "name": authority.name, "public_key": key.public_key},
        )
        if not entry.contacts.exists():
            for name, email, role, phone in PEOPLE[code]:
                DirectoryContact.objects.create(
                    entry=entry, name=name, job_title=role.label, email=email, phone=phone
                )
        entries[code] = entry
    return entries


def _pair(
    case: Case,
    to: DirectoryEntry,
    sender: User,
    *,
    status: Status,
    sent: date,
    incoming: dict[str, Any] | None = None,
    answer: Answer | None = None,
) -> Enquiry:
    """The enquiring side's row and, once sent, the receiving side's, like a local delivery."""
    extra = {"reason_for_leaving": "Family said they were moving to be near relatives"}
    uid = uuid.uuid4()
    common = {
        "uid": uid,
        "reason": "A neighbour says the family moved to a relative's house in your area",
        "details": information.basic_information(case, extra),
        "indicators": information.vulnerability_indicators(case, extra),
        "enquirer": {"name": sender.full_name, "email": sender.email},
    }
    sent_yet = status not in {Status.DRAFT, Status.AWAITING_APPROVAL, Status.NOT_APPROVED}
    outgoing = Enquiry.objects.create(
        direction=Direction.OUTGOING,
        authority=case.authority,
        counterpart=to,
        case=case,
        child=case.child,
        status=Status.ANSWERED if answer else (Status.SENT if sent_yet else status),
        prepared_by=sender,
        created_at=_at(sent),
        sent_at=_at(sent) if sent_yet else None,
        extra=extra,
        answer=answer or "",
        answered_at=_at(sent + timedelta(days=4)) if answer else None,
        answered_by="Sunita Patel" if answer else "",
        answer_message="On roll at Lowmoor Academy since last month"
        if answer == Answer.FOUND_ON_ROLL
        else "",
        **common,
    )
    if status == Status.NOT_APPROVED:
        outgoing.approval_reason = "Do the local checks first: housing and health have not replied"
        outgoing.approved_by = User.objects.filter(
            memberships__authority=case.authority, memberships__role=Role.CME_MANAGER
        ).first()
        outgoing.approved_at = _at(sent)
        outgoing.save(update_fields=["approval_reason", "approved_by", "approved_at"])
    if not sent_yet:
        return outgoing
    CaseEvent.objects.create(
        case=case,
        occurred_at=_at(sent),
        actor=sender,
        kind=EventKind.LA_ENQUIRY,
        summary=f"Enquiry sent to {to.name}",
    )
    assert to.authority is not None
    received = Enquiry.objects.create(
        direction=Direction.INCOMING,
        authority=to.authority,
        counterpart=DirectoryEntry.objects.get(authority=case.authority),
        status=Status.ANSWERED if answer else status,
        their_reference=case.reference,
        received_at=_at(sent),
        created_at=_at(sent),
        answer=answer or "",
        answered_at=outgoing.answered_at,
        answered_by=outgoing.answered_by,
        answer_message=outgoing.answer_message,
        **(incoming or {}),
        **common,
    )
    message = OutboxMessage.objects.create(
        kind=MessageKind.ENQUIRY,
        enquiry=outgoing,
        sender=case.authority,
        recipient=to,
        body={"enquiry": str(uid)},
        status=Delivery.DELIVERED,
        attempts=1,
        last_result="local",
        delivered_at=_at(sent),
    )
    ReceivedMessage.objects.create(
        message_id=message.message_id, sender_code=case.authority.la_code, kind=MessageKind.ENQUIRY
    )
    if answer:
        CaseEvent.objects.create(
            case=case,
            occurred_at=_at(sent + timedelta(days=4)),
            kind=EventKind.LA_ENQUIRY,
            summary=f"{to.name} answered the enquiry: {answer.label}",
        )
    return received


def build_enquiries(authorities: dict[str, Authority], *, today: date) -> int:
    """Add Thirdshire, the directory and enquiries in every state; return how many enquiries."""
    third, _ = Authority.objects.get_or_create(
        la_code=THIRDSHIRE[1], defaults={"name": THIRDSHIRE[0]}
    )
    demo_terms([third], today)  # its school-day clocks count on a term calendar like the others'
    codes = {"990": authorities["990"], "991": authorities["991"], "992": third}
    people = _people(codes)
    entries = _entries(codes)
    if Enquiry.objects.filter(authority__in=codes.values()).exists():
        return 0
    # Cases open for over a month, so every enquiry falls inside the case's own timeline.
    settled = today - timedelta(days=31)
    open_cases = list(
        Case.objects.filter(authority=codes["990"], notified_on__lt=settled)
        .exclude(stage=Stage.CLOSED)
        .select_related("child", "last_placement", "authority")
        .order_by("pk")[:8]
    )
    theirs = list(
        Case.objects.filter(authority=codes["991"], notified_on__lt=settled)
        .exclude(stage=Stage.CLOSED)
        .select_related("child", "last_placement", "authority")
        .order_by("pk")[:1]
    )
    # The answer "found on roll" is what closed one of the demo's handed-over cases: its enquiry
    # is that case's history, answered the day before it closed.
    handed_over = next(
        (
            case
            for case in Case.objects.filter(
                authority=codes["990"], stage=Stage.CLOSED, outcome=Outcome.MOVED_LA
            )
            .select_related("child", "last_placement", "authority")
            .order_by("pk")
            if case.closed_on and (case.closed_on - case.notified_on).days >= 7
        ),
        None,
    )
    if len(open_cases) < 6 or not theirs or handed_over is None:
        return 0
    assert handed_over.closed_on is not None
    found_sent = handed_over.closed_on - timedelta(days=5)
    officer = people["officer@exampleshire.example"]
    sunita = people["officer@otherborough.example"]
    tomasz = people["officer@thirdshire.example"]
    e991, e992 = entries["991"], entries["992"]
    made = []
    made.append(_pair(open_cases[0], e991, officer, status=Status.DRAFT, sent=today))
    made.append(_pair(open_cases[1], e992, officer, status=Status.AWAITING_APPROVAL, sent=today))
    made.append(
        _pair(
            open_cases[2], e992, officer, status=Status.NOT_APPROVED, sent=today - timedelta(days=3)
        )
    )
    made.append(
        _pair(
            open_cases[3],
            e991,
            officer,
            status=Status.RECEIVED,
            sent=today - timedelta(days=1),
            incoming={"priority": Priority.MEDIUM, "due_on": today + timedelta(days=13)},
        )
    )
    assessed = _pair(
        open_cases[4],
        e992,
        officer,
        status=Status.ASSESSED,
        sent=today - timedelta(days=4),
        incoming={
            "priority": Priority.HIGH,
            "due_on": today + timedelta(days=3),
            "risk": Risk.MEDIUM,
            "assessed_by": tomasz,
            "assessed_at": _at(today - timedelta(days=3)),
            "assessment_notes": "Visit with the education welfare officer",
        },
    )
    Check.objects.create(
        enquiry=assessed,
        kind=CheckKind.LOCAL_SCHOOLS,
        made_on=today - timedelta(days=2),
        outcome="Not on roll at any of our schools",
        officer=tomasz,
    )
    made.append(assessed)
    made.append(
        _pair(
            handed_over,
            e991,
            officer,
            status=Status.ASSESSED,
            sent=found_sent,
            answer=Answer.FOUND_ON_ROLL,
            incoming={
                "priority": Priority.MEDIUM,
                "due_on": found_sent + timedelta(days=14),
                "risk": Risk.LOW,
                "assessed_by": sunita,
                "assessed_at": _at(found_sent + timedelta(days=1)),
            },
        )
    )
    made.append(
        _pair(
            open_cases[5],
            e992,
            officer,
            status=Status.ASSESSED,
            sent=today - timedelta(days=30),
            answer=Answer.NOT_KNOWN,
            incoming={
                "priority": Priority.MEDIUM,
                "due_on": today - timedelta(days=16),
                "risk": Risk.LOW,
                "assessed_by": tomasz,
                "assessed_at": _at(today - timedelta(days=29)),
            },
        )
    )
    # Exampleshire is asked too: one from Otherborough, overdue and escalated to its manager.
    made.append(
        _pair(
            theirs[0],
            entries["990"],
            sunita,
            status=Status.RECEIVED,
            sent=today - timedelta(days=21),
            incoming={
                "priority": Priority.MEDIUM,
                "due_on": today - timedelta(days=7),
                "escalated_at": _at(today - timedelta(days=6)),
            },
        )
    )
    return len(made)
