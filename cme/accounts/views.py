"""Administration pages: authorities, partner agencies, users and their memberships.

Each view reads through a selector scoped to the signed-in user (so another authority's record is
a 404), checks the named rule for the record (so one the user may see but not change is a 403),
binds a form and calls one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts import services
from cme.accounts.forms import ActionForm, AgencyForm, AuthorityForm, MembershipForm, UserCreateForm
from cme.accounts.models import Authority, Membership, User
from cme.accounts.selectors import (
    agencies_visible_to,
    authorities_visible_to,
    memberships_of,
    user_has_second_factor,
    users_listed_for,
    users_visible_to,
)
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.registers.selectors import establishments_in_area_of

View = Callable[..., HttpResponse]


def acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def own_authority(user: User) -> Authority:
    membership = user.membership
    if membership is None:
        raise PermissionDenied
    return membership.authority


def posted_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# Authorities


@permission_required("accounts.view_authorities")
def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = authorities_visible_to(acting_user(request))
    return render(request, "accounts/authority_list.html", {"authorities": authorities})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.add_authority")
def authority_add(request: HttpRequest) -> HttpResponse:
    form = AuthorityForm(posted_data(request))
    if form.is_valid():
        authority = services.authority_create(
            actor=acting_user(request),
            name=form.cleaned_data["name"],
            la_code=form.cleaned_data["la_code"],
        )
        messages.success(request, f"{authority.name} added")
        return redirect("authority_list")
    return render(request, "accounts/authority_form.html", {"form": form, "authority": None})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.view_authorities")
def authority_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    authority = get_object_or_404(authorities_visible_to(actor), pk=pk)
    if not actor.has_perm("accounts.change_authority", authority):
        raise PermissionDenied
    heading = authority.name  # the form changes the instance while it validates
    form = AuthorityForm(
        posted_data(request),
        instance=authority,
        can_change_code=actor.has_perm("accounts.change_authority_code"),
    )
    if form.is_valid():
        updated = services.authority_update(
            actor=actor,
            authority=authority,
            name=form.cleaned_data["name"],
            la_code=form.cleaned_data["la_code"],
        )
        messages.success(request, f"{updated.name} saved")
        return redirect("authority_list")
    return render(
        request,
        "accounts/authority_form.html",
        {"form": form, "authority": authority, "heading": heading},
    )


# Partner agencies


@permission_required("accounts.manage_agencies")
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = agencies_visible_to(acting_user(request))
    return render(request, "accounts/agency_list.html", {"agencies": agencies})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_agencies")
def agency_add(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    authority = own_authority(actor)
    form = AgencyForm(posted_data(request), authority=authority)
    if form.is_valid():
        agency = services.agency_create(
            actor=actor,
            authority=authority,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, f"{agency.name} added")
        return redirect("agency_list")
    return render(request, "accounts/agency_form.html", {"form": form, "agency": None})


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_agencies")
def agency_change(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    agency = get_object_or_404(agencies_visible_to(actor), pk=pk)
    form = AgencyForm(posted_data(request), authority=own_authority(actor), agency=agency)
    if form.is_valid():
        updated = services.agency_update(
            actor=actor,
            agency=agency,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, f"{updated.name} saved")
        return redirect("agency_list")
    return render(request, "accounts/agency_form.html", {"form": form, "agency": agency})


# Users and their memberships


@permission_required("accounts.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    people = users_listed_for(acting_user(request))
    return render(request, "accounts/user_list.html", paginate(request, people))


def _membership_choices(actor: User) -> dict[str, Any]:
    return {
        "establishments": establishments_in_area_of(actor).filter(is_open=True).order_by("name"),
        "agencies": agencies_visible_to(actor).filter(is_active=True).order_by("name"),
    }


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_users")
def user_add(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    authority = own_authority(actor)
    form = UserCreateForm(posted_data(request), **_membership_choices(actor))
    if form.is_valid():
        try:
            person = services.user_create(
                actor=actor,
                authority=authority,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                establishment=form.cleaned_data["establishment"],
                agency=form.cleaned_data["agency"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, f"Account created for {person.full_name}")
            return redirect("user_detail", pk=person.pk)
    return render(request, "accounts/user_add.html", {"form": form})


def _user_page(request: HttpRequest, person: User, form: ActionForm | None = None) -> HttpResponse:
    actor = acting_user(request)
    context = {
        "person": person,
        "memberships": memberships_of(actor, person),
        "has_second_factor": user_has_second_factor(person),
        "needs_password": not person.has_usable_password(),
        "reset_address": request.build_absolute_uri(reverse("account_reset_password")),
        "form": form,
    }
    return render(request, "accounts/user_detail.html", context)


@permission_required("accounts.manage_users")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(users_visible_to(acting_user(request)), pk=pk)
    return _user_page(request, person)


@require_http_methods(["GET", "POST"])
@permission_required("accounts.manage_users")
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    authority = own_authority(actor)
    person = get_object_or_404(users_visible_to(actor), pk=pk)
    form = MembershipForm(
        posted_data(request), person=person, authority=authority, **_membership_choices(actor)
    )
    if form.is_valid():
        try:
            membership = services.membership_create(
                actor=actor,
                user=person,
                authority=authority,
                role=form.cleaned_data["role"],
                establishment=form.cleaned_data["establishment"],
                agency=form.cleaned_data["agency"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, f"{membership.get_role_display()} role added")
            return redirect("user_detail", pk=person.pk)
    return render(request, "accounts/membership_form.html", {"form": form, "person": person})


def _change_membership(
    request: HttpRequest, pk: int, membership_pk: int, *, activate: bool
) -> HttpResponse:
    actor = acting_user(request)
    person = get_object_or_404(users_visible_to(actor), pk=pk)
    membership: Membership = get_object_or_404(memberships_of(actor, person), pk=membership_pk)
    form = ActionForm(request.POST)
    change = services.membership_reactivate if activate else services.membership_deactivate
    try:
        change(actor=actor, membership=membership)
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _user_page(request, person, form)
    done = "reactivated" if activate else "deactivated"
    messages.success(request, f"{membership.get_role_display()} role {done}")
    return redirect("user_detail", pk=person.pk)


@require_POST
@permission_required("accounts.manage_users")
def membership_deactivate(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _change_membership(request, pk, membership_pk, activate=False)


@require_POST
@permission_required("accounts.manage_users")
def membership_reactivate(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _change_membership(request, pk, membership_pk, activate=True)


def _change_user(request: HttpRequest, pk: int, *, activate: bool) -> HttpResponse:
    actor = acting_user(request)
    person = get_object_or_404(users_visible_to(actor), pk=pk)
    form = ActionForm(request.POST)
    change = services.user_reactivate if activate else services.user_deactivate
    try:
        change(actor=actor, user=person, authority=own_authority(actor))
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _user_page(request, person, form)
    messages.success(request, "Account reactivated" if activate else "Account deactivated")
    return redirect("user_detail", pk=person.pk)


@require_POST
@permission_required("accounts.manage_users")
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_user(request, pk, activate=False)


@require_POST
@permission_required("accounts.manage_users")
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_user(request, pk, activate=True)
