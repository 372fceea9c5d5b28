"""Every change to needs, brokering, monitoring and support. Each service is atomic, records its
own audit event (field names and codes only, never what was written about the child), and writes
the case timeline.

The case's own fields (dates, provision recommended and accessed, stage) change only through the
cases app's services, so the version check, the stale-edit message and the workflow's rules apply
here exactly as they do on the case's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from cme.accounts.models import Authority, PartnerAgency
from cme.cases import services as case_services
from cme.cases.models import Case, EventKind, Stage
from cme.cases.services import CaseRefused, StaleCase
from cme.core import audit
from cme.core.models import AuditAction
from cme.provision import schedule
from cme.provision.models import (
    Answer,
    AttemptOutcome,
    Attendance,
    AttendanceCheck,
    NeedsAssessment,
    PlacementAttempt,
    RegisterAudit,
    SupportReferral,
)
from cme.registers.models import Establishment

# Needs, brokering, checks and support all read as "Needs and provision" on a timeline whose
# details are withheld (a restricted child without a grant).
PROVISION_EVENT = EventKind.PROVISION

# Brokering belongs to the stages from needs assessment on (§1.4.3 steps 5–7).
BROKERING_STAGES = frozenset({Stage.ASSESSING_NEEDS, Stage.SECURING_PROVISION, Stage.IN_PROVISION})

# Below 90% attendance a pupil is persistently absent (DfE's measure); at 0% not attending at all.
ATTENDING_FROM = 90


class ProvisionRefused(CaseRefused):
    """A change the rules do not allow; the message says why, for the person who asked."""


def _today() -> date:
    return timezone.localdate()


def _log(
    case: Case,
    actor: Any,
    summary: str,
    action: AuditAction,
    target: Any,
    payload: dict[str, Any] | None = None,
) -> None:
    """A "Needs and provision" line on the case's timeline and its audit event."""
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=PROVISION_EVENT,
        summary=summary,
        action=action,
        payload=payload,
        target=target,
    )


def _fresh(case: Case, version: int) -> None:
    """Refuse work done on a copy of the case older than the one in the database."""
    if not Case.objects.filter(pk=case.pk, version=version).exists():
        raise StaleCase(case_services.changed_since(case, version))


def _open(case: Case, doing: str) -> None:
    if not case.is_open:
        raise ProvisionRefused(f"Reopen the case before {doing}")


def _not_future(value: date | None, label: str) -> None:
    if value is not None and value > _today():
        raise ProvisionRefused(f"{label} must be today or in the past")


# ---------------------------------------------------------------------------------------------
# Needs assessment (§3.6)


@dataclass(frozen=True)
class Needs:
    assessed_on: date
    reasons_disengaged: str
    common_assessment: str
    specialist_referral: str
    child_preference: str = ""
    parent_preference: str = ""
    special_needs: str = "unknown"
    common_assessment_on: date | None = None
    specialist_referral_on: date | None = None
    specialist_referral_to: str = ""
    lead_professional: str = ""
    lead_professional_role: str = ""
    recommended_kind: str = ""
    recommended_detail: str = ""
    recommended_on: date | None = None


@dataclass
class NeedsResult:
    assessment: NeedsAssessment
    # Set when the case moved on to securing provision, or why it could not.
    moved: bool = False
    not_moved_because: str = ""


@transaction.atomic
def needs_assessment_record(*, case: Case, actor: Any, version: int, needs: Needs) -> NeedsResult:
    """Record the needs assessment. A recommendation sets the date the form of provision was
    determined (the date given, or today) and the case's provision recommended; the case's date of
    assessment is set if it has none. A case assessing needs then moves to securing provision."""
    _open(case, "recording a needs assessment")
    _fresh(case, version)
    if not needs.reasons_disengaged.strip():
        raise ProvisionRefused("Enter why the child became disengaged from education")
    for value, label in (
        (needs.assessed_on, "The date of assessment"),
        (needs.common_assessment_on, "The date of the common assessment"),
        (needs.specialist_referral_on, "The date of the specialist referral"),
        (needs.recommended_on, "The date the form of provision was determined"),
    ):
        _not_future(value, label)
    if not needs.recommended_kind and case.stage in (Stage.SECURING_PROVISION, Stage.IN_PROVISION):
        raise ProvisionRefused(
            f"Choose the provision recommended: the case is at “{case.get_stage_display()}”"
        )
    if needs.common_assessment == Answer.YES and needs.common_assessment_on is None:
        raise ProvisionRefused("Enter the date of the common assessment")
    if needs.specialist_referral == Answer.YES and needs.specialist_referral_on is None:
        raise ProvisionRefused("Enter the date of the specialist referral")
    fields = {
        **needs.__dict__,
        "common_assessment_on": needs.common_assessment_on
        if needs.common_assessment == Answer.YES
        else None,
        "specialist_referral_on": needs.specialist_referral_on
        if needs.specialist_referral == Answer.YES
        else None,
        "recommended_on": (needs.recommended_on or _today()) if needs.recommended_kind else None,
        "recorded_by": actor,
        "updated_at": timezone.now(),
    }
    assessment, created = NeedsAssessment.objects.update_or_create(case=case, defaults=fields)
    changes: dict[str, Any] = {"provision_recommended": assessment.recommendation[:200]}
    if assessment.recommended_on is not None:
        changes["provision_determined_on"] = assessment.recommended_on
    if case.assessed_on is None:
        changes["assessed_on"] = assessment.assessed_on
    case_services.case_update(case=case, actor=actor, version=version, changes=changes)
    _log(
        case,
        actor,
        "Needs assessment recorded" if created else "Needs assessment changed",
        AuditAction.CREATED if created else AuditAction.UPDATED,
        assessment,
        {
            "recommended_kind": assessment.recommended_kind,
            "special_needs": assessment.special_needs,
            "common_assessment": assessment.common_assessment,
            "specialist_referral": assessment.specialist_referral,
        },
    )
    result = NeedsResult(assessment=assessment)
    if assessment.recommended_kind and case.stage == Stage.ASSESSING_NEEDS:
        try:
            case_services.case_transition(
                case=case, to=Stage.SECURING_PROVISION, actor=actor, version=case.version
            )
        except CaseRefused as refused:
            result.not_moved_because = str(refused)
        else:
            result.moved = True
    return result


# ---------------------------------------------------------------------------------------------
# Brokering (§3.7, Appendix 2 item 14)


@dataclass(frozen=True)
class Attempt:
    attempted_on: date
    outcome: str
    establishment: Establishment | None = None
    provider_name: str = ""
    refused_by: str = ""
    reason: str = ""
    starts_on: date | None = None


def _check_attempt(case: Case, attempt: Attempt) -> None:
    _open(case, "recording an attempt to secure a place")
    if case.stage not in BROKERING_STAGES:
        raise ProvisionRefused(
            "Attempts to secure a place are recorded once the child's needs are being assessed. "
            f"This case is at “{case.get_stage_display()}”"
        )
    if attempt.establishment is None and not attempt.provider_name.strip():
        raise ProvisionRefused("Choose the school or provider, or enter its name")
    _not_future(attempt.attempted_on, "The date of the attempt")
    if attempt.outcome not in AttemptOutcome.values:
        raise ProvisionRefused("Choose the outcome")
    if attempt.outcome == AttemptOutcome.REFUSED and not attempt.reason.strip():
        raise ProvisionRefused("Enter why the place was refused")
    if attempt.outcome == AttemptOutcome.ADMITTED:
        if attempt.starts_on is None:
            raise ProvisionRefused("Enter the date the child starts")
        if attempt.starts_on < attempt.attempted_on:
            raise ProvisionRefused("The start date must be on or after the date of the attempt")
        if case.stage == Stage.ASSESSING_NEEDS and not case.provision_recommended.strip():
            raise ProvisionRefused(
                "Record the needs assessment and the provision recommended before the child is "
                "admitted"
            )


@transaction.atomic
def placement_attempt_record(
    *, case: Case, actor: Any, version: int, attempt: Attempt
) -> PlacementAttempt:
    """Record one attempt to secure a place. "Admitted" with a start date of today or earlier
    moves the child into provision now; a later start date does it on that day (`provision_tick`)."""
    _fresh(case, version)
    _check_attempt(case, attempt)
    placement = PlacementAttempt.objects.create(
        case=case,
        establishment=attempt.establishment,
        provider_name="" if attempt.establishment else attempt.provider_name.strip(),
        attempted_on=attempt.attempted_on,
        outcome=attempt.outcome,
        refused_by=attempt.refused_by if attempt.outcome == AttemptOutcome.REFUSED else "",
        reason=attempt.reason.strip()
        if attempt.outcome in (AttemptOutcome.REFUSED, AttemptOutcome.NO_PLACE)
        else "",
        starts_on=attempt.starts_on if attempt.outcome == AttemptOutcome.ADMITTED else None,
        recorded_by=actor,
    )
    outcome = AttemptOutcome(placement.outcome)
    summary = f"Attempt to secure a place: {outcome.label.lower()}"
    if placement.starts_on:
        summary += f", starting {placement.starts_on:%-d %B %Y}"
    _log(
        case,
        actor,
        summary,
        AuditAction.CREATED,
        placement,
        {
            "outcome": placement.outcome,
            "establishment": placement.establishment_id,
            "refused_by": placement.refused_by,
            "starts_on": placement.starts_on,
        },
    )
    if placement.starts_on is not None and placement.starts_on <= _today():
        placement_start(placement=placement, actor=actor)
    return placement


@transaction.atomic
def placement_start(*, placement: PlacementAttempt, actor: Any = None) -> PlacementAttempt:
    """The child has started at the provider: record the date moved into provision and the
    provision accessed, move the case into provision through the workflow, end the child's
    previous placement, and schedule the attendance checks."""
    if placement.started or placement.outcome != AttemptOutcome.ADMITTED:
        return placement
    assert placement.starts_on is not None
    case = Case.objects.select_for_update().select_related("child").get(pk=placement.case_id)
    _open(case, "recording a start")
    if case.stage == Stage.ASSESSING_NEEDS:
        case_services.case_transition(
            case=case, to=Stage.SECURING_PROVISION, actor=actor, version=case.version
        )
    if case.stage not in (Stage.SECURING_PROVISION, Stage.IN_PROVISION):
        raise ProvisionRefused(
            f"A case at “{case.get_stage_display()}” cannot move into provision. "
            "Move it to “Securing provision” first"
        )
    changes: dict[str, Any] = {"provision_accessed": placement.provider[:200]}
    if case.moved_into_provision_on is None:
        changes["moved_into_provision_on"] = placement.starts_on
    case_services.case_update(case=case, actor=actor, version=case.version, changes=changes)
    if case.stage == Stage.SECURING_PROVISION:
        case_services.case_transition(
            case=case, to=Stage.IN_PROVISION, actor=actor, version=case.version
        )
    # A child is at one provider at a time: the one before ends, and its checks still to come go.
    previous = PlacementAttempt.objects.filter(
        case=case, started=True, ended_on__isnull=True
    ).exclude(pk=placement.pk)
    for old in previous:
        AttendanceCheck.objects.filter(
            placement=old, checked_on__isnull=True, due_on__gte=placement.starts_on
        ).delete()
    previous.update(ended_on=placement.starts_on)
    placement.started = True
    placement.save(update_fields=["started"])
    # Checks run from today: a start recorded late does not begin with checks already missed.
    today = _today()
    checks = checks_schedule(placement=placement, today=today, after=today - timedelta(days=1))
    _log(
        case,
        actor,
        f"Started at the provider on {placement.starts_on:%-d %B %Y}; "
        f"{len(checks)} attendance check{'s' if len(checks) != 1 else ''} scheduled",
        AuditAction.UPDATED,
        placement,
        {"started": True, "starts_on": placement.starts_on, "checks": len(checks)},
    )
    return placement


def checks_schedule(
    *, placement: PlacementAttempt, today: date, after: date | None = None
) -> list[AttendanceCheck]:
    """Add the checks the schedule asks for up to its horizon; return the new ones.

    Checks are only ever added forward of the latest one on record (or of `after`, when the
    placement has none yet), so a start recorded late does not fill the past with missed checks.
    """
    assert placement.starts_on is not None
    latest = (
        AttendanceCheck.objects.filter(placement=placement)
        .order_by("-due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    since = latest or max(placement.starts_on, after or placement.starts_on)
    dates = schedule.dates_between(
        placement.starts_on, since, schedule.horizon(placement.starts_on, today)
    )
    made = [
        AttendanceCheck(placement=placement, case_id=placement.case_id, due_on=d) for d in dates
    ]
    AttendanceCheck.objects.bulk_create(made, ignore_conflicts=True)
    return made


# ---------------------------------------------------------------------------------------------
# Monitoring (§3.8)


def attendance_from(attendance: str, percentage: int | None) -> str:
    """What a percentage means, when only a percentage was given."""
    if attendance:
        return attendance
    if percentage is None:
        raise ProvisionRefused("Enter the attendance seen, as a percentage or a description")
    if percentage >= ATTENDING_FROM:
        return Attendance.ATTENDING
    return Attendance.PARTIAL if percentage > 0 else Attendance.NOT_ATTENDING


@transaction.atomic
def attendance_check_record(
    *,
    check: AttendanceCheck,
    actor: Any,
    checked_on: date,
    attendance: str = "",
    percentage: int | None = None,
    notes: str = "",
) -> AttendanceCheck:
    """Record the attendance seen. A child not attending raises a task for the case's owner."""
    case = Case.objects.select_related("owner").get(pk=check.case_id)
    _open(case, "recording an attendance check")
    _not_future(checked_on, "The date of the check")
    if percentage is not None and not 0 <= percentage <= 100:
        raise ProvisionRefused("The percentage must be between 0 and 100")
    seen = attendance_from(attendance, percentage)
    first_time = check.checked_on is None
    AttendanceCheck.objects.filter(pk=check.pk).update(
        checked_on=checked_on,
        attendance=seen,
        percentage=percentage,
        checked_by=actor,
        notes=notes.strip(),
    )
    check.refresh_from_db()
    _log(
        case,
        actor,
        f"Attendance check: {Attendance(seen).label.lower()}",
        AuditAction.UPDATED,
        check,
        {"attendance": seen, "percentage": percentage, "due_on": check.due_on},
    )
    if seen == Attendance.NOT_ATTENDING and first_time:
        case_services.task_add(
            case=case,
            actor=actor,
            title="The child has stopped attending their provision: find out why and act",
            due_on=_today(),
            assigned_to=case.owner,
        )
    return check


@dataclass
class TickResult:
    started: int = 0
    checks_added: int = 0
    missed_tasks: int = 0
    refused: list[int] = field(default_factory=list)


def _current_placements(today: date) -> Any:
    return PlacementAttempt.objects.filter(
        started=True, ended_on__isnull=True, case__stage=Stage.IN_PROVISION
    )


def provision_tick(*, today: date | None = None) -> TickResult:
    """The daily clock: start placements whose start date has come, keep each current placement's
    schedule filled, and raise one task for each check that was missed.

    Idempotent: a second run on the same day finds nothing new to do.
    """
    today = today or _today()
    result = TickResult()
    due_starts = PlacementAttempt.objects.filter(
        outcome=AttemptOutcome.ADMITTED, started=False, starts_on__lte=today
    ).exclude(case__stage=Stage.CLOSED)
    for placement in due_starts:
        try:
            placement_start(placement=placement)
        except CaseRefused:
            # The case moved somewhere a start cannot follow; the officer decides what now.
            result.refused.append(placement.pk)
        else:
            result.started += 1
    # A kept schedule always reaches past today: only placements whose latest check has come
    # (or that have none) can need another.
    behind = (
        _current_placements(today)
        .annotate(latest=Max("checks__due_on"))
        .filter(Q(latest__lte=today) | Q(latest__isnull=True))
    )
    for placement in behind:
        with transaction.atomic():
            result.checks_added += len(checks_schedule(placement=placement, today=today))
    missed = (
        AttendanceCheck.objects.filter(
            checked_on__isnull=True,
            due_on__lt=today,
            overdue_task__isnull=True,
            placement__in=_current_placements(today),
        )
        .select_related("case__owner")
        .order_by("due_on")
    )
    for check in missed:
        with transaction.atomic():
            # Claim the check first: of two clocks running at once, only one raises the task.
            claimed = AttendanceCheck.objects.filter(pk=check.pk, overdue_task__isnull=True)
            if claimed.select_for_update().first() is None:
                continue
            task = case_services.task_add(
                case=check.case,
                actor=None,
                title=f"Attendance check due {check.due_on:%-d %B %Y} was missed: check now",
                due_on=today,
                assigned_to=check.case.owner,
            )
            claimed.update(overdue_task=task)
            result.missed_tasks += 1
    return result


# ---------------------------------------------------------------------------------------------
# Register audits of alternative providers (§3.8.1)


@transaction.atomic
def register_audit_record(
    *,
    authority: Authority,
    actor: Any,
    audited_on: date,
    pupils_checked: int,
    discrepancies: int,
    establishment: Establishment | None = None,
    provider_name: str = "",
    notes: str = "",
) -> RegisterAudit:
    if establishment is None and not provider_name.strip():
        raise ProvisionRefused("Choose the provider, or enter its name")
    _not_future(audited_on, "The date of the audit")
    if discrepancies > pupils_checked:
        raise ProvisionRefused("There cannot be more discrepancies than pupils checked")
    record = RegisterAudit.objects.create(
        authority=authority,
        establishment=establishment,
        provider_name="" if establishment else provider_name.strip(),
        audited_on=audited_on,
        pupils_checked=pupils_checked,
        discrepancies=discrepancies,
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=record,
        authority=authority,
        payload={
            "establishment": record.establishment_id,
            "pupils_checked": pupils_checked,
            "discrepancies": discrepancies,
        },
    )
    return record


# ---------------------------------------------------------------------------------------------
# Support from other services (§3.6, Appendix 2 item 13)


@transaction.atomic
def support_referral_add(
    *,
    case: Case,
    actor: Any,
    referred_on: date,
    reason: str,
    agency: PartnerAgency | None = None,
    agency_name: str = "",
) -> SupportReferral:
    _open(case, "referring the child to another service")
    if agency is None and not agency_name.strip():
        raise ProvisionRefused("Choose the service, or enter its name")
    if agency is not None and agency.authority_id != case.authority_id:
        raise ProvisionRefused("Choose a service from the list")
    if not reason.strip():
        raise ProvisionRefused("Enter the reason for the referral")
    _not_future(referred_on, "The date of the referral")
    referral = SupportReferral.objects.create(
        case=case,
        agency=agency,
        agency_name="" if agency else agency_name.strip(),
        referred_on=referred_on,
        reason=reason.strip(),
        recorded_by=actor,
    )
    _log(
        case,
        actor,
        "Referred to another service for support",
        AuditAction.CREATED,
        referral,
        {"agency": referral.agency_id},
    )
    return referral


@transaction.atomic
def support_response_record(
    *, referral: SupportReferral, actor: Any, response: str, response_on: date
) -> SupportReferral:
    if not response.strip():
        raise ProvisionRefused("Enter the service's response")
    _not_future(response_on, "The date of the response")
    if response_on < referral.referred_on:
        raise ProvisionRefused("The response cannot be dated before the referral")
    SupportReferral.objects.filter(pk=referral.pk).update(
        response=response.strip(), response_on=response_on
    )
    referral.refresh_from_db()
    case = Case.objects.get(pk=referral.case_id)
    _log(
        case,
        actor,
        "Response from another service recorded",
        AuditAction.UPDATED,
        referral,
        {"fields": ["response", "response_on"]},
    )
    return referral
