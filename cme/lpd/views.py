"""The Lost Pupil Database's pages: uploads, search, a lost pupil's record and its download, and
the activity figures. Thin: bind the form, call a service or a selector, render."""

from __future__ import annotations

import dataclasses
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.models import User
from cme.accounts.views import acting_user
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.lpd import selectors, services
from cme.lpd.forms import DownloadForm, LpdSearchForm, UploadForm
from cme.lpd.models import LpdFile, LpdPupil
from cme.lpd.records import address_text
from cme.matching.display import VERDICT_TAGS
from cme.transfers.ctf import CtfHeader, write_ctf
from cme.transfers.services import AUTHORITY_ESTAB

READ_LIMIT = services.MAX_BYTES + 1


def _user_authority_code(user: User) -> str:
    membership = user.membership
    assert membership is not None  # every permission here needs one
    return membership.authority.la_code


def _authority_id(user: User) -> int:
    membership = user.membership
    assert membership is not None  # every permission here needs one
    return membership.authority_id


@require_http_methods(["GET"])
@permission_required("lpd.view_uploads")
def upload_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    context = paginate(request, selectors.uploads_visible_to(user), per_page=50)
    return render(
        request,
        "lpd/upload_list.html",
        {
            **context,
            "can_search": user.has_perm("lpd.search"),
            "can_view_activity": user.has_perm("lpd.view_activity"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("lpd.upload")
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read(READ_LIMIT)
        try:
            done = services.lpd_file_upload(content=content, actor=acting_user(request))
        except services.UploadRefused as refused:
            form.add_error("file", str(refused))
        else:
            if done.created:
                messages.success(request, "Lost CTF uploaded to the Lost Pupil Database")
            else:
                messages.info(request, "This file is already in the Lost Pupil Database")
            return redirect("lpd_upload_detail", pk=done.file.pk)
    return render(request, "lpd/upload.html", {"form": form})


def _own_upload(request: HttpRequest, pk: int) -> LpdFile:
    return get_object_or_404(selectors.uploads_visible_to(acting_user(request)), pk=pk)


@require_http_methods(["GET"])
@permission_required("lpd.view_uploads")
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    upload_ = _own_upload(request, pk)
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=upload_,
        authority_id=_authority_id(user),
    )
    return render(
        request,
        "lpd/upload_detail.html",
        {
            "upload": upload_,
            "pupils": upload_.pupils.order_by("position").only(
                "file_id", "position", "upn", "forename", "surname", "dob"
            ),
            "can_withdraw": upload_.is_available and user.has_perm("lpd.withdraw_upload", upload_),
        },
    )


@require_POST
@permission_required("lpd.view_uploads")
def upload_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    upload_ = _own_upload(request, pk)
    if not user.has_perm("lpd.withdraw_upload", upload_):
        raise Http404
    services.lpd_file_withdraw(upload=upload_, actor=user)
    messages.success(request, "The CTF has been withdrawn from the Lost Pupil Database")
    return redirect("lpd_upload_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required("lpd.search")
def search(request: HttpRequest) -> HttpResponse:
    """Posted, and answered in the same response: what is typed about a child never goes in a
    URL or a log."""
    user = acting_user(request)
    form = LpdSearchForm(request.POST if request.method == "POST" else None)
    candidates = None
    if request.method == "POST" and form.is_valid():
        searcher = selectors.Searcher.for_user(user)
        assert searcher is not None  # the permission needs a membership
        record, school = form.to_lookup()
        candidates = selectors.lpd_search(searcher, record, previous_school=school)
        services.lpd_search_record(
            authority_id=searcher.authority_id,
            actor=user,
            fields=form.described_fields(),
            results=len(candidates),
            withheld=sum(1 for c in candidates if c.withheld),
        )
    return render(
        request,
        "lpd/search.html",
        {"form": form, "candidates": candidates, "verdict_tags": VERDICT_TAGS},
    )


def _searchable(request: HttpRequest, pk: int) -> tuple[LpdPupil, bool]:
    pupil = selectors.searchable_pupil(pk)
    searcher = selectors.Searcher.for_user(acting_user(request))
    if pupil is None or searcher is None:
        raise Http404
    return pupil, selectors.pupil_withheld(pupil, searcher)


def _pupil_page(
    request: HttpRequest, pupil: LpdPupil, withheld: bool, form: DownloadForm
) -> HttpResponse:
    header, record = selectors.pupil_from_file(pupil)
    return render(
        request,
        "lpd/pupil.html",
        {
            "pupil": pupil,
            "header": header,
            "record": record,
            "addresses": []
            if withheld
            else [
                ", ".join(p for p in (address_text(a), a.postcode) if p) for a in record.addresses
            ],
            "withheld": withheld,
            "form": form,
        },
    )


@require_http_methods(["GET"])
@permission_required("lpd.search")
def pupil_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pupil, withheld = _searchable(request, pk)
    services.lpd_pupil_open_record(pupil=pupil, actor=acting_user(request), withheld=withheld)
    return _pupil_page(request, pupil, withheld, DownloadForm())


@require_POST
@permission_required("lpd.search")
def pupil_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The pupil's CTF on its own, written afresh: the other pupils of the file stay where they
    are, a restricted child's location is left out, and the file can be addressed to the school
    it is forwarded to."""
    pupil, withheld = _searchable(request, pk)
    form = DownloadForm(request.POST)
    if not form.is_valid():
        return _pupil_page(request, pupil, withheld, form)
    school = form.cleaned_data["forward_to"]
    header, record = selectors.pupil_from_file(pupil)
    # A download is an export: a restricted child's location is left out whoever downloads it,
    # even an officer whose grant lets them see it on the page (§3.9.3.2, issue 6).
    withheld = withheld or selectors.pupil_is_restricted(pupil)
    if withheld:
        # The school the child left is not named, not even by its codes: the downloading
        # authority is the source, as in a case's CTF export.
        source = (_user_authority_code(acting_user(request)), AUTHORITY_ESTAB, "", "")
        if record.looked_after is not None:  # the care authority would narrow where they are
            record = dataclasses.replace(
                record, looked_after=dataclasses.replace(record.looked_after, care_authority="")
            )
    else:
        source = (header.source_lea, header.source_estab, header.source_urn, header.source_name)
    out = io.BytesIO()
    write_ctf(
        CtfHeader(
            source_lea=source[0],
            source_estab=source[1],
            source_urn=source[2],
            source_name=source[3],
            academic_year=header.academic_year,
            dest_lea=school.la_code if school else header.dest_lea,
            dest_estab=school.number if school else header.dest_estab,
            dest_urn=(school.urn or "") if school else "",
            version=header.version or "25.0",
            generated_at=timezone.now().replace(microsecond=0),
            qualifier=header.qualifier if header.qualifier in ("full", "partial") else "full",
            supplier_id="CME",
        ),
        [record],
        out,
        withhold_location=withheld,
    )
    services.lpd_pupil_download_record(
        pupil=pupil, actor=acting_user(request), withheld=withheld, forwarded_to=school
    )
    response = HttpResponse(out.getvalue(), content_type="application/xml")
    # The name carries ids only, never the pupil's name or UPN.
    response["Content-Disposition"] = f'attachment; filename="lost-ctf-{pupil.pk}.xml"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
@permission_required("lpd.view_activity")
def activity(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    membership = user.membership
    assert membership is not None
    rows = selectors.lpd_activity_by_month(membership.authority, 12)
    return render(request, "lpd/activity.html", {"rows": rows, "authority": membership.authority})
