"""Pages for working one case. Each view binds a form, calls one service and redirects."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.models import User
from cme.cases import services
from cme.cases.forms import (
    ASSESSMENT_QUESTIONS,
    AddressForm,
    AssessmentForm,
    AttachmentForm,
    CarerForm,
    CaseEditForm,
    CaseMoveForm,
    CaseOpenForm,
    ChildForm,
    EnquiryForm,
    NoteForm,
    OtherNameForm,
    SealBreakForm,
    SiblingForm,
    TaskForm,
)
from cme.cases.models import (
    REQUIRED_ACTIONS,
    Case,
    CaseEvent,
    Enquiry,
    EnquiryKind,
    Note,
    Stage,
    Task,
    VulnerabilityAssessment,
)
from cme.cases.selectors import cases_visible_to
from cme.cases.workflow import allowed_moves
from cme.children import services as child_services
from cme.children.models import Child
from cme.children.restriction import WITHHELD
from cme.children.school_age import school_age
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.permissions import permission_required
from cme.matching import panels as matching_panels

TIMELINE_PAGE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _case(request: HttpRequest, pk: int, *, change: bool = False) -> Case:
    """The case, if this user may see it (404 otherwise); 403 if they may see but not change it."""
    case = get_object_or_404(cases_visible_to(_user(request)), pk=pk)
    if change and not _user(request).has_perm("cases.change_case", case):
        raise PermissionDenied
    return case


def _details_visible(case: Case) -> bool:
    """For a case from cases_visible_to: may this user see where the child is?"""
    return not case.child.is_restricted or bool(getattr(case, "child_has_grant", False))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _back(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(reverse("case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))


@require_http_methods(["GET", "POST"])
@permission_required("cases.open_case")
def case_open(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    membership = user.membership
    assert membership is not None
    form = CaseOpenForm(_posted(request), authority=membership.authority)
    if form.is_valid():
        data = form.cleaned_data
        # A child we may already know stops the form once, showing who (§3.3.1).
        known = {} if request.POST.get("new_child") else matching_panels.likely_matches(user, data)
        if known:
            return render(request, "cases/case_open.html", {"form": form, **known})
        owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
        case = services.case_open(
            actor=user,
            authority=membership.authority,
            new_child=services.NewChild(
                forename=data["forename"],
                surname=data["surname"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                upn=data["upn"],
            ),
            source=data["source"],
            notified_on=data["notified_on"],
            stage=Stage(data["stage"]),
            owner=owner,
            priority=data["priority"],
            last_placement=data["last_placement"],
            last_placement_other=data["last_placement_other"],
            last_attended_on=data["last_attended_on"],
        )
        messages.success(request, f"Case {case.reference} opened")
        return _back(case)
    return render(request, "cases/case_open.html", {"form": form})


def _detail_queryset(request: HttpRequest) -> Any:
    return (
        cases_visible_to(_user(request))
        .select_related("last_placement", "assessment")
        .prefetch_related(
            "child__addresses",
            "child__carers",
            "child__other_names",
            "child__former_upns",
            "child__siblings",
            "child__vulnerabilities",
            Prefetch("tasks", queryset=Task.objects.select_related("assigned_to", "done_by")),
            Prefetch("enquiries", queryset=Enquiry.objects.select_related("officer")),
            Prefetch("notes", queryset=Note.objects.select_related("author")),
            "attachments",
        )
    )


@permission_required("cases.view_cases")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_object_or_404(_detail_queryset(request), pk=pk)
    child = case.child
    details_visible = _details_visible(case)
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    timeline = Paginator(events, TIMELINE_PAGE).get_page(request.GET.get("timeline"))
    enquiries = {e.kind: e for e in case.enquiries.all()}
    tasks = list(case.tasks.all())
    try:
        assessment: VulnerabilityAssessment | None = case.assessment
    except VulnerabilityAssessment.DoesNotExist:
        assessment = None
    # Every view of a child's record is audited.
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=case,
        authority_id=case.authority_id,
        payload={
            "child": child.pk,
            "restricted_details_shown": child.is_restricted and details_visible,
        },
    )
    context = {
        "case": case,
        "child": child,
        "details_visible": details_visible,
        "withheld": WITHHELD,
        "school_age": school_age(child.date_of_birth, services._today())
        if child.date_of_birth
        else None,
        "assessment": assessment,
        "questions": [
            (label, getattr(assessment, name) if assessment else "")
            for name, label in ASSESSMENT_QUESTIONS.items()
        ],
        "required_actions": [t for t in tasks if t.kind in REQUIRED_ACTIONS],
        "other_tasks": [t for t in tasks if t.kind not in REQUIRED_ACTIONS],
        "enquiry_rows": [(kind, enquiries.get(kind.value)) for kind in EnquiryKind],
        "timeline": timeline,
        "can_change": user.has_perm("cases.change_case", case),
        "moves": allowed_moves(case.stage),
        "today": services._today(),
    }
    return render(request, "cases/case_detail.html", context)


def _form_page(
    request: HttpRequest, case: Case, template: str, form: Any, **extra: Any
) -> HttpResponse:
    return render(request, template, {"case": case, "form": form, **extra})


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    form = CaseMoveForm(_posted(request), case=case, initial={"version": case.version})
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_transition(
                case=case,
                to=data["to"],
                actor=_user(request),
                version=data["version"],
                outcome=data["outcome"],
                reason=data["reason"],
            )
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Case moved to “{case.get_stage_display()}”")
            return _back(case)
    return _form_page(request, case, "cases/case_move.html", form)


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    form = CaseEditForm(
        _posted(request),
        instance=Case.objects.get(pk=case.pk),
        withhold_location=not _details_visible(case),
    )
    if form.is_valid():
        try:
            services.case_update(
                case=case,
                actor=_user(request),
                version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Case details saved")
            return _back(case)
    return _form_page(request, case, "cases/case_edit.html", form)


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    existing = VulnerabilityAssessment.objects.filter(case=case).first()
    form = AssessmentForm(_posted(request), instance=existing, initial={"version": case.version})
    if form.is_valid():
        try:
            services.assessment_record(
                case=case,
                actor=_user(request),
                version=form.cleaned_data["version"],
                answers=form.answers(),
            )
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Vulnerability assessment saved")
            return _back(case, "assessment")
    return _form_page(request, case, "cases/assessment_form.html", form)


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def enquiry_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    case = _case(request, pk, change=True)
    if kind not in EnquiryKind.values:
        raise PermissionDenied
    existing = Enquiry.objects.filter(case=case, kind=kind).first()
    initial = {}
    if existing:
        initial = {
            "not_applicable": existing.not_applicable,
            "made_on": existing.made_on,
            "outcome": existing.outcome,
            "notes": existing.notes,
        }
    form = EnquiryForm(_posted(request), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.enquiry_record(case=case, actor=_user(request), kind=kind, **data)
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{EnquiryKind(kind).label}: saved")
            return _back(case, "enquiries")
    return _form_page(request, case, "cases/enquiry_form.html", form, kind=EnquiryKind(kind))


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    form = TaskForm(_posted(request), authority_id=case.authority_id)
    if form.is_valid():
        data = form.cleaned_data
        assignee = (
            User.objects.filter(pk=data["assigned_to"]).first() if data["assigned_to"] else None
        )
        try:
            services.task_add(
                case=case,
                actor=_user(request),
                title=data["title"],
                due_on=data["due_on"],
                assigned_to=assignee,
            )
        except services.CaseRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Task added")
            return _back(case, "tasks")
    return _form_page(request, case, "cases/task_form.html", form)


@require_POST
@permission_required("cases.view_cases")
def task_done(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    task = get_object_or_404(Task.objects.filter(case=case), pk=task_pk)
    try:
        services.task_complete(task=task, actor=_user(request))
    except services.CaseRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Task marked as done")
    return _back(case, "tasks")


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    form = NoteForm(_posted(request))
    if form.is_valid():
        services.note_add(case=case, actor=_user(request), **form.cleaned_data)
        messages.success(request, "Note added")
        return _back(case, "notes")
    return _form_page(request, case, "cases/note_form.html", form)


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    form = AttachmentForm(_posted(request), request.FILES or None)
    if form.is_valid():
        try:
            services.attachment_add(
                case=case,
                actor=_user(request),
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
            )
        except services.CaseRefused as refused:
            form.add_error("file", str(refused))
        else:
            messages.success(request, "Document added")
            return _back(case, "attachments")
    return _form_page(request, case, "cases/attachment_form.html", form)


@permission_required("cases.view_cases")
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    case = _case(request, pk)
    attachment = get_object_or_404(case.attachments.all(), pk=attachment_pk)
    if not _details_visible(case):
        # A document may say where a restricted child is.
        return redirect("case_seal_break", pk=case.pk)
    audit.record(
        action=AuditAction.EXPORTED,
        actor=_user(request),
        target=attachment,
        authority_id=case.authority_id,
        payload={"case": case.pk, "download": True},
    )
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=f"case-{case.reference}-document-{attachment.pk}",
        content_type=attachment.content_type,
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    child = case.child
    if not _details_visible(case):
        messages.error(
            request, "This record is restricted. Give a reason to see its details first."
        )
        return redirect("case_seal_break", pk=case.pk)
    initial = {f: getattr(child, f) for f in ChildForm.base_fields if hasattr(child, f)}
    initial["vulnerable_groups"] = list(child.vulnerabilities.values_list("group", flat=True))
    form = ChildForm(_posted(request), initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        groups = data.pop("vulnerable_groups")
        data["ethnicity"] = data["ethnicity"] or ""
        try:
            child_services.child_update(child=child, actor=_user(request), changes=data)
            child_services.child_vulnerable_groups_set(
                child=child, actor=_user(request), groups=groups
            )
        except ValidationError as invalid:
            for field, errors in invalid.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Child's details saved")
            return _back(case, "child")
    return _form_page(request, case, "cases/child_form.html", form)


def _child_part(
    request: HttpRequest, pk: int, form_class: Any, add: Any, heading: str
) -> HttpResponse:
    case = _case(request, pk, change=True)
    if not _details_visible(case):
        return redirect("case_seal_break", pk=case.pk)
    form = form_class(_posted(request))
    if form.is_valid():
        try:
            add(child=case.child, actor=_user(request), **form.cleaned_data)
        except child_services.ChildRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{heading}: saved")
            return _back(case, "child")
    return _form_page(request, case, "cases/child_part_form.html", form, heading=heading)


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    def add(*, child: Child, actor: Any, is_current: bool, **fields: Any) -> Any:
        return child_services.child_address_add(
            child=child, actor=actor, current=is_current, **fields
        )

    return _child_part(request, pk, AddressForm, add, "Add an address")


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def carer_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_part(
        request, pk, CarerForm, child_services.child_carer_add, "Add a parent or carer"
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def other_name_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_part(
        request, pk, OtherNameForm, child_services.child_other_name_add, "Add another name"
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def sibling_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_part(request, pk, SiblingForm, child_services.child_sibling_add, "Add a sibling")


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def seal_break(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not _user(request).has_perm("cases.break_seal", case):
        raise PermissionDenied
    form = SealBreakForm(_posted(request))
    if form.is_valid():
        try:
            child_services.child_seal_break(
                child=case.child, actor=_user(request), reason=form.cleaned_data["reason"]
            )
        except child_services.ChildRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, "You can now see this child's details. Your reason has been recorded."
            )
            return _back(case, "child")
    return _form_page(request, case, "cases/seal_break.html", form)


@permission_required("cases.view_grants")
def grant_list(request: HttpRequest) -> HttpResponse:
    from cme.children.models import RestrictionGrant

    membership = _user(request).membership
    assert membership is not None
    grants = (
        RestrictionGrant.objects.filter(child__authority_id=membership.authority_id)
        .select_related("user", "child")
        .prefetch_related(
            Prefetch("child__cases", queryset=Case.objects.only("pk", "reference", "child_id"))
        )
        .order_by("revoked_at", "-granted_at")
    )
    from django.utils import timezone

    from cme.core.pagination import paginate

    return render(
        request, "cases/grant_list.html", {**paginate(request, grants), "now": timezone.now()}
    )


@require_POST
@permission_required("cases.view_grants")
def grant_revoke(request: HttpRequest, grant_pk: int) -> HttpResponse:
    from cme.children.models import RestrictionGrant

    membership = _user(request).membership
    assert membership is not None
    grant = get_object_or_404(
        RestrictionGrant.objects.filter(child__authority_id=membership.authority_id), pk=grant_pk
    )
    child_services.child_seal_restore(grant=grant, actor=_user(request))
    messages.success(request, "Access removed")
    return redirect("grant_list")
