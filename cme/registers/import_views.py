"""Import pages: the list of imports, uploading a file, its progress, preview and result, and
confirming or cancelling it. Each write is one service; the background work starts afterwards."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.views import acting_user, own_authority, posted_data
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.registers.imports import runner, services
from cme.registers.imports.forms import ImportUploadForm
from cme.registers.imports.selectors import import_batches_visible_to, roll_establishments_for
from cme.registers.models import ImportBatch, ImportKind

PERMISSION = "registers.import_rolls"


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    """The batch, if it belongs to the user's authority (404 otherwise)."""
    return get_object_or_404(import_batches_visible_to(acting_user(request)), pk=pk)


@permission_required(PERMISSION)
def import_list(request: HttpRequest) -> HttpResponse:
    batches = import_batches_visible_to(acting_user(request))
    return render(request, "registers/import_list.html", paginate(request, batches, per_page=25))


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def import_upload(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form = ImportUploadForm(
        posted_data(request),
        request.FILES or None,
        establishments=roll_establishments_for(actor),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.import_batch_create(
                actor=actor,
                authority=own_authority(actor),
                kind=ImportKind(data["kind"]),
                establishment=data["establishment"],
                text=data["text"],
                rows=data["rows"],
            )
        except services.ImportRefused as refused:
            form.add_error(None, str(refused))
        else:
            runner.dispatch(batch.pk)
            return redirect("import_detail", pk=batch.pk)
    return render(request, "registers/import_upload.html", {"form": form})


@permission_required(PERMISSION)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(request, "registers/import_detail.html", {"batch": batch})


@require_POST
@permission_required(PERMISSION)
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        services.import_batch_confirm(actor=acting_user(request), batch=batch)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
    else:
        runner.dispatch(batch.pk)
    return redirect("import_detail", pk=batch.pk)


@require_POST
@permission_required(PERMISSION)
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        services.import_batch_cancel(actor=acting_user(request), batch=batch)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect("import_detail", pk=batch.pk)
    messages.success(request, f"Import {batch.pk} cancelled: nothing was changed")
    return redirect("import_list")
