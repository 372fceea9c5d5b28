"""The CME manager's dashboard: the figures SPEC section 6 asks for, each as at a stated time.

Every figure is an aggregate of the manager's own authority; no child-level row leaves the
database. "Missing education" follows the DfE return's definition (cme/reports/selectors.py),
read for today; the other figures count cases, tasks and milestone dates as each says. How each
is counted is written out for users on the "How we count" page (templates/reports/how.html) and in
docs/reports.md. The whole dashboard is a fixed number of queries whatever the number of cases.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
from django.urls import reverse

from cme.accounts.models import Authority
from cme.cases.models import Case, Outcome, PastClosure, Source, Stage, Task, TaskKind
from cme.children.models import ChildVulnerability, VulnerableGroup
from cme.core import audit
from cme.core.models import AuditAction
from cme.lpd.selectors import lpd_activity_by_month
from cme.registers.places import places_available
from cme.reports import selectors
from cme.reports.terms import Term, term_of, terms_back

Value_ = int | float | str | None

SEX_LABELS = {"female": "Female", "male": "Male", "not_known": "Not known"}
YEAR_GROUP_LABELS = {
    "reception": "Reception",
    **{f"year_{n}": f"Year {n}" for n in range(1, 12)},
    "not_known": "Not known",
}
# The case list's own year-group codes, for the link behind each row.
YEAR_GROUP_FILTER = {"reception": "R", **{f"year_{n}": str(n) for n in range(1, 12)}}
TIME_LABELS = {
    "under_4_weeks": "Under 4 weeks",
    "4_to_12_weeks": "4 to 12 weeks",
    "12_to_26_weeks": "12 to 26 weeks",
    "over_26_weeks": "Over 26 weeks",
}
TREND_MONTHS = 24
PACE_TERMS = 6
FOLLOW_UP_MONTHS = 3
LEFT_WITHOUT_DESTINATION_DAYS = 365


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value_, ...]
    link: str = ""  # the case list with filters, when it can show the cases behind the row


@dataclass(frozen=True)
class Figure:
    """One table (and usually one chart) on the dashboard or in a report."""

    slug: str  # the anchor on the page, the CSV's name and the "how we count" anchor
    title: str
    item: str  # the self-evaluation question it evidences (Appendix 2)
    columns: tuple[str, ...]  # the first names the rows, the rest the values
    rows: list[Row] = field(default_factory=list)
    chart: str = "bar"  # "bar", "column" or "" (no chart)
    chart_column: int = 0  # which value the chart draws
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    as_at: date
    summary: Figure
    figures: list[Figure]

    def figure(self, slug: str) -> Figure | None:
        for figure in [self.summary, *self.figures]:
            if figure.slug == slug:
                return figure
        return None


def _case_list(**filters: str) -> str:
    return f"{reverse('case_list')}?{urlencode(filters)}"


def _uk(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def month_start(day: date, back: int = 0) -> date:
    """The first day of `day`'s month, `back` months earlier."""
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def _month_end(first: date) -> date:
    return month_start(first, -1) - timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Children missing education now: one query for the breakdowns, one for vulnerable groups.


def missing_now(authority: Authority, today: date) -> selectors.Figures:
    """Children missing education today, by the DfE breakdowns, stage and any vulnerability."""
    vulnerable = Exists(ChildVulnerability.objects.filter(child=OuterRef("child")))
    return selectors.figures_for(
        authority,
        selectors.Period(today, today),
        extra={"case_stage": F("stage"), "vulnerable": vulnerable},
        current=True,
    )


def missing_now_by_group(authority: Authority, today: date) -> dict[str, int]:
    """Children missing education today in each vulnerable group (a child may be in several)."""
    children = selectors.missing_cases(
        authority, selectors.Period(today, today), current=True
    ).values("child_id")
    rows = (
        ChildVulnerability.objects.filter(child_id__in=children)
        .values("group")
        .annotate(children=Count("child_id", distinct=True))
        .order_by()
    )
    return {str(row["group"]): int(row["children"]) for row in rows}


def _now_figures(now: selectors.Figures, groups: dict[str, int], *, links: bool) -> list[Figure]:
    counts = now.counts
    stage_rows = [
        Row(
            label,
            (counts["case_stage"].get(value, 0),),
            _case_list(stage=value) if links else "",
        )
        for value, label in Stage.choices
        if value != Stage.CLOSED
    ]
    group_rows = [
        Row(
            label,
            (groups.get(value, 0),),
            _case_list(vulnerable=value) if links else "",
        )
        for value, label in VulnerableGroup.choices
    ]
    any_group = counts["vulnerable"].get("True", 0)
    return [
        Figure(
            "by-stage",
            "Children missing education now, by stage",
            "Item 8",
            ("Stage", "Children"),
            stage_rows,
        ),
        Figure(
            "by-reason",
            "Children missing education now, by how we were told (reason)",
            "Item 8",
            ("How we were told", "Children"),
            [Row(label, (counts["reason"][value],)) for value, label in Source.choices],
        ),
        Figure(
            "by-sex",
            "Children missing education now, by sex",
            "Item 8",
            ("Sex", "Children"),
            [Row(SEX_LABELS[value], (n,)) for value, n in counts["sex"].items()],
        ),
        Figure(
            "by-year-group",
            "Children missing education now, by year group",
            "Item 8",
            ("Year group", "Children"),
            [
                Row(
                    YEAR_GROUP_LABELS[value],
                    (n,),
                    _case_list(year_group=YEAR_GROUP_FILTER[value])
                    if links and value in YEAR_GROUP_FILTER
                    else "",
                )
                for value, n in counts["year_group"].items()
            ],
        ),
        Figure(
            "by-time-missing",
            "Children missing education now, by length of time missing",
            "Item 8",
            ("Time missing", "Children"),
            [Row(TIME_LABELS[value], (n,)) for value, n in counts["time_missing"].items()],
        ),
        Figure(
            "by-vulnerable-group",
            "Children missing education now, by vulnerable group",
            "Item 11",
            ("Vulnerable group", "Children"),
            [
                Row(
                    "In any vulnerable group",
                    (any_group,),
                    _case_list(vulnerable="any") if links else "",
                ),
                *group_rows,
            ],
            note="A child in more than one group is counted in each, and once in the first row.",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Cases notified, closed and open by month (one query).


@dataclass(frozen=True)
class Month:
    first: date
    notified: int
    closed: int
    open_at_end: int


def cases_by_month(authority: Authority, today: date, months: int = TREND_MONTHS) -> list[Month]:
    """Cases notified and closed in each of the last `months` months (this one included), and
    cases open at the end of each (today for this month). One grouped query: every case is
    placed by its notified month and its closed month, both folded into "before" when older."""
    first = month_start(today, months - 1)
    before = month_start(first, 1)
    rows = (
        Case.objects.filter(authority=authority)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first))
        .annotate(
            notified_month=SqlCase(
                When(notified_on__lt=first, then=Value(before)),
                default=TruncMonth("notified_on"),
                output_field=DateField(),
            ),
            closed_month=TruncMonth("closed_on", output_field=DateField()),
        )
        .values("notified_month", "closed_month")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    groups = [
        (_as_date(r["notified_month"]), _as_date(r["closed_month"]), r["cases"]) for r in rows
    ]
    gaps = _closure_gaps(authority, first)
    result = []
    for back in range(months - 1, -1, -1):
        month = month_start(today, back)
        notified = closed = still_open = 0
        for n_month, c_month, cases in groups:
            if n_month == month:
                notified += cases
            if c_month == month:
                closed += cases
            if n_month is not None and n_month <= month and (c_month is None or c_month > month):
                still_open += cases
        for c_month, r_month, cases in gaps:
            if c_month == month:
                closed += cases
            if c_month is not None and r_month is not None and c_month <= month < r_month:
                still_open -= cases  # counted open above: reopening cleared its closed date
        result.append(Month(month, notified, closed, still_open))
    return result


def _closure_gaps(authority: Authority, first: date) -> list[tuple[date | None, date | None, int]]:
    """Closures later undone (past closures) that touch the months from `first`, by the month of
    closing and of reopening (one query): they were closures in their month, and the case was
    not open at the end of a month it spent closed."""
    rows = (
        PastClosure.objects.filter(case__authority=authority, reopened_on__gte=first)
        .annotate(
            closed_month=TruncMonth("closed_on", output_field=DateField()),
            reopened_month=TruncMonth("reopened_on", output_field=DateField()),
        )
        .values("closed_month", "reopened_month")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    return [(_as_date(r["closed_month"]), _as_date(r["reopened_month"]), r["cases"]) for r in rows]


def _as_date(value: object) -> date | None:
    # TruncMonth gives a date on PostgreSQL and SQLite alike; a datetime would mean a bad field.
    if value is None:
        return None
    assert isinstance(value, date)
    return date(value.year, value.month, 1)


def _trend_figure(months: list[Month]) -> Figure:
    return Figure(
        "trend",
        f"Cases by month, over the last {len(months)} months",
        "Item 8",
        ("Month", "Notified", "Closed", "Open at the end of the month"),
        [Row(m.first.strftime("%b %Y"), (m.notified, m.closed, m.open_at_end)) for m in months],
        chart="column",
        chart_column=2,
    )


# ---------------------------------------------------------------------------------------------
# Pace into provision (item 15): days from notified to each milestone, by term.


@dataclass(frozen=True)
class Pace:
    cases: int
    mean: float | None
    median: float | None
    mode: int | None
    shortest: int | None
    longest: int | None


def pace_of(days: Counter[int]) -> Pace:
    """Mean, median, mode and range of a histogram of day counts. A tie for the mode goes to the
    shorter time, so the figure is the same every time it is worked out."""
    n = sum(days.values())
    if n == 0:
        return Pace(0, None, None, None, None, None)
    values = sorted(days.elements())
    top = max(days.values())
    return Pace(
        n,
        round(sum(values) / n, 1),
        float(statistics.median(values)),
        min(d for d, c in days.items() if c == top),
        values[0],
        values[-1],
    )


def pace_by_term(authority: Authority, milestone: str, terms: list[Term]) -> dict[Term, Pace]:
    """For each term, the days from notified to `milestone` (a case date field) of the cases
    whose milestone fell in that term. One query, grouped by month and day count."""
    first, last = terms[0].start, terms[-1].end
    rows = (
        Case.objects.filter(authority=authority, **{f"{milestone}__range": (first, last)})
        .annotate(
            year=ExtractYear(milestone),
            month=ExtractMonth(milestone),
            days=ExpressionWrapper(F(milestone) - F("notified_on"), output_field=DurationField()),
        )
        .values("year", "month", "days")
        .annotate(cases=Count("pk"))
        .order_by()
    )
    histograms: dict[Term, Counter[int]] = {term: Counter() for term in terms}
    for row in rows:
        term = term_of(date(int(row["year"]), int(row["month"]), 1))
        gap = row["days"]
        days = gap.days if isinstance(gap, timedelta) else int(gap)
        if term in histograms:
            histograms[term][days] += int(row["cases"])
    return {term: pace_of(histogram) for term, histogram in histograms.items()}


PACE_COLUMNS = ("Term", "Cases", "Mean", "Median", "Mode", "Shortest", "Longest")


def _pace_rows(paces: dict[Term, Pace]) -> list[Row]:
    return [
        Row(
            term.label,
            (p.cases, p.mean, p.median, p.mode, p.shortest, p.longest),
        )
        for term, p in paces.items()
    ]


# ---------------------------------------------------------------------------------------------
# Left without a known destination (item 17) and follow-ups (item 18).


def case_counts(authority: Authority, today: date) -> dict[str, int]:
    """Counts over the authority's cases, in one pass (one query)."""
    open_cases = ~Q(stage=Stage.CLOSED)
    since = today - timedelta(days=LEFT_WITHOUT_DESTINATION_DAYS)
    this_month = month_start(today)
    return {
        key: int(value or 0)
        for key, value in Case.objects.filter(authority=authority)
        .aggregate(
            tracking=Count("pk", filter=Q(stage=Stage.TRACKING)),
            whereabouts_unknown=Count(
                "pk", filter=Q(outcome=Outcome.WHEREABOUTS_UNKNOWN, closed_on__gte=since)
            ),
            notified_this_month=Count("pk", filter=Q(notified_on__gte=this_month)),
            follow_up_overdue=Count("pk", filter=open_cases & Q(next_follow_up_on__lt=today)),
            follow_up_due=Count("pk", filter=open_cases & Q(next_follow_up_on__gte=today)),
            follow_up_none=Count("pk", filter=open_cases & Q(next_follow_up_on__isnull=True)),
        )
        .items()
    }


def follow_up_tasks(authority: Authority, first: date, last: date, today: date) -> dict[str, int]:
    """Monthly follow-up tasks due from `first` to `last`: done on time, done late, not done and
    overdue, not yet due (one query)."""
    tasks = Task.objects.filter(
        case__authority=authority, kind=TaskKind.FOLLOW_UP, due_on__range=(first, last)
    )
    result = tasks.aggregate(
        on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(done_on__gt=F("due_on"))),
        overdue=Count("pk", filter=Q(done_on__isnull=True, due_on__lt=today)),
        not_yet_due=Count("pk", filter=Q(done_on__isnull=True, due_on__gte=today)),
    )
    return {key: int(value or 0) for key, value in result.items()}


def places_figure(authority: Authority, today: date, *, links: bool) -> Figure:
    """Item 16: places available now, statutory and alternative, and how current the figures are."""
    totals = places_available(authority, today)
    link = reverse("places_list") if links else ""
    return Figure(
        "places",
        "Places available, statutory and alternative provision",
        "Item 16",
        ("Provision", "Places", "Of them in figures over a month old", "Not reporting"),
        [
            Row(
                "Schools (statutory)",
                (
                    totals.statutory.places,
                    totals.statutory.stale_places,
                    totals.statutory.not_reporting,
                ),
                link,
            ),
            Row(
                "Alternative provision",
                (
                    totals.alternative.places,
                    totals.alternative.stale_places,
                    totals.alternative.not_reporting,
                ),
                link,
            ),
        ],
    )


def lpd_figure(authority: Authority, today: date) -> Figure:
    """Item 22: the authority's uploads to and downloads from the Lost Pupil Database by month,
    the last 24 months, oldest first (one query)."""
    months = reversed(lpd_activity_by_month(authority, 24, today=today))
    return Figure(
        "lpd",
        "Lost Pupil Database uploads and downloads by month",
        "Item 22",
        ("Month", "Uploads", "Searches", "Downloads"),
        [Row(f"{m.month:%b %Y}", (m.uploads, m.searches, m.downloads)) for m in months],
        chart="column",
    )


# ---------------------------------------------------------------------------------------------


def dashboard_for(authority: Authority, today: date, *, links: bool) -> Dashboard:
    """Every dashboard figure for `authority` as at `today`. `links` adds the case-list links
    (only for users who may see the cases)."""
    now = missing_now(authority, today)
    groups = missing_now_by_group(authority, today)
    months = cases_by_month(authority, today)
    counts = case_counts(authority, today)
    this_month = month_start(today)
    follow_first = month_start(today, FOLLOW_UP_MONTHS - 1)
    tasks = follow_up_tasks(authority, follow_first, _month_end(this_month), today)
    terms = terms_back(term_of(today), PACE_TERMS)
    determined = pace_by_term(authority, "provision_determined_on", terms)
    moved = pace_by_term(authority, "moved_into_provision_on", terms)
    new_link = (
        _case_list(status="all", notified_from=_uk(this_month), notified_to=_uk(today))
        if links
        else ""
    )
    summary = Figure(
        "summary",
        "Summary",
        "Item 8",
        ("Figure", "Number"),
        [
            Row("Children missing education now", (now.total,)),
            Row("Cases notified this month", (counts["notified_this_month"],), new_link),
            Row("Cases closed this month", (months[-1].closed,)),
        ],
        chart="",
    )
    figures = [
        *_now_figures(now, groups, links=links),
        _trend_figure(months),
        Figure(
            "pace-determined",
            "Days from notified to provision determined, by term",
            "Item 15",
            PACE_COLUMNS,
            _pace_rows(determined),
            chart="",
        ),
        Figure(
            "pace-moved",
            "Days from notified to moved into provision, by term",
            "Item 15",
            PACE_COLUMNS,
            _pace_rows(moved),
            chart="",
        ),
        Figure(
            "left-without-destination",
            "Children who left without a known destination",
            "Item 17",
            ("Figure", "Cases"),
            [
                Row(
                    "Being tracked now (left a provider, destination not known)",
                    (counts["tracking"],),
                    _case_list(stage=Stage.TRACKING) if links else "",
                ),
                Row(
                    "Closed as whereabouts unknown in the last 12 months",
                    (counts["whereabouts_unknown"],),
                ),
            ],
        ),
        Figure(
            "follow-ups",
            "Follow-ups on open cases",
            "Item 18",
            ("Figure", "Cases"),
            [
                Row(
                    "Follow-up overdue",
                    (counts["follow_up_overdue"],),
                    _case_list(overdue="on") if links else "",
                ),
                Row("Follow-up due today or later", (counts["follow_up_due"],)),
                Row("No follow-up date set", (counts["follow_up_none"],)),
            ],
        ),
        Figure(
            "follow-up-tasks",
            f"Monthly follow-up tasks due since {follow_first:%-d %B %Y}",
            "Item 18",
            ("Figure", "Tasks"),
            [
                Row("Done on time", (tasks["on_time"],)),
                Row("Done late", (tasks["late"],)),
                Row("Not done and overdue", (tasks["overdue"],)),
                Row("Not yet due", (tasks["not_yet_due"],)),
            ],
        ),
        places_figure(authority, today, links=links),
        lpd_figure(authority, today),
    ]
    return Dashboard(today, summary, figures)


def record_export(*, authority: Authority, actor: Any, slug: str, as_at: date) -> None:
    """One audit event per download of a dashboard figure's CSV (counts only, no child)."""
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        authority=authority,
        target_type="reports.dashboard",
        payload={"report": "dashboard", "figure": slug, "as_at": as_at.isoformat()},
    )


def values_of(rows: Iterable[Row], column: int) -> list[int]:
    """The whole-number values of one column, for a chart (blanks as 0)."""
    return [int(row.values[column] or 0) for row in rows]
