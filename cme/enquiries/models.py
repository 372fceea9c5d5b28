"""Enquiries between authorities (§3.3.2–3.3.4): the directory of authorities, each enquiry as
the authority that holds it sees it, and the signed messages that carry enquiries and responses.

One deployment may host several authorities, or each authority may run its own. An enquiry is
therefore two rows, one per side (same `uid`): the enquiring authority's OUTGOING row, attached
to its case, and the receiving authority's INCOMING row, in that authority's queue. The two
sides only ever exchange messages, even on one deployment, so both cases behave alike.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils import timezone

from cme.cases.models import Priority


class DirectoryEntry(models.Model):
    """One authority in the directory (§3.3.2.1): who to ask, and how to reach their system.

    `authority` is set when the authority is hosted on this deployment (delivery is then local);
    a remote authority has the base URL of its deployment and its public key instead.
    """

    la_code = models.CharField("LA code", max_length=3, unique=True)
    name = models.CharField(max_length=120)
    authority = models.OneToOneField(
        "accounts.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_entry",
    )
    base_url = models.URLField("Address of its CME service", blank=True)
    # Ed25519 public key, raw 32 bytes in base64: checks every message signed as this authority.
    public_key = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "directory entries"

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"

    @property
    def is_local(self) -> bool:
        return self.authority_id is not None


class DirectoryContact(models.Model):
    """A named CME officer another authority should ask (§3.3.2.1)."""

    entry = models.ForeignKey(DirectoryEntry, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=120)
    job_title = models.CharField("Job title", max_length=120, blank=True)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """A hosted authority's Ed25519 key pair. The private half never leaves this database."""

    authority = models.OneToOneField(
        "accounts.Authority", on_delete=models.CASCADE, related_name="signing_key"
    )
    private_key = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "signing key"


class Direction(models.TextChoices):
    OUTGOING = "outgoing", "Sent by us"
    INCOMING = "incoming", "Sent to us"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft: not sent"
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for a manager's approval"
    NOT_APPROVED = "not_approved", "Not approved"
    SENT = "sent", "Sent: waiting for a response"
    RECEIVED = "received", "Received: assess vulnerability"
    ASSESSED = "assessed", "Assessed: checks under way"
    ANSWERED = "answered", "Answered"


OPEN_INCOMING = (Status.RECEIVED, Status.ASSESSED)


class Answer(models.TextChoices):
    """What the receiving authority found (§3.3.4.2: whatever the result, it answers)."""

    FOUND_ON_ROLL = "found_on_roll", "Found on a school roll"
    FOUND_AT_ADDRESS = "found_at_address", "Found at the address"
    NOT_KNOWN = "not_known", "Not known to us"
    VISITED_NO_TRACE = "visited_no_trace", "Visited, no trace"


FOUND = (Answer.FOUND_ON_ROLL, Answer.FOUND_AT_ADDRESS)


class Risk(models.TextChoices):
    HIGH = "high", "High: visit with social care or the police"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# The receiving authority's priority, and working days to answer, for each level of risk.
RISK_PRIORITY = {Risk.HIGH: Priority.URGENT, Risk.MEDIUM: Priority.HIGH, Risk.LOW: Priority.MEDIUM}
RISK_DAYS = {Risk.HIGH: 2, Risk.MEDIUM: 5, Risk.LOW: 10}
ANSWER_DAYS = 10  # before the assessment sets a level


class Enquiry(models.Model):
    """One side of an enquiry between authorities."""

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    counterpart = models.ForeignKey(DirectoryEntry, on_delete=models.PROTECT, related_name="+")
    # SET_NULL: the enquiry (and the other side's answer) outlives a case removed by hand.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authority_enquiries",
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # What travels: the reason (§3.3.3.3), the basic information set (§3.3.3.1) and the
    # vulnerability indicators (§3.3.3.3), as the enquiring officer reviewed them.
    reason = models.TextField("Why you believe the child is in this area")
    details = models.JSONField(default=dict)
    indicators = models.JSONField(default=dict)
    extra = models.JSONField(default=dict)  # what the officer typed in: possible address, ...
    their_reference = models.CharField(max_length=40, blank=True)
    enquirer = models.JSONField(default=dict)  # the enquiring officer: name, email, phone
    prepared_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approval_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # The receiving side's assessment (§3.3.4.1), before any home visit.
    risk = models.CharField(max_length=8, choices=Risk.choices, blank=True)
    assessment_notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    due_on = models.DateField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answer_message = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=150, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["uid", "direction"], name="enquiry_one_row_per_side")
        ]
        indexes = [
            models.Index(fields=["authority", "direction", "status"], name="enquiry_queue_idx"),
            models.Index(fields=["child", "direction", "sent_at"], name="enquiry_child_idx"),
        ]

    def __str__(self) -> str:
        return f"enquiry {self.pk}"

    @property
    def is_outgoing(self) -> bool:
        return self.direction == Direction.OUTGOING

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in OPEN_INCOMING and self.due_on is not None and self.due_on < today


class CheckKind(models.TextChoices):
    """The receiving authority's checks (§3.3.4.1–3.3.4.2)."""

    HOME_VISIT = "home_visit", "Home visit"
    LOCAL_SCHOOLS = "local_schools", "Local schools"
    INDEPENDENT_SCHOOLS = "independent_schools", "Independent schools"
    LA_DATABASES = "la_databases", "The authority's own databases"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    COUNCIL_TAX = "council_tax", "Council tax or benefits"


class Check(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    made_on = models.DateField()
    outcome = models.CharField(max_length=300)
    officer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["enquiry", "kind"], name="check_once")]

    def __str__(self) -> str:
        return self.kind


class MessageKind(models.TextChoices):
    ENQUIRY = "enquiry", "Enquiry"
    RESPONSE = "response", "Response"


class Delivery(models.TextChoices):
    PENDING = "pending", "Waiting to be delivered"
    DELIVERED = "delivered", "Delivered"


class OutboxMessage(models.Model):
    """A message to another authority, kept until its receiver confirms it.

    `message_id` is the idempotency key: every retry carries it, and the receiver accepts each
    id once, so a message delivered twice (an answer lost on the way back) is processed once.
    """

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(DirectoryEntry, on_delete=models.PROTECT, related_name="+")
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_result = models.CharField(max_length=120, blank=True)  # a status code, never a body
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"message {self.message_id}"


class ReceivedMessage(models.Model):
    """Every message id accepted here: a second message with the same id is a replay."""

    message_id = models.UUIDField(unique=True)
    sender_code = models.CharField(max_length=3)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"received {self.message_id}"
