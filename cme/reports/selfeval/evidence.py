"""The live figures behind the questions the system itself can evidence (8, 9, 10, 11, 12, 15,
16, 17, 18 and 22): small counts of the user's own authority, each with a link to the list or page
that shows where it comes from.

Twelve queries whatever the size of the data: two aggregates over cases here and the dashboard's
case counts, one over their children's vulnerable groups, one for the dates of the year's moves
into provision, the dashboard's follow-up tasks, one over the audit trail, one over access grants,
one over deletion returns, places (two) and the Lost Pupil Database (one). Where the
dashboard shows the same figure (pace, follow-ups, children being tracked), it is counted by
cme/reports/dashboard.py, so the two pages cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from cme.cases.models import Case, Stage
from cme.children.models import ChildVulnerability, RestrictionGrant, VulnerableGroup
from cme.core.models import AuditAction
from cme.core.selectors import audit_events_visible_to
from cme.lpd.selectors import lpd_activity_by_month
from cme.registers.places import places_available
from cme.reports.dashboard import case_counts, follow_up_tasks, pace_of
from cme.returns.models import DeletionReturn

YEAR = timedelta(days=365)
MONTH = timedelta(days=30)
QUARTER = timedelta(days=91)


@dataclass(frozen=True)
class Figure:
    """One line of an evidence panel. `value` is already worded ("12", "34 days", a date)."""

    label: str
    value: str
    href: str = ""
    # The permission a user needs to follow the link; without it the figure shows, the link not.
    link_perm: str = ""

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value}

    def for_user(self, user: Any) -> Figure:
        if self.href and self.link_perm and not user.has_perm(self.link_perm):
            return Figure(self.label, self.value)
        return self


@dataclass(frozen=True)
class Evidence:
    """The figures for each live question, as at one day."""

    as_at: date
    figures: dict[int, list[Figure]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_at": self.as_at.isoformat(),
            "figures": {
                str(number): [figure.as_json() for figure in figures]
                for number, figures in self.figures.items()
            },
        }

    def for_user(self, user: Any) -> Evidence:
        return Evidence(
            self.as_at,
            {n: [figure.for_user(user) for figure in fs] for n, fs in self.figures.items()},
        )


def evidence_from_json(data: dict[str, Any]) -> Evidence | None:
    """An assessment's stored figures (no links: they were true on the day, the lists are not)."""
    if not data or "as_at" not in data:
        return None
    return Evidence(
        date.fromisoformat(data["as_at"]),
        {
            int(number): [Figure(item["label"], item["value"]) for item in items]
            for number, items in data.get("figures", {}).items()
        },
    )


# --- Figures other parts of the service provide --------------------------------------------------


def places_figures(authority: Any, today: date) -> list[Figure]:
    """Item 16, from the places register (two queries)."""
    totals = places_available(authority, today)
    link, perm = reverse("places_list"), "registers.view_all_places"
    return [
        Figure("Statutory places available", _count(totals.statutory.places), link, perm),
        Figure(
            "Alternative provision places available",
            _count(totals.alternative.places),
            link,
            perm,
        ),
        Figure("Of these, in figures more than a month old", _count(totals.stale_places)),
        Figure(
            "Establishments giving no current figures",
            _count(totals.statutory.not_reporting + totals.alternative.not_reporting),
        ),
    ]


def lpd_figures(authority: Any, today: date) -> list[Figure]:
    """Item 22: the Lost Pupil Database's use by the authority, the last three months (one query)."""
    return [
        Figure(
            f"Lost Pupil Database, {row.month:%B %Y}: uploads, searches, downloads",
            f"{row.uploads:,}, {row.searches:,}, {row.downloads:,}",
            reverse("lpd_activity"),
            "lpd.view_activity",
        )
        for row in lpd_activity_by_month(authority, 3, today=today)
    ]


def dashboard_figures(authority: Any, today: date) -> list[Figure]:
    """Item 8: the trend lives on the dashboard; the panel links to it (no query)."""
    return [
        Figure(
            "Numbers by month over the last 24 months",
            "On the dashboard",
            reverse("reports_dashboard") + "#trend",
            "reports.view_dashboard",
        ),
        Figure(
            "Termly report for senior managers and members",
            "Termly report",
            reverse("reports_termly"),
            "reports.view_termly",
        ),
    ]


# -------------------------------------------------------------------------------------------------


def _count(n: int | None) -> str:
    return f"{n or 0:,}"


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value is not None else "None yet"


def _days(n: float) -> str:
    rounded = round(n, 1)
    whole = int(rounded) if rounded == int(rounded) else rounded
    return f"{whole} day" if whole == 1 else f"{whole} days"


def _case_list(**params: str) -> str:
    return (
        f"{reverse('case_list')}?{urlencode(params, doseq=True)}"
        if params
        else reverse("case_list")
    )


def _case_figures(authority_id: int, today: date) -> dict[str, Any]:
    """The case counts the dashboard does not give, in two passes that each read only the cases
    they need: the open ones (the partial index of open cases) and those notified in the last 12
    months (the index by date notified)."""
    cases = Case.objects.filter(authority_id=authority_id)
    in_group = ChildVulnerability.objects.filter(child_id=OuterRef("child_id"))
    open_now = cases.exclude(stage=Stage.CLOSED).aggregate(
        open=Count("pk"),
        in_provision_undated=Count(
            "pk", filter=Q(stage=Stage.IN_PROVISION, moved_into_provision_on__isnull=True)
        ),
        open_flagged=Count("pk", filter=Q(is_vulnerable=True)),
        open_in_group=Count("pk", filter=Q(Exists(in_group))),
        open_restricted=Count("pk", filter=Q(child__is_restricted=True)),
    )
    this_year = cases.filter(notified_on__gt=today - YEAR, notified_on__lte=today).aggregate(
        notified_year=Count("pk"),
        notified_month=Count("pk", filter=Q(notified_on__gt=today - MONTH)),
        last_notified=Max("notified_on"),
        determined_year=Count("pk", filter=Q(provision_determined_on__isnull=False)),
        moved_year=Count("pk", filter=Q(moved_into_provision_on__isnull=False)),
    )
    return {**open_now, **this_year}


def _groups(authority_id: int) -> list[tuple[str, int]]:
    """Open cases by the vulnerable groups their children are in, largest first."""
    rows = (
        Case.objects.filter(authority_id=authority_id, child__vulnerabilities__isnull=False)
        .exclude(stage=Stage.CLOSED)
        .values("child__vulnerabilities__group")
        .annotate(cases=Count("pk"))
        .order_by("-cases", "child__vulnerabilities__group")
    )
    return [(row["child__vulnerabilities__group"], row["cases"]) for row in rows]


def _pace_figures(authority_id: int, today: date) -> list[Figure]:
    dates = Case.objects.filter(
        authority_id=authority_id,
        moved_into_provision_on__gt=today - YEAR,
        moved_into_provision_on__lte=today,
    ).values_list("notified_on", "moved_into_provision_on")
    # A date moved in before the date notified is a typing slip; it is not a negative wait.
    durations = [
        (moved - notified).days
        for notified, moved in dates
        if moved is not None and moved >= notified
    ]
    moved = [
        Figure(
            "Children moved into provision in the last 12 months",
            _count(len(durations)),
            _case_list(status="all", stage=Stage.IN_PROVISION),
            "cases.view_cases",
        )
    ]
    if not durations:
        return moved
    p = pace_of(Counter(durations))
    assert p.mean is not None and p.median is not None and p.mode is not None
    assert p.shortest is not None and p.longest is not None
    return [
        *moved,
        Figure("Mean time from notified to moved into provision", _days(p.mean)),
        Figure("Median time", _days(p.median)),
        Figure("Most common time (mode)", _days(p.mode)),
        Figure("Range", f"{_days(p.shortest)} to {_days(p.longest)}"),
    ]


def _audit_figures(user: Any, today: date) -> dict[str, Any]:
    since = _start_of(today - YEAR)
    return audit_events_visible_to(user).aggregate(
        exports=Count(
            "pk",
            filter=Q(
                action=AuditAction.EXPORTED,
                target_type__startswith="reports.",
                occurred_at__gte=since,
            ),
        ),
        last_export=Max(
            "occurred_at",
            filter=Q(action=AuditAction.EXPORTED, target_type__startswith="reports."),
        ),
        last_verified=Max("occurred_at", filter=Q(action=AuditAction.AUDIT_VERIFIED)),
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _local_day(moment: Any) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def live_evidence(user: Any, *, today: date | None = None) -> Evidence:
    """The figures for the user's own authority, as at `today`."""
    today = today or timezone.localdate()
    membership = user.membership
    authority = membership.authority
    authority_id = membership.authority_id
    cases = _case_figures(authority_id, today)
    counts = case_counts(authority, today)
    groups = _groups(authority_id)
    # Monthly follow-ups due in the last three months, before today: any not done is overdue.
    follow_ups = follow_up_tasks(authority, today - QUARTER, today - timedelta(days=1), today)
    audit = _audit_figures(user, today)
    grants = RestrictionGrant.objects.filter(
        child__authority_id=authority_id, granted_at__gte=_start_of(today - YEAR)
    ).count()
    deletions_unknown = DeletionReturn.objects.filter(
        authority_id=authority_id,
        submitted_at__gte=_start_of(today - YEAR),
        destination__isnull=True,
        destination_other="",
    ).count()
    month_ago = today - MONTH + timedelta(days=1)
    figures: dict[int, list[Figure]] = {
        8: [
            Figure("Open cases now", _count(cases["open"]), _case_list(), "cases.view_cases"),
            Figure(
                "Cases notified in the last 30 days",
                _count(cases["notified_month"]),
                _case_list(status="all", notified_from=f"{month_ago:%d/%m/%Y}"),
                "cases.view_cases",
            ),
            Figure(
                "Latest notification",
                _day(cases["last_notified"]) if cases["last_notified"] else "None in 12 months",
            ),
            *dashboard_figures(authority, today),
        ],
        9: [
            Figure("Cases notified in the last 12 months", _count(cases["notified_year"])),
            Figure(
                "Of those, with the date the form of provision was determined",
                _count(cases["determined_year"]),
            ),
            Figure("Of those, with the date moved into provision", _count(cases["moved_year"])),
            Figure(
                "Cases in provision with no date moved into provision",
                _count(cases["in_provision_undated"]),
                _case_list(stage=Stage.IN_PROVISION),
                "cases.view_cases",
            ),
        ],
        10: [
            Figure("Open cases now", _count(cases["open"]), _case_list(), "cases.view_cases"),
            Figure(
                "Reports and returns downloaded in the last 12 months",
                _count(audit["exports"]),
                reverse("audit_list") + "?" + urlencode({"action": AuditAction.EXPORTED}),
                "core.view_audit",
            ),
            Figure("Latest report or return downloaded", _day(_local_day(audit["last_export"]))),
            Figure(
                "DfE termly return",
                "Can be produced at any time",
                reverse("reports_dfe_return"),
                "reports.dfe_return",
            ),
        ],
        11: [
            Figure(
                "Open cases of children in a recorded vulnerable group",
                _count(cases["open_in_group"]),
            ),
            Figure(
                "Open cases marked vulnerable",
                _count(cases["open_flagged"]),
                _case_list(vulnerable="any"),
                "cases.view_cases",
            ),
            *(
                Figure(
                    f"Open cases: {VulnerableGroup(group).label}",
                    _count(n),
                    _case_list(vulnerable=group),
                    "cases.view_cases",
                )
                for group, n in groups
            ),
        ],
        12: [
            Figure(
                "Open cases of children with a restricted record", _count(cases["open_restricted"])
            ),
            Figure(
                "Access granted to restricted records in the last 12 months",
                _count(grants),
                reverse("grant_list"),
                "cases.view_grants",
            ),
            Figure(
                "Audit trail last checked",
                _day(_local_day(audit["last_verified"])),
                reverse("audit_list") + "?" + urlencode({"action": AuditAction.AUDIT_VERIFIED}),
                "core.view_audit",
            ),
        ],
        15: _pace_figures(authority_id, today),
        16: places_figures(authority, today),
        17: [
            Figure(
                "Children being tracked now (left without a known destination)",
                _count(counts["tracking"]),
                _case_list(stage=Stage.TRACKING),
                "cases.view_cases",
            ),
            Figure(
                "Deletion returns with no known destination in the last 12 months",
                _count(deletions_unknown),
                reverse("returns_all"),
                "returns.view_all_returns",
            ),
            Figure(
                "Cases closed with whereabouts unknown in the last 12 months",
                _count(counts["whereabouts_unknown"]),
            ),
        ],
        18: [
            Figure(
                "Open cases with a follow-up overdue",
                _count(counts["follow_up_overdue"]),
                _case_list(overdue="on"),
                "cases.view_cases",
            ),
            Figure(
                "Monthly follow-ups due in the last 3 months: done on time",
                _count(follow_ups["on_time"]),
            ),
            Figure("Done late", _count(follow_ups["late"])),
            Figure("Not done", _count(follow_ups["overdue"])),
        ],
        22: lpd_figures(authority, today),
    }
    return Evidence(today, figures)
