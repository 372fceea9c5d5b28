"""Pages where an authority's administrators create and revoke API tokens.

The secret is shown once, on the page that answers the form that created it: it is never put in
a URL, a session, a message or a log, and it cannot be shown again.
"""

from __future__ import annotations

import secrets
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts.models import User
from cme.api import selectors, services
from cme.api.forms import TokenForm
from cme.core.pagination import paginate
from cme.core.permissions import permission_required


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
@permission_required("api.manage_tokens")
def api_token_list(request: HttpRequest) -> HttpResponse:
    context = paginate(request, selectors.tokens_visible_to(_user(request)), 50)
    return render(request, "api/token_list.html", context)


_SENT_FORMS = "api_token_forms_sent"


def _first_sending(request: HttpRequest, once: str) -> bool:
    """Whether this is the first time the form carrying `once` is sent (and note that it was)."""
    if not once:
        return True
    sent: list[str] = request.session.get(_SENT_FORMS, [])
    if once in sent:
        return False
    request.session[_SENT_FORMS] = [*sent[-19:], once]
    return True


@require_http_methods(["GET", "POST"])
@permission_required("api.manage_tokens")
def api_token_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    membership = user.membership
    if membership is None:
        raise PermissionDenied
    establishments, agencies = selectors.token_organisations(user)
    form = TokenForm(
        request.POST if request.method == "POST" else None,
        initial={"once": secrets.token_urlsafe(16)},
        establishments=establishments,
        agencies=agencies,
        authority=membership.authority,
    )
    if form.is_valid() and not _first_sending(request, form.cleaned_data["once"]):
        messages.info(
            request,
            "That form had already been sent and its token created. A token's secret is shown "
            "only once: if it was not copied, revoke the token and create another.",
        )
        return redirect("api_token_list")
    if form.is_valid():
        try:
            created = services.api_token_create(
                actor=user,
                authority=membership.authority,
                name=form.cleaned_data["name"],
                **form.organisation_chosen(),
            )
        except services.TokenRefused as refused:
            form.add_error("organisation", str(refused))
        else:
            return render(
                request,
                "api/token_created.html",
                {"token": created.token, "secret": created.secret},
            )
    return render(request, "api/token_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("api.manage_tokens")
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(selectors.tokens_visible_to(user), pk=pk)
    if not user.has_perm("api.revoke_token", token):
        raise PermissionDenied
    if request.method == "POST":
        services.api_token_revoke(actor=user, token=token)
        messages.success(request, f"Token {token.prefix} revoked: it no longer works")
        return redirect("api_token_list")
    return render(request, "api/token_revoke.html", {"token": token})
