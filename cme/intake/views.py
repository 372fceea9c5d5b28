"""Pages for partners who refer children and for the CME team who triage referrals.

Each view binds a form, calls one service and redirects. A referral of another authority is not
found (404); a person whose role may not triage is refused (403) before anything is looked up.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.cases.models import Priority
from cme.cases.selectors import cases_visible_to
from cme.cases.services import NewChild
from cme.children.models import Child
from cme.children.restriction import RESTRICTED_LABEL, can_see_details
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.intake import selectors, services
from cme.intake.forms import CloseNotCMEForm, OpenCaseForm, PartnerReferralForm
from cme.intake.models import Referral
from cme.matching import panels as matching_panels

PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# --- Partners -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("intake.refer_child")
def referral_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    membership = user.membership
    assert membership is not None and membership.agency is not None
    form = PartnerReferralForm(_posted(request))
    if form.is_valid():
        try:
            referral = services.referral_submit_partner(
                actor=user,
                agency=membership.agency,
                child=form.child_details(),
                agency_reference=form.cleaned_data["agency_reference"].strip(),
            )
        except services.ReferralRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Referral {referral.reference} sent")
            return redirect("referral_mine")
    return render(request, "intake/partner_form.html", {"form": form})


@require_GET
@permission_required("intake.view_own_referrals")
def referral_mine(request: HttpRequest) -> HttpResponse:
    """A partner's own referrals: reference, date and status. Never anything of a case."""
    context = paginate(request, selectors.referrals_made_by(_user(request)), PER_PAGE)
    context["rows"] = [(r, selectors.status_for_referrer(r)) for r in context["page"]]
    return render(request, "intake/my_referrals.html", context)


# --- Triage -------------------------------------------------------------------------------------


def _referral(request: HttpRequest, pk: int) -> Referral:
    return get_object_or_404(selectors.referrals_visible_to(_user(request)), pk=pk)


def _back(referral: Referral) -> HttpResponse:
    return redirect("referral_detail", pk=referral.pk)


@require_GET
@permission_required("intake.triage_referrals")
def referral_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = paginate(request, selectors.triage_queue(user), PER_PAGE)
    context["recent"] = selectors.recently_triaged(user)
    return render(request, "intake/queue.html", context)


@require_GET
@permission_required("intake.triage_referrals")
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = _referral(request, pk)
    if not referral.is_triaged:
        services.referral_look_at(referral=referral, actor=user)
    # A referral holds a child's details: every view of it is audited, like a case page.
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=referral,
        authority_id=referral.authority_id,
        payload={"route": referral.route},
    )
    matches = [] if referral.is_triaged else selectors.possible_matches(referral, user)
    linked_child_label = ""
    if referral.child is not None:
        linked_child_label = (
            referral.child.display_name
            if can_see_details(user, referral.child)
            else RESTRICTED_LABEL
        )
    return render(
        request,
        "intake/referral_detail.html",
        {
            "referral": referral,
            "matches": matches,
            "linked_child_label": linked_child_label,
            "source_text": services.referral_source_text(referral),
            **({} if referral.is_triaged else matching_panels.referral_panel(user, referral)),
        },
    )


@require_POST
@permission_required("intake.triage_referrals")
def referral_link_case(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    case = get_object_or_404(cases_visible_to(_user(request)), pk=case_pk)
    try:
        services.referral_link_case(referral=referral, case=case, actor=_user(request))
    except services.ReferralRefused as refused:
        messages.error(request, str(refused))
        return _back(referral)
    messages.success(request, f"Referral {referral.reference} linked to case {case.reference}")
    return redirect("case_detail", pk=case.pk)


def _child_of(referral: Referral, pk: int | str | None) -> Child:
    try:
        child_pk = int(pk or "")
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Child.objects.filter(authority_id=referral.authority_id), pk=child_pk)


@require_POST
@permission_required("intake.triage_referrals")
def referral_link_child(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    child = _child_of(referral, child_pk)
    try:
        services.referral_link_child(referral=referral, child=child, actor=_user(request))
    except services.ReferralRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Referral {referral.reference} linked to a child we know")
    return _back(referral)


def _already_triaged(request: HttpRequest, referral: Referral) -> HttpResponse | None:
    if referral.is_triaged:
        messages.info(request, "This referral has already been dealt with")
        return _back(referral)
    return None


@require_http_methods(["GET", "POST"])
@permission_required("intake.triage_referrals")
def referral_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a case from the referral, for a child we know (?child=id) or a new child."""
    user = _user(request)
    referral = _referral(request, pk)
    done = _already_triaged(request, referral)
    if done:
        return done
    child_pk = request.GET.get("child")
    child = _child_of(referral, child_pk) if child_pk else None
    initial = {
        "forename": referral.child_forename,
        "surname": referral.child_surname,
        "date_of_birth": referral.child_date_of_birth,
        "sex": referral.child_sex,
        "upn": referral.child_upn,
        "source": services.case_source_for(referral),
        "priority": Priority.URGENT if referral.in_danger else Priority.MEDIUM,
    }
    form = OpenCaseForm(
        _posted(request), initial=initial, authority=referral.authority, new_child=child is None
    )
    if form.is_valid():
        data = form.cleaned_data
        new_child = None
        if child is None:
            new_child = NewChild(
                forename=data["forename"].strip(),
                surname=data["surname"].strip(),
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                upn=data["upn"],
            )
        owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
        try:
            case = services.referral_open_case(
                referral=referral,
                actor=user,
                child=child,
                new_child=new_child,
                source=data["source"],
                priority=data["priority"],
                owner=owner,
            )
        except services.ReferralRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"Case {case.reference} opened from referral {referral.reference}"
            )
            return redirect("case_detail", pk=case.pk)
    child_label = ""
    if child is not None:
        child_label = child.display_name if can_see_details(user, child) else RESTRICTED_LABEL
    return render(
        request,
        "intake/open_case.html",
        {"referral": referral, "form": form, "child": child, "child_label": child_label},
    )


@require_http_methods(["GET", "POST"])
@permission_required("intake.triage_referrals")
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    done = _already_triaged(request, referral)
    if done:
        return done
    form = CloseNotCMEForm(_posted(request))
    if form.is_valid():
        try:
            services.referral_close_not_cme(
                referral=referral,
                actor=_user(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.ReferralRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Referral {referral.reference} closed")
            return redirect(reverse("referral_queue"))
    return render(request, "intake/close.html", {"referral": referral, "form": form})
