"""Pages for needs, brokering, monitoring and support on a case, and providers' register audits.
Each view binds a form, calls one service and goes back to the case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.views import acting_user, posted_data
from cme.cases.models import Case
from cme.cases.selectors import cases_visible_to
from cme.cases.services import CaseRefused
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.provision import services
from cme.provision.forms import (
    AttemptForm,
    CheckForm,
    NeedsForm,
    RegisterAuditForm,
    SupportForm,
    SupportResponseForm,
)
from cme.provision.models import AttendanceCheck, NeedsAssessment, SupportReferral
from cme.provision.selectors import agencies_of, register_audits_of

FORM = "provision/form_page.html"


def _case(request: HttpRequest, pk: int) -> Case | HttpResponse:
    """The case, if this user may change its provision: 404 when they may not see the case, 403
    when they may see but not change it. A restricted child's placements say where the child is,
    so without a reason given for seeing them the user is sent to give one."""
    case = get_object_or_404(cases_visible_to(acting_user(request)), pk=pk)
    if not acting_user(request).has_perm("provision.change_case_provision", case):
        raise PermissionDenied
    if case.child.is_restricted and not getattr(case, "child_has_grant", False):
        messages.error(
            request, "This record is restricted. Give a reason to see its details first."
        )
        return redirect("case_seal_break", pk=case.pk)
    return case


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("case_detail", args=[case.pk]) + "#provision")


def _page(request: HttpRequest, case: Case, form: Any, heading: str, **extra: Any) -> HttpResponse:
    return render(request, FORM, {"case": case, "form": form, "heading": heading, **extra})


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def needs_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if isinstance(case, HttpResponse):
        return case
    existing = NeedsAssessment.objects.filter(case=case).first()
    initial: dict[str, Any] = {
        "version": case.version,
        "assessed_on": timezone.localdate(),
        "special_needs": case.child.special_needs,
    }
    if existing:
        initial |= {
            name: getattr(existing, name) for name in NeedsForm.base_fields if name != "version"
        }
    form = NeedsForm(posted_data(request), initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            result = services.needs_assessment_record(
                case=case, actor=acting_user(request), version=version, needs=services.Needs(**data)
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Needs assessment saved")
            if result.moved:
                messages.success(request, "The case is now at “Securing provision”")
            elif result.not_moved_because:
                messages.warning(
                    request, f"The case stays at “Assessing needs”: {result.not_moved_because}"
                )
            return _back(case)
    return _page(request, case, form, "Needs assessment", button="Save the needs assessment")


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def attempt_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if isinstance(case, HttpResponse):
        return case
    form = AttemptForm(
        posted_data(request),
        initial={"version": case.version, "attempted_on": timezone.localdate()},
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            placement = services.placement_attempt_record(
                case=case,
                actor=acting_user(request),
                version=version,
                attempt=services.Attempt(**data),
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Attempt to secure a place recorded")
            if placement.starts_on and not placement.started:
                messages.success(
                    request,
                    f"The case moves into provision on {placement.starts_on:%-d %B %Y}, "
                    "the day the child starts",
                )
            elif placement.started:
                messages.success(request, "The case is now “In provision (monitoring attendance)”")
            return _back(case)
    return _page(
        request, case, form, "Record an attempt to secure a place", button="Record the attempt"
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def check_record(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    case = _case(request, pk)
    if isinstance(case, HttpResponse):
        return case
    check = get_object_or_404(
        AttendanceCheck.objects.filter(case=case).select_related("placement__establishment"),
        pk=check_pk,
    )
    initial: dict[str, Any] = {"checked_on": check.checked_on or timezone.localdate()}
    if check.is_recorded:
        initial |= {
            "attendance": check.attendance,
            "percentage": check.percentage,
            "notes": check.notes,
        }
    form = CheckForm(posted_data(request), initial=initial)
    if form.is_valid():
        try:
            services.attendance_check_record(
                check=check, actor=acting_user(request), **form.cleaned_data
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Attendance check recorded")
            return _back(case)
    return _page(
        request,
        case,
        form,
        f"Attendance check due {check.due_on:%-d %B %Y}",
        intro=f"At {check.placement.provider}, where the child started on "
        f"{check.placement.starts_on:%-d %B %Y}.",
        button="Save the check",
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def support_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if isinstance(case, HttpResponse):
        return case
    form = SupportForm(
        posted_data(request),
        agencies=agencies_of(case.authority_id),
        initial={"referred_on": timezone.localdate()},
    )
    if form.is_valid():
        try:
            services.support_referral_add(
                case=case, actor=acting_user(request), **form.cleaned_data
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Referral recorded")
            return _back(case)
    return _page(
        request,
        case,
        form,
        "Refer to another service for support",
        intro="For the child's welfare, or to help the return to education (§3.6).",
        button="Record the referral",
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def support_response(request: HttpRequest, pk: int, referral_pk: int) -> HttpResponse:
    case = _case(request, pk)
    if isinstance(case, HttpResponse):
        return case
    referral = get_object_or_404(SupportReferral.objects.filter(case=case), pk=referral_pk)
    form = SupportResponseForm(
        posted_data(request),
        initial={
            "response": referral.response,
            "response_on": referral.response_on or timezone.localdate(),
        },
    )
    if form.is_valid():
        try:
            services.support_response_record(
                referral=referral, actor=acting_user(request), **form.cleaned_data
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Response recorded")
            return _back(case)
    return _page(
        request,
        case,
        form,
        f"Response from {referral.agency_label}",
        intro=f"Referred on {referral.referred_on:%-d %B %Y}.",
        button="Save the response",
    )


@permission_required("provision.view_register_audits")
def register_audit_list(request: HttpRequest) -> HttpResponse:
    membership = acting_user(request).membership
    assert membership is not None
    audits = register_audits_of(membership.authority)
    return render(request, "provision/register_audit_list.html", paginate(request, audits))


@require_http_methods(["GET", "POST"])
@permission_required("provision.add_register_audit")
def register_audit_add(request: HttpRequest) -> HttpResponse:
    membership = acting_user(request).membership
    assert membership is not None
    form = RegisterAuditForm(posted_data(request), initial={"audited_on": timezone.localdate()})
    if form.is_valid():
        try:
            services.register_audit_record(
                authority=membership.authority, actor=acting_user(request), **form.cleaned_data
            )
        except CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Register audit recorded")
            return redirect("provision_register_audits")
    return render(request, "provision/register_audit_form.html", {"form": form})
