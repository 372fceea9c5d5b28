"""CTF pages: upload, preview and import; and sending a CTF from a case. Each view binds a form,
calls one service and redirects or renders; records come through the selectors, so another
school's upload or another authority's case is a 404. Every view of a file's pupils, every
import and every export (or refusal) is audited."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.models import Membership, Role, User
from cme.cases.models import Case
from cme.cases.selectors import cases_visible_to
from cme.children.restriction import RESTRICTED_LABEL, WITHHELD, can_see_details
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.transfers import exports, selectors, services
from cme.transfers.display import errors_by_pupil, pupil_view
from cme.transfers.forms import CtfExportForm, CtfExportGrantForm, CtfUploadForm
from cme.transfers.models import GRANT_HOURS, MAX_UPLOAD_BYTES, Channel, CtfUpload

PER_PAGE = 50
PUPILS_PER_PAGE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _membership(request: HttpRequest) -> Membership:
    membership = _user(request).membership
    if membership is None:
        raise PermissionDenied
    return membership


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _upload(request: HttpRequest, pk: int) -> CtfUpload:
    upload = get_object_or_404(selectors.uploads_visible_to(_user(request)), pk=pk)
    if not _user(request).has_perm("transfers.view_upload", upload):
        raise PermissionDenied
    return upload


# -- Upload, preview, import ---------------------------------------------------------------------


@permission_required("transfers.upload_ctf")
def ctf_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = paginate(request, selectors.upload_list(user), PER_PAGE)
    # A file about a restricted child names the school they left and the one they go to.
    context["withheld_ids"] = selectors.uploads_withheld_from(user, context["page"].object_list)
    context["withheld"] = WITHHELD
    return render(request, "transfers/ctf_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("transfers.upload_ctf")
def ctf_upload(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    school = membership.establishment if membership.role == Role.SCHOOL_USER else None
    if membership.role == Role.SCHOOL_USER and school is None:
        raise PermissionDenied
    form = CtfUploadForm(_posted(request), request.FILES or None)
    if form.is_valid():
        content = form.cleaned_data["file"].read(MAX_UPLOAD_BYTES + 1)
        try:
            stored = services.ctf_upload_store(
                actor=_user(request),
                authority=membership.authority,
                establishment=school,
                content=content,
                channel=Channel.PAGE,
            )
        except services.TransferRefused as refused:
            form.add_error("file", str(refused))
        else:
            if stored.created:
                messages.success(request, f"File {stored.upload.reference} uploaded: check it")
            else:
                messages.info(
                    request,
                    f"This file was uploaded before, as {stored.upload.reference}: "
                    "it is shown here and has not been added again",
                )
            return redirect("transfers_ctf_detail", pk=stored.upload.pk)
    return render(request, "transfers/ctf_upload.html", {"form": form, "school": school})


@permission_required("transfers.upload_ctf")
def ctf_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    upload = _upload(request, pk)
    page = Paginator(range(1, upload.pupil_count + 1), PUPILS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    try:
        preview = services.ctf_preview(upload=upload, positions=set(page.object_list))
    except services.TransferRefused:
        # A stored file was read safely once; if the reader now refuses it, say so plainly.
        return render(request, "transfers/ctf_unreadable.html", {"upload": upload}, status=422)
    team = user.has_perm("transfers.see_matched_records")
    errors = errors_by_pupil(preview.ctf.errors)
    rows = []
    for plan in preview.plans:
        # A matched child's record is the authority's: the school that sent the file sees only
        # that there is one. A pupil matched to a restricted child is "Restricted record" to
        # anyone without a grant, and the file's addresses, contacts and schools for them are
        # not shown either: they would say where the child is.
        hidden = (
            plan.child is not None and plan.restricted and not can_see_details(user, plan.child)
        )
        rows.append(
            {
                "plan": plan,
                "pupil": pupil_view(plan.pupil, withheld=hidden),
                "errors": errors.get(plan.position, []),
                "hidden": hidden,
                "case_link": team and not hidden and plan.open_case is not None,
            }
        )
    # The header's From and To say where a restricted child was and is going: withheld when any
    # pupil of the file (on this page or another) is a restricted child the user may not see.
    header_hidden = any(row["hidden"] for row in rows) or (
        upload.pk in selectors.uploads_withheld_from(user, [upload])
    )
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=upload,
        authority_id=upload.authority_id,
        payload={
            "kind": "ctf_preview",
            "pupils_shown": len(preview.plans),
            "children": [p.child.pk for p in preview.plans if p.child is not None],
        },
    )
    return render(
        request,
        "transfers/ctf_detail.html",
        {
            "upload": upload,
            "preview": preview,
            "rows": rows,
            "page": page,
            "team_view": team,
            "restricted_label": RESTRICTED_LABEL,
            "header_hidden": header_hidden,
            "withheld": WITHHELD,
            "can_import": user.has_perm("transfers.import_ctf", upload) and not upload.is_imported,
        },
    )


@require_POST
@permission_required("transfers.upload_ctf")
def ctf_import(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    if not _user(request).has_perm("transfers.import_ctf", upload):
        raise PermissionDenied
    try:
        summary = services.ctf_import(actor=_user(request), upload=upload)
    except services.TransferRefused as refused:
        messages.error(request, str(refused))
        return redirect("transfers_ctf_detail", pk=upload.pk)
    if summary.already_imported:
        messages.info(request, f"File {upload.reference} was already imported: nothing changed")
    else:
        messages.success(
            request,
            f"File {upload.reference} imported: {summary.matched} matched to known children, "
            f"{summary.created} new, {summary.cases_opened} tracking cases opened",
        )
    return redirect("transfers_ctf_detail", pk=upload.pk)


# -- Export from a case --------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int, perm: str) -> Case:
    case = get_object_or_404(cases_visible_to(_user(request)).select_related("child"), pk=pk)
    if not _user(request).has_perm(perm, case):
        raise PermissionDenied
    return case


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def case_ctf_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = _case(request, pk, "transfers.export_ctf")
    grant = selectors.usable_grant(case) if case.child.is_restricted else None
    form = CtfExportForm(_posted(request), la_code=case.authority.la_code)
    if form.is_valid():
        lea, estab = form.cleaned_data["codes"]
        try:
            exported = exports.ctf_export(
                actor=user,
                case=case,
                dest_lea=lea,
                dest_estab=estab,
                grant_id=grant.pk if grant else None,
                channel=Channel.PAGE,
            )
        except services.ExportRefused as refused:
            form.add_error(None, str(refused))
        else:
            response = HttpResponse(exported.content, content_type="application/xml")
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "transfers/case_export.html",
        {
            "case": case,
            "form": form,
            "restricted": case.child.is_restricted,
            "grant": grant,
            "can_grant": user.has_perm("transfers.grant_export", case),
            "exports": selectors.exports_of(case)[:20],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("cases.view_cases")
def case_ctf_grant(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "transfers.grant_export")
    if not case.child.is_restricted:
        messages.info(request, "This child's record is not restricted: no permission is needed")
        return redirect("transfers_case_export", pk=case.pk)
    form = CtfExportGrantForm(_posted(request))
    if form.is_valid():
        try:
            exports.ctf_export_grant_add(
                actor=_user(request), case=case, reason=form.cleaned_data["reason"]
            )
        except services.ExportRefused as refused:
            form.add_error("reason", str(refused))
        else:
            messages.success(
                request,
                f"One CTF export allowed for this case, for {GRANT_HOURS} hours. The address, "
                "phone numbers and schools will be left out",
            )
            return redirect("transfers_case_export", pk=case.pk)
    return render(
        request,
        "transfers/case_grant.html",
        {"case": case, "form": form, "grant_hours": GRANT_HOURS},
    )
