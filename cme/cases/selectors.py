"""Reads of cases, always scoped to the signed-in user's authority and role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Upper
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from cme.cases.models import Case, Stage, Task
from cme.children.models import Child, ChildVulnerability, FormerUPN, OtherName
from cme.children.restriction import RESTRICTED_LABEL, active_grants
from cme.children.upn import UPN_LENGTH, normalise_upn


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Cases of the user's authority, for the case team (officers, managers, caseworkers).

    Each case carries `child_has_grant`: whether this user may see the child's restricted details.
    """
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("cases.view_cases"):
        return Case.objects.none()
    granted = active_grants(user).filter(child_id=OuterRef("child_id"))
    return (
        Case.objects.filter(authority_id=membership.authority_id)
        .select_related("child", "owner")
        .annotate(child_has_grant=Exists(granted))
    )


# ---------------------------------------------------------------------------------------------
# The case list, its export and "My work".
#
# Every query below is a fixed number of SQL statements whatever the data size: the child and the
# owner come by join, the grant and vulnerability checks are EXISTS subqueries.

STATUS_OPEN, STATUS_CLOSED, STATUS_ALL = "open", "closed", "all"
OWNER_ME, OWNER_NONE = "me", "none"
VULNERABLE_ANY = "any"
DEFAULT_SORT = "-notified_on"
_STAGE_ORDER = [stage.value for stage in Stage]


def _stage_rank() -> CaseWhen:
    """Stages in the order of the process, not alphabetically."""
    return CaseWhen(
        *[When(stage=value, then=Value(rank)) for rank, value in enumerate(_STAGE_ORDER)],
        default=Value(len(_STAGE_ORDER)),
        output_field=IntegerField(),
    )


# Sort keys offered in the column headers, and whether the column can be empty (empty sorts last).
SORTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "reference": (("reference",), False),
    "surname": (("child__surname", "child__forename"), False),
    "dob": (("child__date_of_birth",), True),
    "stage": (("stage_rank",), False),
    "priority": (("priority",), False),
    "owner": (("owner__full_name",), True),
    "notified_on": (("notified_on",), False),
    "next_follow_up_on": (("next_follow_up_on",), True),
}


@dataclass(frozen=True)
class CaseFilter:
    q: str = ""
    status: str = STATUS_OPEN
    stages: tuple[str, ...] = ()
    owner: str = ""  # "", OWNER_ME, OWNER_NONE or a user's pk as text
    priorities: tuple[str, ...] = ()
    vulnerable: str = ""  # "", VULNERABLE_ANY or a VulnerableGroup value
    overdue: bool = False
    born_from: date | None = None
    born_to: date | None = None
    notified_from: date | None = None
    notified_to: date | None = None
    sort: str = DEFAULT_SORT


def _children_shown_to(user: Any, authority_id: int) -> QuerySet[Child]:
    """Children of the authority whose personal details this user may see (see cases_visible_to).

    Filters on a child's personal details (name, date of birth, UPN) select from these, in one
    uncorrelated subquery, so a restricted child without a grant is never found by them.
    """
    granted = active_grants(user).values("child_id")
    return Child.objects.filter(
        Q(is_restricted=False) | Q(pk__in=granted), authority_id=authority_id
    )


_TYPED_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _typed_date(text: str) -> date | None:
    for pattern in _TYPED_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _looks_like_upn(text: str) -> bool:
    return len(text) == UPN_LENGTH and text[0].isalpha() and text[1:12].isdigit()


NAME_COLUMNS = ("surname", "forename", "preferred_surname", "preferred_forename")


def _starts_with(column: str, term: str) -> Q:
    """`column` starts with `term`, in any case, in a form both databases answer from an index
    on UPPER(column): a range, where a LIKE would scan every child.

    Only for ASCII terms: SQLite's UPPER() leaves other letters alone while Python's upper() does
    not, so for those the plain case-insensitive match is used.
    """
    if not term.isascii():
        return Q(**{f"{column}__istartswith": term})
    low = term.upper()
    high = low[:-1] + chr(ord(low[-1]) + 1)
    return Q(GreaterThanOrEqual(Upper(column), low), LessThan(Upper(column), high))


def _name_matches(term: str) -> Q:
    """One word of a name: the start of a legal, preferred or other name, in any case."""
    # Other names are few: their children's ids go in as a list, which PostgreSQL can OR with
    # the name indexes (a subquery here would turn the whole filter into a scan of children).
    other_names = list(
        OtherName.objects.filter(_starts_with("surname", term) | _starts_with("forename", term))
        .order_by()
        .values_list("child_id", flat=True)[:OTHER_NAME_LIMIT]
    )
    matches = Q(pk__in=other_names)
    for column in NAME_COLUMNS:
        matches |= _starts_with(column, term)
    return matches


OTHER_NAME_LIMIT = 10_000


def _search(user: Any, authority_id: int, text: str) -> Q:
    """Case reference (exact), or for children whose details the user may see: a date of birth,
    a current or former UPN (exact) or the start of each word of a name.

    A restricted child without a grant is found by case reference only: finding them by name would
    tell the searcher that the name is on a record here. A UPN or name search first reads the
    few former UPNs or other names that match (one small query each).
    """
    text = " ".join(text.split())
    children = _children_shown_to(user, authority_id)
    day = _typed_date(text)
    upn = normalise_upn(text)
    # A case reference is the LA code and digits: never a date, a UPN or a name. Keeping the
    # reference out of the other searches leaves them without an OR across tables, so both
    # databases join the matching children to their cases through the child index instead of
    # scanning every case.
    if day is not None:
        children = children.filter(date_of_birth=day)
    elif _looks_like_upn(upn):
        former = list(
            FormerUPN.objects.filter(upn=upn).order_by().values_list("child_id", flat=True)
        )
        children = children.filter(Q(upn=upn) | Q(pk__in=former))
    elif any(character.isdigit() for character in text):
        return Q(reference__in={text, text.upper()})
    else:
        for term in text.split(" ")[:4]:
            children = children.filter(_name_matches(term))
    return Q(child_id__in=children.values("pk"))


# Sorts on the child's columns, which benefit from naming the child's authority.
CHILD_SORTS = frozenset({"surname", "dob"})


def is_known_sort(sort: str) -> bool:
    """A sort key from SORTS, optionally with one leading minus for descending order."""
    return sort.removeprefix("-") in SORTS


def case_ordering(sort: str) -> list[Any]:
    """ORDER BY for a whitelisted sort key ("surname", "-notified_on"); unknown keys give the default."""
    if not is_known_sort(sort):
        sort = DEFAULT_SORT
    key = sort.removeprefix("-")
    descending = sort.startswith("-")
    fields, nullable = SORTS[key]
    order: list[Any] = []
    for name in fields:
        if nullable:
            column = F(name)
            order.append(
                column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
            )
        else:
            order.append(f"-{name}" if descending else name)
    order.append("-pk" if descending else "pk")
    return order


OPEN_STAGES = tuple(stage for stage in Stage if stage != Stage.CLOSED)


def _open_cases(sort: str) -> Q:
    """Open cases, worded for the sort at hand.

    The partial index of open cases by date (`case_open_by_date_idx`) serves the sort by date
    notified; a query says "not closed" to use it. SQLite would also pick it for any other sort
    and then sort every open case in a temporary tree, so other sorts name the open stages
    instead, which leaves SQLite free to walk the sort column's own index.
    """
    if sort.removeprefix("-") == "notified_on":
        return ~Q(stage=Stage.CLOSED)
    return Q(stage__in=OPEN_STAGES)


def cases_matching(user: Any, filters: CaseFilter, *, today: date | None = None) -> QuerySet[Case]:
    """The case list: the user's visible cases narrowed by `filters` and sorted."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user)
    membership = getattr(user, "membership", None)
    if membership is None:
        return cases
    authority_id = membership.authority_id
    if filters.status == STATUS_OPEN:
        cases = cases.filter(_open_cases(filters.sort))
    elif filters.status == STATUS_CLOSED:
        cases = cases.filter(stage=Stage.CLOSED)
    if filters.stages:
        cases = cases.filter(stage__in=filters.stages)
    if filters.owner == OWNER_ME:
        cases = cases.filter(owner_id=user.pk)
    elif filters.owner == OWNER_NONE:
        cases = cases.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        cases = cases.filter(owner_id=int(filters.owner))
    if filters.priorities:
        cases = cases.filter(priority__in=filters.priorities)
    if filters.vulnerable == VULNERABLE_ANY:
        cases = cases.filter(is_vulnerable=True)
    elif filters.vulnerable:
        in_group = ChildVulnerability.objects.filter(group=filters.vulnerable).values("child_id")
        cases = cases.filter(child_id__in=in_group)
    if filters.overdue:
        cases = cases.exclude(stage=Stage.CLOSED).filter(next_follow_up_on__lt=today)
    if filters.born_from or filters.born_to:
        # The year group comes from the date of birth, which a restricted child's record withholds.
        born = _children_shown_to(user, authority_id)
        if filters.born_from:
            born = born.filter(date_of_birth__gte=filters.born_from)
        if filters.born_to:
            born = born.filter(date_of_birth__lte=filters.born_to)
        cases = cases.filter(child_id__in=born.values("pk"))
    if filters.notified_from:
        cases = cases.filter(notified_on__gte=filters.notified_from)
    if filters.notified_to:
        cases = cases.filter(notified_on__lte=filters.notified_to)
    if filters.q:
        cases = cases.filter(_search(user, authority_id, filters.q))
    if filters.sort.removeprefix("-") == "stage":
        cases = cases.annotate(stage_rank=_stage_rank())
    return cases.order_by(*case_ordering(filters.sort))


class CasePages:
    """A case list for the paginator that sorts and slices on the narrow case rows first.

    The page's 50 ids come from a query that reads only the case table (and the child or owner
    when sorting by them); the rows are then loaded with their child, owner and grant by primary
    key. The database never carries the wide joined rows, or the grant check, through a sort of
    the whole list. Three queries a page: the count, the ids, the rows.
    """

    def __init__(
        self,
        cases: QuerySet[Case],
        *,
        child_authority_id: int | None = None,
        rows_from: QuerySet[Case] | None = None,
    ) -> None:
        self.cases = cases
        # The page's rows are loaded by id from `rows_from` (the same user's visible cases without
        # the filters), so the database does not evaluate a search a third time for 50 rows.
        self.rows_from = cases if rows_from is None else rows_from
        # A case's child is always of the case's authority. Saying so in the ids query lets a
        # sort by the child's name or date of birth walk the child's (authority, ...) index; the
        # count does without the join.
        self.child_authority_id = child_authority_id

    def count(self) -> int:
        return self.cases.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Case]:
        ordered = self.cases
        if self.child_authority_id is not None:
            ordered = ordered.filter(child__authority_id=self.child_authority_id)
        ids = list(ordered.values_list("pk", flat=True)[index])
        by_id = {case.pk: case for case in self.rows_from.order_by().filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class CaseRow:
    """What a list or export may show of one case: nothing personal about a restricted child."""

    case: Case
    restricted: bool
    child_name: str
    date_of_birth: date | None
    overdue: bool


def case_row(case: Case, *, today: date) -> CaseRow:
    """A row for a case from `cases_visible_to` (which annotates `child_has_grant`)."""
    child = case.child
    restricted = child.is_restricted and not getattr(case, "child_has_grant", False)
    return CaseRow(
        case=case,
        restricted=restricted,
        child_name=RESTRICTED_LABEL if restricted else child.display_name,
        date_of_birth=None if restricted else child.date_of_birth,
        overdue=case.is_overdue(today),
    )


def my_open_cases(user: Any) -> QuerySet[Case]:
    """My work: open cases the user owns, most urgent first, then the soonest follow-up."""
    return (
        cases_visible_to(user)
        .filter(owner_id=user.pk)
        .exclude(stage=Stage.CLOSED)
        .order_by("priority", F("next_follow_up_on").asc(nulls_last=True), "pk")
    )


def my_new_cases(user: Any) -> QuerySet[Case]:
    """My work: cases assigned to the user that nobody has started checking yet, oldest first."""
    return (
        cases_visible_to(user)
        .filter(owner_id=user.pk, stage=Stage.RECEIVED)
        .order_by("notified_on", "pk")
    )


def my_open_tasks(user: Any) -> QuerySet[Task]:
    """Tasks assigned to the user and not done, on cases of their authority, soonest due first.

    Each task's case carries `child_has_grant` as on `cases_visible_to`.
    """
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("cases.view_cases"):
        return Task.objects.none()
    granted = active_grants(user).filter(child_id=OuterRef("case__child_id"))
    return (
        Task.objects.filter(
            assigned_to_id=user.pk,
            done_on__isnull=True,
            case__authority_id=membership.authority_id,
        )
        # A closed case's leftover tasks are not work: the case has ended.
        .exclude(case__stage=Stage.CLOSED)
        .select_related("case", "case__child", "case__owner")
        .annotate(child_has_grant=Exists(granted))
        .order_by("due_on", "pk")
    )
