"""The public page "Tell us about a child who may be missing education". No sign-in.

It shows the authority's named CME contacts, takes a short report and answers with a reference
only: nothing typed is shown back once it is sent. Submissions are limited per client address,
bodies over MAX_BODY_BYTES are refused before they are read, and a hidden "leave this blank" field
catches form-filling robots (they are told it worked, and nothing is stored).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cme.accounts.models import Authority
from cme.intake import services
from cme.intake.forms import PublicReferralForm
from cme.intake.selectors import cme_contacts_of
from cme.intake.throttle import take_public_slot

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024
HONEYPOT = "website"
SENT = "intake_public_sent"
LIMIT_MESSAGE = (
    "You have sent us several reports in the last few minutes, so we cannot take another one "
    "just now. Wait 10 minutes and send it again, or phone one of the contacts on this page."
)


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_BODY_BYTES


def refuse_large_bodies(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized POST before anything (even the CSRF check) reads its body."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and _body_too_large(request):
            logger.info("public referral refused: body over %d bytes", MAX_BODY_BYTES)
            authority = Authority.objects.filter(la_code=kwargs.get("la_code", "")).first()
            context = {"authority": authority, "authority_name": getattr(authority, "name", "")}
            return render(request, "intake/public_too_large.html", context, status=413)
        return view(request, *args, **kwargs)

    return checked


@require_GET
def referral_public_index(request: HttpRequest) -> HttpResponse:
    authorities = Authority.objects.order_by("name")
    return render(request, "intake/public_index.html", {"authorities": authorities})


def _page(request: HttpRequest, authority: Authority, form: PublicReferralForm) -> HttpResponse:
    return render(
        request,
        "intake/public_form.html",
        {
            "form": form,
            "authority": authority,
            "authority_name": authority.name,
            "contacts": cme_contacts_of(authority),
            "honeypot": HONEYPOT,
        },
    )


# CSRF is checked by csrf_protect inside, once the body is known to be small enough to read.
@csrf_exempt
@refuse_large_bodies
@csrf_protect
@require_http_methods(["GET", "POST"])
def referral_public(request: HttpRequest, la_code: str) -> HttpResponse:
    authority = get_object_or_404(Authority, la_code=la_code)
    if request.method != "POST":
        return _page(request, authority, PublicReferralForm())
    form = PublicReferralForm(request.POST)
    if request.POST.get(HONEYPOT, "").strip():
        # A robot: answer exactly as for a person, and keep nothing.
        take_public_slot(request)
        logger.info("public referral discarded: hidden field filled")
        request.session[SENT] = {"la_code": la_code, "reference": services.new_reference()}
        return redirect("referral_public_sent", la_code=la_code)
    if not form.is_valid():
        return _page(request, authority, form)
    if not take_public_slot(request):
        logger.info("public referral refused: too many from one address")
        form.add_error(None, LIMIT_MESSAGE)
        return _page(request, authority, form)
    data = form.cleaned_data
    referral = services.referral_submit_public(
        authority=authority,
        child=form.child_details(),
        referrer_name=data["referrer_name"].strip(),
        referrer_phone=data["referrer_phone"].strip(),
        referrer_email=data["referrer_email"].strip(),
        referrer_relationship=data["referrer_relationship"],
    )
    logger.info("public referral %s accepted", referral.pk)
    request.session[SENT] = {
        "la_code": la_code,
        "reference": referral.reference,
        "in_danger": referral.in_danger,
    }
    return redirect("referral_public_sent", la_code=la_code)


@require_GET
def referral_public_sent(request: HttpRequest, la_code: str) -> HttpResponse:
    """The reference, shown once (it is taken from the session); nothing else of the report."""
    authority = get_object_or_404(Authority, la_code=la_code)
    sent = request.session.pop(SENT, None)
    if not isinstance(sent, dict) or sent.get("la_code") != la_code:
        sent = {}
    return render(
        request,
        "intake/public_sent.html",
        {
            "authority": authority,
            "authority_name": authority.name,
            "reference": sent.get("reference", ""),
            "in_danger": bool(sent.get("in_danger")),
            "contacts": cme_contacts_of(authority),
        },
    )
