"""Every change to a case. Each service is atomic, writes the case timeline and the audit trail,
and refuses a change made on an out-of-date copy of the case rather than overwrite it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cme.cases import workflow
from cme.cases.models import (
    REQUIRED_ACTIONS,
    Answer,
    Attachment,
    Case,
    CaseEvent,
    Enquiry,
    EnquiryKind,
    EventKind,
    Note,
    NoteKind,
    PastClosure,
    Priority,
    Stage,
    Task,
    TaskKind,
    VulnerabilityAssessment,
)
from cme.children.models import Child
from cme.children.school_age import is_compulsory_school_age
from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import hooks as matching

FOLLOW_UP_DAYS = 28  # "at least monthly" (App.2 item 18)


class CaseRefused(Exception):
    """A change the rules do not allow; the message says why, for the person who asked."""


class StaleCase(CaseRefused):
    """The case changed after the person opened it; `changed` names what changed since."""

    def __init__(self, changed: list[str]) -> None:
        self.changed = changed
        fields = ", ".join(changed) if changed else "its details"
        super().__init__(
            f"Someone else changed this case while you were working on it ({fields}). "
            "Your changes have not been saved. Check the case as it is now and make them again."
        )


def _today() -> date:
    return timezone.localdate()


def case_event_record(
    *,
    case: Case,
    actor: Any,
    kind: EventKind,
    summary: str,
    action: AuditAction,
    payload: Mapping[str, Any] | None = None,
    target: Any = None,
) -> None:
    """One line on the case's timeline and its audit event, in the caller's transaction. Other
    apps (transfers, provision, panels, enquiries) record what they did to a case through this.
    `payload` holds ids and codes, never free text about the child."""
    CaseEvent.objects.create(case=case, actor=actor, kind=kind, summary=summary[:300])
    audit.record(
        action=action,
        actor=actor,
        target=target if target is not None else case,
        authority_id=case.authority_id,
        payload={"case": case.pk, **(payload or {})},
    )


def _log(
    case: Case,
    actor: Any,
    kind: EventKind,
    summary: str,
    action: AuditAction,
    payload: Mapping[str, Any] | None = None,
    target: Any = None,
) -> None:
    case_event_record(
        case=case,
        actor=actor,
        kind=kind,
        summary=summary,
        action=action,
        payload=payload,
        target=target,
    )


def _bump(case: Case, version: int, **changes: Any) -> None:
    """Apply `changes` only if nobody else changed the case since `version`."""
    changes["version"] = F("version") + 1
    changes["updated_at"] = timezone.now()
    updated = Case.objects.filter(pk=case.pk, version=version).update(**changes)
    if not updated:
        raise StaleCase(changed_since(case, version))
    case.refresh_from_db()


def changed_since(case: Case, version: int) -> list[str]:
    """The names of the fields changed by everyone else since `version`, from the audit trail."""
    from cme.core.selectors import payloads_for

    names: list[str] = []
    for payload in payloads_for(target_type="cases.case", target_id=str(case.pk)):
        if int(payload.get("version", 0)) > version:
            for name in payload.get("fields", []):
                label = field_label(name)
                if label not in names:
                    names.append(label)
    return names


def field_label(name: str) -> str:
    """A case field's name as people read it: "Date notified", not notified_on."""
    try:
        field = Case._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    return str(getattr(field, "verbose_name", name)).replace("_", " ")


def _next_reference(authority_code: str) -> str:
    return f"{authority_code}-{uuid.uuid4().hex[:8].upper()}"


@dataclass(frozen=True)
class NewChild:
    forename: str
    surname: str
    date_of_birth: date | None = None
    sex: str = "U"
    middle_names: str = ""
    preferred_forename: str = ""
    upn: str = ""


@transaction.atomic
def case_open(
    *,
    actor: Any,
    authority: Any,
    source: str,
    notified_on: date,
    child: Child | None = None,
    new_child: NewChild | None = None,
    stage: Stage = Stage.RECEIVED,
    owner: Any = None,
    priority: str = Priority.MEDIUM,
    last_placement: Any = None,
    last_placement_other: str = "",
    last_attended_on: date | None = None,
) -> Case:
    """Open a case for a known child or a new one. Tracking cases get their first follow-up."""
    if stage not in workflow.OPENING_STAGES:
        raise CaseRefused(
            "A new case starts as received, or as tracking a child who left a provider"
        )
    if child is None:
        if new_child is None:
            raise CaseRefused("Say which child the case is for")
        child = Child.objects.create(authority=authority, **new_child.__dict__)
        audit.record(action=AuditAction.CREATED, actor=actor, target=child, authority=authority)
    elif child.authority_id != authority.pk:
        raise CaseRefused("That child belongs to another authority")
    case = Case.objects.create(
        authority=authority,
        child=child,
        reference=_next_reference(authority.la_code),
        stage=stage,
        owner=owner,
        priority=priority,
        source=source,
        notified_on=notified_on,
        last_placement=last_placement,
        last_placement_other=last_placement_other,
        last_attended_on=last_attended_on,
        next_follow_up_on=notified_on + timedelta(days=FOLLOW_UP_DAYS),
    )
    case.reference = f"{authority.la_code}-{case.pk:06d}"
    case.save(update_fields=["reference"])
    _log(
        case,
        actor,
        EventKind.OPENED,
        f"Case opened at “{Stage(stage).label}”",
        AuditAction.CREATED,
        {"stage": stage, "source": source, "version": 1},
    )
    matching.child_changed(child)
    return case


def _facts(case: Case) -> workflow.CaseFacts:
    recorded = set(
        Enquiry.objects.filter(case=case)
        .filter(made_on__isnull=False)
        .values_list("kind", flat=True)
    ) | set(Enquiry.objects.filter(case=case, not_applicable=True).values_list("kind", flat=True))
    dob = case.child.date_of_birth
    return workflow.CaseFacts(
        has_assessment=VulnerabilityAssessment.objects.filter(case=case).exists(),
        open_required_actions=Task.objects.filter(
            case=case, kind__in=REQUIRED_ACTIONS, done_on__isnull=True
        ).count(),
        unrecorded_enquiries=frozenset(set(EnquiryKind.values) - recorded),
        of_compulsory_school_age=is_compulsory_school_age(dob, _today()) if dob else None,
    )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: Stage | str,
    actor: Any,
    version: int,
    outcome: str = "",
    reason: str = "",
) -> Case:
    """Move a case to another stage, if the transition table and the stage's needs allow it."""
    problem = workflow.refusal(case, to, _facts(case), outcome=outcome, reason=reason)
    if problem:
        raise CaseRefused(problem)
    target = Stage(to)
    previous = Stage(case.stage)
    changes: dict[str, Any] = {
        "stage": target,
        **workflow.dates_on_entering(case, target, _today()),
    }
    if target == Stage.CLOSED:
        changes["outcome"] = outcome
        changes["next_follow_up_on"] = None
    if previous == Stage.CLOSED:
        changes.update(
            outcome="", closed_on=None, next_follow_up_on=_today() + timedelta(days=FOLLOW_UP_DAYS)
        )
    closed_on = case.closed_on
    _bump(case, version, **changes)
    if previous == Stage.CLOSED:
        PastClosure.objects.create(case=case, closed_on=closed_on or _today(), reopened_on=_today())
        Note.objects.create(
            case=case, author=actor, kind=NoteKind.FACT, text=f"Reopened: {reason.strip()}"
        )
    summary = f"Moved from “{previous.label}” to “{target.label}”"
    if target == Stage.CLOSED:
        summary = f"Closed: {case.get_outcome_display()}"
    _log(
        case,
        actor,
        EventKind.CLOSED if target == Stage.CLOSED else EventKind.STAGE,
        summary,
        AuditAction.UPDATED,
        {
            "fields": sorted(changes),
            "from": previous,
            "to": target,
            "outcome": outcome,
            "reason_given": bool(reason.strip()),
            "version": case.version,
        },
    )
    matching.child_changed(case.child)
    return case


@transaction.atomic
def case_update(*, case: Case, actor: Any, version: int, changes: Mapping[str, Any]) -> Case:
    """Change case details (owner, priority, dates, placement...). Refused on a stale copy."""
    changed = {k: v for k, v in changes.items() if getattr(case, k) != v}
    if not changed:
        return case
    _bump(case, version, **changed)
    labels = [field_label(k) for k in sorted(changed)]
    _log(
        case,
        actor,
        EventKind.UPDATED,
        "Changed " + ", ".join(labels),
        AuditAction.UPDATED,
        {"fields": sorted(changed), "version": case.version},
    )
    return case


def _required_tasks(assessment: VulnerabilityAssessment) -> list[tuple[str, str]]:
    tasks: list[tuple[str, str]] = []
    if assessment.possible_crime:
        tasks += [
            (TaskKind.POLICE_REFERRAL, "Refer to the police (possible crime, §2.3)"),
            (TaskKind.INFORM_EWS, "Tell the education welfare service or designated person"),
        ]
    if assessment.care_concern:
        tasks.append(
            (TaskKind.INFORM_SOCIAL_CARE, "Tell children's social care immediately (§2.3.8–2.3.10)")
        )
    return tasks


@transaction.atomic
def assessment_record(
    *, case: Case, actor: Any, version: int, answers: Mapping[str, str]
) -> VulnerabilityAssessment:
    """Record the §2.3 answers; required actions become tasks due today; priority rises."""
    if not case.is_open:
        raise CaseRefused("Reopen the case before recording a vulnerability assessment")
    assessment, _ = VulnerabilityAssessment.objects.update_or_create(
        case=case, defaults={**answers, "completed_by": actor, "completed_at": timezone.now()}
    )
    today = _today()
    existing = set(
        Task.objects.filter(case=case, kind__in=REQUIRED_ACTIONS).values_list("kind", flat=True)
    )
    for kind, title in _required_tasks(assessment):
        if kind not in existing:
            Task.objects.create(
                case=case, kind=kind, title=title, due_on=today, assigned_to=case.owner
            )
    priority = case.priority
    if assessment.possible_crime or assessment.care_concern:
        priority = Priority.URGENT
    elif assessment.avoiding_contact == Answer.YES and priority > Priority.HIGH:
        priority = Priority.HIGH
    # §3.5.2.3: missing education and whereabouts unknown is vulnerable in itself.
    vulnerable = (
        assessment.possible_crime
        or assessment.care_concern
        or assessment.whereabouts_unknown == Answer.YES
        or assessment.avoiding_contact == Answer.YES
    )
    changes: dict[str, Any] = {"priority": priority, "is_vulnerable": vulnerable}
    if case.assessed_on is None:
        changes["assessed_on"] = today
    _bump(case, version, **changes)
    yes = [q for q in answers if answers[q] == Answer.YES]
    _log(
        case,
        actor,
        EventKind.ASSESSMENT,
        "Vulnerability assessment recorded"
        + (": required actions added" if _required_tasks(assessment) else ""),
        AuditAction.UPDATED,
        {"fields": sorted(changes), "answered_yes": sorted(yes), "version": case.version},
        target=case,
    )
    return assessment


@transaction.atomic
def enquiry_record(
    *,
    case: Case,
    actor: Any,
    kind: str,
    made_on: date | None,
    outcome: str = "",
    notes: str = "",
    not_applicable: bool = False,
) -> Enquiry:
    if not not_applicable and made_on is None:
        raise CaseRefused("Enter the date the enquiry was made, or mark it not applicable")
    if made_on and made_on > _today():
        raise CaseRefused("The date of the enquiry must be today or in the past")
    enquiry, _ = Enquiry.objects.update_or_create(
        case=case,
        kind=kind,
        defaults={
            "made_on": None if not_applicable else made_on,
            "not_applicable": not_applicable,
            "outcome": outcome,
            "notes": notes,
            "officer": actor,
        },
    )
    label = EnquiryKind(kind).label
    _log(
        case,
        actor,
        EventKind.ENQUIRY,
        f"{label}: {'not applicable' if not_applicable else 'enquiry recorded'}",
        AuditAction.UPDATED,
        {"enquiry": kind, "not_applicable": not_applicable},
        target=enquiry,
    )
    return enquiry


@transaction.atomic
def task_add(*, case: Case, actor: Any, title: str, due_on: date, assigned_to: Any = None) -> Task:
    if not case.is_open:
        raise CaseRefused("Reopen the case before adding tasks to it")
    task = Task.objects.create(
        case=case, title=title, due_on=due_on, assigned_to=assigned_to, kind=TaskKind.GENERAL
    )
    _log(
        case,
        actor,
        EventKind.TASK,
        f"Task added, due {due_on:%-d %B %Y}",
        AuditAction.CREATED,
        {},
        target=task,
    )
    return task


@transaction.atomic
def task_complete(*, task: Task, actor: Any, done_on: date | None = None) -> Task:
    done_on = done_on or _today()
    if done_on > _today():
        raise CaseRefused("The date the task was done must be today or in the past")
    # Claim the task: of two people marking it done at once, one wins and one is told.
    claimed = Task.objects.filter(pk=task.pk, done_on__isnull=True).update(
        done_on=done_on, done_by=actor
    )
    if not claimed:
        raise CaseRefused("This task is already done")
    task.refresh_from_db()
    case = Case.objects.select_for_update().get(pk=task.case_id)
    payload: dict[str, Any] = {"task": task.pk, "kind": task.kind}
    if task.kind == TaskKind.FOLLOW_UP and case.is_open:
        # Through the version check, so an edit opened before this cannot put the old date back.
        _bump(case, case.version, next_follow_up_on=done_on + timedelta(days=FOLLOW_UP_DAYS))
        payload |= {"fields": ["next_follow_up_on"], "version": case.version}
    _log(
        case,
        actor,
        EventKind.TASK,
        f"Done: {task.get_kind_display() if task.kind != TaskKind.GENERAL else 'task'}",
        AuditAction.UPDATED,
        payload,
        # When the case itself changed, the event is about the case: that is where stale edits
        # look to say what changed.
        target=case if "version" in payload else task,
    )
    return task


@transaction.atomic
def note_add(*, case: Case, actor: Any, kind: str, text: str) -> Note:
    if not text.strip():
        raise CaseRefused("Enter the note")
    note = Note.objects.create(case=case, author=actor, kind=kind, text=text.strip())
    _log(
        case,
        actor,
        EventKind.NOTE,
        f"Note added ({note.get_kind_display().lower()})",
        AuditAction.CREATED,
        {"kind": kind},
        target=note,
    )
    return note


ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# The first bytes each allowed type must start with; the browser's content type is not trusted.
_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


def _check_upload(upload: UploadedFile) -> str:
    size = upload.size or 0
    if size == 0:
        raise CaseRefused("The selected file is empty")
    if size > MAX_ATTACHMENT_BYTES:
        raise CaseRefused("The selected file must be smaller than 10MB")
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_TYPES:
        raise CaseRefused("The selected file must be a PDF, JPG, PNG, TXT, DOCX or XLSX")
    head = upload.read(16)
    upload.seek(0)
    signatures = _SIGNATURES.get(content_type)
    if signatures and not head.startswith(signatures):
        raise CaseRefused("The selected file is not the type its name says it is")
    if content_type == "text/plain" and b"\x00" in upload.read(4096):
        raise CaseRefused("The selected file is not a text file")
    upload.seek(0)
    return content_type


@transaction.atomic
def attachment_add(*, case: Case, actor: Any, upload: UploadedFile, name: str = "") -> Attachment:
    content_type = _check_upload(upload)
    display = (name or upload.name or "document").strip()[:200]
    attachment = Attachment(
        case=case,
        name=display,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    _log(
        case,
        actor,
        EventKind.ATTACHMENT,
        "Document added",
        AuditAction.CREATED,
        {"content_type": content_type, "size": attachment.size},
        target=attachment,
    )
    return attachment


@transaction.atomic
def follow_ups_create(*, today: date | None = None) -> list[Task]:
    """Create the due monthly follow-up task for every open case whose follow-up date has come.

    Idempotent: a follow-up already created for that date is not created again, so running it
    twice a day, or after a missed day, does no harm. Returns the tasks this run created.
    """
    today = today or _today()
    due = (
        Case.objects.filter(next_follow_up_on__lte=today)
        .exclude(stage=Stage.CLOSED)
        .select_related("owner")
    )
    created: list[Task] = []
    for case in due.iterator(chunk_size=500):
        assert case.next_follow_up_on is not None
        task, made = Task.objects.get_or_create(
            case=case,
            kind=TaskKind.FOLLOW_UP,
            due_on=case.next_follow_up_on,
            defaults={
                "title": "Monthly follow-up: check where the child is now",
                "assigned_to": case.owner,
            },
        )
        if made:
            created.append(task)
            CaseEvent.objects.create(
                case=case, kind=EventKind.TASK, summary="Monthly follow-up due"
            )
            audit.record(
                action=AuditAction.CREATED,
                target=task,
                authority_id=case.authority_id,
                payload={"case": case.pk, "kind": TaskKind.FOLLOW_UP, "due_on": task.due_on},
            )
    return created


def reminders_send(*, tasks: Iterable[Task]) -> int:
    """Tell each person how many new follow-ups they have. The email names no child and no case."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    per_person: dict[int, tuple[Any, int]] = {}
    for task in tasks:
        if task.assigned_to is not None and task.assigned_to.is_active and task.assigned_to.email:
            person, count = per_person.get(task.assigned_to.pk, (task.assigned_to, 0))
            per_person[task.assigned_to.pk] = (person, count + 1)
    base = getattr(settings, "CME_BASE_URL", "")
    for person, count in per_person.values():
        plural = "s" if count != 1 else ""
        send_mail(
            subject=f"CME: {count} follow-up{plural} due",
            message=(
                f"You have {count} new follow-up{plural} due in the children missing education "
                f"service.\n\nSign in to see them: {base}{reverse('my_work')}\n\n"
                "This email does not contain any details about children."
            ),
            from_email=None,
            recipient_list=[person.email],
        )
    return len(per_person)
