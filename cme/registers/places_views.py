"""The places register's pages: the authority's list with totals, one establishment's figures
and history, and the update form. Establishments come through `establishments_for_places`, so
another school's (or another area's) page is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.views import acting_user, posted_data
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.registers import places, services
from cme.registers.forms import PlacesFilterForm, ProgrammePlacesForm, SchoolPlacesForm
from cme.registers.models import Establishment, PlaceFigure

PER_PAGE = 50
HISTORY_ROWS = 60


@permission_required("registers.view_all_places")
def places_list(request: HttpRequest) -> HttpResponse:
    """Every school and alternative provider in the area, with totals split by sector."""
    user, today = acting_user(request), timezone.localdate()
    form = PlacesFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    establishments = places.establishments_for_places(user)
    if data.get("kind"):
        establishments = establishments.filter(kind=data["kind"])
    if data.get("phase"):
        establishments = establishments.filter(phase=data["phase"])
    year_group = data.get("year_group") or ""
    if year_group:
        establishments = establishments.exclude(kind__in=places.ALTERNATIVE_KINDS)
    establishments = establishments.order_by("name", "la_code", "number")
    rows = places.establishment_places(establishments, today, year_group)
    if year_group:
        # Only the schools that take that year group.
        rows = [r for r in rows if year_group in places.year_groups_of(r.establishment)]
    totals = places.totals_of(rows, today)
    context = paginate(request, rows, PER_PAGE)
    return render(
        request,
        "registers/places_list.html",
        {
            **context,
            "form": form,
            "totals": totals,
            "year_group": year_group,
            "year_group_label": places.year_group_label(year_group) if year_group else "",
            "sector_labels": places.Sector.LABELS,
        },
    )


@permission_required("registers.view_own_places")
def places_own(request: HttpRequest) -> HttpResponse:
    """A school user's own figures (the navigation's way in)."""
    membership = acting_user(request).membership
    if membership is None or membership.establishment_id is None:
        raise PermissionDenied
    return redirect("places_establishment", pk=membership.establishment_id)


def _establishment(request: HttpRequest, pk: int) -> Establishment:
    return get_object_or_404(places.establishments_for_places(acting_user(request)), pk=pk)


@permission_required("registers.view_places")
def places_establishment(request: HttpRequest, pk: int) -> HttpResponse:
    """One establishment's current figures, each dated and by whom, and their history."""
    user, today = acting_user(request), timezone.localdate()
    establishment = _establishment(request, pk)
    [row] = places.establishment_places([establishment], today)
    history = (
        PlaceFigure.objects.filter(establishment=establishment)
        .select_related("recorded_by")
        .order_by("-as_of", "-pk")[:HISTORY_ROWS]
    )
    return render(
        request,
        "registers/places_establishment.html",
        {
            "establishment": establishment,
            "row": row,
            "stale": [f.pk for f in row.figures if places.is_stale(f.as_of, today)],
            "history": history,
            "sector_label": places.Sector.LABELS[row.sector],
            "is_alternative": row.sector == places.Sector.ALTERNATIVE,
            "can_change": user.has_perm("registers.change_places", establishment),
            "team_view": user.has_perm("registers.view_all_places"),
            "year_group_label": places.year_group_label,
        },
    )


def _form(request: HttpRequest, establishment: Establishment) -> Any:
    current = places.current_figures([establishment], timezone.localdate())
    if places.sector_of(establishment) == places.Sector.ALTERNATIVE:
        return ProgrammePlacesForm(
            posted_data(request), programmes=list(current.order_by("programme", "pk"))
        )
    return SchoolPlacesForm(
        posted_data(request),
        year_groups=places.year_groups_of(establishment),
        initial={f"year_{f.year_group}": f.places for f in current},
    )


@require_http_methods(["GET", "POST"])
@permission_required("registers.view_places")
def places_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    establishment = _establishment(request, pk)
    if not user.has_perm("registers.change_places", establishment):
        raise PermissionDenied
    form = _form(request, establishment)
    if form.is_valid():
        try:
            if isinstance(form, SchoolPlacesForm):
                services.place_figures_record(
                    actor=user, establishment=establishment, year_groups=form.figures()
                )
            else:
                services.place_figures_record(
                    actor=user, establishment=establishment, programmes=form.figures()
                )
        except services.PlacesRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Places at {establishment.name} saved")
            return redirect("places_establishment", pk=establishment.pk)
    return render(
        request,
        "registers/places_form.html",
        {
            "form": form,
            "establishment": establishment,
            "is_alternative": isinstance(form, ProgrammePlacesForm),
        },
    )
