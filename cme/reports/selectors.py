"""The counting behind the DfE termly CME return: which children were missing education, and when.

Definition (docs/reports.md explains each rule): a case of the authority shows its child missing
education on a day when the case had been notified, was not closed and the child had not moved
into provision; the child was of compulsory school age; the case did not end as "found on a roll",
"not missing education" or "not of compulsory school age"; the child was not on the EHE register;
and a reopened case was not in the gap between its closure and its reopening.

Each measure is ONE aggregate query grouped by sex, cohort, time band and reason; the breakdowns
are sums of those groups, so no child-level row ever leaves the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import (
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least, RowNumber

from cme.accounts.models import Authority
from cme.cases.models import Case, Outcome, PastClosure, Source, Stage
from cme.children.models import Sex
from cme.children.school_age import (
    compulsory_school_age_starts,
    national_curriculum_year,
    school_leaving_date,
)
from cme.returns.models import EHERegistration

# Outcomes that show the child was never missing education, whenever the case was open.
NEVER_MISSING = (Outcome.FOUND_ON_ROLL, Outcome.NOT_CME, Outcome.NOT_SCHOOL_AGE)

NOT_KNOWN = "not_known"
SEX_VALUES: dict[str, str] = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: NOT_KNOWN}
SEX_CATEGORIES = ("female", "male", NOT_KNOWN)
# Compulsory school age runs from Reception (after the prescribed day) to Year 11.
YEAR_GROUP_CATEGORIES = ("reception", *(f"year_{n}" for n in range(1, 12)), NOT_KNOWN)
TIME_BANDS: tuple[tuple[str, int | None], ...] = (
    # (category, first day count NOT in the band); a boundary day goes to the longer band.
    ("under_4_weeks", 28),
    ("4_to_12_weeks", 84),
    ("12_to_26_weeks", 182),
    ("over_26_weeks", None),
)
TIME_CATEGORIES = tuple(name for name, _ in TIME_BANDS)
REASON_CATEGORIES = tuple(Source.values)

BREAKDOWNS = ("total", "sex", "year_group", "time_missing", "reason")
CATEGORIES: dict[str, tuple[str, ...]] = {
    "total": ("",),
    "sex": SEX_CATEGORIES,
    "year_group": YEAR_GROUP_CATEGORIES,
    "time_missing": TIME_CATEGORIES,
    "reason": REASON_CATEGORIES,
}


@dataclass(frozen=True)
class Period:
    """The days asked about, both included: one day for a census, a school year for the other."""

    start: date
    end: date


@dataclass(frozen=True)
class Figures:
    """Counts of children for one measure, by breakdown and category (every category present)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.counts["total"][""]


def previous_academic_year(census_date: date) -> Period:
    """1 September to 31 August of the school year before the census date's school year."""
    starts_in = census_date.year if census_date.month >= 9 else census_date.year - 1
    return Period(date(starts_in - 1, 9, 1), date(starts_in, 8, 31))


def _first_date(test: Callable[[date], bool], low: date, high: date) -> date:
    """The first day in [low, high] for which the monotone `test` holds (high if none)."""
    lo, hi = low.toordinal(), high.toordinal()
    while lo < hi:
        mid = (lo + hi) // 2
        if test(date.fromordinal(mid)):
            hi = mid
        else:
            lo = mid + 1
    return date.fromordinal(lo)


def school_age_birth_dates(period: Period) -> tuple[date, date]:
    """Oldest and youngest birth dates of children of compulsory school age at some time in period.

    Both the start of compulsory school age and the leaving date move forward with the birth date,
    so the children concerned are exactly those born in one range of dates.
    """
    low, high = period.start - timedelta(days=366 * 20), period.end
    oldest = _first_date(lambda dob: school_leaving_date(dob) >= period.start, low, high)
    first_too_young = _first_date(
        lambda dob: compulsory_school_age_starts(dob) > period.end, low, high
    )
    return oldest, first_too_young - timedelta(days=1)


def missing_cases(authority: Authority, period: Period, *, current: bool = False) -> QuerySet[Case]:
    """Cases of `authority` whose child was missing education on at least one day of `period`.

    `current=True` says the period is today alone: a case's own row is then its present state
    (reopening clears `closed_on`, closing sets it) and no past closure can cover today. The
    dashboard's "now" figures use it; every other day also looks at the case's past closures.
    """
    start = Value(period.start, DateField())
    oldest, youngest = school_age_birth_dates(period)
    home_educated = EHERegistration.objects.filter(
        child=OuterRef("child"), started_on__lte=OuterRef("counted_from")
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("counted_to")))
    # A reopened case closed on or before the first day and not reopened by the last: a closure
    # on a day ends it that day, a reopening on a day counts that day.
    closed_throughout = PastClosure.objects.filter(
        case=OuterRef("pk"), closed_on__lte=period.start, reopened_on__gt=period.end
    )
    cases = (
        Case.objects.filter(authority=authority, notified_on__lte=period.end)
        .exclude(outcome__in=NEVER_MISSING)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.start))
        .filter(
            Q(moved_into_provision_on__isnull=True) | Q(moved_into_provision_on__gt=period.start)
        )
        .filter(
            Q(child__date_of_birth__isnull=True) | Q(child__date_of_birth__range=(oldest, youngest))
        )
    )
    if current:
        return cases.exclude(stage=Stage.CLOSED).filter(~Exists(home_educated_now(period.start)))
    return (
        cases.annotate(
            counted_from=Greatest(F("notified_on"), start, output_field=DateField()),
            counted_to=_counted_to(period),
        )
        .filter(~Exists(closed_throughout))
        .filter(~Exists(home_educated))
    )


def home_educated_now(day: date) -> QuerySet[EHERegistration]:
    """The child's EHE registration covering `day` (for the `current` form of the definition)."""
    return EHERegistration.objects.filter(child=OuterRef("child"), started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def _counted_to(period: Period) -> Least:
    """The last day a case counts in the period: when it closed or the child moved into provision,
    or the end of the period."""
    end = Value(period.end, DateField())
    return Least(
        Coalesce(F("closed_on"), end),
        Coalesce(F("moved_into_provision_on"), end),
        end,
        output_field=DateField(),
    )


def _band_expression() -> SqlCase:
    whens = [
        When(gap__lt=timedelta(days=limit), then=Value(name))
        for name, limit in TIME_BANDS
        if limit is not None
    ]
    return SqlCase(*whens, default=Value(TIME_BANDS[-1][0]))


def _grouped_children(
    authority: Authority,
    period: Period,
    *,
    extra: Mapping[str, Any] | None = None,
    current: bool = False,
) -> list[dict[str, object]]:
    """Children counted, grouped by sex, cohort, time band and reason: one row per group.

    `extra` adds more grouping columns (name: expression on the case), for the dashboard (stage,
    vulnerability); the DfE return uses none.

    A child with several cases counts once; their time missing and reason come from their
    earliest-notified case counted in the period (the "primary" case). The definition is
    evaluated once per case, in the inner query (built by the ORM) that also works out each
    case's grouping columns and ranks each child's cases; the outer query keeps rank 1 and
    counts. It reads the inner query as a derived table rather than joining cases back by id:
    PostgreSQL cannot estimate how many cases are rank 1, and on a large authority its guess
    (a few hundred) led it to look up every case and child again one by one.
    """
    extra = dict(extra or {})
    birth = "child__date_of_birth"
    columns = ["sex", "cohort", "band", "reason", *extra]
    ranked = (
        missing_cases(authority, period, current=current)
        .annotate(
            gap=ExpressionWrapper(
                _counted_to(period) - F("notified_on"), output_field=DurationField()
            ),
            band=_band_expression(),
            # The school year a child's cohort was born in: September to August.
            cohort=SqlCase(
                When(**{f"{birth}__month__gte": 9}, then=ExtractYear(birth)),
                default=ExtractYear(birth) - 1,
                output_field=IntegerField(),
            ),
            sex=F("child__sex"),
            reason=F("source"),
            **extra,
            rank=Window(
                RowNumber(),
                partition_by=[F("child_id")],
                order_by=[F("notified_on").asc(), F("pk").asc()],
            ),
        )
        .values(*columns, "rank")
        .order_by()
    )
    inner, params = ranked.query.sql_with_params()
    quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
    # Column names come from the code above, never from input; the values travel as parameters.
    # Rank 1 is counted inside the aggregate rather than kept by a WHERE: PostgreSQL guesses that
    # a filter on a row number keeps a few hundred rows, and for so few it sorts them to group
    # them; knowing it reads them all, it groups by hashing (at 1,000,000 cases, 1 s less a query).
    sql = (
        f"SELECT {quoted}, COUNT(*) FILTER (WHERE {connection.ops.quote_name('rank')} = 1) "  # noqa: S608
        f"FROM ({inner}) ranked GROUP BY {quoted}"
    )
    flags = {name for name, expression in extra.items() if isinstance(expression, Exists)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    groups = []
    for row in rows:
        group = dict(zip([*columns, "children"], row, strict=True))
        if not group["children"]:
            continue  # only later cases of children counted in another group
        # Raw rows skip the ORM's converters: SQLite gives 0/1 for a flag, PostgreSQL a
        # numeric year.
        group["cohort"] = None if group["cohort"] is None else int(group["cohort"])
        for name in flags:
            group[name] = bool(group[name])
        groups.append(group)
    return groups


def _year_group(cohort: int | None, on: date) -> str:
    if cohort is None:
        return NOT_KNOWN
    label = national_curriculum_year(date(cohort, 9, 1), on)
    if label == "R":
        return "reception"
    if label.isdigit() and 1 <= int(label) <= 11:
        return f"year_{label}"
    return NOT_KNOWN


def figures_for(
    authority: Authority,
    period: Period,
    *,
    extra: Mapping[str, Any] | None = None,
    current: bool = False,
) -> Figures:
    """The counts of children missing education in `period` (one query), by the DfE breakdowns
    and by each `extra` grouping (its categories are the values found, as strings)."""
    extra = dict(extra or {})
    names = (*BREAKDOWNS, *extra)
    tallies: dict[str, Counter[str]] = {name: Counter() for name in names}
    for group in _grouped_children(authority, period, extra=extra, current=current):
        n = int(group["children"])  # type: ignore[call-overload]
        tallies["total"][""] += n
        tallies["sex"][SEX_VALUES.get(str(group["sex"]), NOT_KNOWN)] += n
        cohort = group["cohort"]
        tallies["year_group"][_year_group(cohort, period.start)] += n  # type: ignore[arg-type]
        tallies["time_missing"][str(group["band"])] += n
        tallies["reason"][str(group["reason"])] += n
        for name in extra:
            tallies[name][str(group[name])] += n
    counts = {
        name: {value: tallies[name][value] for value in CATEGORIES[name]} for name in BREAKDOWNS
    }
    counts.update({name: dict(tallies[name]) for name in extra})
    return Figures(counts)


def _figures(authority: Authority, period: Period) -> Figures:
    return figures_for(authority, period)


def cme_at_census(authority: Authority, census_date: date) -> Figures:
    """Children missing education on the census date (one query)."""
    return _figures(authority, Period(census_date, census_date))


def cme_in_previous_year(authority: Authority, census_date: date) -> Figures:
    """Children missing education at any time in the academic year before the census date's."""
    return _figures(authority, previous_academic_year(census_date))


def cme_in_period(authority: Authority, period: Period) -> Figures:
    """Children missing education on at least one day of `period` (one query)."""
    return figures_for(authority, period)
