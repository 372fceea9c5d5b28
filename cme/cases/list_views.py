"""The case list with its filters, its export, and "My work"."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts.models import User
from cme.cases import exports
from cme.cases.list_forms import CaseFilterForm, with_defaults, year_group_on
from cme.cases.models import Case, Stage, Task
from cme.cases.selectors import (
    CHILD_SORTS,
    OWNER_ME,
    SORTS,
    CasePages,
    CaseRow,
    case_row,
    cases_matching,
    cases_visible_to,
    my_new_cases,
    my_open_cases,
    my_open_tasks,
)
from cme.core.pagination import paginate
from cme.core.permissions import permission_required

PER_PAGE = 50
MY_WORK_LIMIT = 50
DUE_SOON_DAYS = 14

# Column headings in order: (label, sort key or None when the column does not sort).
COLUMNS: list[tuple[str, str | None]] = [
    ("Reference", "reference"),
    ("Child", "surname"),
    ("Date of birth", "dob"),
    ("Year group", None),
    ("Stage", "stage"),
    ("Priority", "priority"),
    ("Owner", "owner"),
    ("Notified", "notified_on"),
    ("Next follow-up", "next_follow_up_on"),
]
assert all(key is None or key in SORTS for _, key in COLUMNS)

STAGE_TAGS = {
    Stage.RECEIVED: "govuk-tag--blue",
    Stage.CHECKING: "govuk-tag--light-blue",
    Stage.CONFIRMED_MISSING: "govuk-tag--red",
    Stage.LOCATING: "govuk-tag--orange",
    Stage.ASSESSING_NEEDS: "govuk-tag--purple",
    Stage.SECURING_PROVISION: "govuk-tag--pink",
    Stage.IN_PROVISION: "govuk-tag--green",
    Stage.TRACKING: "govuk-tag--yellow",
    Stage.CLOSED: "govuk-tag--grey",
}
PRIORITY_TAGS = {
    "1_urgent": "govuk-tag--red",
    "2_high": "govuk-tag--orange",
    "3_medium": "govuk-tag--yellow",
    "4_low": "govuk-tag--grey",
}


@dataclass(frozen=True)
class ListedCase:
    """A case row as the templates show it."""

    row: CaseRow
    year_group: str
    stage_tag: str
    priority_tag: str


@dataclass(frozen=True)
class Heading:
    label: str
    href: str | None
    aria_sort: str | None


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _listed(rows: list[CaseRow]) -> list[ListedCase]:
    today = timezone.localdate()
    return [
        ListedCase(
            row=row,
            year_group="" if row.restricted else year_group_on(row.date_of_birth, today),
            stage_tag=STAGE_TAGS.get(Stage(row.case.stage), ""),
            priority_tag=PRIORITY_TAGS.get(row.case.priority, ""),
        )
        for row in rows
    ]


def _query_without(query: QueryDict, *names: str) -> QueryDict:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy


def _headings(query: QueryDict, sort: str) -> list[Heading]:
    """Column headings; each sortable one links to sorting by it, keeping the filters."""
    base = _query_without(query, "page", "sort")
    headings = []
    for label, key in COLUMNS:
        if key is None:
            headings.append(Heading(label, None, None))
            continue
        if sort == key:
            state, next_sort = "ascending", f"-{key}"
        elif sort == f"-{key}":
            state, next_sort = "descending", key
        else:
            state, next_sort = "none", key
        link = base.copy()
        link["sort"] = next_sort
        headings.append(Heading(label, f"?{link.urlencode()}", state))
    return headings


# Search text (a name, a date of birth, a UPN) never goes in a URL: the filter form is posted, the
# text is kept in the session under a random key, and links carry only the key.
SEARCHES_SESSION_KEY = "cme_case_searches"
SEARCHES_KEPT = 20


def _remember_search(request: HttpRequest) -> HttpResponse:
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop("page", None)
    text = params.pop("q", [""])[-1].strip()
    if text:
        key = secrets.token_urlsafe(9)
        searches = dict(request.session.get(SEARCHES_SESSION_KEY, {}))
        searches[key] = text[:200]
        request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
        params["search"] = key
    return redirect(f"{reverse('case_list')}?{params.urlencode()}")


def _filters_from(request: HttpRequest) -> QueryDict:
    """The list's filters from the URL, with the search text looked up by its key."""
    query = request.GET.copy()
    key = query.get("search")
    if key:
        text = request.session.get(SEARCHES_SESSION_KEY, {}).get(key)
        if text:
            query["q"] = text
    return query


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _remember_search(request)
    user = _user(request)
    today = timezone.localdate()
    form = CaseFilterForm(with_defaults(_filters_from(request)), user=user)
    filters = form.to_filter(today=today)
    membership = user.membership
    child_sort = filters.sort.removeprefix("-") in CHILD_SORTS
    cases = CasePages(
        cases_matching(user, filters, today=today),
        child_authority_id=membership.authority_id if membership and child_sort else None,
        rows_from=cases_visible_to(user),
    )
    context = paginate(request, cases, per_page=PER_PAGE)
    rows = [case_row(case, today=today) for case in context["page"].object_list]
    export_query = _query_without(request.GET, "page", "format")
    return render(
        request,
        "cases/case_list.html",
        {
            **context,
            "form": form,
            "cases": _listed(rows),
            "headings": _headings(request.GET, filters.sort),
            "can_export": user.has_perm("cases.export_cases"),
            "can_open": user.has_perm("cases.open_case"),
            "export_csv": _with_format(export_query, "csv"),
            "export_xlsx": _with_format(export_query, "xlsx"),
            "filtered": bool(_query_without(request.GET, "page", "sort")),
        },
    )


def _with_format(query: QueryDict, fmt: str) -> str:
    link = query.copy()
    link["format"] = fmt
    return f"{reverse('case_export')}?{link.urlencode()}"


@require_GET
@permission_required("cases.export_cases")
def case_export(request: HttpRequest) -> HttpResponseBase:
    """The case list as filtered and sorted on screen, as CSV or XLSX. Audited once."""
    fmt = request.GET.get("format") or exports.CSV
    if fmt not in exports.FORMATS:
        return HttpResponseBadRequest("Choose CSV or XLSX", content_type="text/plain")
    user = _user(request)
    today = timezone.localdate()
    form = CaseFilterForm(with_defaults(_filters_from(request)), user=user)
    cases = cases_matching(user, form.to_filter(today=today), today=today)
    return exports.cases_export(
        actor=user, cases=cases, fmt=fmt, filters=form.audit_summary(), today=today
    )


@dataclass(frozen=True)
class ListedTask:
    task: Task
    row: CaseRow


@dataclass(frozen=True)
class Section:
    """One list on "My work": a heading with the full count, and the first rows."""

    id: str
    heading: str
    count: int
    caption: str
    empty: str
    cases: list[ListedCase] = field(default_factory=list)
    tasks: list[ListedTask] = field(default_factory=list)
    more_href: str = ""
    more_text: str = ""


def _cases(cases: QuerySet[Case], today: date) -> list[ListedCase]:
    return _listed([case_row(case, today=today) for case in cases[:MY_WORK_LIMIT]])


def _tasks(tasks: QuerySet[Task], today: date) -> list[ListedTask]:
    return [ListedTask(task, case_row(task.case, today=today)) for task in tasks[:MY_WORK_LIMIT]]


@require_GET
@permission_required("cases.view_cases")
def my_work(request: HttpRequest) -> HttpResponse:
    """The signed-in person's new items, tasks overdue and due soon, and open cases.

    Each list shows its first rows under a heading with the full count: a fixed number of
    queries whatever the data size.
    """
    user = _user(request)
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    open_cases, new_cases = my_open_cases(user), my_new_cases(user)
    tasks = my_open_tasks(user)
    overdue_tasks = tasks.filter(due_on__lt=today)
    due_tasks = tasks.filter(due_on__gte=today, due_on__lte=soon)
    cases_url = reverse("case_list")
    new_count, open_count = new_cases.count(), open_cases.count()
    sections = [
        # New items waiting: cases nobody has started checking. Referrals will join this section.
        Section(
            id="new",
            heading="New items waiting for you",
            count=new_count,
            caption="Cases assigned to you that have not been checked yet, oldest first",
            empty="Nothing new is waiting for you.",
            cases=_cases(new_cases, today),
            more_href=f"{cases_url}?owner={OWNER_ME}&stage={Stage.RECEIVED.value}",
            more_text=f"See all {new_count} new cases" if new_count > MY_WORK_LIMIT else "",
        ),
        Section(
            id="overdue-tasks",
            heading="Overdue tasks",
            count=overdue_tasks.count(),
            caption="Your tasks past their due date, oldest first",
            empty="You have no overdue tasks.",
            tasks=_tasks(overdue_tasks, today),
        ),
        Section(
            id="due-tasks",
            heading=f"Tasks due in the next {DUE_SOON_DAYS} days",
            count=due_tasks.count(),
            caption=f"Your tasks due by {soon:%-d %B %Y}, soonest first",
            empty=f"You have no tasks due by {soon:%-d %B %Y}.",
            tasks=_tasks(due_tasks, today),
        ),
        Section(
            id="open-cases",
            heading="Your open cases",
            count=open_count,
            caption="Your open cases, most urgent first",
            empty="You have no open cases.",
            cases=_cases(open_cases, today),
            more_href=f"{cases_url}?owner={OWNER_ME}&sort=priority",
            more_text=(
                f"See all {open_count} of your open cases"
                if open_count > MY_WORK_LIMIT
                else "Filter and sort your open cases"
            ),
        ),
    ]
    return render(request, "cases/my_work.html", {"sections": sections, "limit": MY_WORK_LIMIT})
