"""Every change made by a school return or to the EHE register. Each service is atomic and records
its own audit events (field names and codes only, never what the school wrote about the child).

What a deletion return does depends only on its ground, through `grounds.ACTIONS`:

- track_if_no_destination: no destination known → the child (found by UPN, or created) gets a
  TRACKING case with its monthly follow-up; a child with an open case has the return noted on it.
- ehe_register: the child goes on the EHE register; a case is opened only for welfare concerns.
- requires_joint_enquiries: refused until a case for the child has the joint school and
  authority enquiry recorded with a date; then the return is noted on that case, or a tracking
  case is opened if that case has been closed.
- open_case: permanent exclusion; the authority must provide from the sixth school day.
- custody, died: recorded, and noted on any open case of the child; no new case.
- notify_only: recorded; no case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases import services as case_services
from cme.cases.models import Case, EnquiryKind, EventKind, Source, Stage
from cme.children import services as child_services
from cme.children.models import Child, FormerUPN
from cme.core import audit
from cme.core.calendar import CalendarMissing, add_school_days
from cme.core.models import AuditAction
from cme.matching import hooks as matching
from cme.registers.models import Establishment
from cme.returns.ctf import ctf_due
from cme.returns.grounds import Action, rule_for
from cme.returns.models import (
    NEW_PUPIL_SCHOOL_DAYS,
    Channel,
    DeletionReturn,
    DueBasis,
    EHEEndReason,
    EHERegistration,
    EHESource,
    EHEStatus,
    NewPupilReturn,
    dedupe_key,
)
from cme.returns.validation import DeletionDetails, NewPupilDetails, PupilDetails

JOINT_ENQUIRIES_NEEDED = (
    "Before a pupil is deleted on this ground, the school and the local authority must make "
    "reasonable enquiries together. Contact the children missing education team: when they "
    "have recorded the joint enquiries, send this return again."
)


class ReturnRefused(Exception):
    """A return or register change the rules do not allow; the message says why."""


class DuplicateReturn(ReturnRefused):
    """This school has already sent this return (same pupil, date and ground)."""

    def __init__(self, existing: DeletionReturn | NewPupilReturn) -> None:
        self.existing = existing
        super().__init__(
            f"You have already sent this return (reference {existing.reference}, sent "
            f"{timezone.localtime(existing.submitted_at):%-d %B %Y})"
        )


def _today() -> date:
    return timezone.localdate()


def authority_of(establishment: Establishment) -> Authority:
    """The authority whose area the establishment is in (by LA code)."""
    authority = Authority.objects.filter(la_code=establishment.la_code).first()
    if authority is None:
        raise ReturnRefused("The local authority for this school does not use this service yet")
    return authority


# -- Finding and recording the child -------------------------------------------------------------


def _by_upn(authority: Authority, upn: str) -> QuerySet[Child]:
    former = FormerUPN.objects.filter(upn=upn).values("child_id")
    return Child.objects.filter(authority=authority).filter(Q(upn=upn) | Q(pk__in=former))


def _by_name_and_birth(authority: Authority, pupil: PupilDetails) -> QuerySet[Child]:
    return Child.objects.filter(
        authority=authority,
        surname__iexact=pupil.surname,
        forename__iexact=pupil.forename,
        date_of_birth=pupil.date_of_birth,
    )


def _known_child(authority: Authority, pupil: PupilDetails) -> Child | None:
    """The authority's child with this UPN (current or former), if any."""
    if not pupil.upn:
        return None
    return _by_upn(authority, pupil.upn).order_by("pk").first()


def _child_create(
    authority: Authority, pupil: PupilDetails, actor: Any, source: dict[str, Any]
) -> Child:
    """A new child record from a return's pupil details, with the school's address as current."""
    child = Child.objects.create(
        authority=authority,
        forename=pupil.forename,
        middle_names=pupil.middle_names,
        surname=pupil.surname,
        preferred_forename=pupil.preferred_forename,
        preferred_surname=pupil.preferred_surname,
        date_of_birth=pupil.date_of_birth,
        sex=pupil.sex,
        upn=pupil.upn,
    )
    audit.record(
        action=AuditAction.CREATED, actor=actor, target=child, authority=authority, payload=source
    )
    if pupil.address_line1:
        child_services.child_address_add(
            child=child,
            actor=actor,
            current=True,
            line1=pupil.address_line1,
            line2=pupil.address_line2,
            town=pupil.town,
            postcode=pupil.postcode,
        )
    return child


def _child_from_return(
    ret: DeletionReturn | NewPupilReturn, actor: Any, pupil: PupilDetails
) -> Child:
    """The child the return is about: found by UPN, or created from the return.

    Only a child the return creates takes the school's address and parents. An existing record is
    never changed by a return: the school's address may be one the family has fled, and the
    "parent" the person they fled from. A difference is left for an officer to check.
    """
    authority = ret.authority
    child = _known_child(authority, pupil)
    if child is not None:
        return child
    child = _child_create(
        authority, pupil, actor, {"from": ret._meta.label_lower, "return": ret.pk}
    )
    if isinstance(ret, DeletionReturn):
        known = {name.casefold() for name in child.carers.values_list("full_name", flat=True)}
        for parent in ret.parents:
            if parent["name"].casefold() not in known:
                child_services.child_carer_add(
                    child=child,
                    actor=actor,
                    full_name=parent["name"],
                    relationship=parent["relationship"] or "other",
                    address=parent["address"],
                )
    return child


def _open_case_of(child: Child) -> Case | None:
    return (
        Case.objects.filter(child=child, authority_id=child.authority_id)
        .exclude(stage=Stage.CLOSED)
        .order_by("-notified_on", "-pk")
        .first()
    )


def _note_on_case(case: Case, actor: Any, summary: str, payload: dict[str, Any]) -> None:
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=EventKind.UPDATED,
        summary=summary,
        action=AuditAction.UPDATED,
        payload=payload,
    )


def _deletion_note(ret: DeletionReturn) -> str:
    # No school name: for a restricted child the school is withheld on the case.
    rule = rule_for(ret.ground)
    return f"School deletion return {ret.reference} received ({rule.regulation})"


def _case_for(ret: DeletionReturn, actor: Any, child: Child, stage: Stage) -> Case:
    """The child's open case, noted with the return; or a new case at `stage`."""
    case = _open_case_of(child)
    if case is not None:
        _note_on_case(
            case, actor, _deletion_note(ret), {"deletion_return": ret.pk, "ground": ret.ground}
        )
        return case
    return case_services.case_open(
        actor=actor,
        authority=ret.authority,
        child=child,
        source=Source.DELETION_RETURN,
        notified_on=timezone.localdate(ret.submitted_at),
        stage=stage,
        last_placement=ret.establishment,
        last_attended_on=ret.last_attended_on,
    )


def _joint_enquiry_case(
    authority: Authority, pupil: PupilDetails, *, since: date | None
) -> Case | None:
    """The newest case of this child with the joint school and authority enquiry made about this
    absence: dated on or after the last attendance (or, without that date, on an open case)."""
    children = _by_upn(authority, pupil.upn) if pupil.upn else _by_name_and_birth(authority, pupil)
    cases = Case.objects.filter(
        authority=authority,
        child__in=children,
        enquiries__kind=EnquiryKind.SCHOOL_JOINT,
        enquiries__made_on__isnull=False,
    )
    if since is not None:
        cases = cases.filter(enquiries__made_on__gte=since)
    else:
        cases = cases.exclude(stage=Stage.CLOSED)
    return cases.order_by("-notified_on", "-pk").first()


# -- Deletion returns ----------------------------------------------------------------------------


def _pupil_fields(pupil: PupilDetails) -> dict[str, Any]:
    return {
        "forename": pupil.forename,
        "middle_names": pupil.middle_names,
        "surname": pupil.surname,
        "preferred_forename": pupil.preferred_forename,
        "preferred_surname": pupil.preferred_surname,
        "date_of_birth": pupil.date_of_birth,
        "sex": pupil.sex,
        "upn": pupil.upn,
        "address_line1": pupil.address_line1,
        "address_line2": pupil.address_line2,
        "town": pupil.town,
        "postcode": pupil.postcode,
    }


def _insert(ret: DeletionReturn | NewPupilReturn) -> None:
    """Save a new return; a concurrent identical one loses to the first."""
    model = type(ret)
    existing = model.objects.filter(
        establishment_id=ret.establishment_id, dedupe_key=ret.dedupe_key
    ).first()
    if existing is not None:
        raise DuplicateReturn(existing)
    try:
        with transaction.atomic():
            ret.save()
    except IntegrityError:
        existing = model.objects.filter(
            establishment_id=ret.establishment_id, dedupe_key=ret.dedupe_key
        ).first()
        if existing is None:
            raise
        raise DuplicateReturn(existing) from None


@transaction.atomic
def deletion_return_submit(
    *,
    actor: Any,
    establishment: Establishment,
    details: DeletionDetails,
    channel: Channel = Channel.FORM,
) -> DeletionReturn:
    """Record a school's deletion return and do what its ground needs (see the module docstring).

    Raises DuplicateReturn for a return already sent, ReturnRefused for a ground needing joint
    enquiries that have not been recorded.
    """
    authority = authority_of(establishment)
    pupil = details.pupil
    rule = rule_for(details.ground)
    joint_case = None
    if rule.action == Action.REQUIRES_JOINT_ENQUIRIES:
        joint_case = _joint_enquiry_case(authority, pupil, since=details.last_attended_on)
    ctf_due_on, ctf_due_basis = ctf_due(authority, details.ground, details.deleted_on)
    ret = DeletionReturn(
        authority=authority,
        establishment=establishment,
        submitted_by=actor,
        channel=channel,
        **_pupil_fields(pupil),
        parents=[
            {"name": p.name, "relationship": p.relationship, "address": p.address}
            for p in details.parents
        ],
        emergency_contacts=[{"name": c.name, "phone": c.phone} for c in details.contacts],
        ground=details.ground,
        destination=details.destination,
        destination_other=details.destination_other,
        destination_starts_on=details.destination_starts_on,
        last_attended_on=details.last_attended_on,
        deleted_on=details.deleted_on,
        welfare_concerns=details.welfare_concerns,
        due_on=DeletionReturn.due_for(details.deleted_on),
        due_basis=DueBasis.CALENDAR_DAYS,
        ctf_due_on=ctf_due_on,
        ctf_due_basis=ctf_due_basis,
        dedupe_key=dedupe_key(
            upn=pupil.upn,
            forename=pupil.forename,
            surname=pupil.surname,
            date_of_birth=pupil.date_of_birth,
            on=details.deleted_on,
            ground=details.ground,
        ),
    )
    if rule.action == Action.REQUIRES_JOINT_ENQUIRIES and joint_case is None:
        # A duplicate is still a duplicate; otherwise the enquiries must come first.
        existing = DeletionReturn.objects.filter(
            establishment=establishment, dedupe_key=ret.dedupe_key
        ).first()
        if existing is not None:
            raise DuplicateReturn(existing)
        raise ReturnRefused(JOINT_ENQUIRIES_NEEDED)
    _insert(ret)
    ehe = _act_on_ground(ret, actor, rule.action, joint_case)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=ret,
        authority=authority,
        payload={
            "kind": "deletion_return",
            "establishment": establishment.pk,
            "channel": channel,
            "ground": ret.ground,
            "action": rule.action,
            "late": ret.is_late,
            "destination_known": ret.destination_known,
            "welfare_concerns": ret.welfare_concerns,
            "child": ret.child_id,
            "case": ret.case_id,
            "ehe_registration": ehe.pk if ehe else None,
            "ctf_due_on": ret.ctf_due_on,
        },
    )
    matching.return_received(ret)
    return ret


def _act_on_ground(
    ret: DeletionReturn, actor: Any, action: Action, joint_case: Case | None
) -> EHERegistration | None:
    pupil = _pupil_of(ret)
    ehe: EHERegistration | None = None
    if action == Action.TRACK_IF_NO_DESTINATION:
        if ret.destination_known:
            ret.child = _known_child(ret.authority, pupil)
        else:
            ret.child = _child_from_return(ret, actor, pupil)
            ret.case = _case_for(ret, actor, ret.child, Stage.TRACKING)
    elif action == Action.EHE_REGISTER:
        ret.child = _child_from_return(ret, actor, pupil)
        ehe = EHERegistration.objects.filter(child=ret.child, status=EHEStatus.ACTIVE).first()
        if ehe is None:
            ehe = ehe_registration_add(
                actor=actor,
                authority=ret.authority,
                child=ret.child,
                started_on=ret.deleted_on,
                source=EHESource.DELETION_RETURN,
                deletion_return=ret,
            )
        if ret.welfare_concerns:
            ret.case = _case_for(ret, actor, ret.child, Stage.RECEIVED)
    elif action == Action.REQUIRES_JOINT_ENQUIRIES:
        assert joint_case is not None
        ret.child = joint_case.child
        if joint_case.is_open:
            _note_on_case(
                joint_case,
                actor,
                _deletion_note(ret),
                {"deletion_return": ret.pk, "ground": ret.ground},
            )
            ret.case = joint_case
        else:
            ret.case = _case_for(ret, actor, ret.child, Stage.TRACKING)
    elif action == Action.OPEN_CASE:
        ret.child = _child_from_return(ret, actor, pupil)
        ret.case = _case_for(ret, actor, ret.child, Stage.RECEIVED)
    elif action in (Action.CUSTODY, Action.DIED):
        ret.child = _known_child(ret.authority, pupil)
        ret.case = _open_case_of(ret.child) if ret.child else None
        if ret.case is not None:
            _note_on_case(
                ret.case,
                actor,
                _deletion_note(ret) + (": in custody" if action == Action.CUSTODY else ": died"),
                {"deletion_return": ret.pk, "ground": ret.ground},
            )
    else:  # NOTIFY_ONLY
        ret.child = _known_child(ret.authority, pupil)
    ret.save(update_fields=["child", "case"])
    return ehe


def _pupil_of(ret: DeletionReturn | NewPupilReturn) -> PupilDetails:
    return PupilDetails(
        forename=ret.forename,
        surname=ret.surname,
        date_of_birth=ret.date_of_birth,
        sex=ret.sex,
        middle_names=ret.middle_names,
        preferred_forename=ret.preferred_forename,
        preferred_surname=ret.preferred_surname,
        upn=ret.upn,
        address_line1=ret.address_line1,
        address_line2=ret.address_line2,
        town=ret.town,
        postcode=ret.postcode,
    )


# -- New pupil returns ---------------------------------------------------------------------------


def new_pupil_due(authority: Authority, admitted_on: date) -> tuple[date, DueBasis]:
    """Five school days after admission; five calendar days when term dates are missing."""
    try:
        return add_school_days(authority, admitted_on, NEW_PUPIL_SCHOOL_DAYS), DueBasis.SCHOOL_DAYS
    except CalendarMissing:
        return admitted_on + timedelta(days=NEW_PUPIL_SCHOOL_DAYS), DueBasis.CALENDAR_FALLBACK


def _open_case_matching(authority: Authority, pupil: PupilDetails) -> Case | None:
    """The newest open case of a child with this UPN, or this name and date of birth."""
    children = _by_name_and_birth(authority, pupil)
    if pupil.upn:
        children = children | _by_upn(authority, pupil.upn)
    return (
        Case.objects.filter(authority=authority, child__in=children.values("pk"))
        .exclude(stage=Stage.CLOSED)
        .select_related("child")
        .order_by("-notified_on", "-pk")
        .first()
    )


@transaction.atomic
def new_pupil_return_submit(
    *,
    actor: Any,
    establishment: Establishment,
    details: NewPupilDetails,
    channel: Channel = Channel.FORM,
) -> NewPupilReturn:
    """Record a new pupil return. A pupil matching a child with an open case is noted on that
    case and the return flags the case (`matched_case`); the case is not closed."""
    authority = authority_of(establishment)
    pupil = details.pupil
    due_on, basis = new_pupil_due(authority, details.admitted_on)
    ret = NewPupilReturn(
        authority=authority,
        establishment=establishment,
        submitted_by=actor,
        channel=channel,
        **_pupil_fields(pupil),
        previous_school=details.previous_school,
        previous_school_other=details.previous_school_other,
        admitted_on=details.admitted_on,
        due_on=due_on,
        due_basis=basis,
        dedupe_key=dedupe_key(
            upn=pupil.upn,
            forename=pupil.forename,
            surname=pupil.surname,
            date_of_birth=pupil.date_of_birth,
            on=details.admitted_on,
        ),
    )
    _insert(ret)
    case = _open_case_matching(authority, pupil)
    if case is not None:
        ret.matched_case, ret.child = case, case.child
        where = (
            "a school (withheld: restricted record)"
            if case.child.is_restricted
            else establishment.name
        )
        _note_on_case(
            case,
            actor,
            f"Registered at {where} on {ret.admitted_on:%-d %B %Y} (new pupil return "
            f"{ret.reference})",
            {"new_pupil_return": ret.pk},
        )
    else:
        ret.child = _known_child(authority, pupil)
    ret.save(update_fields=["matched_case", "child"])
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=ret,
        authority=authority,
        payload={
            "kind": "new_pupil_return",
            "establishment": establishment.pk,
            "channel": channel,
            "late": ret.is_late,
            "due_basis": basis,
            "child": ret.child_id,
            "matched_case": ret.matched_case_id,
        },
    )
    matching.return_received(ret)
    return ret


# -- CSV uploads: all or nothing -----------------------------------------------------------------


class RowRefused(ReturnRefused):
    def __init__(self, row: int, message: str) -> None:
        self.row = row
        super().__init__(f"Row {row}: {message}")


@dataclass(frozen=True)
class UploadResult:
    created: int
    already_received: int


@transaction.atomic
def returns_upload(
    *,
    actor: Any,
    establishment: Establishment,
    deletions: Sequence[tuple[int, DeletionDetails]] = (),
    new_pupils: Sequence[tuple[int, NewPupilDetails]] = (),
) -> UploadResult:
    """Save every checked row of one file, or none: a refused row (joint enquiries not yet
    recorded) undoes the whole file. Rows already received are skipped, so sending the same
    file twice creates nothing new. Rows come as (row number, details)."""
    created = skipped = 0
    with matching.returns_batched():
        for row, deletion in deletions:
            try:
                deletion_return_submit(
                    actor=actor, establishment=establishment, details=deletion, channel=Channel.CSV
                )
                created += 1
            except DuplicateReturn:
                skipped += 1
            except ReturnRefused as refused:
                raise RowRefused(row, str(refused)) from None
        for row, new_pupil in new_pupils:
            try:
                new_pupil_return_submit(
                    actor=actor, establishment=establishment, details=new_pupil, channel=Channel.CSV
                )
                created += 1
            except DuplicateReturn:
                skipped += 1
            except ReturnRefused as refused:
                raise RowRefused(row, str(refused)) from None
    audit.record(
        action=AuditAction.IMPORTED,
        actor=actor,
        target=establishment,
        authority=authority_of(establishment),
        payload={
            "kind": "deletion_return" if deletions else "new_pupil_return",
            "rows": len(deletions) + len(new_pupils),
            "created": created,
            "already_received": skipped,
        },
    )
    return UploadResult(created=created, already_received=skipped)


# -- The EHE register ----------------------------------------------------------------------------


@transaction.atomic
def ehe_registration_add(
    *,
    actor: Any,
    authority: Authority,
    started_on: date,
    source: str,
    child: Child | None = None,
    pupil: PupilDetails | None = None,
    educator: str = "",
    hours_per_week: Decimal | None = None,
    deletion_return: DeletionReturn | None = None,
) -> EHERegistration:
    """Put a child on the EHE register: a known child, or one found by UPN or created from
    `pupil`. A child already on the register is refused."""
    if started_on > _today():
        raise ReturnRefused("The date home education started must be today or in the past")
    if child is None:
        if pupil is None:
            raise ReturnRefused("Say which child is home educated")
        child = _known_child(authority, pupil)
        if child is None:
            child = _child_create(authority, pupil, actor, {"from": "returns.eheregistration"})
    elif child.authority_id != authority.pk:
        raise ReturnRefused("That child belongs to another authority")
    if EHERegistration.objects.filter(child=child, status=EHEStatus.ACTIVE).exists():
        raise ReturnRefused("This child is already on the elective home education register")
    registration = EHERegistration.objects.create(
        authority=authority,
        child=child,
        started_on=started_on,
        source=source,
        educator=educator.strip(),
        hours_per_week=hours_per_week,
        deletion_return=deletion_return,
        created_by=actor,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=registration,
        authority=authority,
        payload={
            "child": child.pk,
            "source": source,
            "deletion_return": deletion_return.pk if deletion_return else None,
            "educator_given": bool(educator.strip()),
            "hours_given": hours_per_week is not None,
        },
    )
    matching.ehe_changed(registration)
    return registration


@transaction.atomic
def ehe_registration_end(
    *, actor: Any, registration: EHERegistration, ended_on: date, reason: str
) -> EHERegistration:
    """Take a child off the EHE register, with the date and why."""
    locked = EHERegistration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == EHEStatus.ENDED:
        raise ReturnRefused("This registration has already ended")
    if reason not in EHEEndReason.values:
        raise ReturnRefused("Choose why home education ended")
    if ended_on > _today():
        raise ReturnRefused("The date home education ended must be today or in the past")
    if ended_on < locked.started_on:
        raise ReturnRefused("The date home education ended must be on or after the date it started")
    locked.status, locked.ended_on, locked.end_reason = EHEStatus.ENDED, ended_on, reason
    locked.save(update_fields=["status", "ended_on", "end_reason"])
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=locked,
        authority_id=locked.authority_id,
        payload={"fields": ["status", "ended_on", "end_reason"], "reason": reason},
    )
    registration.refresh_from_db()
    matching.ehe_changed(locked)
    return locked
