"""Establishment pages: the national list with filters, and adding or changing those in the area."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from cme.accounts.views import acting_user, own_authority, posted_data
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.registers import services
from cme.registers.forms import EstablishmentFilterForm, EstablishmentForm
from cme.registers.selectors import (
    EstablishmentFilter,
    establishments_matching,
    establishments_visible_to,
)

_FIELDS = ["la_code", "number", "urn", "name", "kind", "phase", "is_open"]


@permission_required("registers.view_establishments")
def establishment_list(request: HttpRequest) -> HttpResponse:
    form = EstablishmentFilterForm(request.GET or None)
    filters = form.to_filter() if form.is_bound and form.is_valid() else EstablishmentFilter()
    establishments = establishments_matching(acting_user(request), filters)
    return render(
        request,
        "registers/establishment_list.html",
        {"form": form, **paginate(request, establishments)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("registers.add_establishment")
def establishment_add(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    own_la_code = own_authority(actor).la_code
    form = EstablishmentForm(posted_data(request), own_la_code=own_la_code)
    if form.is_valid():
        values = {field: form.cleaned_data[field] for field in _FIELDS}
        establishment = services.establishment_create(actor=actor, **values)
        messages.success(request, f"{establishment.name} added")
        return redirect("establishment_list")
    return render(
        request, "registers/establishment_form.html", {"form": form, "establishment": None}
    )


@require_http_methods(["GET", "POST"])
@permission_required("registers.view_establishments")
def establishment_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    establishment = get_object_or_404(establishments_visible_to(actor), pk=pk)
    if not actor.has_perm("registers.change_establishment", establishment):
        raise PermissionDenied
    heading = establishment.name  # the form changes the instance while it validates
    form = EstablishmentForm(
        posted_data(request), instance=establishment, own_la_code=own_authority(actor).la_code
    )
    if form.is_valid():
        values = {field: form.cleaned_data[field] for field in _FIELDS}
        updated = services.establishment_update(actor=actor, establishment=establishment, **values)
        messages.success(request, f"{updated.name} saved")
        return redirect("establishment_list")
    return render(
        request,
        "registers/establishment_form.html",
        {"form": form, "establishment": establishment, "heading": heading},
    )
