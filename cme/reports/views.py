"""The DfE return page: choose a census date, see the figures, download the CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.models import User
from cme.core.permissions import permission_required
from cme.reports import dfe_return
from cme.reports.forms import CensusDateForm

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
