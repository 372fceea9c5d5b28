"""Pages every user meets: home, the footer pages, session upkeep, errors and the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_GET, require_POST

from cme.accounts.selectors import users_visible_to
from cme.core import services
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.core.selectors import AuditFilter, audit_events_visible_to

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %m %Y"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """Called by the timeout warning's "Stay signed in": the request itself renews the session."""
    status = 204 if request.user.is_authenticated else 401
    return HttpResponse(status=status)


def session_sign_out(request: HttpRequest) -> HttpResponse:
    """The timeout warning's "Sign out" button navigates here, so it must answer GET."""
    if request.user.is_authenticated:
        logout(request)
    return redirect("account_login")


def session_timed_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        logout(request)
    return render(request, "core/timed_out.html")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    target_type = forms.CharField(label="Record type", required=False, max_length=60)
    target_id = forms.CharField(label="Record number", required=False, max_length=64)
    date_from = forms.DateField(
        label="From", required=False, input_formats=DATE_FORMATS, help_text="For example, 27/3/2026"
    )
    date_to = forms.DateField(
        label="To", required=False, input_formats=DATE_FORMATS, help_text="For example, 31/3/2026"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = users_visible_to(user).values_list("pk", "full_name")
        self.fields["actor"].choices = [("", "Anyone"), *people]  # type: ignore[attr-defined]

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action") or "",
            actor_id=data.get("actor"),
            target_type=(data.get("target_type") or "").strip(),
            target_id=(data.get("target_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@permission_required("core.view_audit")
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, user=request.user)
    filters = form.to_filter() if form.is_bound and form.is_valid() else AuditFilter()
    events = audit_events_visible_to(request.user, filters)
    return render(request, "core/audit_list.html", {"form": form, **paginate(request, events)})


@require_POST
@permission_required("core.view_audit")
def audit_verify(request: HttpRequest) -> HttpResponse:
    result = services.audit_trail_verify(actor=request.user)
    return render(request, "core/audit_verify.html", {"result": result})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: the database may be what failed.
    page = loader.render_to_string(
        "errors/500.html",
        {
            "request_id": getattr(request, "request_id", ""),
            "service_name": settings.CME_SERVICE_NAME,
            "service_phase": settings.CME_PHASE,
        },
    )
    return HttpResponseServerError(page)
