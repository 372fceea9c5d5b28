"""Fictional needs assessments, brokering histories, attendance monitoring, support referrals and
register audits for one demo authority, told from the dates its demo cases already carry.

- every case with a provision recommended gets a needs assessment dated to the case's assessment
  and "form of provision determined" dates;
- brokering: up to three failed attempts (refused with a reason, or no place) between the
  determination and the start, then the admission at the school the case says the child started at;
- a child in provision now has the attendance check schedule from the start to today, most checks
  recorded (mostly attending, some partly, now and then not attending), and a few missed lately;
- about a third of assessed children were referred to another service, most with a response;
- a dozen audits of alternative providers' and pupil referral units' registers over the last year.

Like the rest of the demo this is fixture loading: plain ORM, no audit events, no timeline. An
authority that already has needs assessments gets nothing; the same inputs give the same rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cme.accounts.models import Authority, Membership, PartnerAgency, Role, User
from cme.cases.models import Case, Stage
from cme.provision import schedule
from cme.provision.models import (
    Answer,
    AttemptOutcome,
    Attendance,
    AttendanceCheck,
    NeedsAssessment,
    PlacementAttempt,
    ProvisionKind,
    RefusedBy,
    RegisterAudit,
    SupportReferral,
)
from cme.registers.models import Establishment, EstablishmentKind

REGISTER_AUDITS = 12
REASONS_DISENGAGED = (
    "Bullied at the last school; stopped going after the half-term break",
    "Family moved twice in a year; no school place applied for after the last move",
    "Anxiety about school since a bereavement in the family",
    "Young carer for a parent; attendance fell away over two terms",
    "Permanently excluded; no alternative provision arranged at the time",
    "Newly arrived in the country; the family did not know how to apply for a place",
    "Left a school place after a dispute with the school about support for their needs",
)
CHILD_WISHES = (
    "To be at the same school as their cousins",
    "A smaller school, where they can start part-time",
    "Somewhere they can do practical subjects",
    "",
)
PARENT_WISHES = (
    "A mainstream school close to home",
    "A school that can meet the child's special educational needs",
    "A fresh start at a school the child has not been to before",
    "",
)
REFUSALS = (
    (RefusedBy.PROVIDER, "Year group full; the school is above its published admission number"),
    (RefusedBy.PROVIDER, "The school says it cannot meet the child's needs"),
    (RefusedBy.FAMILY, "Parents declined: the journey to school is too long"),
    (RefusedBy.FAMILY, "The child refused to visit the school"),
)
NO_PLACE = (
    "No places in the year group at any school within three miles",
    "The provider's current programme is full until next term",
)
SUPPORT_REASONS = (
    "Young carer: support for the family at home",
    "Housing: the family is in temporary accommodation far from school",
    "Health: school nurse to review the child's anxiety",
    "Special educational needs: request advice on support in school",
)
RESPONSES = (
    "Assessment booked; the family has a named worker",
    "Referral accepted; first visit made",
    "Not eligible; signposted to a voluntary organisation",
)
AUDIT_NOTES = (
    "Two pupils marked present were not on site at the visit",
    "Register matches the pupils seen",
    "Sessions missed by one pupil not followed up with the school",
)


def build_provision(authority: Authority, *, today: date) -> int:
    """Add the provision records of `authority`'s demo cases; return how many cases got them."""
    if NeedsAssessment.objects.filter(case__authority=authority).exists():
        return 0
    team = list(
        User.objects.filter(
            memberships__authority=authority,
            memberships__is_active=True,
            memberships__role__in=[Role.CME_OFFICER, Role.CASEWORKER, Role.CME_MANAGER],
        )
        .distinct()
        .order_by("pk")
    )
    if not team:
        return 0
    rng = random.Random(f"cme-demo:provision:{authority.la_code}")  # noqa: S311 - fictional
    local = {e.name: e for e in Establishment.objects.filter(la_code=authority.la_code)}
    schools = [e for e in local.values() if e.kind not in _ALTERNATIVE]
    agencies = list(PartnerAgency.objects.filter(authority=authority, is_active=True))
    cases = (
        Case.objects.filter(authority=authority)
        .exclude(provision_recommended="")
        .select_related("owner")
        .order_by("pk")
    )
    made = 0
    for case in cases:
        by = case.owner or rng.choice(team)
        _needs(case, by, rng, today)
        _brokering(case, by, rng, today, local, schools)
        if agencies and rng.random() < 0.35:
            _support(case, by, rng, today, agencies)
        made += 1
    _register_audits(authority, team, rng, today, local)
    return made


_ALTERNATIVE = {EstablishmentKind.PRU, EstablishmentKind.ALTERNATIVE}


def _determined(case: Case, today: date) -> date:
    return case.provision_determined_on or case.assessed_on or min(case.notified_on, today)


def _needs(case: Case, by: User, rng: random.Random, today: date) -> None:
    determined = _determined(case, today)
    text = case.provision_recommended.lower()
    kind = (
        ProvisionKind.PRU
        if "pupil referral" in text or "ehc" in text
        else rng.choice([ProvisionKind.MAINSTREAM] * 5 + [ProvisionKind.RESOURCED])
    )
    common = rng.choice([Answer.YES, Answer.YES, Answer.NO])
    specialist = Answer.YES if kind == ProvisionKind.PRU else Answer.NO
    NeedsAssessment.objects.create(
        case=case,
        assessed_on=min(case.assessed_on or determined, determined),
        reasons_disengaged=rng.choice(REASONS_DISENGAGED),
        child_preference=rng.choice(CHILD_WISHES),
        parent_preference=rng.choice(PARENT_WISHES),
        special_needs=case.child.special_needs,
        common_assessment=common,
        common_assessment_on=determined - timedelta(days=rng.randint(0, 6))
        if common == Answer.YES
        else None,
        specialist_referral=specialist,
        specialist_referral_on=determined if specialist == Answer.YES else None,
        specialist_referral_to="Educational psychology service" if specialist == Answer.YES else "",
        lead_professional=by.full_name,
        lead_professional_role="CME officer",
        recommended_kind=kind,
        recommended_detail=case.provision_recommended[:150],
        recommended_on=case.provision_determined_on,
        recorded_by=by,
    )


def _started_at(case: Case) -> str:
    text = case.provision_accessed.removeprefix("Started at ")
    return text.split(" on ")[0].strip()


def _brokering(
    case: Case,
    by: User,
    rng: random.Random,
    today: date,
    local: dict[str, Establishment],
    schools: list[Establishment],
) -> None:
    if case.provision_determined_on is None:
        return
    start = case.moved_into_provision_on
    window_end = start or case.closed_on or today
    span = max((window_end - case.provision_determined_on).days, 1)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        on = case.provision_determined_on + timedelta(days=rng.randint(0, span - 1))
        where = rng.choice(schools) if schools else None
        refused_by: str = ""
        if rng.random() < 0.7:
            refused_by, reason = rng.choice(REFUSALS)
            outcome = AttemptOutcome.REFUSED
        else:
            reason, outcome = rng.choice(NO_PLACE), AttemptOutcome.NO_PLACE
        PlacementAttempt.objects.create(
            case=case,
            establishment=where,
            provider_name="" if where else "A school in the area",
            attempted_on=min(on, today),
            outcome=outcome,
            refused_by=refused_by,
            reason=reason,
            recorded_by=by,
        )
    if start is None:
        return
    name = _started_at(case) or "A school in the area"
    admitted = PlacementAttempt.objects.create(
        case=case,
        establishment=local.get(name),
        provider_name="" if name in local else name,
        attempted_on=max(case.provision_determined_on, start - timedelta(days=rng.randint(1, 7))),
        outcome=AttemptOutcome.ADMITTED,
        starts_on=start,
        started=True,
        recorded_by=by,
    )
    if case.stage == Stage.IN_PROVISION:
        _checks(admitted, start, by, rng, today)


def _checks(
    placement: PlacementAttempt, start: date, by: User, rng: random.Random, today: date
) -> None:
    dates = schedule.dates_between(start, start, schedule.horizon(start, today))
    # One child in six has let their last check or two slip: the dashboard's missed checks.
    slipping = rng.random() < 1 / 6
    rows = []
    for due in dates:
        check = AttendanceCheck(placement=placement, case_id=placement.case_id, due_on=due)
        recent = (today - due).days < 40
        if due <= today and not (slipping and recent):
            roll = rng.random()
            check.attendance = (
                Attendance.ATTENDING
                if roll < 0.75
                else Attendance.PARTIAL
                if roll < 0.95
                else Attendance.NOT_ATTENDING
            )
            check.percentage = {
                Attendance.ATTENDING: rng.randint(90, 100),
                Attendance.PARTIAL: rng.randint(40, 89),
                Attendance.NOT_ATTENDING: 0,
            }[Attendance(check.attendance)]
            check.checked_on = min(due + timedelta(days=rng.randint(0, 3)), today)
            check.checked_by = by
        rows.append(check)
    AttendanceCheck.objects.bulk_create(rows)


def _support(
    case: Case, by: User, rng: random.Random, today: date, agencies: list[PartnerAgency]
) -> None:
    referred = min(_determined(case, today) + timedelta(days=rng.randint(0, 10)), today)
    answered = rng.random() < 0.7 and referred < today
    SupportReferral.objects.create(
        case=case,
        agency=rng.choice(agencies),
        referred_on=referred,
        reason=rng.choice(SUPPORT_REASONS),
        response=rng.choice(RESPONSES) if answered else "",
        response_on=min(referred + timedelta(days=rng.randint(3, 20)), today) if answered else None,
        recorded_by=by,
    )


def _register_audits(
    authority: Authority,
    team: list[User],
    rng: random.Random,
    today: date,
    local: dict[str, Establishment],
) -> None:
    providers = [e for e in local.values() if e.kind in _ALTERNATIVE]
    officers = [
        m.user
        for m in Membership.objects.filter(
            authority=authority, role__in=[Role.CME_OFFICER, Role.CME_MANAGER], is_active=True
        ).select_related("user")
    ] or team
    rows = []
    for n in range(REGISTER_AUDITS):
        where = providers[n % len(providers)] if providers else None
        checked = rng.randint(6, 40)
        found = rng.choice([0, 0, 0, 1, 2])
        rows.append(
            RegisterAudit(
                authority=authority,
                establishment=where,
                provider_name="" if where else "Hilltop Tuition Centre",
                audited_on=today - timedelta(days=n * 30 + rng.randint(0, 20)),
                pupils_checked=checked,
                discrepancies=min(found, checked),
                notes=AUDIT_NOTES[0] if found > 1 else rng.choice(AUDIT_NOTES[1:]),
                recorded_by=rng.choice(officers),
            )
        )
    RegisterAudit.objects.bulk_create(rows)
