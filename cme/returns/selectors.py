"""Reads of returns and the EHE register, always scoped to the signed-in user.

A school user sees their own establishment's returns; the CME team sees its authority's. The
combined list of both kinds is one UNION query: counting and a page are two statements whatever
the number of returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from cme.accounts.models import Role
from cme.children.restriction import RESTRICTED_LABEL, active_grants
from cme.core.calendar import CalendarMissing, SchoolCalendar, bank_holidays_england
from cme.returns.models import DeletionReturn, EHERegistration, EHEStatus, NewPupilReturn

DELETION, NEW_PUPIL = "deletion", "new_pupil"


def _scope(user: Any) -> Q | None:
    """The returns this user may see, or None for none at all."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("returns.view_returns"):
        return None
    if membership.role == Role.SCHOOL_USER:
        return Q(establishment_id=membership.establishment_id)
    return Q(authority_id=membership.authority_id)


def _with_grant(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    granted = active_grants(user).filter(child_id=OuterRef("child_id"))
    annotated: QuerySet[Any] = qs.annotate(child_has_grant=Exists(granted))
    return annotated


def deletion_returns_visible_to(user: Any) -> QuerySet[DeletionReturn]:
    scope = _scope(user)
    if scope is None:
        return DeletionReturn.objects.none()
    qs = DeletionReturn.objects.filter(scope).select_related(
        "establishment", "destination", "submitted_by", "child", "case"
    )
    return _with_grant(qs, user)


def new_pupil_returns_visible_to(user: Any) -> QuerySet[NewPupilReturn]:
    scope = _scope(user)
    if scope is None:
        return NewPupilReturn.objects.none()
    qs = NewPupilReturn.objects.filter(scope).select_related(
        "establishment", "previous_school", "submitted_by", "child", "matched_case"
    )
    return _with_grant(qs, user)


def details_visible(ret: Any, user: Any) -> bool:
    """Whether the user may see where the pupil lives and goes to school.

    The school that sent a return always may: it is what they told us. The CME team may unless
    the return is about a restricted child and they hold no grant (§3.9.3.2).
    """
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role == Role.SCHOOL_USER:
        return True
    child = ret.child
    return child is None or not child.is_restricted or bool(getattr(ret, "child_has_grant", False))


@dataclass(frozen=True)
class ReturnFilter:
    kind: str = ""  # "", DELETION or NEW_PUPIL
    establishment_id: int | None = None
    late: bool = False
    ground: str = ""
    linked: bool = False  # opened or matched a case


@dataclass(frozen=True)
class ReturnRow:
    kind: str
    pk: int
    submitted_at: datetime
    establishment: str
    name: str
    event_on: date
    ground: str
    is_late: bool
    case_id: int | None

    @property
    def reference(self) -> str:
        return f"{'DR' if self.kind == DELETION else 'NP'}-{self.pk:06d}"


_ROW_FIELDS = [
    "r_kind",
    "r_pk",
    "r_at",
    "r_school",
    "r_forename",
    "r_surname",
    "r_restricted",
    "r_grant",
    "r_on",
    "r_ground",
    "r_late",
    "r_case",
]


def _rows(qs: QuerySet[Any], user: Any, kind: str, on: str, ground: Any, case: str) -> Any:
    granted = active_grants(user).filter(child_id=OuterRef("child_id"))
    return (
        qs.order_by()
        .annotate(
            r_kind=Value(kind, output_field=CharField()),
            r_pk=F("pk"),
            r_at=F("submitted_at"),
            r_school=F("establishment__name"),
            r_forename=Coalesce(NullIf(F("preferred_forename"), Value("")), F("forename")),
            r_surname=F("surname"),
            r_restricted=Coalesce(
                F("child__is_restricted"), Value(False), output_field=BooleanField()
            ),
            r_grant=Exists(granted),
            r_on=F(on),
            r_ground=ground,
            r_late=F("is_late"),
            r_case=F(case),
        )
        .values_list(*_ROW_FIELDS)
    )


def returns_matching(user: Any, filters: ReturnFilter | None = None) -> Any:
    """Both kinds of return the user may see, newest first, as one queryset of tuples (see
    `to_rows`). Filters for a deletion-only field (the ground) leave out new pupil returns."""
    filters = filters or ReturnFilter()
    scope = _scope(user)
    if scope is None:
        return DeletionReturn.objects.none().values_list("pk")
    deletions = DeletionReturn.objects.filter(scope)
    new_pupils = NewPupilReturn.objects.filter(scope)
    if filters.establishment_id:
        deletions = deletions.filter(establishment_id=filters.establishment_id)
        new_pupils = new_pupils.filter(establishment_id=filters.establishment_id)
    if filters.late:
        deletions, new_pupils = deletions.filter(is_late=True), new_pupils.filter(is_late=True)
    if filters.linked:
        deletions = deletions.filter(case__isnull=False)
        new_pupils = new_pupils.filter(matched_case__isnull=False)
    if filters.ground:
        deletions = deletions.filter(ground=filters.ground)
    parts = []
    if filters.kind in ("", DELETION):
        parts.append(_rows(deletions, user, DELETION, "deleted_on", F("ground"), "case_id"))
    if filters.kind in ("", NEW_PUPIL) and not filters.ground:
        parts.append(
            _rows(
                new_pupils,
                user,
                NEW_PUPIL,
                "admitted_on",
                Value("", output_field=CharField()),
                "matched_case_id",
            )
        )
    if not parts:
        return DeletionReturn.objects.none().values_list("pk")
    combined = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
    return combined.order_by("-r_at", "-r_pk")


def to_rows(values: Any, *, school_view: bool) -> list[ReturnRow]:
    rows = []
    for (
        kind,
        pk,
        at,
        school,
        preferred,
        surname,
        restricted,
        grant,
        on,
        ground,
        late,
        case,
    ) in values:
        hidden = restricted and not grant and not school_view
        rows.append(
            ReturnRow(
                kind=kind,
                pk=pk,
                submitted_at=at,
                establishment="Withheld" if hidden else school,
                name=RESTRICTED_LABEL if hidden else f"{preferred} {surname}".strip(),
                event_on=on,
                ground=ground,
                is_late=late,
                case_id=case,
            )
        )
    return rows


def ehe_registrations_visible_to(user: Any) -> QuerySet[EHERegistration]:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("returns.view_ehe"):
        return EHERegistration.objects.none()
    granted = active_grants(user).filter(child_id=OuterRef("child_id"))
    return (
        EHERegistration.objects.filter(
            authority_id=membership.authority_id, child__authority_id=membership.authority_id
        )
        .select_related("child")
        .annotate(child_has_grant=Exists(granted))
    )


@dataclass(frozen=True)
class EHEFilter:
    status: str = EHEStatus.ACTIVE  # "" for all
    source: str = ""
    started_from: date | None = None


def ehe_matching(user: Any, filters: EHEFilter | None = None) -> QuerySet[EHERegistration]:
    filters = filters or EHEFilter()
    qs = ehe_registrations_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.started_from:
        qs = qs.filter(started_on__gte=filters.started_from)
    return qs.order_by("-started_on", "-pk")


# -- The CTF clock -------------------------------------------------------------------------------

CTF_SORTS = {
    # Most overdue first is the oldest due date first: school days only ever add up.
    "overdue": ("ctf_due_on", "establishment__name", "pk"),
    "-overdue": ("-ctf_due_on", "establishment__name", "-pk"),
    "school": ("establishment__name", "ctf_due_on", "pk"),
    "-school": ("-establishment__name", "ctf_due_on", "pk"),
}


def ctf_overdue_visible_to(user: Any, today: date, sort: str = "overdue") -> QuerySet[Any]:
    """Deletion returns whose CTF is owed, not recorded as sent, and past its due date on
    `today`: a school user's own school's, or the CME team's whole authority's."""
    scope = _scope(user)
    if scope is None:
        return DeletionReturn.objects.none()
    qs = (
        DeletionReturn.objects.filter(scope)
        .filter(ctf_due_on__isnull=False, ctf_sent_on__isnull=True, ctf_due_on__lt=today)
        .select_related("authority", "establishment", "child")
        .order_by(*CTF_SORTS.get(sort, CTF_SORTS["overdue"]))
    )
    return _with_grant(qs, user)


@dataclass(frozen=True)
class OverdueCTF:
    pk: int
    reference: str
    establishment: str
    dfe_number: str
    name: str
    deleted_on: date
    due_on: date
    days_overdue: int
    # False when the authority's term dates do not cover the days: then weekdays other than
    # bank holidays were counted instead, and the page says so.
    in_school_days: bool


def _weekdays_after(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end`, leaving out England's bank holidays."""
    days, day = 0, start
    holidays = {h for year in range(start.year, end.year + 1) for h in bank_holidays_england(year)}
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days += 1
    return days


def overdue_ctf_rows(returns: Any, user: Any, today: date) -> list[OverdueCTF]:
    """The rows of one page of overdue CTFs, with school days overdue counted on each
    authority's calendar (one calendar per authority on the page: two queries each)."""
    returns = list(returns)
    calendars: dict[int, SchoolCalendar] = {}
    for ret in returns:
        if ret.authority_id not in calendars:
            first = min(r.ctf_due_on for r in returns if r.authority_id == ret.authority_id)
            calendars[ret.authority_id] = SchoolCalendar.load(ret.authority, first, today)
    school_view = getattr(getattr(user, "membership", None), "role", None) == Role.SCHOOL_USER
    rows = []
    for ret in returns:
        try:
            days = calendars[ret.authority_id].school_days_between(ret.ctf_due_on, today)
            in_school_days = True
        except CalendarMissing:
            days, in_school_days = _weekdays_after(ret.ctf_due_on, today), False
        hidden = not school_view and not details_visible(ret, user)
        rows.append(
            OverdueCTF(
                pk=ret.pk,
                reference=ret.reference,
                establishment="Withheld" if hidden else ret.establishment.name,
                dfe_number="" if hidden else ret.establishment.dfe_number,
                name=RESTRICTED_LABEL if hidden else ret.display_name,
                deleted_on=ret.deleted_on,
                due_on=ret.ctf_due_on,
                days_overdue=days,
                in_school_days=in_school_days,
            )
        )
    return rows
