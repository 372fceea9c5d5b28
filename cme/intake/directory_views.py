"""The contacts directory (the authority's named CME contacts and its partners' contacts) and
truancy sweeps. CME officers read them; CME managers keep them."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.intake import selectors, services
from cme.intake.forms import AgencyContactForm, CMEContactForm, SweepChildForm, SweepForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _authority(request: HttpRequest) -> Any:
    membership = _user(request).membership
    assert membership is not None
    return membership.authority


# --- Directory ----------------------------------------------------------------------------------


@require_GET
@permission_required("intake.view_directory")
def directory(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "intake/directory.html",
        {
            "cme_contacts": selectors.cme_contacts_visible_to(user),
            "agencies": selectors.agencies_with_contacts(user),
            "can_manage": user.has_perm("intake.manage_directory"),
            "authority": _authority(request),
        },
    )


def _contact_page(request: HttpRequest, form: Any, **extra: Any) -> HttpResponse:
    return render(request, "intake/contact_form.html", {"form": form, **extra})


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_directory")
def cme_contact_add(request: HttpRequest) -> HttpResponse:
    form = CMEContactForm(_posted(request))
    if form.is_valid():
        contact = services.cme_contact_save(
            actor=_user(request),
            authority=_authority(request),
            contact=None,
            changes=form.cleaned_data,
        )
        messages.success(request, f"{contact.name} added to the public page")
        return redirect("directory")
    return _contact_page(request, form, heading="Add a CME contact", contact=None)


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_directory")
def cme_contact_change(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.cme_contacts_visible_to(_user(request)), pk=pk)
    form = CMEContactForm(_posted(request), instance=type(contact).objects.get(pk=contact.pk))
    if form.is_valid():
        services.cme_contact_save(
            actor=_user(request),
            authority=_authority(request),
            contact=contact,
            changes=form.cleaned_data,
        )
        messages.success(request, f"{contact.name}’s details saved")
        return redirect("directory")
    return _contact_page(
        request,
        form,
        heading="Change a CME contact",
        contact=contact,
        remove_url_name="cme_contact_remove",
    )


@require_POST
@permission_required("intake.manage_directory")
def cme_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.cme_contacts_visible_to(_user(request)), pk=pk)
    services.cme_contact_remove(actor=_user(request), contact=contact)
    messages.success(request, "Contact removed from the public page")
    return redirect("directory")


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_directory")
def agency_contact_add(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = get_object_or_404(selectors.agencies_with_contacts(_user(request)), pk=agency_pk)
    form = AgencyContactForm(_posted(request))
    if form.is_valid():
        contact = services.agency_contact_save(
            actor=_user(request), agency=agency, contact=None, changes=form.cleaned_data
        )
        messages.success(request, f"{contact.name} added to {agency.name}")
        return redirect("directory")
    return _contact_page(
        request, form, heading=f"Add a contact at {agency.name}", contact=None, agency=agency
    )


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_directory")
def agency_contact_change(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.agency_contacts_visible_to(_user(request)), pk=pk)
    form = AgencyContactForm(_posted(request), instance=type(contact).objects.get(pk=contact.pk))
    if form.is_valid():
        services.agency_contact_save(
            actor=_user(request),
            agency=contact.agency,
            contact=contact,
            changes=form.cleaned_data,
        )
        messages.success(request, f"{contact.name}’s details saved")
        return redirect("directory")
    return _contact_page(
        request,
        form,
        heading=f"Change a contact at {contact.agency.name}",
        contact=contact,
        agency=contact.agency,
        remove_url_name="agency_contact_remove",
    )


@require_POST
@permission_required("intake.manage_directory")
def agency_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(selectors.agency_contacts_visible_to(_user(request)), pk=pk)
    services.agency_contact_remove(actor=_user(request), contact=contact)
    messages.success(request, "Contact removed")
    return redirect("directory")


# --- Truancy sweeps -----------------------------------------------------------------------------


@require_GET
@permission_required("intake.view_sweeps")
def sweep_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = paginate(request, selectors.sweep_list(user), 50)
    context["can_manage"] = user.has_perm("intake.manage_sweeps")
    return render(request, "intake/sweep_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_sweeps")
def sweep_add(request: HttpRequest) -> HttpResponse:
    authority = _authority(request)
    form = SweepForm(_posted(request), authority=authority)
    if form.is_valid():
        data = form.cleaned_data
        sweep = services.sweep_create(
            actor=_user(request),
            authority=authority,
            held_on=data["held_on"],
            area=data["area"].strip(),
            partners=list(data["partners"]),
            notes=data["notes"].strip(),
        )
        messages.success(request, "Truancy sweep recorded. Add the children you met on it.")
        return redirect("sweep_detail", pk=sweep.pk)
    return render(request, "intake/sweep_form.html", {"form": form})


@require_GET
@permission_required("intake.view_sweeps")
def sweep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    sweep = get_object_or_404(selectors.sweeps_visible_to(user).select_related("created_by"), pk=pk)
    return render(
        request,
        "intake/sweep_detail.html",
        {
            "sweep": sweep,
            "partners": sweep.partners.order_by("name"),
            "referrals": sweep.referrals.order_by("received_at", "pk"),
            "can_manage": user.has_perm("intake.manage_sweeps"),
            "can_triage": user.has_perm("intake.triage_referrals"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("intake.manage_sweeps")
def sweep_child_add(request: HttpRequest, pk: int) -> HttpResponse:
    sweep = get_object_or_404(selectors.sweeps_visible_to(_user(request)), pk=pk)
    form = SweepChildForm(_posted(request))
    if form.is_valid():
        referral = services.sweep_child_add(
            sweep=sweep, actor=_user(request), child=form.child_details()
        )
        messages.success(request, f"Child added as referral {referral.reference}")
        if "add_another" in request.POST:
            return redirect("sweep_child_add", pk=sweep.pk)
        return redirect("sweep_detail", pk=sweep.pk)
    return render(request, "intake/sweep_child_form.html", {"form": form, "sweep": sweep})
