"""A case: one episode of a child missing education, or of tracking a child who left a provider
without a known destination, from notification to closure (§1.4.3, §3.4.1.3)."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone


class Stage(models.TextChoices):
    """The process steps of §1.4.3, in order, plus tracking (§3.9) and closure."""

    RECEIVED = "received", "Received"
    CHECKING = "checking", "Checking rolls and making enquiries"
    CONFIRMED_MISSING = "confirmed_missing", "Confirmed missing education"
    LOCATING = "locating", "Locating"
    ASSESSING_NEEDS = "assessing_needs", "Assessing needs"
    SECURING_PROVISION = "securing_provision", "Securing provision"
    IN_PROVISION = "in_provision", "In provision (monitoring attendance)"
    TRACKING = "tracking", "Tracking (left without a known destination)"
    CLOSED = "closed", "Closed"


class Priority(models.TextChoices):
    # Values sort in order of urgency.
    URGENT = "1_urgent", "Urgent"
    HIGH = "2_high", "High"
    MEDIUM = "3_medium", "Medium"
    LOW = "4_low", "Low"


class Source(models.TextChoices):
    SCHOOL = "school", "School or other provider"
    DELETION_RETURN = "deletion_return", "School deletion return"
    PARENT = "parent", "Parent or carer"
    PUBLIC = "public", "Member of the public"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    SOCIAL_CARE = "social_care", "Children's social care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    ANOTHER_LA = "another_la", "Another local authority"
    CTF = "ctf", "Common transfer file or Lost Pupil Database"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    FOUND_ON_ROLL = "found_on_roll", "Found on a school roll"
    REGISTERED = "registered", "Registered at a new provider"
    HOME_EDUCATED = "home_educated", "Electively home educated"
    MOVED_LA = "moved_la", "Moved to another local authority and handed over"
    MOVED_ABROAD = "moved_abroad", "Moved abroad"
    CUSTODY = "custody", "In custody"
    NOT_SCHOOL_AGE = "not_school_age", "Not of compulsory school age"
    WHEREABOUTS_UNKNOWN = (
        "whereabouts_unknown",
        "Whereabouts unknown after completed enquiries, referred on",
    )
    DIED = "died", "Died"
    NOT_CME = "not_cme", "Not missing education (no action needed)"


class Case(models.Model):
    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=20, unique=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.RECEIVED)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    source = models.CharField(max_length=20, choices=Source.choices)
    # The dates §3.4.1.3 and Appendix 2 item 9 ask for, plus confirmed-missing and located.
    notified_on = models.DateField("Date notified")
    confirmed_missing_on = models.DateField(
        "Date confirmed missing education", null=True, blank=True
    )
    located_on = models.DateField("Date located", null=True, blank=True)
    assessed_on = models.DateField("Date of assessment", null=True, blank=True)
    provision_determined_on = models.DateField(
        "Date form of provision determined", null=True, blank=True
    )
    moved_into_provision_on = models.DateField("Date moved into provision", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # §3.4.1.4: the last known educational placement and date of last attendance.
    last_placement = models.ForeignKey(
        "registers.Establishment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_placement_other = models.CharField("Last known placement", max_length=160, blank=True)
    last_attended_on = models.DateField("Date of last attendance", null=True, blank=True)
    provision_recommended = models.CharField(max_length=200, blank=True)
    provision_accessed = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    # A child outside compulsory school age needs a recorded reason for the case to continue.
    outside_school_age_reason = models.CharField(max_length=300, blank=True)
    is_vulnerable = models.BooleanField(default=False)
    next_follow_up_on = models.DateField(null=True, blank=True)
    # Optimistic locking: every change bumps it; a change made on an older copy is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notified_on", "-pk"]
        indexes = [
            models.Index(fields=["authority", "-notified_on", "-id"], name="case_newest_idx"),
            # Open cases by date: the oldest open case is found without walking the closed ones.
            models.Index(
                fields=["authority", "notified_on", "id"],
                condition=~models.Q(stage="closed"),
                name="case_open_by_date_idx",
            ),
            models.Index(fields=["authority", "stage", "-notified_on"], name="case_stage_idx"),
            models.Index(fields=["authority", "owner", "stage"], name="case_owner_idx"),
            models.Index(
                fields=["authority", "owner", "priority", "next_follow_up_on"], name="case_mine_idx"
            ),
            models.Index(fields=["authority", "priority"], name="case_priority_idx"),
            models.Index(fields=["authority", "next_follow_up_on"], name="case_follow_up_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    def is_overdue(self, today: date | None = None) -> bool:
        """An open case whose monthly follow-up date has passed (App.2 item 18)."""
        today = today or timezone.localdate()
        return (
            self.is_open and self.next_follow_up_on is not None and self.next_follow_up_on < today
        )


class EventKind(models.TextChoices):
    OPENED = "opened", "Case opened"
    STAGE = "stage", "Stage changed"
    UPDATED = "updated", "Details changed"
    ASSESSMENT = "assessment", "Vulnerability assessment"
    ENQUIRY = "enquiry", "Enquiry recorded"
    TASK = "task", "Task"
    NOTE = "note", "Note added"
    ATTACHMENT = "attachment", "Document added"
    RESTRICTION = "restriction", "Restricted record access"
    PROVISION = "provision", "Needs and provision"
    PANEL = "panel", "Fair access panel"
    TRANSFER = "transfer", "Common Transfer File"
    LA_ENQUIRY = "la_enquiry", "Enquiry between authorities"
    CLOSED = "closed", "Case closed"


class CaseEvent(models.Model):
    """One line of the case timeline. The audit trail is the legal record; this is for reading."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="case_event_time_idx"),
        ]

    def __str__(self) -> str:
        return self.summary


class PastClosure(models.Model):
    """A closure that was later undone by reopening the case. The case row holds only its present
    closure (reopening clears `closed_on`), so the days a reopened case spent closed are kept here:
    the DfE return must not count a child missing education while their case was closed, and this
    table lets it tell so without reading every case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="past_closures")
    closed_on = models.DateField()
    reopened_on = models.DateField()

    class Meta:
        ordering = ["closed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.closed_on} to {self.reopened_on}"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class VulnerabilityAssessment(models.Model):
    """§2.3: the possible-crime questions, the care questions and the avoiding-contact signs."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    # Possible crime (§2.3.2–2.3.5): any yes means a police referral and telling the EWS.
    sudden_or_unexpected = models.CharField(max_length=7, choices=Answer.choices)
    gone_without_family = models.CharField(max_length=7, choices=Answer.choices)
    risk_of_harm = models.CharField(max_length=7, choices=Answer.choices)
    past_suspicions = models.CharField(max_length=7, choices=Answer.choices)
    older_associates = models.CharField(max_length=7, choices=Answer.choices)
    significant_incident = models.CharField(max_length=7, choices=Answer.choices)
    # Care (§2.3.8–2.3.10): any yes means telling children's social care immediately.
    child_protection_plan = models.CharField(max_length=7, choices=Answer.choices)
    looked_after = models.CharField(max_length=7, choices=Answer.choices)
    social_care_involved = models.CharField(max_length=7, choices=Answer.choices)
    # Avoiding contact (§2.3.12): raises the priority.
    avoiding_contact = models.CharField(max_length=7, choices=Answer.choices)
    whereabouts_unknown = models.CharField(max_length=7, choices=Answer.choices)
    completed_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    CRIME_QUESTIONS = (
        "sudden_or_unexpected",
        "gone_without_family",
        "risk_of_harm",
        "past_suspicions",
        "older_associates",
        "significant_incident",
    )
    CARE_QUESTIONS = ("child_protection_plan", "looked_after", "social_care_involved")

    def __str__(self) -> str:
        return "vulnerability assessment"

    def any_yes(self, questions: tuple[str, ...]) -> bool:
        return any(getattr(self, q) == Answer.YES for q in questions)

    @property
    def possible_crime(self) -> bool:
        return self.any_yes(self.CRIME_QUESTIONS)

    @property
    def care_concern(self) -> bool:
        return self.any_yes(self.CARE_QUESTIONS)


class EnquiryKind(models.TextChoices):
    """Reasonable enquiries (§3.3.1.3, §3.8.2.2)."""

    HOME_VISIT = "home_visit", "Home visit (after a risk assessment)"
    NEIGHBOURS = "neighbours", "Neighbours"
    RELATIVES = "relatives", "Relatives"
    LANDLORD = "landlord", "Landlord"
    LA_DATABASES = "la_databases", "Local authority databases"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    SOCIAL_CARE = "social_care", "Children's social care"
    COUNCIL_TAX = "council_tax", "HMRC or council tax"
    KNOWN_AGENCIES = "known_agencies", "Agencies known to the family"
    PREVIOUS_LA = "previous_la", "The local authority the child came from"
    CUSTODIAL = "custodial", "Custodial institution"
    NEW_LA = "new_la", "The local authority the child may have moved to"
    SCHOOL_JOINT = "school_joint", "Joint enquiries with the school"


class Enquiry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    kind = models.CharField(max_length=16, choices=EnquiryKind.choices)
    not_applicable = models.BooleanField(default=False)
    made_on = models.DateField(null=True, blank=True)
    officer = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "enquiries"
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="enquiry_once_per_kind")
        ]

    def __str__(self) -> str:
        return self.kind

    @property
    def is_recorded(self) -> bool:
        return self.not_applicable or self.made_on is not None


class TaskKind(models.TextChoices):
    POLICE_REFERRAL = "police_referral", "Refer to the police"
    INFORM_EWS = "inform_ews", "Tell the education welfare service or designated person"
    INFORM_SOCIAL_CARE = "inform_social_care", "Tell children's social care now"
    FOLLOW_UP = "follow_up", "Monthly follow-up"
    GENERAL = "general", "Task"


REQUIRED_ACTIONS = {TaskKind.POLICE_REFERRAL, TaskKind.INFORM_EWS, TaskKind.INFORM_SOCIAL_CARE}


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.GENERAL)
    title = models.CharField(max_length=200)
    assigned_to = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_on", "due_on", "pk"]
        indexes = [
            models.Index(fields=["assigned_to", "done_on", "due_on"], name="task_mine_idx"),
            models.Index(
                fields=["assigned_to", "due_on"],
                condition=models.Q(done_on__isnull=True),
                name="task_open_mine_idx",
            ),
        ]
        constraints = [
            # One open follow-up per due date: `cme tick` may run twice without duplicating.
            models.UniqueConstraint(
                fields=["case", "kind", "due_on"],
                condition=models.Q(kind="follow_up"),
                name="follow_up_once_per_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def is_required_action(self) -> bool:
        return self.kind in REQUIRED_ACTIONS


class NoteKind(models.TextChoices):
    FACT = "fact", "Fact"
    OPINION = "opinion", "Opinion"


class Note(models.Model):
    """§3.3.3.2 asks for factual, evidence-based information: every note says which it is."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=NoteKind.choices)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "note"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a random name: the original file name may itself carry personal data.
    import uuid

    return f"attachments/{instance.case.authority_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return "attachment"
