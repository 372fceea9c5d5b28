"""The HTTP API (OpenAPI 3 at /api/openapi.json) for schools' and partner agencies' own systems.

- POST /api/v1/referrals — a partner agency's token refers a child for its agency.
- GET /api/v1/referrals/{reference} — the status of one of that agency's referrals.
- POST /api/v1/deletion-returns, /api/v1/new-pupil-returns — a school's token sends its returns.

A school's token sends returns for its own school only: the school is the token's, and no body
property can name another. Each submission is checked by the same form the pages use and saved
by the same service. Answers carry a reference and a status, never anything about the child.

There are no interactive docs (/api/docs): ninja's Swagger page loads scripts from a CDN and runs
inline scripts, which the service's Content-Security-Policy forbids. The JSON spec and
docs/api.md are what partners use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import register_converter
from ninja import NinjaAPI, Status
from ninja.parser import Parser

from cme.api import problems, selectors, services
from cme.api.auth import TokenAuth, token_of
from cme.api.models import ApiToken
from cme.api.problems import BodyTooLarge, field_errors, invalid, problem
from cme.api.schemas import Accepted, FormShaped, Problem, ReferralAccepted, form_data, form_schema
from cme.api.throttle import PerTokenThrottle
from cme.intake.forms import PartnerReferralForm
from cme.intake.services import ReferralRefused
from cme.returns.services import DuplicateReturn, ReturnRefused
from cme.returns.validation import (
    DeletionReturnData,
    NewPupilReturnData,
    validate_deletion_return,
    validate_new_pupil_return,
)
from cme.transfers.models import MAX_UPLOAD_BYTES

REFERRAL_BOOLEANS = ("in_danger",)
REFERENCE = re.compile(r"^CME-[2-9A-Z]{8}$")

if TYPE_CHECKING:
    ReferralIn = FormShaped
    DeletionReturnIn = FormShaped
    NewPupilReturnIn = FormShaped
else:
    ReferralIn = form_schema("ReferralIn", PartnerReferralForm, booleans=REFERRAL_BOOLEANS)
    DeletionReturnIn = form_schema("DeletionReturnIn", DeletionReturnData)
    NewPupilReturnIn = form_schema("NewPupilReturnIn", NewPupilReturnData)


class AnyText:
    """Any path text, newlines and slashes too, so that every odd reference reaches the API and
    gets its 404 problem rather than the HTML page-not-found."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyText, "anytext")


class JsonParser(Parser):
    """JSON bodies up to MAX_BODY_BYTES, UTF-8 all the way (a lone surrogate is refused here
    rather than by the database)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if len(request.body) > problems.MAX_BODY_BYTES:
            raise BodyTooLarge
        data = json.loads(request.body)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data  # type: ignore[no-any-return]


# Endpoints that take a whole file (a CTF) have the file upload's own limit.
BODY_LIMITS = {"/api/v1/ctf-files": MAX_UPLOAD_BYTES, "/api/v1/lpd/files": MAX_UPLOAD_BYTES}


def refuse_large_bodies(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Before anything is read: a declared length over the limit is refused with 413."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > BODY_LIMITS.get(request.path, problems.MAX_BODY_BYTES):
            return problems.too_large(request)
        return run(request, *args, **kwargs)

    return checked


class ProblemAPI(NinjaAPI):
    """Publishes every error response as application/problem+json, as it is sent."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
        return schema


api = ProblemAPI(
    title="Children missing education API",
    version="1",
    description="For schools' and partner agencies' own systems. See docs/api.md.",
    urls_namespace="api",
    docs_url=None,
    auth=TokenAuth(),
    throttle=[PerTokenThrottle()],
    parser=JsonParser(),
)
problems.install(api)
api.add_decorator(refuse_large_bodies, mode="view")

SUBMIT_ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    413: Problem,
    422: Problem,
    429: Problem,
}


def _school_token(request: HttpRequest) -> ApiToken:
    token = token_of(request)
    if token.establishment is None:
        raise PermissionDenied("Only a school's token may send school returns.")
    return token


def _agency_token(request: HttpRequest) -> ApiToken:
    token = token_of(request)
    if token.agency is None:
        raise PermissionDenied("Only a partner agency's token may use referrals.")
    return token


@api.post(
    "/v1/referrals",
    response={201: ReferralAccepted, **SUBMIT_ERRORS},
    operation_id="referral_create",
    summary="Refer a child who may be missing education",
    tags=["Partner agencies"],
)
def referral_create(request: HttpRequest, body: ReferralIn) -> Any:
    token = _agency_token(request)
    form = PartnerReferralForm(
        form_data(PartnerReferralForm, body.form_values(), booleans=REFERRAL_BOOLEANS)
    )
    if not form.is_valid():
        return invalid(request, field_errors(form.errors))
    try:
        referral = services.api_referral_submit(
            token=token,
            child=form.child_details(),
            agency_reference=form.cleaned_data["agency_reference"].strip(),
        )
    except ReferralRefused as refused:
        return problem(request, 403, str(refused), type=problems.REFUSED)
    return Status(201, {"reference": referral.reference, "status": referral.status})


@api.get(
    "/v1/referrals/{anytext:reference}",
    response={
        200: ReferralAccepted,
        401: Problem,
        403: Problem,
        404: Problem,
        422: Problem,
        429: Problem,
    },
    operation_id="referral_status",
    summary="The status of one of your agency's referrals",
    tags=["Partner agencies"],
)
def referral_status(request: HttpRequest, reference: str) -> Any:
    token = _agency_token(request)
    found = selectors.referral_status_for(token, reference) if REFERENCE.match(reference) else None
    if found is None:
        raise Http404
    referral, status = found
    return {"reference": referral.reference, "status": status}


def _return_problem(request: HttpRequest, refused: ReturnRefused) -> HttpResponse:
    if isinstance(refused, DuplicateReturn):
        return problem(
            request,
            409,
            str(refused),
            type=problems.DUPLICATE,
            reference=refused.existing.reference,
        )
    return problem(request, 422, str(refused), type=problems.REFUSED)


@api.post(
    "/v1/deletion-returns",
    response={201: Accepted, 409: Problem, **SUBMIT_ERRORS},
    operation_id="deletion_return_create",
    summary="Tell the authority a pupil has been deleted from your school's register",
    tags=["Schools"],
)
def deletion_return_create(request: HttpRequest, body: DeletionReturnIn) -> Any:
    token = _school_token(request)
    checked = validate_deletion_return(body.form_values())
    if checked.details is None:
        return invalid(request, field_errors(checked.errors))
    try:
        ret = services.api_deletion_return_submit(token=token, details=checked.details)
    except ReturnRefused as refused:
        return _return_problem(request, refused)
    return Status(201, {"reference": ret.reference, "status": "received"})


@api.post(
    "/v1/new-pupil-returns",
    response={201: Accepted, 409: Problem, **SUBMIT_ERRORS},
    operation_id="new_pupil_return_create",
    summary="Tell the authority your school has admitted a pupil",
    tags=["Schools"],
)
def new_pupil_return_create(request: HttpRequest, body: NewPupilReturnIn) -> Any:
    token = _school_token(request)
    checked = validate_new_pupil_return(body.form_values())
    if checked.details is None:
        return invalid(request, field_errors(checked.errors))
    try:
        ret = services.api_new_pupil_return_submit(token=token, details=checked.details)
    except ReturnRefused as refused:
        return _return_problem(request, refused)
    return Status(201, {"reference": ret.reference, "status": "received"})
