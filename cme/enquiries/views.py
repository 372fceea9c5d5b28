"""Pages for the directory and for enquiries between authorities. Thin: bind, call, redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.accounts.views import acting_user, posted_data
from cme.cases.models import Case
from cme.cases.selectors import cases_visible_to
from cme.children.restriction import can_see_details
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.enquiries import information, selectors, services
from cme.enquiries.forms import (
    AnswerForm,
    ApprovalForm,
    AssessmentForm,
    CheckForm,
    ContactForm,
    EnquiryForm,
)
from cme.enquiries.models import (
    CheckKind,
    DirectoryContact,
    DirectoryEntry,
    Enquiry,
    Status,
)


def _authority_id(request: HttpRequest) -> int:
    membership = acting_user(request).membership
    assert membership is not None
    return int(membership.authority_id)


# --- Directory ----------------------------------------------------------------------------------


@require_GET
@permission_required("enquiries.view_directory")
def directory_list(request: HttpRequest) -> HttpResponse:
    services.directory_sync()
    entries = selectors.directory_for(acting_user(request))
    return render(
        request,
        "enquiries/directory.html",
        {
            "entries": entries,
            "own_authority_id": _authority_id(request),
            "can_manage": acting_user(request).has_perm(
                "enquiries.change_entry",
                next((e for e in entries if e.authority_id == _authority_id(request)), None),
            ),
        },
    )


def _own_entry(request: HttpRequest, entry: DirectoryEntry) -> DirectoryEntry:
    """Another authority's entry is not found; one's own needs a manager."""
    if entry.authority_id != _authority_id(request):
        raise Http404
    if not acting_user(request).has_perm("enquiries.change_entry", entry):
        raise PermissionDenied
    return entry


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_directory")
def directory_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, get_object_or_404(DirectoryEntry, pk=pk))
    form = ContactForm(posted_data(request))
    if form.is_valid():
        services.directory_contact_save(
            actor=acting_user(request), entry=entry, contact=None, fields=form.cleaned_data
        )
        messages.success(request, "Contact added to the directory")
        return redirect("enquiry_directory")
    return render(request, "enquiries/contact_form.html", {"form": form, "entry": entry})


@require_POST
@permission_required("enquiries.view_directory")
def directory_contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(DirectoryContact.objects.select_related("entry"), pk=pk)
    _own_entry(request, contact.entry)
    services.directory_contact_remove(actor=acting_user(request), contact=contact)
    messages.success(request, "Contact removed from the directory")
    return redirect("enquiry_directory")


# --- Sending ------------------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(cases_visible_to(acting_user(request)), pk=pk)
    if not acting_user(request).has_perm("enquiries.send_enquiry", case):
        raise PermissionDenied
    if not acting_user(request).has_perm("cases.change_case", case):
        raise PermissionDenied
    return case


def _enquiry(request: HttpRequest, pk: int, perm: str = "enquiries.view_enquiry") -> Enquiry:
    enquiry = get_object_or_404(selectors.enquiries_visible_to(acting_user(request)), pk=pk)
    if not acting_user(request).has_perm(perm, enquiry):
        raise PermissionDenied
    return enquiry


def _enquiry_form(request: HttpRequest, case: Case, draft: Enquiry | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if draft is not None:
        initial = {"to": draft.counterpart_id, "reason": draft.reason, **draft.extra}
    form = EnquiryForm(
        posted_data(request),
        initial=initial,
        own_authority_id=case.authority_id,
        restricted=case.child.is_restricted,
    )
    if form.is_valid():
        try:
            enquiry = services.enquiry_prepare(
                case=case,
                actor=acting_user(request),
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                extra=form.extra(),
                draft=draft,
            )
        except services.EnquiryRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("enquiry_check", pk=enquiry.pk)
    return render(request, "enquiries/enquiry_form.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _enquiry_form(request, _case(request, case_pk), None)


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_change(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk)
    if enquiry.status != Status.DRAFT or enquiry.case_id is None:
        return redirect("enquiry_detail", pk=enquiry.pk)
    return _enquiry_form(request, _case(request, enquiry.case_id), enquiry)


def _record_view(request: HttpRequest, enquiry: Enquiry) -> None:
    # Every sight of a child's details is audited.
    audit.record(
        action=AuditAction.VIEWED,
        actor=acting_user(request),
        target=enquiry,
        authority_id=enquiry.authority_id,
        payload={"direction": enquiry.direction},
    )


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers: exactly what will travel, before it goes."""
    enquiry = _enquiry(request, pk)
    if enquiry.status != Status.DRAFT or enquiry.case_id is None:
        return redirect("enquiry_detail", pk=enquiry.pk)
    _case(request, enquiry.case_id)
    error = ""
    if request.method == "POST":
        try:
            sent = services.enquiry_send(enquiry=enquiry, actor=acting_user(request))
        except services.EnquiryRefused as refused:
            error = str(refused)
        else:
            if sent.status == Status.AWAITING_APPROVAL:
                messages.warning(
                    request,
                    "This child has been asked about in three other authorities in the last 30 "
                    "days. A CME manager must approve this enquiry before it is sent.",
                )
            else:
                messages.success(request, f"Enquiry sent to {sent.counterpart.name}")
            return redirect("case_detail", pk=enquiry.case_id)
    _record_view(request, enquiry)
    return render(
        request,
        "enquiries/enquiry_check.html",
        _detail_context(enquiry, acting_user(request), error=error),
    )


def _detail_context(enquiry: Enquiry, user: User, **extra: Any) -> dict[str, Any]:
    checks = {c.kind: c for c in enquiry.checks.select_related("officer")}
    details = enquiry.details
    # Decided from the child as it is now and the user's grants, not from what was saved when
    # the enquiry was written: the child may have been restricted since.
    hidden = enquiry.child is not None and not can_see_details(user, enquiry.child)
    # A draft shows what will travel: for a child restricted since it was written, no places.
    child = enquiry.child
    stale_draft = enquiry.status == Status.DRAFT and child is not None and child.is_restricted
    if hidden or details.get("restricted") or stale_draft:
        details = information.withheld(details)
    return {
        "enquiry": enquiry,
        "withhold_text": hidden,
        "detail_rows": information.detail_rows(details),
        "indicator_rows": information.indicator_rows(
            information.text_withheld(enquiry.indicators) if hidden else enquiry.indicators
        ),
        "check_rows": [(kind, checks.get(kind.value)) for kind in CheckKind],
        "pending_messages": selectors.pending_messages(enquiry),
        "answer_needs": [
            (answer.label, [k.label.lower() for k in needs])
            for answer, needs in services.ANSWER_NEEDS.items()
            if needs
        ],
        **extra,
    }


# --- Lists and one enquiry ----------------------------------------------------------------------


@require_GET
@permission_required("enquiries.view_enquiries")
def enquiry_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    show = request.GET.get("show", "open")
    if show not in {"open", "answered", "sent"}:
        show = "open"
    items = (
        selectors.outgoing_list(user)
        if show == "sent"
        else selectors.incoming_queue(user, show=show)
    )
    return render(
        request,
        "enquiries/enquiry_list.html",
        {
            **paginate(request, items),
            "show": show,
            "approvals": list(selectors.awaiting_approval(user)),
        },
    )


@require_GET
@permission_required("enquiries.view_enquiries")
def enquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk)
    if enquiry.status == Status.DRAFT:
        return redirect("enquiry_check", pk=enquiry.pk)
    _record_view(request, enquiry)
    user = acting_user(request)
    return render(
        request,
        "enquiries/enquiry_detail.html",
        _detail_context(
            enquiry,
            user,
            can_work=user.has_perm("enquiries.work_enquiry", enquiry),
            can_approve=user.has_perm("enquiries.approve_enquiry", enquiry),
        ),
    )


def _work_page(
    request: HttpRequest, enquiry: Enquiry, form: Any, heading: str, button: str
) -> HttpResponse:
    return render(
        request,
        "enquiries/work_form.html",
        {"enquiry": enquiry, "form": form, "heading": heading, "button": button},
    )


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_approve(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk, "enquiries.approve_enquiry")
    form = ApprovalForm(posted_data(request))
    if form.is_valid():
        try:
            services.enquiry_approve(
                enquiry=enquiry,
                actor=acting_user(request),
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except services.EnquiryRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Decision recorded")
            return redirect("enquiry_detail", pk=enquiry.pk)
    return _work_page(request, enquiry, form, "Approve an enquiry", "Record the decision")


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_assess(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk, "enquiries.work_enquiry")
    form = AssessmentForm(
        posted_data(request), initial={"risk": enquiry.risk, "notes": enquiry.assessment_notes}
    )
    if form.is_valid():
        try:
            services.incoming_assess(
                enquiry=enquiry, actor=acting_user(request), **form.cleaned_data
            )
        except services.EnquiryRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Vulnerability assessment saved")
            return redirect("enquiry_detail", pk=enquiry.pk)
    return _work_page(
        request, enquiry, form, "Assess the child's vulnerability", "Save the assessment"
    )


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_check_record(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    enquiry = _enquiry(request, pk, "enquiries.work_enquiry")
    if kind not in CheckKind.values:
        raise Http404
    form = CheckForm(posted_data(request))
    if form.is_valid():
        try:
            services.check_record(
                enquiry=enquiry, actor=acting_user(request), kind=kind, **form.cleaned_data
            )
        except services.EnquiryRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{CheckKind(kind).label}: check recorded")
            return redirect(reverse("enquiry_detail", args=[enquiry.pk]) + "#checks")
    return _work_page(
        request, enquiry, form, f"Record a check: {CheckKind(kind).label.lower()}", "Save the check"
    )


@require_http_methods(["GET", "POST"])
@permission_required("enquiries.view_enquiries")
def enquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk, "enquiries.work_enquiry")
    form = AnswerForm(posted_data(request))
    if form.is_valid():
        try:
            services.incoming_answer(
                enquiry=enquiry, actor=acting_user(request), **form.cleaned_data
            )
        except services.EnquiryRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Answer sent to {enquiry.counterpart.name}")
            return redirect("enquiry_detail", pk=enquiry.pk)
    return _work_page(request, enquiry, form, "Answer the enquiry", "Send the answer")


@require_POST
@permission_required("enquiries.view_enquiries")
def enquiry_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry(request, pk, "enquiries.work_enquiry")
    try:
        case = services.incoming_open_case(enquiry=enquiry, actor=acting_user(request))
    except services.EnquiryRefused as refused:
        messages.error(request, str(refused))
        return redirect("enquiry_detail", pk=enquiry.pk)
    messages.success(request, f"Case {case.reference} opened")
    return redirect("case_detail", pk=case.pk)
