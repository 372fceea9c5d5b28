"""The DfE return page: choose a census date, see the figures, download the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import Authority, User
from cme.core.permissions import permission_required
from cme.reports import charts, dashboard, dfe_return, snapshots, termly
from cme.reports.forms import CensusDateForm, TermForm
from cme.reports.terms import parse_term, term_of, terms_back

MEASURE_CAPTIONS = {
    "cme_at_census": "Children missing education on the census date",
    "cme_in_previous_year": "Children missing education at any time in the previous academic year",
}
BREAKDOWN_LABELS = {
    "total": "Total",
    "sex": "Sex",
    "year_group": "Year group",
    "time_missing": "Time missing",
    "reason": "Reason",
}


@require_http_methods(["GET", "POST"])
@permission_required("reports.dfe_return")
def dfe_return_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User) and user.membership is not None  # the permission ensures it
    authority = user.membership.authority
    if request.method == "POST":
        form = CensusDateForm(request.POST)
    else:
        form = CensusDateForm(
            initial={"census_date": dfe_return.next_census_date(timezone.localdate())}
        )
    census_date = form.cleaned_data["census_date"] if form.is_bound and form.is_valid() else None
    if census_date is None and not form.is_bound:
        census_date = form.initial["census_date"]
    if census_date is not None and request.POST.get("action") == "download":
        rows = dfe_return.return_rows(authority, census_date)
        dfe_return.record_export(authority=authority, census_date=census_date, actor=user)
        response = HttpResponse(dfe_return.csv_text(rows), content_type="text/csv; charset=utf-8")
        name = dfe_return.filename(authority, census_date)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    tables = []
    if census_date is not None:
        rows = dfe_return.return_rows(authority, census_date)
        tables = [
            {
                "caption": MEASURE_CAPTIONS[measure],
                "rows": [
                    (BREAKDOWN_LABELS[row.breakdown], row.value or "All children", row.count)
                    for row in measure_rows
                ],
            }
            for measure, measure_rows in dfe_return.preview_rows(rows)
        ]
    return render(
        request,
        "reports/dfe_return.html",
        {
            "form": form,
            "census_date": census_date,
            "tables": tables,
        },
    )


# ---------------------------------------------------------------------------------------------
# The dashboard, its CSVs, "how we count" and the termly report.


def _now() -> datetime:
    """The moment the figures are "as at" (one place, so tests can fix it)."""
    return timezone.localtime()


def _authority_of(request: HttpRequest) -> tuple[User, Authority]:
    user = request.user
    assert isinstance(user, User) and user.membership is not None  # the permission ensures it
    return user, user.membership.authority


@dataclass(frozen=True)
class ShownFigure:
    figure: dashboard.Figure
    chart: SafeString | None
    has_links: bool


def _shown(figure: dashboard.Figure) -> ShownFigure:
    return ShownFigure(figure, charts.chart_for(figure), any(row.link for row in figure.rows))


def _kept_for(request: HttpRequest) -> tuple[User, Authority, snapshots.Kept]:
    """The authority's dashboard as last worked out today, without case-list links for a user
    who may not see the cases."""
    user, authority = _authority_of(request)
    kept = snapshots.dashboard_kept(authority, _now())
    if not user.has_perm("cases.view_cases"):
        kept = snapshots.Kept(snapshots.without_links(kept.board), kept.made_at)
    return user, authority, kept


@require_GET
@permission_required("reports.view_dashboard")
def dashboard_page(request: HttpRequest) -> HttpResponse:
    _, _, kept = _kept_for(request)
    return render(
        request,
        "reports/dashboard.html",
        {
            "as_at": timezone.localtime(kept.made_at),
            "summary": _shown(kept.board.summary),
            "figures": [_shown(figure) for figure in kept.board.figures],
        },
    )


@require_POST
@permission_required("reports.view_dashboard")
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Work the figures out again now (they are otherwise worked out by the daily clock)."""
    _, authority = _authority_of(request)
    snapshots.dashboard_refresh(authority, _now())
    return redirect("reports_dashboard")


@require_POST
@permission_required("reports.view_dashboard")
def figure_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One dashboard figure's table as CSV (counts only), the figures the page shows, audited."""
    user, authority, kept = _kept_for(request)
    figure = kept.board.figure(slug)
    if figure is None:
        raise Http404
    as_at = kept.board.as_at
    dashboard.record_export(authority=authority, actor=user, slug=slug, as_at=as_at)
    response = HttpResponse(charts.figure_csv(figure), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="cme-{slug}-{authority.la_code}-{as_at.isoformat()}.csv"'
    )
    return response


@require_GET
@permission_required("reports.view_dashboard")
def how_we_count(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/how.html",
        {
            "trend_months": dashboard.TREND_MONTHS,
            "pace_terms": dashboard.PACE_TERMS,
            "follow_up_months": dashboard.FOLLOW_UP_MONTHS,
        },
    )


TERMS_OFFERED = 9


def _term_choices(today: date) -> list[tuple[str, str]]:
    offered = terms_back(term_of(today), TERMS_OFFERED)[::-1]
    return [(t.code, t.label + (" (so far)" if t.end >= today else "")) for t in offered]


@require_GET
@permission_required("reports.view_termly")
def termly_page(request: HttpRequest) -> HttpResponse:
    """The termly report; `version=members` is the printable one with small numbers hidden, for
    people outside the team, and its viewing is audited as an export."""
    user, authority = _authority_of(request)
    today = _now().date()
    choices = _term_choices(today)
    default = term_of(today).previous().code
    form = TermForm(
        request.GET if "term" in request.GET else None, choices=choices, initial={"term": default}
    )
    code = form.cleaned_data["term"] if form.is_bound and form.is_valid() else default
    term = parse_term(code)
    assert term is not None  # the form offers only real codes
    members = request.GET.get("version") == termly.MEMBERS
    report = termly.termly_report(authority, term, today)
    if members:
        report = report.for_members()
        termly.record_export(
            authority=authority, actor=user, report="termly", term=term, form="print"
        )
    return render(
        request,
        "reports/termly.html",
        {"form": form, "report": report, "term": term, "members": members},
    )


@require_POST
@permission_required("reports.view_termly")
def termly_xlsx(request: HttpRequest) -> HttpResponse:
    """The termly report as XLSX, small numbers suppressed (it leaves the team), audited."""
    user, authority = _authority_of(request)
    today = _now().date()
    form = TermForm(request.POST, choices=_term_choices(today))
    if not form.is_valid():
        return redirect("reports_termly")
    term = parse_term(form.cleaned_data["term"])
    assert term is not None
    report = termly.termly_report(authority, term, today).for_members()
    termly.record_export(authority=authority, actor=user, report="termly", term=term, form="xlsx")
    response = HttpResponse(
        termly.termly_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="cme-termly-report-{authority.la_code}-{term.code}.xlsx"'
    )
    return response
