"""Every error the API gives is an RFC 9457 problem (application/problem+json): `type`, `title`,
`status`, `detail`, the request id, and for validation problems an `errors` list with one entry
per field. Unexpected failures are a plain 500 problem that says nothing about the cause; the log
line carries the request id and the exception's class and frames, never its message (which may
quote what was sent)."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("cme.api")

MEDIA_TYPE = "application/problem+json"
VALIDATION = "urn:cme:problem:validation-error"
DUPLICATE = "urn:cme:problem:duplicate"
REFUSED = "urn:cme:problem:refused"
BLANK = "about:blank"


# A return with two parents and two contacts is under 4 KB; 64 KB leaves room and stops abuse.
MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    pass


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    type: str = BLANK,
    title: str | None = None,
    errors: Iterable[tuple[str | None, str]] | None = None,
    **extensions: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": getattr(request, "request_id", None),
    }
    if errors is not None:
        body["errors"] = [{"field": field, "message": message} for field, message in errors]
    body.update(extensions)
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    if status == HTTPStatus.UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="cme"'
    return response


def field_errors(errors: Mapping[str, Iterable[Any]]) -> list[tuple[str | None, str]]:
    """A form's errors as (field, message) pairs; "__all__" is the body as a whole."""
    return [
        (None if name == "__all__" else name, str(message))
        for name, messages in errors.items()
        for message in messages
    ]


def invalid(request: HttpRequest, errors: Iterable[tuple[str | None, str]]) -> HttpResponse:
    """422 with what is wrong, field by field."""
    return problem(
        request,
        422,
        "The request body has errors: see `errors`.",
        type=VALIDATION,
        title="Your request is not valid",
        errors=errors,
    )


_PYDANTIC_MESSAGES = {
    "missing": "This field is required",
    "string_type": "Must be a string",
    "bool_type": "Must be true or false",
    "int_type": "Must be a whole number",
    "list_type": "Must be a list",
    "model_type": "The request body must be a JSON object",
    "model_attributes_type": "The request body must be a JSON object",
    "dict_type": "The request body must be a JSON object",
    "string_pattern_mismatch": "Must be a date from 1900 to 2099 written YYYY-MM-DD, like 2026-03-27",
}


def _field_of(location: list[Any]) -> str | None:
    # ("body", "<parameter>", "field", ...): the body parameter's name is ninja's, not the API's.
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:]
    return ".".join(parts) or None


def _message(error: Mapping[str, Any]) -> str:
    kind, context = str(error.get("type")), error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Must be {context.get('max_length')} characters or fewer"
    if kind == "literal_error":
        return f"Must be one of {context.get('expected')}"
    return _PYDANTIC_MESSAGES.get(kind, str(error.get("msg", "Not valid")))


def _on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    pairs = [(_field_of(list(error.get("loc", ()))), _message(error)) for error in exc.errors]
    return invalid(request, pairs)


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        401,
        "Send a valid, unrevoked API token as `Authorization: Bearer <token>`.",
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyTooLarge):
        return too_large(request)
    if exc.status_code == 400:
        return problem(request, 400, "The request body must be a JSON object in UTF-8.")
    if isinstance(exc, Throttled):
        response = problem(request, 429, "Too many requests from this token. Try again later.")
        response["Retry-After"] = str(max(1, int(exc.wait or 1)))
        return response
    return problem(request, exc.status_code, exc.message)


def too_large(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    return problem(request, 413, f"The request body must be {MAX_BODY_BYTES // 1024} KB or less.")


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, "There is nothing here, or nothing this token may see.")


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) or "This token may not do that."
    return problem(request, 403, detail)


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        return invalid(request, field_errors(exc.message_dict))
    return invalid(request, [(None, message) for message in exc.messages])


def _on_anything_else(request: HttpRequest, exc: Exception) -> HttpResponse:
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("API request failed: %s\n%s", type(exc).__name__, frames)
    return problem(request, 500, "Something went wrong. Try again later.")


def install(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (NinjaValidationError, _on_validation),
        (AuthenticationError, _on_authentication),
        (HttpError, _on_http_error),
        (Http404, _on_not_found),
        (PermissionDenied, _on_permission_denied),
        (DjangoValidationError, _on_django_validation),
        (RequestDataTooBig, too_large),
        (BodyTooLarge, too_large),
        (Exception, _on_anything_else),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
