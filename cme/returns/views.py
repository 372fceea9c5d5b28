"""School returns and the EHE register. Each view binds a form, calls one service and redirects;
records come through the selectors, so another school's return is a 404."""

from __future__ import annotations

import csv
import io
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cme.accounts.models import Membership, User
from cme.cases.exports import escape_formula
from cme.children.restriction import RESTRICTED_LABEL
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.registers.models import Establishment
from cme.returns import ctf, services, uploads
from cme.returns.forms import (
    CTFSentForm,
    CTFSortForm,
    DeletionReturnForm,
    EHEAddForm,
    EHEEndForm,
    EHEFilterForm,
    NewPupilReturnForm,
    ReturnFilterForm,
    UploadForm,
)
from cme.returns.grounds import Ground, ground_label, rule_for
from cme.returns.models import DeletionReturn, EHERegistration, NewPupilReturn
from cme.returns.selectors import (
    DELETION,
    EHEFilter,
    ReturnFilter,
    ctf_overdue_visible_to,
    deletion_returns_visible_to,
    details_visible,
    ehe_matching,
    ehe_registrations_visible_to,
    new_pupil_returns_visible_to,
    overdue_ctf_rows,
    returns_matching,
    to_rows,
)
from cme.returns.validation import deletion_details, new_pupil_details, pupil_details

PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _membership(request: HttpRequest) -> Membership:
    membership = _user(request).membership
    if membership is None:
        raise PermissionDenied
    return membership


def _school(request: HttpRequest) -> Establishment:
    establishment = _membership(request).establishment
    if establishment is None:
        raise PermissionDenied
    return establishment


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# -- School users --------------------------------------------------------------------------------


@permission_required("returns.view_school_returns")
def returns_list(request: HttpRequest) -> HttpResponse:
    """The school's own returns, both kinds, newest first."""
    user = _user(request)
    context = paginate(request, returns_matching(user), PER_PAGE)
    context["page"].object_list = to_rows(context["page"].object_list, school_view=True)
    today = timezone.localdate()
    overdue = overdue_ctf_rows(ctf_overdue_visible_to(user, today), user, today)
    return render(
        request,
        "returns/returns_list.html",
        {**context, "school": _school(request), "ctf_overdue": overdue},
    )


def _submit_page(
    request: HttpRequest, form: Any, template: str, submit: Any, detail_name: str
) -> HttpResponse:
    if form.is_valid():
        try:
            ret = submit(form.cleaned_data)
        except services.DuplicateReturn as duplicate:
            form.add_error(None, str(duplicate))
        except services.ReturnRefused as refused:
            form.add_error("ground" if "ground" in form.fields else None, str(refused))
        else:
            messages.success(request, f"Return {ret.reference} sent to the local authority")
            return redirect(detail_name, pk=ret.pk)
    return render(request, template, {"form": form, "school": _school(request)})


@require_http_methods(["GET", "POST"])
@permission_required("returns.submit_returns")
def deletion_return_new(request: HttpRequest) -> HttpResponse:
    establishment = _school(request)

    def submit(data: dict[str, Any]) -> DeletionReturn:
        return services.deletion_return_submit(
            actor=_user(request), establishment=establishment, details=deletion_details(data)
        )

    return _submit_page(
        request,
        DeletionReturnForm(_posted(request)),
        "returns/deletion_form.html",
        submit,
        "returns_deletion_detail",
    )


@require_http_methods(["GET", "POST"])
@permission_required("returns.submit_returns")
def new_pupil_return_new(request: HttpRequest) -> HttpResponse:
    establishment = _school(request)

    def submit(data: dict[str, Any]) -> NewPupilReturn:
        return services.new_pupil_return_submit(
            actor=_user(request), establishment=establishment, details=new_pupil_details(data)
        )

    return _submit_page(
        request,
        NewPupilReturnForm(_posted(request)),
        "returns/new_pupil_form.html",
        submit,
        "returns_new_pupil_detail",
    )


@require_http_methods(["GET", "POST"])
@permission_required("returns.submit_returns")
def returns_upload(request: HttpRequest) -> HttpResponse:
    establishment = _school(request)
    form = UploadForm(_posted(request), request.FILES or None)
    problems: list[uploads.Problem] = []
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        upload = form.cleaned_data["file"]
        raw = upload.read(uploads.MAX_BYTES + 1)
        parsed = uploads.parse_returns(raw, kind)
        problems = parsed.problems
        if parsed.ok:
            try:
                result = services.returns_upload(
                    actor=_user(request),
                    establishment=establishment,
                    deletions=uploads.as_deletions(parsed),
                    new_pupils=uploads.as_new_pupils(parsed),
                )
            except services.RowRefused as refused:
                problems = [uploads.Problem(refused.row, "", str(refused).split(": ", 1)[1])]
            else:
                skipped = (
                    f"; {result.already_received} already received, so not added again"
                    if result.already_received
                    else ""
                )
                messages.success(
                    request,
                    f"{result.created} return{'s' if result.created != 1 else ''} sent{skipped}",
                )
                return redirect("returns_list")
        if problems:
            form.add_error(
                "file",
                f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}: "
                "nothing has been saved. Correct the rows listed below and upload it again",
            )
    return render(
        request,
        "returns/upload.html",
        {
            "form": form,
            "problems": problems,
            "school": establishment,
            "layouts": [
                ("deletion", "Deletion returns", uploads.LAYOUTS[uploads.DELETION].columns),
                ("new_pupil", "New pupil returns", uploads.LAYOUTS[uploads.NEW_PUPIL].columns),
            ],
            "grounds": [(g, rule_for(g).regulation) for g in Ground],
        },
    )


@permission_required("returns.submit_returns")
def upload_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in uploads.LAYOUTS:
        raise Http404
    response = HttpResponse(uploads.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-returns-template.csv"'
    return response


# -- Details, for the school that sent it and the CME team --------------------------------------


def _viewed(request: HttpRequest, ret: DeletionReturn | NewPupilReturn) -> None:
    audit.record(
        action=AuditAction.VIEWED,
        actor=_user(request),
        target=ret,
        authority_id=ret.authority_id,
        payload={"child": ret.child_id},
    )


def _deletion_page(
    request: HttpRequest, ret: DeletionReturn, ctf_form: CTFSentForm | None = None
) -> HttpResponse:
    user = _user(request)
    rule = rule_for(ret.ground)
    ehe = EHERegistration.objects.filter(deletion_return=ret).first()
    today = timezone.localdate()
    can_record = user.has_perm("returns.record_ctf_sent", ret)
    return render(
        request,
        "returns/deletion_detail.html",
        {
            "ret": ret,
            "ground": ground_label(ret.ground),
            "action": rule.action,
            "ehe": ehe,
            "details_visible": details_visible(ret, user),
            "team_view": user.has_perm("returns.view_all_returns"),
            "no_ctf_reason": ctf.no_ctf_reason(ret.ground),
            "ctf_overdue": ret.ctf_overdue_on(today),
            "ctf_form": (ctf_form or CTFSentForm())
            if can_record and ret.ctf_is_due and not ret.ctf_is_sent
            else None,
            "form": ctf_form,  # for the error summary
        },
    )


@permission_required("returns.view_returns")
def deletion_return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ret = get_object_or_404(deletion_returns_visible_to(_user(request)), pk=pk)
    if not _user(request).has_perm("returns.view_return", ret):
        raise Http404
    _viewed(request, ret)
    return _deletion_page(request, ret)


@require_http_methods(["POST"])
@permission_required("returns.submit_returns")
def deletion_return_ctf_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """The school records when and where it sent the pupil's common transfer file."""
    ret = get_object_or_404(deletion_returns_visible_to(_user(request)), pk=pk)
    if not _user(request).has_perm("returns.record_ctf_sent", ret):
        raise Http404
    form = CTFSentForm(request.POST)
    if form.is_valid():
        try:
            ctf.deletion_return_ctf_sent(
                deletion_return=ret,
                sent_on=form.cleaned_data["sent_on"],
                via=form.cleaned_data["via"],
                actor=_user(request),
            )
        except ctf.CTFRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Common transfer file for {ret.reference} recorded as sent")
            return redirect("returns_deletion_detail", pk=ret.pk)
    return _deletion_page(request, ret, form)


@permission_required("returns.view_returns")
def new_pupil_return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ret = get_object_or_404(new_pupil_returns_visible_to(_user(request)), pk=pk)
    if not _user(request).has_perm("returns.view_return", ret):
        raise Http404
    _viewed(request, ret)
    return render(
        request,
        "returns/new_pupil_detail.html",
        {
            "ret": ret,
            "details_visible": details_visible(ret, _user(request)),
            "team_view": _user(request).has_perm("returns.view_all_returns"),
        },
    )


# -- The CME team --------------------------------------------------------------------------------


@permission_required("returns.view_all_returns")
def returns_all(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    form = ReturnFilterForm(request.GET or None, la_code=membership.authority.la_code)
    filters = form.to_filter() if form.is_bound and form.is_valid() else ReturnFilter()
    context = paginate(request, returns_matching(_user(request), filters), PER_PAGE)
    context["page"].object_list = to_rows(context["page"].object_list, school_view=False)
    return render(
        request, "returns/returns_all.html", {**context, "form": form, "deletion": DELETION}
    )


@permission_required("returns.view_ehe")
def ehe_list(request: HttpRequest) -> HttpResponse:
    form = EHEFilterForm(request.GET or None)
    filters = form.to_filter() if form.is_bound and form.is_valid() else EHEFilter()
    context = paginate(request, ehe_matching(_user(request), filters), PER_PAGE)
    return render(
        request,
        "returns/ehe_list.html",
        {**context, "form": form, "restricted_label": RESTRICTED_LABEL},
    )


@require_http_methods(["GET", "POST"])
@permission_required("returns.add_ehe")
def ehe_add(request: HttpRequest) -> HttpResponse:
    form = EHEAddForm(_posted(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ehe_registration_add(
                actor=_user(request),
                authority=_membership(request).authority,
                pupil=pupil_details(data),
                started_on=data["started_on"],
                source=data["source"],
                educator=data["educator"],
                hours_per_week=data["hours_per_week"],
            )
        except services.ReturnRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Child added to the elective home education register")
            return redirect("ehe_list")
    return render(request, "returns/ehe_add.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("returns.view_ehe")
def ehe_end(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(ehe_registrations_visible_to(_user(request)), pk=pk)
    if not _user(request).has_perm("returns.change_ehe", registration):
        raise PermissionDenied
    form = EHEEndForm(_posted(request))
    if form.is_valid():
        try:
            services.ehe_registration_end(
                actor=_user(request),
                registration=registration,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except services.ReturnRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Home education registration ended")
            return redirect("ehe_list")
    return render(
        request,
        "returns/ehe_end.html",
        {
            "form": form,
            "registration": registration,
            "details_visible": not registration.child.is_restricted
            or bool(getattr(registration, "child_has_grant", False)),
        },
    )


# -- Overdue common transfer files, for the CME team ---------------------------------------------

CTF_CSV_HEADERS = [
    "Reference",
    "School",
    "DfE number",
    "Pupil",
    "Name removed",
    "CTF due by",
    "Days overdue",
    "Counted in",
]


def _ctf_sort(request: HttpRequest) -> str:
    form = CTFSortForm(request.GET or None)
    return (form.cleaned_data.get("sort") or "overdue") if form.is_valid() else "overdue"


@permission_required("returns.view_ctf_overdue")
def ctf_overdue(request: HttpRequest) -> HttpResponse:
    """Every school's common transfer files past their 15-school-day deadline."""
    user, today, sort = _user(request), timezone.localdate(), _ctf_sort(request)
    context = paginate(request, ctf_overdue_visible_to(user, today, sort), PER_PAGE)
    context["page"].object_list = overdue_ctf_rows(context["page"].object_list, user, today)
    return render(
        request,
        "returns/ctf_overdue.html",
        {
            **context,
            "sort": sort,
            "today": today,
            "estimated": any(not r.in_school_days for r in context["page"].object_list),
        },
    )


@permission_required("returns.view_ctf_overdue")
def ctf_overdue_csv(request: HttpRequest) -> HttpResponse:
    """The same list as a CSV file, formula-escaped; the export is audited."""
    user, today, sort = _user(request), timezone.localdate(), _ctf_sort(request)
    rows = overdue_ctf_rows(ctf_overdue_visible_to(user, today, sort), user, today)
    audit.record(
        action=AuditAction.EXPORTED,
        actor=user,
        target_type="returns.ctf_overdue",
        authority_id=_membership(request).authority_id,
        payload={"kind": "ctf_overdue", "format": "csv", "rows": len(rows), "on": today},
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CTF_CSV_HEADERS)
    writer.writerows(
        [
            escape_formula(value) if isinstance(value, str) else value
            for value in (
                row.reference,
                row.establishment,
                row.dfe_number,
                row.name,
                row.deleted_on,
                row.due_on,
                str(row.days_overdue),
                "school days" if row.in_school_days else "weekdays (no term dates)",
            )
        ]
        for row in rows
    )
    # The byte order mark makes Excel read the file as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ctfs-overdue-{today}.csv"'
    return response
